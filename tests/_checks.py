"""The assertion helper shared by the Jacobian, transform and bad-input tests.

Every comparison states what was measured, the bound it should meet (taken from
:mod:`parameterizations.numerics`, never typed in) and the member it was measured
on, e.g. ``‖J·dw − jvp‖=3e-09, but should be ≤ 1e-15 [two-layer k=3 d=2]``.
"""

from __future__ import annotations

from hypothesis import currently_in_test_context, note

from parameterizations import numerics
from theorems.core import expect as _expect

__all__ = ["expect", "expect_close", "lazy", "explain"]


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

# the library's tests speak the claims' message pattern: one implementation, theorems.core's
_OPS = {"≤": "<=", "≥": ">=", "=": "==", "<": "<"}


def expect(what: str, value, op: str, bound, member=None) -> None:
    """Fail with ``{what}={value}, but should be {op} {bound} [{member}]`` unless ``value op bound``."""
    __tracebackhide__ = True
    where = f" [{member.label}]" if member is not None else ""
    _expect(value, _OPS[op], bound, what, context=where)


def expect_close(what: str, a, b, *, scale: float, terms: int, depth: int = 1, member=None) -> None:
    """‖a − b‖ within the round-off bound :func:`numerics.close` derives from ``scale``, ``terms``, ``depth``."""
    __tracebackhide__ = True
    _, diff, bound = numerics.close(a, b, scale, terms, depth)
    explain(lazy(lambda: f"{what}: scale={scale:.3g} terms={terms} depth={depth}"))
    expect(f"‖{what}‖", diff, "≤", bound, member)
