"""Every figure the report draws reads: no text cut off by the canvas, no two texts on each other, no
legend over the data, whole-number ticks on index axes (:func:`overparam.reports.layout.layout_problems`).

The slow test draws each claim's pictures from a real run of the whole catalogue at a small budget
(the records a report is built from), the generic picture of a violated bound and the post's gradient
fields; the fast ones show that each problem is found, and that the tidying the report applies fixes
what it can without knowing the figure.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from hypothesis import Phase

from overparam.reports import layout
from overparam.reports.plots import RC, fallback_plot, figure_drawers, laid_out
from overparam.theorems.core import Result, Violation
from overparam.theorems.listing import catalogue
from overparam.theorems.style import new_figure

#: a real run, small: a few examples a claim (a tendency claim a few trials), derandomized, no database
SMALL = {"max_examples": 5, "database": None, "derandomize": True,
         "phases": (Phase.explicit, Phase.generate, Phase.shrink)}


def _problems(draw, figsize=None) -> list[str]:
    with matplotlib.rc_context(RC):
        fig = new_figure(figsize) if figsize else new_figure()
        draw(fig)
        return layout.layout_problems(fig)


# --- each problem is found ----------------------------------------------------------------------------


def test_a_title_wider_than_the_canvas_is_found():
    def draw(fig):
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1])
        ax.set_title("a title far too long for the canvas " * 4)

    assert any("extends beyond the canvas" in p for p in _problems(draw))


def test_overlapping_texts_are_found():
    def draw(fig):
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1])
        ax.text(0.5, 0.5, "one label", transform=ax.transAxes)
        ax.text(0.52, 0.5, "another label", transform=ax.transAxes)

    assert any("overlaps" in p for p in _problems(draw))


def test_a_legend_over_data_is_found_and_moved_off_it():
    def draw(fig):
        ax = fig.add_subplot()
        X, Y = np.meshgrid(np.linspace(0, 1, 12), np.linspace(0, 1, 12))
        free = (X > 0.55) & (Y < 0.45)  # points everywhere but the lower right corner
        ax.plot(X[~free], Y[~free], "o", ms=2, label="points")
        ax.plot(X[~free][::7], Y[~free][::7], "s", ms=3, label="every seventh")
        ax.legend(loc="upper left")

    assert any("legend" in p and "covers" in p for p in _problems(draw))
    assert _problems(lambda fig: laid_out(fig, draw(fig))) == []


def test_a_legend_over_bars_is_found():
    def draw(fig):
        ax = fig.add_subplot()
        ax.bar([0, 1, 2], [3, 3, 3], label="bars")
        ax.legend(loc="upper left")

    assert any("covers 1 bar" in p or "bar(s)" in p for p in _problems(draw))


def test_fractional_ticks_on_a_heatmap_and_an_index_axis_are_found_and_made_whole():
    def heatmap(fig):
        fig.add_subplot().imshow(np.arange(6.0).reshape(1, 6))

    def index(fig):
        fig.add_subplot().plot([1, 2, 3], [0.5, 0.1, 0.7], "o-")

    for draw in (heatmap, index):
        assert any("fractional ticks" in p for p in _problems(draw))
        assert _problems(lambda fig: laid_out(fig, draw(fig))) == []


def test_a_long_title_is_wrapped_to_its_room():
    def draw(fig):
        for i in (1, 2):
            ax = fig.add_subplot(1, 2, i)
            ax.plot([0, 1], [0, 1])
            ax.set_title(f"panel {i}: a title that is much longer than its panel is wide")
        fig.suptitle("a figure title that needs two lines at this width, " * 3)

    assert _problems(draw)
    assert _problems(lambda fig: laid_out(fig, draw(fig))) == []


# --- the violated bound: its margin, not two bars from 0 ------------------------------------------------


@pytest.mark.parametrize("v", [Violation("cos(Kg, g)", 0.869984, "≥", 0.87, 2e-15),
                               Violation("n·‖x‖∞ + n", 3.0, "≤", 2.0),
                               Violation("λ_min(K)", -1e-3, "≥", 0.0, 1e-14),
                               Violation("‖x‖", float("nan"), "≤", 1.0)])
def test_the_violation_panel_shows_the_margin_with_its_band(v):
    with matplotlib.rc_context(RC):
        fig = new_figure()
        fallback_plot({"x": np.array([1.0, -2.0, 0.5]), "n": 3}, fig, violation=v, title="P1: the counterexample")
        assert layout.layout_problems(fig) == []
        ax = fig.axes[0]
        if np.isfinite(v.value):
            (marker,) = [ln for ln in ax.get_lines() if ln.get_marker() == "D"]
            margin = marker.get_xydata()[0, 0]
            assert margin == pytest.approx(v.value - v.bound)
            lo, hi = ax.get_xlim()
            assert lo < margin < hi and lo < 0 < hi  # the bound (0) and the observation both in view
            labels = [t.get_text() for t in ax.get_legend().get_texts()]
            assert any("round-off band" in t for t in labels) == (v.band is not None)


# --- every figure of a real run -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def run():
    """id → (claim, result) of the whole catalogue at the SMALL budget."""
    from overparam.reports import build

    entries = build.run_entries(catalogue(), overrides=SMALL, progress=None)
    return {e.result.id: (e.claim, e.result) for e in entries}


@pytest.mark.slow
@pytest.mark.parametrize("cid", [c.id for c in catalogue() if c.decided])
def test_every_claim_figure_reads(run, cid):
    claim, result = run[cid]
    drawers = figure_drawers(claim, result)
    assert drawers, f"{cid} has no picture"
    found = {}
    for name, _, draw in drawers:
        problems = _problems(draw)
        if problems:
            found[name] = problems
    assert not found, found


@pytest.mark.slow
def test_the_gradient_field_figures_read():
    from overparam.reports.figures import field_figure, gradient_fields

    with matplotlib.rc_context(RC):
        found = {spec.name: layout.layout_problems(field_figure(spec)) for spec in gradient_fields()}
    assert not any(found.values()), found


@pytest.mark.slow
def test_a_refuted_claim_without_a_plot_of_its_own_reads():
    from _planted import planted_claims
    from overparam.theorems.core import run_claim

    claim = planted_claims()["P1"]
    result = run_claim(claim)
    assert result.status == "refuted" and result.violation is not None
    for name, _, draw in figure_drawers(claim, result):
        assert name == "values" and _problems(draw) == []
