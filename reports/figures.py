"""The post's five gradient-field figures (section "Exploring Parameterizations and Gradient Fields").

Each figure is computed from the zoo's ``induced_step``: for canonical gradients g on
circles around the origin of R², an arrow starts where the canonical step ends (at g)
and shows the induced step K(w) g. Arrows are scaled by one factor per panel, so that the longest
arrow of every panel has the same length (a panel whose K is small is not left empty); the factor
is in the panel's title, so directions and sizes within a panel, and the factors across panels, are
what to read.

* ``regular`` — the identity parameterization: K = I, every arrow continues g.
* ``squared`` — θᵢ = wᵢ², K = diag(4wᵢ²), at four w (the blue arrow).
* ``inverse`` — θᵢ = 1/wᵢ, K = diag(1/wᵢ⁴), at four w (the blue arrow).
* ``polar`` — θ = r(cos φ, sin φ), at r = 0.25, 0.5, 1, 2 (θ is the blue arrow).
* ``deep`` — the two-layer linear model with k = d = 2, U = I, under four invertible P:
  the points (PU, P⁻ᵀv) all represent the same θ (the blue arrow).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from overparam.parameterizations import Identity, Inverse, Polar, Squared, TwoLayerLinear
from overparam.theorems.style import COLORS, new_figure

__all__ = ["FieldPanel", "FieldFigure", "canonical_gradients", "gradient_fields", "field_figure",
           "render_gradient_fields", "write_gradient_fields", "RADII", "ANGLES"]

#: radii of the circles of canonical gradients, and points per circle
RADII = (0.5, 1.0, 1.5)
ANGLES = 16

#: the longest drawn arrow of a panel, in canonical units (the circles are 0.5 apart)
LONGEST = 0.5


@dataclass
class FieldPanel:
    """One panel: the induced step as a function of g, and the vector drawn in blue."""

    title: str
    step: Callable[[np.ndarray], np.ndarray]
    arrow: np.ndarray | None = None
    arrow_label: str = ""


@dataclass
class FieldFigure:
    """A figure of the post: its file name, title, caption, and panels on a grid."""

    name: str
    title: str
    caption: str
    panels: list[FieldPanel]
    shape: tuple[int, int] = (1, 1)


def canonical_gradients(radii=RADII, n: int = ANGLES) -> np.ndarray:
    """Points g on circles of the given radii, ``n`` per circle, as rows of an array."""
    t = 2 * np.pi * np.arange(n) / n
    ring = np.stack([np.cos(t), np.sin(t)], axis=1)
    return np.concatenate([r * ring for r in radii])


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def _vec(v) -> str:
    return "(" + ", ".join(_fmt(x) for x in v) + ")"


def _mat(P) -> str:
    return "[" + "; ".join(" ".join(_fmt(x) for x in row) for row in P) + "]"


def _regular() -> FieldFigure:
    m = Identity(2)
    w = np.zeros(2)
    return FieldFigure(
        "regular", "Regular (canonical) dynamics: θ = w, K = I",
        "The identity parameterization: every induced step continues its canonical gradient, and all "
        "arrows on one circle have the same length.",
        [FieldPanel("identity: K = I", lambda g: m.induced_step(w, g))])


def _diagonal(m, key: str, title: str, gains, caption: str, ws) -> FieldFigure:
    """An element-wise map on a 2×2 grid of points w, with K = diag(gains(w)) in each title."""
    ws = [np.array(w) for w in ws]
    panels = [FieldPanel(f"w = {_vec(w)}: K = diag{_vec(gains(w))}",
                         (lambda w: lambda g: m.induced_step(w, g))(w), w, "w") for w in ws]
    return FieldFigure(key, title, caption, panels, (2, 2))


def _squared() -> FieldFigure:
    return _diagonal(
        Squared(2), "squared", "Squared parameterization θᵢ = wᵢ²: K = diag(4wᵢ²)", lambda w: 4 * w * w,
        "Steps grow along the coordinates whose weights are already large (top-left, bottom-right): "
        "the parameterization favours sparse solutions. The blue arrow is w.",
        ((0.2, 1.0), (1.0, 1.0), (0.5, 0.5), (1.0, 0.2)))


def _inverse() -> FieldFigure:
    return _diagonal(
        Inverse(2), "inverse", "Inverse parameterization θᵢ = 1/wᵢ: K = diag(1/wᵢ⁴)", lambda w: 1 / w ** 4,
        "The opposite of the squared case: coordinates with large weights wᵢ (small θᵢ) get small "
        "steps. The blue arrow is w.",
        ((0.8, 1.6), (1.0, 1.0), (1.2, 1.2), (1.6, 0.8)))


def _polar(phi: float = np.pi / 6) -> FieldFigure:
    m = Polar()
    panels = []
    for r in (0.25, 0.5, 1.0, 2.0):
        w = np.array([r, phi])
        panels.append(FieldPanel(f"r = {_fmt(r)}, φ = π/6: K = " + r"$\hat u\hat u^T + $" + f"{_fmt(r * r)}"
                                 + r"$\,\hat u_\perp\hat u_\perp^T$",
                                 (lambda w: lambda g: m.induced_step(w, g))(w), m.psi(w), "θ = r(cos φ, sin φ)"))
    return FieldFigure(
        "polar", "Polar parameterization θ = r(cos φ, sin φ)",
        "r = 1 gives the canonical field; r < 1 turns the steps toward θ's own direction, r > 1 toward "
        "the orthogonal one. The blue arrow is θ.",
        panels, (2, 2))


def _deep() -> FieldFigure:
    m = TwoLayerLinear(k=2, d=2)
    theta = np.array([1.0, 0.5])
    w0 = m.pack(np.eye(2), theta)  # U = I, so θ = Uᵀv = v
    Ps = [np.eye(2), np.diag([2.0, 0.5]), np.array([[1.0, 1.0], [0.0, 1.0]]), np.array([[0.5, 0.0], [1.0, 1.5]])]
    panels = []
    for P in Ps:
        w = m.transform(w0, P)
        panels.append(FieldPanel(f"P = {_mat(P)}: θ = {_vec(m.psi(w))}",
                                 (lambda w: lambda g: m.induced_step(w, g))(w), m.psi(w), "θ = (PU)ᵀ(P⁻ᵀv)"))
    return FieldFigure(
        "deep", "Deep linear (two-layer, k = d = 2, U = I) under invertible P: (PU, P⁻ᵀv)",
        "One function, four parameterizations: every P gives the same θ (the blue arrow) and a different "
        "field K = UᵀPᵀPU + ‖P⁻ᵀv‖²I.",
        panels, (2, 2))


def gradient_fields() -> list[FieldFigure]:
    """The five figures of the post, in its order."""
    return [_regular(), _squared(), _inverse(), _polar(), _deep()]


def field_figure(spec: FieldFigure, G: np.ndarray | None = None):
    """Draw ``spec`` on a new Agg figure and return it."""
    from matplotlib.lines import Line2D

    G = canonical_gradients() if G is None else G
    steps = [np.array([p.step(g) for g in G]) for p in spec.panels]
    rows, cols = spec.shape
    width, height = 4.4 * cols + 0.4, 4.4 * rows + 1.2
    fig = new_figure((width, height))
    # a fixed layout (cheaper than a layout engine): room for the title on top and the legend below
    fig.subplots_adjust(left=0.75 / width, right=1 - 0.15 / width, top=1 - 0.85 / height, bottom=1.0 / height,
                        wspace=0.3, hspace=0.3)
    reach = max(RADII) + LONGEST + 0.25
    for i, (panel, S) in enumerate(zip(spec.panels, steps)):
        longest = float(np.max(np.linalg.norm(S, axis=1)))
        scale = LONGEST / longest if longest > 0 else 1.0  # per panel: a small K still draws visible arrows
        ax = fig.add_subplot(rows, cols, i + 1)
        ax.plot(G[:, 0], G[:, 1], "o", ms=2.5, color=COLORS["canonical"])
        ax.quiver(G[:, 0], G[:, 1], scale * S[:, 0], scale * S[:, 1], angles="xy", scale_units="xy", scale=1,
                  color=COLORS["induced"], width=0.006)
        handles = [Line2D([], [], ls="none", marker="o", ms=4, color=COLORS["canonical"],
                          label="canonical gradient g (arrow start)"),
                   Line2D([], [], ls="none", marker=r"$\rightarrow$", ms=14, color=COLORS["induced"],
                          label="induced step K g, scaled per panel (factor in its title)")]
        if panel.arrow is not None:
            a = np.asarray(panel.arrow, float)
            ax.annotate("", xy=tuple(a), xytext=(0.0, 0.0),
                        arrowprops=dict(arrowstyle="-|>", color=COLORS["theta"], lw=2.2, mutation_scale=14))
            handles.append(Line2D([], [], color=COLORS["theta"], lw=2.2, label=panel.arrow_label))
            reach_i = max(reach, float(np.max(np.abs(a))) + 0.2)
        else:
            reach_i = reach
        ax.set_xlim(-reach_i, reach_i)
        ax.set_ylim(-reach_i, reach_i)
        ax.set_aspect("equal")
        ax.axhline(0, color=COLORS["neutral"], lw=0.5)
        ax.axvline(0, color=COLORS["neutral"], lw=0.5)
        ax.grid(True, color=COLORS["neutral"], alpha=0.25, lw=0.5)
        ax.set_title(f"{panel.title}\narrows: K g × {scale:.3g}")
        ax.set_xlabel("θ₁ (canonical coordinate)")
        ax.set_ylabel("θ₂ (canonical coordinate)")
    fig.legend(handles=handles, loc="lower center", ncols=min(len(handles), cols), frameon=False,
               bbox_to_anchor=(0.5, 0.0))
    fig.suptitle(spec.title)
    return fig


def render_gradient_fields(names=None) -> dict[str, tuple[FieldFigure, bytes]]:
    """name → (figure spec, PNG bytes) for the five figures (or those ``names``)."""
    import matplotlib

    from .plots import RC, png_bytes

    specs = gradient_fields()
    known = [s.name for s in specs]
    if names is not None:
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(f"names must be among {known}, but got {unknown}")
        specs = [s for s in specs if s.name in names]
    out = {}
    for spec in specs:
        with matplotlib.rc_context(RC):
            out[spec.name] = (spec, png_bytes(field_figure(spec)))
    return out


def write_gradient_fields(out_dir, prefix: str = "field-") -> list[Path]:
    """Write the five figures as ``{prefix}{name}.png`` into ``out_dir``; returns the paths.

    A file of one of those names that is already there is replaced only when the report wrote it
    (a report folder's manifest lists it) or it holds these very bytes (the figures are drawn
    without varying metadata); otherwise nothing is written.

    Raises:
        ValueError: one line naming the files that would be replaced.
    """
    from .folder import foreign, write_atomically

    out_dir = Path(out_dir)
    drawn = {f"{prefix}{name}.png": png for name, (_, png) in render_gradient_fields().items()}
    mine = [n for n in foreign(out_dir, drawn) if (out_dir / n).is_dir() or (out_dir / n).read_bytes() != drawn[n]]
    if mine:
        raise ValueError(f"--out must not hold files the figures would replace, but {out_dir} holds "
                         f"{', '.join(mine)}, which the report did not write (move them, or choose another folder)")
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, png in drawn.items():
        path = out_dir / name
        write_atomically(path, png)  # a reader, or an interrupted run, sees the old file or the new one
        paths.append(path)
    return paths
