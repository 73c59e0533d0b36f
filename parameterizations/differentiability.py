"""When a Taylor test fails: is ψ not differentiable there, or is J wrong, and where?

A piecewise-smooth ψ (a ReLU network) has kinks: points where the one-sided
derivatives (ψ(w + hd) − ψ(w))/h and (ψ(w) − ψ(w − hd))/h converge to different
limits. There no J is "the derivative", and a first-order Taylor remainder is Θ(h)
whatever J is. Their difference is the second difference divided by h,

    (ψ(w + hd) − 2ψ(w) + ψ(w − hd)) / h,

which is h·ψ″[d, d] + O(h³) → 0 where ψ is twice differentiable, and tends to the
jump of the one-sided derivatives at a kink. So the second difference is O(h²) at
a smooth point and Θ(h) at a kink: the Taylor-order test of
:func:`overparam.parameterizations.numerics.taylor_order` decides it, applied to the
symmetrized map x ↦ ψ(x) + ψ(2w − x), whose derivative at w is J − J = 0 whatever
J is. Like that test, this one needs no step size and no tolerance beyond the
round-off floor and :data:`overparam.parameterizations.numerics.ORDER_THRESHOLD`.

Where ψ is differentiable and J is not its derivative, :func:`wrong_entries` runs
the Taylor test column by column (along each coordinate w_c) to say which columns
of J are wrong, and estimates the true column by a central difference to name the
worst entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .numerics import TaylorResult, taylor_order

__all__ = ["one_sided_derivatives_agree", "EntryError", "wrong_entries", "describe_entries"]


def one_sided_derivatives_agree(psi: Callable, w, d, *, scale: Callable[[np.ndarray], float], terms: int,
                                depth: int = 1, smooth_step: float = np.inf, curvature_step: float = np.inf,
                                n_steps: int = 60) -> TaylorResult:
    """Whether ψ's one-sided derivatives at w along ±d agree (ψ differentiable along d).

    ``ok`` is False only where the second difference is observed to be of order below
    :data:`ORDER_THRESHOLD` (a kink along d); a second difference at round-off, one that
    cannot be judged, or a ψ that raises ``ValueError`` at w ± h·d (outside its domain)
    counts as agreement, so that this test never hides a wrong J at a smooth point.
    ``scale`` is S(x), the magnitude of ψ's terms at x (``psi_scale``); ``smooth_step``
    and ``curvature_step`` cap the steps as in :func:`taylor_order` (the smaller of the two sides').
    """
    w = np.asarray(w, float)
    mirror = 2.0 * w  # the rounding of 2w − x is one more term, inside the floor's γ

    def symmetric(x):
        return np.asarray(psi(x), float) + np.asarray(psi(mirror - x), float)

    try:
        return taylor_order(symmetric, lambda w_, d_: np.zeros_like(np.asarray(psi(w), float)), w, d,
                            scale=lambda x: float(scale(x)) + float(scale(mirror - x)), terms=terms + 1,
                            depth=depth, smooth_step=smooth_step, curvature_step=curvature_step, n_steps=n_steps)
    except ValueError as e:
        empty = np.empty(0)
        return TaylorResult(empty, empty, empty, np.nan, True, f"ψ cannot be evaluated on both sides: {e}")


@dataclass(frozen=True)
class EntryError:
    """Column ``column`` of J: wrong (the worst entry ``row``: J has ``claimed``, ψ's derivative is
    about ``estimate``; NaN when no estimate is sure enough to name one), or
    ``differentiable=False``: ψ has a kink along w_column here."""

    column: int
    differentiable: bool
    row: int = -1
    claimed: float = np.nan
    estimate: float = np.nan


def _central(psi, w, c: int, h: float) -> np.ndarray:
    e = np.zeros_like(w)
    e[c] = h
    return (np.asarray(psi(w + e), float) - np.asarray(psi(w - e), float)) / (2 * h)


def _estimate_column(psi, w, c: int, res: TaylorResult) -> tuple[np.ndarray, np.ndarray]:
    """A central difference D(h) of column c and its uncertainty, per entry.

    h: the smallest step whose remainder is 100 floors clear of round-off (two significant
    digits of the error in J), else the step most clear of it. The central difference errs by
    O(h²), so |D(h) − D(2h)| ≈ 3·|D(h) − ∂θ/∂w_c| bounds its truncation once h is in that
    regime, and floor(h)/h its round-off: an entry of J is named only where it differs from
    D(h) by more than both, so that a step past a bend of ψ (where D(h) and D(2h) disagree)
    accuses no entry.
    """
    clear = res.remainders / res.floors
    good = np.flatnonzero(clear >= 100)
    i = int(good[-1] if good.size else np.argmax(clear))
    h = float(res.steps[i])
    d1, d2 = _central(psi, w, c, h), _central(psi, w, c, 2 * h)
    return d1, np.abs(d2 - d1) + float(res.floors[i]) / h


def wrong_entries(psi: Callable, J, w, *, scale: Callable[[np.ndarray], float], terms: int,
                  depth: int = 1, curvature_step: Callable | None = None, n_steps: int = 60) -> list[EntryError]:
    """The columns of J that fail the Taylor test along their coordinate, each with its worst entry.

    ``curvature_step(w, e_c)`` (a member's method) caps each column's first step as in
    :func:`taylor_order`. Costs one Taylor test per column (a few dozen evaluations of ψ
    each): meant for explaining a failure, not for every example.
    """
    w = np.asarray(w, float)
    J = np.asarray(J, float)
    out = []
    for c in range(J.shape[1]):
        e = np.zeros_like(w)
        e[c] = 1.0
        bend = np.inf if curvature_step is None else min(curvature_step(w, e), curvature_step(w, -e))
        res = taylor_order(psi, lambda w_, d_, c=c: J[:, c] * d_[c], w, e, scale=scale, terms=terms, depth=depth,
                           curvature_step=bend, n_steps=n_steps)
        if res.ok:
            continue
        if not one_sided_derivatives_agree(psi, w, e, scale=scale, terms=terms, depth=depth, curvature_step=bend,
                                           n_steps=n_steps).ok:
            out.append(EntryError(c, False))
            continue
        est, err = _estimate_column(psi, w, c, res)
        off = np.abs(J[:, c] - est) - err
        r = int(np.argmax(off))
        out.append(EntryError(c, True, r, float(J[r, c]), float(est[r]) if off[r] > 0 else np.nan))
    return out


def _apart(x: float, other: float) -> str:
    """x with 3 significant digits, or as many as tell it from ``other``."""
    for digits in (3, 6, 10, 17):
        if f"{x:.{digits}g}" != f"{other:.{digits}g}":
            break
    return f"{x:.{digits}g}"


def describe_entries(errors: list[EntryError], limit: int = 3) -> str:
    """``J[3, 7] = 0.5, but ∂θ_3/∂w_7 ≈ -0.5; …`` for the first ``limit`` wrong columns."""
    wrong = [e for e in errors if e.differentiable]
    kinks = [e.column for e in errors if not e.differentiable]
    parts = [f"J[{e.row}, {e.column}] = {_apart(e.claimed, e.estimate)}, but ∂θ_{e.row}/∂w_{e.column} ≈ "
             f"{_apart(e.estimate, e.claimed)}"
             if np.isfinite(e.estimate) else
             f"column {e.column} fails the Taylor test along w_{e.column} (no difference quotient of ψ is "
             f"sure enough to name an entry)" for e in wrong[:limit]]
    text = "; ".join(parts)
    if len(wrong) > limit:
        text += f" (and {len(wrong) - limit} more wrong columns)"
    if wrong:
        text = f"{len(wrong)} wrong column{'s' if len(wrong) > 1 else ''} of J: " + text
    if kinks:
        text += ("; " if text else "") + f"ψ has a kink along w_c for c in {kinks}"
    return text

