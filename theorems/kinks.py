"""Drawn points where ψ is not differentiable: set aside and counted, never a pass nor a failure.

A derivative claim (J2, C16) compares J with ψ's Taylor remainder. At a kink of a
piecewise-smooth ψ (a pre-activation of a ReLU network exactly 0) the one-sided
derivatives differ, no J is the derivative, and the remainder is Θ(h) whatever J
is. Such an example says nothing about J: its check returns
:data:`NOT_DIFFERENTIABLE` instead of passing or failing, the runner counts it as
undecided (for :data:`overparam.theorems.core.KINK_REASON`) and draws another, and
:func:`report_set_aside` words a result with such examples.
"""

from __future__ import annotations

import numpy as np

from overparam.parameterizations.differentiability import describe_entries, one_sided_derivatives_agree, wrong_entries

from .core import KINK_REASON, NOT_DIFFERENTIABLE, Result

__all__ = ["NOT_DIFFERENTIABLE", "kink_along", "curvature_reach", "explain_wrong_jacobian", "report_set_aside"]


def _reach(m, w, d) -> float:
    step = getattr(m, "smooth_step", None)
    if step is None:
        return np.inf
    return float(min(step(w, d), step(w, -np.asarray(d, float))))


def curvature_reach(m, w, d) -> float:
    """The smaller of ``m.curvature_step`` along ±d (∞ for an object without one)."""
    step = getattr(m, "curvature_step", None)
    if step is None:
        return np.inf
    return float(min(step(w, d), step(w, -np.asarray(d, float))))


def _curvature_of(m):
    step = getattr(m, "curvature_step", None)
    return None if step is None else (lambda w, d: float(step(w, d)))


def kink_along(m, w, d) -> bool:
    """Whether ψ = ``m.psi`` has a kink at w along d: its one-sided derivatives are seen to differ."""
    res = one_sided_derivatives_agree(m.psi, w, d, scale=m.psi_scale, terms=m.n_params,
                                      depth=int(getattr(m, "depth", 1)), smooth_step=_reach(m, w, d),
                                      curvature_step=curvature_reach(m, w, d))
    return not res.ok


def _reporting() -> bool:
    """True outside Hypothesis and in its final replay of a failure: worth a costly explanation."""
    from hypothesis import currently_in_test_context
    from hypothesis.control import current_build_context

    return not currently_in_test_context() or bool(getattr(current_build_context(), "is_final", True))


def explain_wrong_jacobian(m, w, J) -> str:
    """``: J[3, 7] = 0.5, but ∂θ_3/∂w_7 ≈ -0.5`` — the wrong columns of J, each by its worst entry.

    One Taylor test per column: run only for the failure Hypothesis reports, not while it
    shrinks ("" then).
    """
    if not _reporting():
        return ""
    text = describe_entries(wrong_entries(m.psi, J, w, scale=m.psi_scale, terms=m.n_params,
                                          depth=int(getattr(m, "depth", 1)), curvature_step=_curvature_of(m)))
    return f": {text}" if text else ""


def report_set_aside(r: Result) -> Result:
    """``r`` worded for the examples it set aside where ψ was not differentiable (``r.set_aside``).

    The runner counted them as undecided and drew others, so ``r.examples`` are the judged ones; if
    no example could be judged (Hypothesis found no other), the status is :data:`NOT_DIFFERENTIABLE`,
    neither a pass nor a failure.
    """
    set_aside = int(r.undecided_reasons.get(KINK_REASON, 0))
    if not set_aside:
        return r
    apart = (f"{set_aside} drawn point{'s' if set_aside > 1 else ''} where ψ is not differentiable (its "
             f"one-sided derivatives differ along the direction drawn) counted apart")
    if r.status == "holds":
        r.message = f"{r.id} held on all {r.examples} examples where ψ is differentiable; {apart}."
    elif r.status == "error" and r.examples == 0 and set_aside == r.undecided:
        r.status = NOT_DIFFERENTIABLE
        r.message = f"{r.id} could not be judged: every one of the {set_aside} drawn points was a kink of ψ."
    else:
        r.message = f"{r.message} ({apart} before this one)"
    r.set_aside = set_aside
    return r
