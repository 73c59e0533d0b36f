"""A claim's picture: its own ``plot(example, fig)``, else a generic one drawn here.

Every figure is drawn on Matplotlib's Agg canvas (no pyplot, no display) and saved
as PNG without a timestamp or software tag, so the same example gives the same bytes.
The generic picture shows the example's values (arrays as stem plots, scalars and
the parameterization as text) and, when the failure named one (``Result.violation``,
from :class:`overparam.theorems.core.ClaimFailed`'s fields), the violated quantity against its bound.
A claim's plot that raises does not stop the report: the error text is kept for
the page and the generic picture is drawn instead.
"""

from __future__ import annotations

import dataclasses
import io
import math
import traceback
from dataclasses import dataclass

import numpy as np

from overparam.theorems.core import Claim, Result, Violation, degenerate_example, shorten
from overparam.theorems.style import COLORS, new_figure

__all__ = ["Picture", "png_bytes", "render", "render_capturing", "claim_pictures", "figure_drawers", "call_plot", "fallback_plot",
           "rate_plot", "laid_out", "PNG_METADATA", "RC"]

#: PNG text chunks: none that vary (Matplotlib writes its version as "Software" by default)
PNG_METADATA = {"Software": None}

#: the rc settings every picture is drawn under (a claim's plot cannot leak changes)
RC = {"font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 8,
       "svg.hashsalt": "overparam", "path.simplify": True}

_MAX_ARRAYS = 8


@dataclass
class Picture:
    """One rendered figure for a page.

    Attributes:
        name: file-name suffix and kind: ``plot`` (the claim's own) or ``values`` (generic).
        png: the PNG bytes.
        caption: what the picture shows.
        error: the traceback of a claim plot that raised (then ``png`` is the generic picture).
        warnings: what Matplotlib warned about while drawing (e.g. a glyph missing from the font).
    """

    name: str
    png: bytes
    caption: str
    error: str = ""
    warnings: list[str] = dataclasses.field(default_factory=list)


def laid_out(fig, _=None) -> None:
    """Lay out a claim's own picture: tight layout, unless it chose a layout of its own, and
    :func:`overparam.reports.layout.tidy` (titles wrapped to their room, legends off the data, integer
    ticks on index axes), so that panels' labels neither overlap nor leave the canvas."""
    from .layout import tidy

    tidy(fig, _tight if fig.get_layout_engine() is None else None)


def _tight(fig) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a layout that cannot be tightened stays as drawn
        fig.tight_layout()


def png_bytes(fig) -> bytes:
    """The figure as PNG bytes, with no varying metadata."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata=PNG_METADATA)
    return buf.getvalue()


def render(draw, *, figsize=None) -> bytes:
    """PNG bytes of a new Agg figure on which ``draw(fig)`` has drawn."""
    return render_capturing(draw, figsize=figsize)[0]


def render_capturing(draw, *, figsize=None) -> tuple[bytes, list[str]]:
    """:func:`render`, and the distinct warnings raised while drawing and saving."""
    import warnings

    import matplotlib

    with warnings.catch_warnings(record=True) as caught, matplotlib.rc_context(RC):
        warnings.simplefilter("always")
        fig = new_figure(figsize) if figsize else new_figure()
        draw(fig)
        png = png_bytes(fig)
    return png, list(dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught))


# --- the generic picture ------------------------------------------------------------


def _flatten(example, prefix: str = ""):
    """(arrays, texts): numeric arrays by name, and one-line descriptions of everything else."""
    from overparam.parameterizations import Parameterization

    arrays: dict[str, np.ndarray] = {}
    texts: list[str] = []
    items = example.items() if isinstance(example, dict) else [("example", example)]
    for key, v in items:
        name = f"{prefix}{key}"
        if isinstance(v, Parameterization):
            texts.append(f"{name}: {v.label} (p={v.n_params}, q={v.n_canonical})")
        elif isinstance(v, np.ndarray) and v.dtype.kind in "biuf" and v.size > 1:
            arrays[name] = v
        elif isinstance(v, (list, tuple)) and v and all(isinstance(x, (int, float, np.number)) for x in v):
            arrays[name] = np.asarray(v, float)
        elif isinstance(v, (np.ndarray, np.number, int, float, bool)) and np.size(v) == 1:
            x = np.asarray(v).item()
            texts.append(f"{name} = {x!r}")
        elif isinstance(v, dict):
            a, t = _flatten(v, name + ".")
            arrays.update(a)
            texts += t
        elif dataclasses.is_dataclass(v) and not isinstance(v, type):
            a, t = _flatten({f.name: getattr(v, f.name) for f in dataclasses.fields(v)}, name + ".")
            arrays.update(a)
            texts += [f"{name}: {type(v).__name__}"] + t
        else:
            s = repr(v)
            texts.append(f"{name} = {s if len(s) <= 70 else s[:67] + '…'}")
    return arrays, texts


def _stem(ax, name: str, a: np.ndarray, color: str) -> None:
    from matplotlib.ticker import MaxNLocator

    flat = np.asarray(a, float).ravel()
    idx = np.arange(flat.size)
    finite = np.isfinite(flat)
    shown = np.where(finite, flat, 0.0)
    kind = f"{a.shape[0]}×{a.shape[1]}, row by row" if a.ndim == 2 else "×".join(map(str, a.shape))
    if flat.size <= 64:
        ax.stem(idx, shown, linefmt=color, markerfmt="o", basefmt=" ", label=f"{name} ({kind})")
    else:
        ax.plot(idx, shown, color=color, lw=1, label=f"{name} ({kind})")
    if not finite.all():
        ax.plot(idx[~finite], np.zeros((~finite).sum()), "x", color=COLORS["violation"], ms=8,
                label="not finite (drawn at 0)")
    big = np.max(np.abs(shown)) if shown.size else 0.0
    nonzero = np.abs(shown[shown != 0])
    if nonzero.size and big / nonzero.min() > 1e4:
        ax.set_yscale("symlog", linthresh=float(nonzero.min()))
    ax.axhline(0, color=COLORS["neutral"], lw=0.6)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"{name}: {flat.size} entries")
    ax.set_xlabel("entry index")
    ax.set_ylabel("value")
    ax.legend(loc="best")


def _violation_panel(ax, v: Violation) -> None:
    """The violated bound as a margin: value − bound on a line centred on the bound, the side the claim
    allows shaded, the round-off band the comparison allowed drawn around the bound, so that 0.869984
    against 0.87 shows its distance instead of two equal bars."""
    from overparam.theorems.core import _fmt

    title = shorten(v.what, 50)
    ax.set_title(f"violated: {title} {v.op} {_fmt(v.bound, v.value)}")
    ax.set_yticks([])
    if not (np.isfinite(v.value) and np.isfinite(v.bound)):
        ax.set_xticks([])
        ax.text(0.5, 0.5, f"{v.what} = {v.value}: not finite", ha="center", va="center", transform=ax.transAxes)
        return
    margin = v.value - v.bound
    band = v.band if v.band is not None and np.isfinite(v.band) else 0.0
    reach = 1.6 * max(abs(margin), band, np.finfo(float).tiny)
    ax.set_xlim(-reach, reach)
    ax.set_ylim(0, 2.6)  # the marker low, the legend above it
    below = v.op in ("≤", "<")  # the claim allows values below the bound
    allowed = (-reach, band) if below else (-band, reach)
    if v.op in ("≤", "<", "≥", ">"):
        ax.axvspan(*allowed, color=COLORS["canonical"], alpha=0.12, lw=0, label=f"allowed side ({v.op} bound)")
    if band > 0:
        ax.axvspan(-band, band, color=COLORS["neutral"], alpha=0.45, lw=0,
                   label=f"round-off band ±{band:.2g}" + (" (too narrow to see)" if band < reach / 300 else ""))
    ax.axvline(0, color=COLORS["reference"], lw=2, label=f"bound = {_fmt(v.bound, v.value)}")
    rel = f", {margin / abs(v.bound):+.2g} of |bound|" if v.bound != 0 else ""
    ax.plot([margin], [0.5], "D", color=COLORS["violation"], ms=9,
            label=f"observed = {_fmt(v.value, v.bound)} (by {margin:+.3g}{rel})")
    ax.set_xlabel("value − bound")
    ax.legend(loc="upper center", fontsize=7, frameon=False)


def fallback_plot(example, fig, *, violation: Violation | None = None, title: str = "") -> None:
    """Draw the generic picture of ``example`` (and the ``violation`` that refuted it) on ``fig``."""
    arrays, texts = _flatten(example if example is not None else {})
    names = list(arrays)[:_MAX_ARRAYS]
    if len(arrays) > _MAX_ARRAYS:
        texts.append(f"(and {len(arrays) - _MAX_ARRAYS} more arrays, not drawn)")
    lines = texts or ["(no other values)"]
    lines = lines[:14] + ([f"(and {len(lines) - 14} more)"] if len(lines) > 14 else [])
    panels = len(names) + 1 + (violation is not None)
    cols = 2 if panels > 1 else 1
    rows = math.ceil(panels / cols)
    # the text panel is last; alone on its row, that row is only as tall as its lines
    text_alone = (panels - 1) % cols == 0
    text_h = 0.35 + 0.16 * len(lines)
    heights = [2.6] * (rows - 1) + [text_h if text_alone else max(2.6, text_h)]
    gap = 0.75  # inches between rows: a row's x label and the next row's title
    bottom = 0.15 if text_alone else 0.5
    height = 0.55 + sum(heights) + gap * (rows - 1) + bottom
    fig.set_size_inches(9.6, height)
    # a fixed layout (a layout engine costs more than the drawing): inches turned into figure fractions
    gs = fig.add_gridspec(rows, cols, height_ratios=heights, left=0.8 / 9.6, right=1 - 0.2 / 9.6,
                          top=1 - 0.55 / height, bottom=bottom / height, wspace=0.3,
                          hspace=gap / (sum(heights) / rows))
    palette = [COLORS["canonical"], COLORS["induced"], COLORS["other"], COLORS["theta"]]
    k = 0
    if violation is not None:
        _violation_panel(fig.add_subplot(gs[k // cols, k % cols]), violation)
        k += 1
    for i, name in enumerate(names):
        ax = fig.add_subplot(gs[k // cols, k % cols])
        try:
            _stem(ax, name, arrays[name], palette[i % len(palette)])
        except Exception as e:  # one bad array must not lose the others
            ax.text(0.5, 0.5, f"{name}: cannot draw ({type(e).__name__})", ha="center", va="center",
                    transform=ax.transAxes)
        k += 1
    ax = fig.add_subplot(gs[rows - 1, :] if text_alone else gs[k // cols, k % cols])
    ax.axis("off")
    ax.set_title("the example's other values", loc="left")
    ax.text(0.0, 1.0, "\n".join(lines), va="top", ha="left", family="monospace", fontsize=8,
            transform=ax.transAxes)
    fig.suptitle(title or "the example's values")


def rate_plot(result: Result, fig) -> None:
    """A tendency claim's rate per series with its confidence interval; the deciding series and the
    rule's thresholds (survives above, refuted below) marked, the legend outside the data."""
    from overparam.theorems.style import COLORS

    rate = result.rate
    names = list(rate["series"])
    ax = fig.add_subplot()
    xs = np.arange(len(names))
    for x, name in zip(xs, names):
        c = rate["series"][name]
        deciding = name == rate["decides"]
        color = {"survived": COLORS["canonical"], "refuted": COLORS["violation"]}.get(
            rate["verdict"], COLORS["reference"]) if deciding else COLORS["neutral"]
        r = c["rate"] if c["rate"] is not None else (c["lo"] + c["hi"]) / 2
        ax.errorbar([x], [r], yerr=[[r - c["lo"]], [c["hi"] - r]], fmt="o" if c["rate"] is not None else "x",
                    color=color, capsize=6, ms=8 if deciding else 6, lw=2 if deciding else 1.2)
        ax.annotate(f"{c['met']}/{c['decided']}" + (f" (+{c['undecided']} undecided)" if c["undecided"] else ""),
                    (x, c["lo"]), textcoords="offset points", xytext=(0, -14), ha="center", fontsize=7)
    ax.errorbar([], [], yerr=[], fmt="o", color=COLORS["neutral"], capsize=4,
                label=f"rate with its {rate['confidence']:.0%} {rate['method']} interval")
    if rate["holds_above"] == rate["refuted_below"]:
        ax.axhline(rate["holds_above"], color=COLORS["reference"], ls="--",
                   label=f"threshold {rate['holds_above']:g}: survives above it, refuted below it")
    else:
        ax.axhline(rate["holds_above"], color=COLORS["canonical"], ls="--",
                   label=f"survives: lower bound above {rate['holds_above']:g}")
        ax.axhline(rate["refuted_below"], color=COLORS["violation"], ls="--",
                   label=f"refuted: upper bound below {rate['refuted_below']:g}")
    ax.set_xticks(xs)
    ax.set_xticklabels([(n or "all examples") + (" (decides)" if n == rate["decides"] and len(names) > 1 else "")
                        for n in names], fontsize=8)
    ax.set_xlim(-0.6, len(names) - 0.4)
    ax.set_ylim(-0.12, 1.05)
    ax.set_ylabel("fraction that meets the criterion")
    ax.set_title(f"{result.id} {rate['verdict']}: {rate['criterion']}", fontsize=9)  # wrapped by laid_out
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=1, frameon=False)


def figure_drawers(claim: Claim | None, result: Result) -> list[tuple[str, str, object]]:
    """(name, caption, draw) of each picture of a result, in page order: the rate of a tendency claim,
    then the claim's own plot, else the generic picture; ``draw(fig)`` draws it laid out on ``fig``.
    A claim's plot that raises is replaced by the generic picture in :func:`claim_pictures`."""
    example = result.example
    if example is None:
        return []
    what = result.example_role
    drawers = []
    if result.rate is not None:  # a tendency claim: the rate that decided it comes first
        drawers.append(("rate", f"{result.id}'s rate over the run, with its interval and the rule's thresholds.",
                        lambda fig: laid_out(fig, rate_plot(result, fig))))
    if claim is not None and claim.plot is not None:
        drawers.append(("plot", f"{result.id}'s own picture of the {what}.",
                        lambda fig: laid_out(fig, call_plot(claim.plot, example, fig, result))))
        # beside an example at the edge the search was steered to, or a degenerate one (g = 0, U = 0)
        if result.typical is not None and (result.example_role == "example nearest the bound"
                                           or degenerate_example(example)):
            drawers.append(("typical", f"{result.id}'s own picture of a representative decided example (of median "
                                       f"score in a uniform sample of the passing ones), beside the {what}.",
                            lambda fig: laid_out(fig, call_plot(claim.plot, result.typical, fig, result))))
    else:
        drawers.append(("values", _values_caption(result), lambda fig: _values(result, fig)))
    return drawers


def call_plot(plot, example, fig, result: Result):
    """``plot(example, fig)``, or ``plot(example, fig, result=result)`` when the plot takes the result (to
    draw the numbers the verdict was decided from: a tendency claim's rates, the run's counts)."""
    import inspect

    try:
        takes = "result" in inspect.signature(plot).parameters
    except (TypeError, ValueError):
        takes = False
    return plot(example, fig, result=result) if takes else plot(example, fig)


def _values_caption(result: Result) -> str:
    return f"The {result.example_role}'s values" + (" and the violated quantity." if result.violation else ".")


def _values(result: Result, fig) -> None:
    what = result.example_role
    title = f"{result.id}: the {what}" + (f" ({result.label})" if result.label else "")
    fallback_plot(result.example, fig, violation=result.violation, title=title)


def claim_pictures(claim: Claim | None, result: Result) -> list[Picture]:
    """The pictures of a result (:func:`figure_drawers`) as PNG; a claim's plot that raises keeps its
    error and is replaced by the generic picture."""
    pictures: list[Picture] = []
    for name, caption, draw in figure_drawers(claim, result):
        try:
            png, warned = render_capturing(draw)
            pictures.append(Picture(name, png, caption, warnings=warned))
            continue
        except Exception:
            error = traceback.format_exc(limit=8)
        if name != "plot":
            pictures.append(Picture(name, b"", "", error))
            continue
        try:
            png, warned = render_capturing(lambda fig: _values(result, fig))
            pictures.append(Picture("values", png, _values_caption(result), error, warned))
        except Exception:
            pictures.append(Picture("values", b"", "", error + "\n" + traceback.format_exc(limit=8)))
    return pictures
