r"""One descent run: the parametric step and its canonical counterpart.

The **parametric step** (:func:`gradient_descent`) is the chain rule applied once:

    w ← w − η ∇_w(ℓ∘ψ)(w) = w − η J(w)ᵀ ∇_θℓ(ψ(w)),

computed with the parameterization's vjp and never with J. The **canonical step**
(:func:`canonical_descent`) is θ ← θ − η∇_θℓ(θ), the same engine run on the identity.

Every run stops for one of three reasons, reported in ``status``:

* ``"converged"`` — the stopping quantity fell to ``tol``: the loss (``criterion="loss"``),
  or the parametric gradient norm ‖∇_w L‖ (``criterion="grad"``);
* ``"budget"`` — the step budget (or, for :func:`overparam.descent.gradient_flow`, the time budget) ran out;
* ``"diverged"`` — an iterate had a non-finite loss, θ, w or gradient (a squared norm that
  overflows counts), or a loss above ``max_loss`` (default ``divergence_factor·max(|L₀|, 1)``
  with ``divergence_factor = 1e12``). The offending iterate is *not* returned: ``w``, ``theta``
  and the histories stop at the last healthy iterate, and ``diverged_at`` is the index of the
  offending one. No NaN ever reaches a result; floating-point warnings are silenced inside.
"""

from __future__ import annotations

import math

import numpy as np

from overparam.parameterizations import Identity
from overparam.parameterizations.validate import as_positive, as_vector

from .arguments import check_loss, check_param, common_options, maps, max_loss_bound
from .recording import Recorder, check_cap, check_every, histories
from .results import DescentResult, message

__all__ = ["gradient_descent", "canonical_descent", "descend"]


def _health(L, theta, G, w, max_loss, g2=None):
    """None if the iterate is healthy, else a description of what went wrong (``g2``: G·G, if known)."""
    # ndarray.dot: a third of the cost of the @ operator on vectors of this size, at every step
    s = L + (float(G.dot(G)) if g2 is None else g2) + float(theta.dot(theta)) + float(w.dot(w))
    if math.isfinite(s):
        return None if L <= max_loss else f"loss {L:.6g} above the bound {max_loss:.6g}"
    if not math.isfinite(L):
        return f"loss is {L}"
    for name, v in (("gradient", G), ("theta", theta), ("w", w)):
        if not np.isfinite(v).all():
            return f"{name} is not finite"
    return "a squared norm overflowed"


def descend(psi, vjp, w0, loss, *, lr_policy, steps, tol, criterion, record_every, loss_every,
             max_records, max_loss, divergence_factor, time_budget=np.inf) -> DescentResult:
    """The loop shared by every single-run engine; ``lr_policy(k, w, L, L_prev) -> η``."""
    q = loss.n_canonical
    with np.errstate(all="ignore"):
        w = np.array(w0, dtype=float)
        theta = np.asarray(psi(w), dtype=float)
        if theta.shape != (q,):
            raise ValueError(f"param.psi must return a vector of shape ({q},), but returned shape {theta.shape}")
        L, g = loss.value_and_grad(theta)
        g = np.asarray(g, dtype=float)
        if g.shape != (q,):
            raise ValueError(f"loss.value_and_grad must return a gradient of shape ({q},), but returned shape {g.shape}")
        G = np.asarray(vjp(w, g), dtype=float)
        bad = _health(L, theta, G, w, np.inf)
        if bad is not None:
            raise ValueError(f"w0 must give a finite loss and gradient, but at w0 the {bad}")
        max_loss = max_loss_bound(max_loss, L, divergence_factor)

        losses = Recorder(loss_every, max_records, ())
        traj = Recorder(record_every, max_records, (q,))
        losses.offer(0, L)
        traj.offer(0, theta)
        k, status, diverged_at, why, eta, t = 0, "budget", None, None, np.nan, 0.0
        L_prev, time_up = np.inf, not time_budget > 0
        g2 = float(G.dot(G))
        by_loss, timed = criterion == "loss", time_budget < np.inf
        while True:
            if (L if by_loss else math.sqrt(g2)) <= tol:
                status = "converged"
                break
            if k >= steps or time_up:
                break
            eta = lr_policy(k, w, L, L_prev)
            if timed and t + eta >= time_budget:  # land on the time budget exactly
                eta, time_up = time_budget - t, True
            w_new = w - eta * G
            try:
                theta_new = np.asarray(psi(w_new), dtype=float)
                L_new, g_new = loss.value_and_grad(theta_new)
                G_new = np.asarray(vjp(w_new, np.asarray(g_new, dtype=float)), dtype=float)
                g2_new = float(G_new.dot(G_new))
                why = _health(L_new, theta_new, G_new, w_new, max_loss, g2_new)
            except ValueError as exc:  # a validating map refusing a non-finite or out-of-domain iterate
                why = f"ValueError from the map or the loss: {exc}"
            if why is not None:
                status, diverged_at = "diverged", k + 1
                break
            k += 1
            t += eta
            L_prev = L
            w, theta, L, G, g2 = w_new, theta_new, L_new, G_new, g2_new
            losses.offer(k, L)
            traj.offer(k, theta)
        lv, ls, tv, ts = histories(k, losses, L, traj, theta)
    return DescentResult(w=w, theta=theta, loss=float(L), grad_norm=float(np.sqrt(G @ G)), steps=k,
                         status=status, diverged_at=diverged_at, message=message(status, k, diverged_at, why),
                         losses=lv, loss_steps=ls, trajectory=tv, trajectory_steps=ts, lr=float(eta), time=t)


def gradient_descent(param, w0, loss, *, lr: float, steps: int = 10_000, tol: float = 1e-12,
                     criterion: str = "loss", record_every: int | None = None, loss_every: int = 1,
                     max_records: int | None = None, divergence_factor: float = 1e12,
                     max_loss: float | None = None) -> DescentResult:
    r"""Parametric gradient descent w ← w − η J(w)ᵀ∇_θℓ(ψ(w)) from w₀.

    Args:
        param: any parameterization with ``psi``, ``vjp``, ``n_params``, ``n_canonical``.
        w0: the initial parameters, a vector of length p.
        loss: a canonical loss on R^q (:mod:`overparam.descent.losses`).
        lr: the step size η > 0.
        steps: the step budget (≥ 0).
        tol: stop as ``"converged"`` once L ≤ tol (``criterion="loss"``) or ‖∇_w L‖ ≤ tol
            (``criterion="grad"``). The check is made at every iterate, w₀ included.
        record_every: record θ every this many steps (and at the last step); ``None``: off.
        loss_every: record the loss every this many steps (and at the last step).
        max_records: cap on the rows of each history; when reached, every other row is
            dropped and the recording interval doubles (memory stays O(max_records)).
        divergence_factor, max_loss: the run diverges when the loss exceeds ``max_loss``
            (default ``divergence_factor·max(|L₀|, 1)``) or anything is non-finite.

    Returns:
        A :class:`DescentResult`.

    Raises:
        ValueError: on malformed input, or if w₀ itself gives a non-finite loss or gradient.
    """
    param = check_param(param)
    w0 = param.check_w(w0, "w0") if hasattr(param, "check_w") else as_vector("w0", w0, param.n_params)
    loss = check_loss(loss, param.n_canonical)
    lr = as_positive("lr", lr)
    steps, tol, criterion, divergence_factor = common_options(steps, tol, criterion, divergence_factor)
    psi, vjp = maps(param)
    return descend(psi, vjp, w0, loss, lr_policy=lambda *_: lr, steps=steps, tol=tol, criterion=criterion,
                    record_every=check_every("record_every", record_every),
                    loss_every=check_every("loss_every", loss_every) or 1,
                    max_records=check_cap(max_records), max_loss=max_loss, divergence_factor=divergence_factor)


def canonical_descent(theta0, loss, *, lr: float, **options) -> DescentResult:
    r"""Canonical gradient descent θ ← θ − η∇_θℓ(θ): :func:`gradient_descent` on the identity.

    Same options and result as :func:`gradient_descent` (there ``w`` equals ``theta``). For the
    squared loss it converges for every start iff η < 2/λ_max(XᵀX) (on range(Xᵀ)).
    """
    q = getattr(loss, "n_canonical", None)
    if q is None:
        check_loss(loss, 0)
    return gradient_descent(Identity(q), theta0, loss, lr=lr, **options)

