"""One colour scheme, figure conventions and the small drawing helpers every plot shares."""

from __future__ import annotations

import numpy as np

__all__ = ["COLORS", "FIGSIZE", "DPI", "new_figure", "draw_arrows", "square_limits", "fit_limits", "shade_halfspace",
           "log_dots", "index_ticks"]

#: role → colour (colour-blind safe, Okabe–Ito)
COLORS = {
    "canonical": "#0072B2",   # canonical step / gradient, x
    "induced": "#D55E00",     # induced (parametric) step
    "other": "#009E73",       # a second parameterization's step
    "theta": "#56B4E9",       # θ itself (the post's blue arrow)
    "violation": "#CC79A7",   # what breaks a claim
    "reference": "#E69F00",   # reference solutions, bounds
    "neutral": "#999999",     # grids, shaded regions
    "text": "#222222",
}

FIGSIZE = (6.4, 4.8)
DPI = 100


def new_figure(figsize=FIGSIZE):
    """A Matplotlib figure on the Agg canvas (no display, no global pyplot state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def draw_arrows(ax, pts, styles) -> float:
    """Arrows from the origin to each 2-D point; returns the largest length (for limits)."""
    big = 0.0
    for p, (label, color) in zip(pts, styles):
        ax.annotate("", xy=(p[0], p[1]), xytext=(0, 0),
                    arrowprops=dict(arrowstyle="-|>", color=color, lw=2, shrinkA=0, shrinkB=0))
        ax.plot([], [], color=color, lw=2, label=label)  # the legend's handle
        big = max(big, float(np.hypot(*p)))
    return big


def square_limits(ax, r: float) -> None:
    """Equal-aspect limits [−1.15r, 1.15r]² around the origin, with the axes drawn."""
    r = 1.15 * (r if r > 0 else 1.0)
    ax.set_xlim(-r, r)
    ax.set_ylim(-r, r)
    ax.set_aspect("equal")
    ax.axhline(0, color=COLORS["neutral"], lw=0.5)
    ax.axvline(0, color=COLORS["neutral"], lw=0.5)


def fit_limits(ax, pts) -> None:
    """Equal-aspect limits around the origin and the 2-D points, with a margin."""
    pts = np.vstack([np.zeros((1, 2)), np.asarray(pts, float)])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = 0.15 * max(float(np.max(hi - lo)), 1e-300)
    ax.set_xlim(lo[0] - pad, hi[0] + pad)
    ax.set_ylim(lo[1] - pad, hi[1] + pad)
    ax.set_aspect("equal")
    ax.axhline(0, color=COLORS["neutral"], lw=0.5)
    ax.axvline(0, color=COLORS["neutral"], lw=0.5)


def shade_halfspace(ax, normal2, r: float, label: str) -> None:
    """Shade {p ∈ R²: p·n ≥ 0} inside the disc of radius r (n given in plane coordinates)."""
    n = np.asarray(normal2, float)
    if not np.any(n):
        return
    n = n / np.linalg.norm(n)
    phi0 = np.arctan2(n[1], n[0])
    ts = np.linspace(phi0 - np.pi / 2, phi0 + np.pi / 2, 90)
    R = 1.3 * r
    poly = np.vstack([[0, 0], np.c_[R * np.cos(ts), R * np.sin(ts)], [0, 0]])
    ax.fill(poly[:, 0], poly[:, 1], color=COLORS["neutral"], alpha=0.18, lw=0, label=label)
    t = np.array([-n[1], n[0]])
    ax.plot([-R * t[0], R * t[0]], [-R * t[1], R * t[1]], color=COLORS["neutral"], lw=0.8, ls="--")


def index_ticks(axis, lo: int, hi: int) -> None:
    """Whole-number ticks from ``lo`` to ``hi`` on an axis whose values are indices (``ax.xaxis``)."""
    from matplotlib.ticker import FixedLocator, MaxNLocator

    whole = np.arange(int(lo), int(hi) + 1)
    axis.set_major_locator(FixedLocator(whole) if whole.size <= 10 else MaxNLocator(integer=True))


def log_dots(ax, positions, values, colors, *, labels=None, horizontal: bool = False, ms: float = 7) -> None:
    """Positive values on a log axis as dots (a bar on a log axis starts at an arbitrary floor, which makes
    its length meaningless); a value of 0 is drawn as a triangle on the axis's low edge, marked "0", and
    a value that is not finite as a cross on the high edge. ``horizontal``: values along x."""
    vals = np.asarray(values, float)
    pos = np.asarray(positions, float)
    colors = list(colors) if not isinstance(colors, str) else [colors] * len(vals)
    labels = list(labels) if labels is not None else [None] * len(vals)
    good = np.isfinite(vals) & (vals > 0)
    for p, v, c, lab in zip(pos[good], vals[good], np.asarray(colors, object)[good], np.asarray(labels, object)[good]):
        xy = (v, p) if horizontal else (p, v)
        ax.plot(*xy, "o", color=c, ms=ms, label=lab)
    if horizontal:
        ax.set_xscale("log")
    else:
        ax.set_yscale("log")
    if good.any():  # room for the edge markers: two decades below the least value, one above the largest
        lo, hi = float(vals[good].min()) / 100, float(vals[good].max()) * 10
        (ax.set_xlim if horizontal else ax.set_ylim)(lo, hi)
    from matplotlib.transforms import blended_transform_factory

    for p, v, c, lab in zip(pos[~good], vals[~good], np.asarray(colors, object)[~good], np.asarray(labels, object)[~good]):
        at, mark, text = (0.0, "<" if horizontal else "v", "0") if v == 0 else (1.0, "x", f"{v:g}")
        if horizontal:
            t = blended_transform_factory(ax.transAxes, ax.transData)
            ax.plot([at], [p], mark, color=c, ms=ms, transform=t, clip_on=False, label=lab)
            ax.annotate(text, (at, p), xycoords=t, xytext=(6 if at == 0 else -10, 4), textcoords="offset points",
                        fontsize=7, color=c)
        else:
            t = blended_transform_factory(ax.transData, ax.transAxes)
            ax.plot([p], [at], mark, color=c, ms=ms, transform=t, clip_on=False, label=lab)
            ax.annotate(text, (p, at), xycoords=t, xytext=(5, 4 if at == 0 else -10), textcoords="offset points",
                        fontsize=7, color=c)
