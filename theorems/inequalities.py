"""Inequalities with a derived round-off band, that steer the search toward their bound.

``expect_le(value, bound, what, band=…)`` fails unless value ≤ bound + band, and
``expect_ge`` unless value ≥ bound − band, where ``band`` is the round-off the computed
``value − bound`` can carry, taken from :mod:`overparam.parameterizations.numerics` (never a guess):

* a number against a number: the default, :func:`overparam.parameterizations.numerics.value_band` of
  the two (and of ``magnitude``, the size of the terms they were summed from, if larger);
* an eigenvalue against 0 or another: :func:`overparam.parameterizations.numerics.eigenvalue_band`,
  or :func:`overparam.parameterizations.numerics.kernel_band` for K = J Jᵀ of a parameterization;
* the norm of a product: :func:`overparam.parameterizations.numerics.product_band` of its factors, or
  :func:`overparam.parameterizations.numerics.step_band` for the induced step K g;
* a cosine or a ratio: :func:`overparam.parameterizations.numerics.cosine_band`,
  :func:`overparam.parameterizations.numerics.ratio_band` (how the bands of their inputs carry).

Both report the margin to ``hypothesis.target`` (``steer``), scaled by the size of the
compared values (or ``scale``), so that the search — most of all the ``thorough`` profile —
climbs toward the bound, where a false bound near the truth fails.
"""

from __future__ import annotations

import numpy as np
from hypothesis import currently_in_test_context, target

from overparam.parameterizations.numerics import value_band

from .core import ClaimFailed, _compared, _fmt

__all__ = ["expect_le", "expect_ge"]


def _steer(margin: float, scale: float, what: str) -> None:
    """target(−margin/scale) once per label and test case: the nearer the bound (or the further past it), the higher."""
    if not currently_in_test_context() or not np.isfinite(margin):
        return
    from hypothesis.control import current_build_context

    label = f"{what} toward its bound"
    if label in current_build_context().data.target_observations:
        return
    target(float(-margin / scale), label=label)


def _check(value, op: str, bound, what: str, band, magnitude, terms, depth, scale, member, steer, context) -> None:
    __tracebackhide__ = True
    _compared()
    value, bound = float(value), float(bound)
    if member is not None:
        context = f"{context} [{member.label}]"
    sym = "≤" if op == "<=" else "≥"
    if not np.isfinite(value):
        raise ClaimFailed(f"{what}={value} is not finite, but should be {sym} {_fmt(bound)}{context}",
                          what=what, value=value, op=sym, bound=bound)
    if band is None:
        band = value_band(value, bound, 0.0 if magnitude is None else magnitude, terms=terms, depth=depth)
    band = float(band)
    if not band >= 0:
        raise ValueError(f"band must be a number ≥ 0, but got {band!r}")
    margin = bound - value if op == "<=" else value - bound  # ≥ 0 when the inequality holds exactly
    if steer:
        size = float(scale) if scale else max(abs(value), abs(bound), band, np.finfo(float).tiny)
        _steer(margin, size, what)
    if margin < -band:
        raise ClaimFailed(f"{what}={_fmt(value, bound)}, but should be {sym} {_fmt(bound, value)} (by more than its "
                          f"round-off band {band:.2g}){context}", what=what, value=value, op=sym, bound=bound)


def expect_le(value, bound, what: str, *, band: float | None = None, magnitude: float | None = None, terms: int = 1,
              depth: int = 1, scale: float | None = None, member=None, steer: bool = True, context: str = "") -> None:
    """Fail the current claim unless ``value ≤ bound + band``; steer the search toward the bound.

    Args:
        value, bound: the computed quantity and its bound (numbers).
        what: the quantity's name in the message (``‖Kg‖``).
        band: the round-off band of value − bound, from :mod:`overparam.parameterizations.numerics`
            (``step_band``, ``eigenvalue_band``, ``cosine_band``, …). Default:
            ``value_band(value, bound, magnitude, terms=terms, depth=depth)``, for two numbers
            computed by a few roundings from terms of size ``magnitude``.
        scale: the size the margin is measured against for ``target()`` (default: the larger of
            |value|, |bound| and the band).
        member: a parameterization, named in the message.
        steer: report the margin to ``target()`` (off for a premise that is not a bound).

    Raises :class:`overparam.theorems.ClaimFailed` with ``what``, ``value``, ``op``, ``bound``.
    """
    __tracebackhide__ = True
    _check(value, "<=", bound, what, band, magnitude, terms, depth, scale, member, steer, context)


def expect_ge(value, bound, what: str, *, band: float | None = None, magnitude: float | None = None, terms: int = 1,
              depth: int = 1, scale: float | None = None, member=None, steer: bool = True, context: str = "") -> None:
    """Fail the current claim unless ``value ≥ bound − band``; steer the search toward the bound.

    As :func:`expect_le` with the inequality the other way: λ_min(K) ≥ 0 takes
    ``band=kernel_band(m, w)``, cos(z₁, z₂) ≥ 0.8 takes ``band=cosine_band(z₁, z₂, …)``.
    """
    __tracebackhide__ = True
    _check(value, ">=", bound, what, band, magnitude, terms, depth, scale, member, steer, context)
