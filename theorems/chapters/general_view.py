"""Section "A More General View": any ψ, its critical points, ghost saddles, exploding gradients (C16–C23)."""

from __future__ import annotations

import numpy as np
from hypothesis import event, note, target
from hypothesis import strategies as st

from parameterizations.numerics import roundoff, taylor_order
from parameterizations.strategies import finite_vectors

from ..catalogue import claim
from ..core import ClaimFailed, expect, expect_close
from ..examples import for_param
from ..losses import losses

__all__ = ["chain_rule", "canonical_minimum_is_critical", "ghosts_need_rank_deficiency"]

SECTION = "A More General View"


def _composite(m, loss):
    """L(w) = ℓ(ψ(w)) as a map into R¹, for the Taylor test."""
    return lambda w: np.array([loss.value(m.psi(w))])


@claim("C16", kind="holds", section=SECTION, general=True,
       statement="Chain rule: for every parameterization and every differentiable canonical loss ℓ, the "
                 "parametric gradient is ∇_W(ℓ∘ψ) = J(W)ᵀ∇_θℓ — checked against the loss itself, not against J.",
       strategy=lambda m: for_param(m, loss=lambda m: losses(m.n_canonical), d=lambda m: finite_vectors(m.n_params)))
def chain_rule(ex):
    m, w, loss, d = ex["param"], ex["w"], ex["loss"], ex["d"]
    if not np.any(d):
        d = np.ones_like(d)
    smooth = m.smooth_step(w, d) if hasattr(m, "smooth_step") else np.inf
    if smooth == 0:
        event("w on a kink of ψ along d: no derivative")
        return
    grad_w = m.vjp(w, loss.grad(m.psi(w)))
    theta = m.psi(w)
    # the composite's size: the terms summed to evaluate ℓ at a θ of ψ's size
    S = m.psi_scale(w) if hasattr(m, "psi_scale") else float(np.linalg.norm(theta))
    scale = loss.evaluation_scale(S)
    res = taylor_order(_composite(m, loss), lambda w_, d_: np.array([grad_w @ d_]), w, d, scale=scale,
                       terms=m.n_params + loss.X.size, depth=getattr(m, "depth", 1) + 2, smooth_step=smooth)
    note(f"{loss.kind} loss; Taylor remainders {np.array2string(res.remainders, precision=2)}")
    if not res.ok:
        raise ClaimFailed(f"observed order={res.order:.2f}, but should be ≥ 1.5: Jᵀ∇ℓ is not the gradient "
                          f"of ℓ∘ψ ({res.reason})")


def _minimizing_loss(m, w, X):
    """ℓ(θ) = ½‖X(θ − ψ(w))‖²: convex, minimized at θ* = ψ(w)."""
    from ..losses import squared_loss

    return squared_loss(X, X @ m.psi(w))


@claim("C17", kind="holds", section=SECTION, general=True,
       statement="If ψ(W) minimizes a convex canonical loss, W is a critical point of the parametric loss: "
                 "the gradient Jᵀ∇ℓ vanishes and ℓ∘ψ changes only to second order in every direction.",
       strategy=lambda m: for_param(m, X=lambda m: st.integers(1, 3).flatmap(
           lambda n: finite_vectors(n * m.n_canonical).map(lambda a: a.reshape(n, m.n_canonical))),
           d=lambda m: finite_vectors(m.n_params)))
def canonical_minimum_is_critical(ex):
    m, w, X, d = ex["param"], ex["w"], ex["X"], ex["d"]
    loss = _minimizing_loss(m, w, X)
    theta = m.psi(w)
    g = loss.grad(theta)
    gw = m.vjp(w, g)
    # ∇ℓ(θ*) is zero up to the round-off of X(θ − θ*)
    expect_close(gw, np.zeros_like(gw), scale=float(np.linalg.norm(np.abs(m.jacobian(w)))) * float(
        np.linalg.norm(np.abs(X).T @ np.abs(X) @ np.abs(theta))), terms=m.n_params + X.size,
        depth=getattr(m, "depth", 1) + 2, what="∇_W L at a canonical minimizer")
    if not np.any(d):
        return
    smooth = m.smooth_step(w, d) if hasattr(m, "smooth_step") else np.inf
    if smooth == 0:
        return
    # near its minimum L = ½‖r‖², r = X(ψ(w) − θ*), is computed with ‖r‖'s round-off
    # γ‖|X|‖S (S the size of ψ's terms), so its own round-off is bounded by γ(‖|X|‖S)²
    S = m.psi_scale(w) if hasattr(m, "psi_scale") else float(np.linalg.norm(theta))
    res = taylor_order(_composite(m, loss), lambda w_, d_: np.zeros(1), w, d,
                       scale=(float(np.linalg.norm(np.abs(X))) * S) ** 2,
                       terms=m.n_params + X.size, depth=getattr(m, "depth", 1) + 2, smooth_step=smooth)
    if not res.ok:
        raise ClaimFailed(f"observed order={res.order:.2f}, but should be ≥ 1.5: L changes to first order "
                          f"at W although ψ(W) minimizes ℓ")


@claim("C19", kind="holds", section=SECTION, general=True,
       statement="Ghost critical points need a rank-deficient Jacobian: where J(W) has full row rank q, "
                 "‖Jᵀg‖ ≥ σ_q(J)‖g‖ > 0 for every g ≠ 0, so ∇_W L = 0 forces ∇_θℓ = 0.",
       strategy=lambda m: for_param(m, g=lambda m: finite_vectors(m.n_canonical)))
def ghosts_need_rank_deficiency(ex):
    m, w, g = ex["param"], ex["w"], ex["g"]
    J = np.asarray(m.jacobian(w))
    q, p = J.shape
    s = np.linalg.svd(J, compute_uv=False)
    smin = float(s[q - 1]) if p >= q else 0.0
    # numerical rank as numpy.linalg.matrix_rank decides it
    tol = (s[0] if s.size else 0.0) * max(p, q) * np.finfo(float).eps
    full = p >= q and smin > tol
    event("J full row rank" if full else "J rank-deficient: the premise does not apply")
    if not full:
        return
    ng = float(np.linalg.norm(g))
    ngw = float(np.linalg.norm(m.vjp(w, g)))
    bound = smin * ng - roundoff(float(np.linalg.norm(np.abs(J))) * ng, p, getattr(m, "depth", 1))
    note(f"σ_q(J)={smin:.3g}, ‖g‖={ng:.3g}, ‖Jᵀg‖={ngw:.3g}")
    target(-(ngw - smin * ng), label="Jᵀg below its singular-value bound")
    expect(ngw, ">=", bound, "‖Jᵀg‖")
