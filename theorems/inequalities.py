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

``expect_close(value, target, what, band=…)`` states an equality in one call: it fails when the gap
|value − target| (a norm for arrays) exceeds the band, and reports the relative gap to ``target()``,
so that the search climbs toward the examples where the two drift apart. (The catalogue's own
comparison of two computations of one value is :func:`overparam.theorems.core.expect_same`.)
"""

from __future__ import annotations

import numpy as np
import hypothesis
from hypothesis import currently_in_test_context

from overparam.parameterizations.numerics import value_band

from .core import ClaimFailed, _compared, _sentence

__all__ = ["expect_le", "expect_ge", "expect_close"]


def _steer(margin: float, scale: float, what: str) -> None:
    """target(−margin/scale) once per label and test case: the nearer the bound (or the further past it), the higher."""
    if not currently_in_test_context() or not np.isfinite(margin):
        return
    from hypothesis.control import current_build_context

    label = f"{what} toward its bound"
    if label in current_build_context().data.target_observations:
        return
    hypothesis.target(float(-margin / scale), label=label)


def _check(value, op: str, bound, what: str, band, magnitude, terms, depth, scale, member, steer, context) -> None:
    __tracebackhide__ = True
    _compared()
    value, bound = float(value), float(bound)
    sym = "≤" if op == "<=" else "≥"
    if not np.isfinite(value):
        raise ClaimFailed(_sentence(what, value, sym, bound, context=context, member=member),
                          what=what, value=value, op=sym, bound=bound)
    if band is None:
        band = value_band(value, bound, 0.0 if magnitude is None else magnitude, terms=terms, depth=depth)
    band = _band(band)
    margin = bound - value if op == "<=" else value - bound  # ≥ 0 when the inequality holds exactly
    if steer:
        size = float(scale) if scale else max(abs(value), abs(bound), band, np.finfo(float).tiny)
        _steer(margin, size, what)
    if margin < -band:
        raise ClaimFailed(_sentence(what, value, sym, bound, tail=f"(by more than its round-off band {band:.2g})",
                                    context=context, member=member), what=what, value=value, op=sym, bound=bound,
                          band=band)


def _band(band) -> float:
    band = float(band)
    if not band >= 0:
        raise ValueError(f"band must be a number ≥ 0, but got {band!r}")
    return band


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


def expect_close(value, target, what: str, *, band: float | None = None, magnitude: float | None = None,
                 terms: int = 1, depth: int = 1, scale: float | None = None, member=None, steer: bool = True,
                 context: str = "") -> None:
    """Fail the current claim unless ``value`` equals ``target`` to within ``band``; steer toward a gap.

    An equality in one call (instead of :func:`expect_le` and :func:`expect_ge` with a band summed by
    hand): the gap |value − target| (for arrays the norm ‖value − target‖) must be at most
    ``band``, the round-off the two computations can carry.

    Args:
        value, target: the computed quantity and what it should equal (numbers or arrays of one shape).
        what: the quantity's name in the message (``‖U‖₂``).
        band: the round-off band of the gap, from :mod:`overparam.parameterizations.numerics`
            (``spectral_norm_band``, ``inner_product_band``, ``theta_band``, …). Default:
            ``roundoff(magnitude, terms, depth)`` with ``magnitude`` the size of the terms the two
            were computed from (default: the larger of ‖value‖ and ‖target‖), as
            :func:`overparam.parameterizations.numerics.value_band` does.
        scale: the size the gap is measured against for ``target()`` (default: the larger of ‖value‖,
            ‖target‖ and the band).
        member: a parameterization, named in the message.
        steer: report the relative gap to ``hypothesis.target``: the search climbs toward examples where
            the two drift apart, where a false equality fails.

    The message: ``‖U‖₂=2.0001, but should equal 2 (to within its round-off band 8.9e-16)``; for arrays
    ``‖ψ(w₂) − target‖=0.003, but should be ≤ 4.4e-16 (its round-off band)``. Raises
    :class:`overparam.theorems.ClaimFailed` with ``what``, ``value``, ``op``, ``bound``.
    """
    __tracebackhide__ = True
    v, t = np.asarray(value, float), np.asarray(target, float)
    if v.shape != t.shape and v.size != 1 and t.size != 1:
        raise ValueError(f"value and target must have one shape, but got {v.shape} and {t.shape}")
    _compared()
    scalar = v.ndim == 0 and t.ndim == 0
    if not (np.all(np.isfinite(v)) and np.all(np.isfinite(t))):
        name, shown = (what, float(v)) if scalar else (f"‖{what} − target‖", float(np.linalg.norm(v - t)))
        sym, bound = ("=", float(t)) if scalar else ("≤", 0.0)
        raise ClaimFailed(_sentence(name, shown, sym, bound, context=context, member=member),
                          what=name, value=shown, op=sym, bound=bound)
    gap = float(np.linalg.norm(v - t))
    size = max(float(np.linalg.norm(v)), float(np.linalg.norm(t)))
    if band is None:
        from overparam.parameterizations.numerics import roundoff

        band = roundoff(size if magnitude is None else max(float(magnitude), 0.0), terms, depth)
    band = _band(band)
    if steer and currently_in_test_context():
        from hypothesis.control import current_build_context

        label = f"{what}: relative gap"
        score = gap / (float(scale) if scale else max(size, band, np.finfo(float).tiny))
        if np.isfinite(score) and label not in current_build_context().data.target_observations:
            hypothesis.target(float(score), label=label)
    if gap <= band:
        return
    if scalar:
        raise ClaimFailed(_sentence(what, float(v), "=", float(t), tail=f"(to within its round-off band {band:.2g})",
                                    context=context, member=member), what=what, value=float(v), op="=",
                          bound=float(t), band=band)
    name = f"‖{what} − target‖"
    raise ClaimFailed(_sentence(name, gap, "≤", band, tail="(its round-off band)", context=context, member=member),
                      what=name, value=gap, op="≤", bound=band, band=band)
