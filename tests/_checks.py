"""The assertion helpers shared by the Jacobian, transform and bad-input tests.

The comparisons are :func:`overparam.theorems.core.expect` and :func:`overparam.theorems.core.expect_same`
themselves (one message implementation for claims and tests): each states what was measured, the bound it should meet (taken from :mod:`overparam.parameterizations.numerics`,
never typed in) and the member it was measured on, e.g.
``‖J·dw − jvp‖=3e-09, but should be ≤ 1e-15 (round-off) [two-layer k=3 d=2]``.
"""

from __future__ import annotations

from hypothesis import currently_in_test_context, note

from overparam.theorems.core import expect, expect_same

__all__ = ["expect", "expect_same", "lazy", "explain"]


def explain(text) -> None:
    """``note`` inside a Hypothesis test (shown with the minimal failing example), nothing outside."""
    if currently_in_test_context():
        note(text)


class lazy:
    """``note(lazy(lambda: …))`` formats its text only when Hypothesis reports it (the final, failing run)."""

    def __init__(self, text):
        self._text = text

    def __repr__(self) -> str:
        return self._text()
