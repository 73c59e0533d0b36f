"""One colour scheme and figure conventions for every plot the project draws."""

from __future__ import annotations

__all__ = ["COLORS", "FIGSIZE", "DPI", "new_figure"]

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
