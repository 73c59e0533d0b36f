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

from overparam.theorems.core import Claim, Result, Violation, shorten
from overparam.theorems.style import COLORS, new_figure

__all__ = ["Picture", "png_bytes", "render", "render_capturing", "claim_pictures", "fallback_plot",
           "PNG_METADATA"]

#: PNG text chunks: none that vary (Matplotlib writes its version as "Software" by default)
PNG_METADATA = {"Software": None}

#: the rc settings every picture is drawn under (a claim's plot cannot leak changes)
_RC = {"font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 8,
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


def _laid_out(fig, _=None) -> None:
    """Tight layout for a claim's own picture, unless it chose a layout of its own: panels'
    labels then do not overlap."""
    if fig.get_layout_engine() is None:
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

    with warnings.catch_warnings(record=True) as caught, matplotlib.rc_context(_RC):
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
    vals = [v.value, v.bound]
    finite = all(np.isfinite(vals))
    shown = [x if np.isfinite(x) else 0.0 for x in vals]
    bars = ax.barh([1, 0], shown, color=[COLORS["violation"], COLORS["reference"]], height=0.6)
    bars[0].set_label(f"observed {v.what} = {v.value:.3g}")
    bars[1].set_label(f"bound: should be {v.op} {v.bound:.3g}")
    ax.set_yticks([1, 0], ["observed", "bound"])
    pos = [abs(x) for x in shown if x != 0]
    if finite and len(pos) == 2 and min(shown) > 0 and max(pos) / min(pos) > 100:
        ax.set_xscale("log")
    else:
        ax.axvline(0, color=COLORS["neutral"], lw=0.6)
    title = v.what if len(v.what) <= 60 else v.what[:57] + "…"
    ax.set_title(f"violated: {title} {v.op} {v.bound:.3g}")
    ax.set_xlabel("value")
    ax.legend(loc="best")


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
    ax.set_title(f"{result.id} {rate['verdict']}: " + shorten(rate["criterion"], 90), fontsize=9)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=1, frameon=False)


def claim_pictures(claim: Claim | None, result: Result) -> list[Picture]:
    """The pictures of a result: the claim's own plot (or its error) and, without one, the generic picture."""
    example = result.example
    if example is None:
        return []
    what = result.example_role
    title = f"{result.id}: the {what}" + (f" ({result.label})" if result.label else "")
    pictures: list[Picture] = []
    error = ""
    if result.rate is not None:  # a tendency claim: the rate that decided it comes first
        try:
            png, warned = render_capturing(lambda fig: _laid_out(fig, rate_plot(result, fig)))
            pictures.append(Picture("rate", png, f"{result.id}'s rate over the run, with its interval and the "
                                                 f"rule's thresholds.", warnings=warned))
        except Exception:
            pictures.append(Picture("rate", b"", "", traceback.format_exc(limit=8)))
    if claim is not None and claim.plot is not None:
        try:
            png, warned = render_capturing(lambda fig: _laid_out(fig, claim.plot(example, fig)))
            return pictures + [Picture("plot", png, f"{result.id}'s own picture of the {what}.", warnings=warned)]
        except Exception:
            error = traceback.format_exc(limit=8)
    try:
        png, warned = render_capturing(lambda fig: fallback_plot(example, fig, violation=result.violation,
                                                                       title=title))
        caption = f"The {what}'s values" + (" and the violated quantity." if result.violation else ".")
        pictures.append(Picture("values", png, caption, error, warned))
    except Exception:
        pictures.append(Picture("values", b"", "", error + "\n" + traceback.format_exc(limit=8)))
    return pictures
