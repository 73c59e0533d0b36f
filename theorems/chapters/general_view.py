"""Section "A More General View": any ψ, the chain rule and critical points, the saddle at the origin (C16–C19).

The general claims C16, C17 and C19 run over every parameterization of the zoo; C18 is the
two-layer model's critical point at (U, v) = (0, 0) and its Hessian. The section's other
claims are in :mod:`overparam.theorems.chapters.hidden_units` (C20–C22, ghost saddles from hidden units),
:mod:`overparam.theorems.chapters.exploding_gradients` (C23) and :mod:`overparam.theorems.chapters.saddle_escape` (C18b).
"""

from __future__ import annotations

import numpy as np
from hypothesis import event, note, target
from hypothesis import strategies as st

from overparam.descent.losses import losses
from overparam.parameterizations.numerics import ORDER_THRESHOLD, gamma, roundoff, taylor_order
from overparam.parameterizations.strategies import finite_vectors

from ..core import expect, expect_same, require
from ..example_strategies import examples, for_param, two_layer
from ..geometry import scaled_norm
from ..kinks import NOT_DIFFERENTIABLE, curvature_reach, kink_along
from ..registry import claim
from ..sections import GENERAL_VIEW

__all__ = ["chain_rule", "canonical_minimum_is_critical", "ghosts_need_rank_deficiency", "origin_is_strict_saddle",
           "origin_hessian", "origin_hessian_by_differences"]


def _composite(m, loss):
    """L(w) = ℓ(ψ(w)) as a map into R¹, for the Taylor test."""
    return lambda w: np.array([loss.value(m.psi(w))])


def _composite_scale(m, loss, terms: int, depth: int):
    r"""x ↦ S_L(x), with ``roundoff(S_L(x), terms, depth)`` a bound on the round-off of L(x) = ℓ(ψ(x)).

    L = Σᵢ ℓᵢ(zᵢ), zᵢ = xᵢᵀψ(x) (less yᵢ for the squared loss). Each zᵢ sums terms of size
    Tᵢ = ‖xᵢ‖·S_ψ(x) (+ |yᵢ|), so it is computed with an error δzᵢ ≤ depth·γ·Tᵢ; ℓᵢ turns it into
    |ℓᵢ′(zᵢ)|δzᵢ + ½ sup|ℓ″|δzᵢ² and adds a relative error of its own (½r² and logaddexp are
    accurate to a few units relative to their value), so

        δL ≤ depth·γ·Σᵢ (|ℓᵢ′(zᵢ)|Tᵢ + ½cᵢ·depth·γ·Tᵢ² + ℓᵢ(zᵢ)),   cᵢ = sup|ℓᵢ″| (1 squared, yᵢ²/4 logistic).

    Not the worst case ½Σ(Tᵢ)² (or Σ log 2 + Tᵢ) of ``Loss.evaluation_scale``: where the loss is
    small next to the size of its arguments — a saturated logistic loss, ℓ ≈ e^{−yz} — that floor
    sits far above the remainder's h² regime, the halving stops at steps where the remainder still
    grows like e^{ch} − 1 − ch ≈ ch (order 1), and a correct gradient reads as order 1.3–1.5.
    """
    rows = np.linalg.norm(loss.X, axis=1)
    c = np.ones_like(loss.y) if loss.kind == "squared" else 0.25 * loss.y ** 2
    g = depth * gamma(terms + depth)

    def scale(x):
        theta = m.psi(x)
        z = loss.X @ theta
        if loss.kind == "squared":
            T = rows * m.psi_scale(x) + np.abs(loss.y)
            r = z - loss.y
            slope, value = np.abs(r), 0.5 * r * r
        else:
            T = rows * m.psi_scale(x)
            t = -loss.y * z
            value = np.logaddexp(0.0, t)
            slope = np.abs(loss.y) * np.exp(-np.logaddexp(0.0, -t))  # |y|·σ(t), without overflow
        return float(np.sum(slope * T + 0.5 * c * g * T * T + value))

    return scale


# --- pictures of C16, C17, C19 -------------------------------------------------------------


def _geometric_steps(w, n: int = 25) -> np.ndarray:
    return 0.5 * max(1.0, float(np.max(np.abs(w))) if np.size(w) else 1.0) * 0.5 ** np.arange(n)


def plot_chain_rule(ex, fig):
    """C16: the first-order Taylor remainder of ℓ∘ψ with and without the term (Jᵀ∇ℓ)ᵀd."""
    from ..style import COLORS

    m, w, loss, d = ex["param"], ex["w"], ex["loss"], ex["d"]
    d = np.ones_like(w) if not np.any(d) else d
    d = d / np.linalg.norm(d)
    L = lambda x: loss.value(m.psi(x))  # noqa: E731
    slope = float(m.vjp(w, loss.grad(m.psi(w))) @ d)
    smooth = m.smooth_step(w, d) if hasattr(m, "smooth_step") else np.inf
    hs = _geometric_steps(w)
    hs = hs[hs < 0.5 * smooth]
    zero = np.array([abs(L(w + h * d) - L(w)) for h in hs])
    first = np.array([abs(L(w + h * d) - L(w) - h * slope) for h in hs])
    ax = fig.add_subplot()
    ax.set_title(f"C16: Jᵀ∇ℓ removes the first-order term\n({m.label}, {loss.kind} loss)", fontsize="small")
    ax.set_xlabel("step h")
    ax.set_ylabel("Taylor remainder")
    if not np.any(zero > 0):
        ax.text(0.5, 0.5, "L is constant along d here", ha="center", transform=ax.transAxes)
        return
    pos = lambda r: np.where(r > 0, r, np.nan)  # noqa: E731  (zeros have no place on a log axis)
    ax.loglog(hs, pos(zero), "o-", color=COLORS["neutral"], label="|L(W+hd) − L(W)|")
    ax.loglog(hs, pos(first), "o-", color=COLORS["induced"], label="|L(W+hd) − L(W) − h (Jᵀ∇ℓ)ᵀd|")
    i = len(hs) // 3
    ref = first[i] if first[i] > 0 else zero[i]
    ax.loglog(hs, ref * (hs / hs[i]) ** 2, "--", color=COLORS["reference"], label="slope 2")
    ax.legend(fontsize="small")


def plot_canonical_minimum_is_critical(ex, fig):
    """C17: L along a direction through a W whose ψ(W) minimizes ℓ: flat to first order."""
    from ..style import COLORS

    m, w, X, d = ex["param"], ex["w"], ex["X"], ex["d"]
    loss = _minimizing_loss(m, w, X)
    d = np.ones_like(w) if not np.any(d) else d
    d = d / np.linalg.norm(d)
    # stay on the segment where ψ is smooth (and inside its domain) on both sides
    reach = [m.smooth_step(w, s * d) if hasattr(m, "smooth_step") else np.inf for s in (1, -1)]
    ts = np.linspace(-1, 1, 201) * min(max(1.0, float(np.max(np.abs(w)))), 0.5 * min(reach))
    L0 = loss.value(m.psi(w))
    ax = fig.add_subplot()
    ax.plot(ts, [loss.value(m.psi(w + t * d)) - L0 for t in ts], color=COLORS["induced"], label="L(W + t d) − L(W)")
    ax.axhline(0, color=COLORS["neutral"], lw=0.8)
    ax.plot([0], [0], "o", color=COLORS["theta"], label="W: ψ(W) minimizes ℓ, ∇_W L = 0")
    ax.set_xlabel("t (‖d‖ = 1)")
    ax.set_ylabel("change of the parametric loss")
    ax.set_title(f"C17: a canonical minimizer is a parametric critical point ({m.label})", fontsize="small")
    ax.legend(fontsize="small")


def plot_singular_values(ex, fig):
    """C19: singular values of J against numpy's rank tolerance; ‖Jᵀg‖ against σ_q‖g‖."""
    from ..style import COLORS, index_ticks, log_dots

    m, w, g = ex["param"], ex["w"], ex["g"]
    J = np.asarray(m.jacobian(w))
    q, p = J.shape
    s = np.linalg.svd(J, compute_uv=False)
    tol = (s[0] if s.size else 0.0) * max(p, q) * np.finfo(float).eps
    ax = fig.add_subplot()
    idx = np.arange(1, s.size + 1)
    log_dots(ax, idx, s, COLORS["canonical"], labels=["σ_i(J)"] + [None] * (s.size - 1))
    ng = float(np.linalg.norm(g))
    ratio = float(np.linalg.norm(m.vjp(w, g))) / ng if ng > 0 else 0.0
    shown = [v for v in (*s, tol, ratio) if np.isfinite(v) and v > 0]
    if shown:  # the least value drawn sets the floor: every line and dot in view
        ax.set_ylim(min(shown) / 100, max(shown) * 10)
    if tol > 0:
        ax.axhline(tol, color=COLORS["violation"], ls="--", label="rank tolerance σ₁·max(p,q)·eps")
    if ratio > 0:
        ax.axhline(ratio, color=COLORS["induced"], label="‖Jᵀg‖/‖g‖ (≥ σ_q when rank J = q)")
    ax.set_xlim(0.5, s.size + 0.5)
    index_ticks(ax.xaxis, 1, s.size)
    ax.set_xlabel("i")
    ax.set_ylabel("singular value")
    ax.set_title(f"C19: singular values of J ({m.label}, q={q})")
    ax.legend()


@claim("C16", kind="holds", section=GENERAL_VIEW, general=True, plot=plot_chain_rule,
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
        return NOT_DIFFERENTIABLE
    grad_w = m.vjp(w, loss.grad(m.psi(w)))
    # the floor: the round-off of ℓ∘ψ at w and along the segment, from the loss's slope there
    terms, depth = m.n_params + loss.X.size, getattr(m, "depth", 1) + 2
    res = taylor_order(_composite(m, loss), lambda w_, d_: np.array([grad_w @ d_]), w, d,
                       scale=_composite_scale(m, loss, terms, depth), terms=terms, depth=depth, smooth_step=smooth,
                       curvature_step=curvature_reach(m, w, d), n_steps=60)
    note(f"{loss.kind} loss; Taylor remainders {np.array2string(res.remainders, precision=2)}")
    if not res.ok and kink_along(m, w, d):  # one-sided derivatives of ψ differ: no gradient to compare
        return NOT_DIFFERENTIABLE
    require(res.ok, f"observed order={res.order:.2f}, but should be ≥ 1.5: Jᵀ∇ℓ is not the gradient "
            f"of ℓ∘ψ ({res.reason})")


def _minimizing_loss(m, w, X):
    """ℓ(θ) = ½‖X(θ − ψ(w))‖²: convex, minimized at θ* = ψ(w)."""
    from overparam.descent.losses import squared_loss

    return squared_loss(X, X @ m.psi(w))


@claim("C17", kind="holds", section=GENERAL_VIEW, general=True, plot=plot_canonical_minimum_is_critical,
       consistency="At a minimizer θ* of a differentiable convex ℓ the canonical gradient is 0, so "
                   "Jᵀ∇ℓ(θ*) = Jᵀ0 = 0 for any J, and L = ℓ∘ψ = ℓ(θ*) + O(‖ψ(W + hd) − θ*‖²) = ℓ(θ*) + O(h²) for "
                   "any Lipschitz ψ; no mistake in J, its products or ψ's value can make it fail.",
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
    expect_same(gw, np.zeros_like(gw), scale=float(np.linalg.norm(np.abs(m.jacobian(w)))) * float(
        np.linalg.norm(np.abs(X).T @ np.abs(X) @ np.abs(theta))), terms=m.n_params + X.size,
        depth=getattr(m, "depth", 1) + 2, what="∇_W L at a canonical minimizer")
    if not np.any(d):
        return
    smooth = m.smooth_step(w, d) if hasattr(m, "smooth_step") else np.inf
    if smooth == 0:
        return
    # near its minimum L = ½‖r‖², r = X(ψ(x) − θ*), is computed from an r with absolute error
    # δ ≤ γ‖|X|‖S (S the size of ψ's terms): |fl(L) − L| ≤ ‖r‖δ + δ²/2 + γ‖r‖²/2. The floor
    # γ(‖|X|‖S)² (δ as large as ‖r‖) stopped the halving where ‖r‖ ≈ √γ‖|X|‖S, often before the
    # remainder ½‖hXJd + h²XB + …‖² is asymptotic: past a dip of ‖r‖ (first and second order
    # nearly cancelling) its observed order is anywhere in (0, 2) — a false alarm, 1.41 once in 40
    nX = float(np.linalg.norm(np.abs(X)))

    def loss_scale(x):
        a = nX * m.psi_scale(x)
        r = float(np.linalg.norm(X @ (m.psi(x) - theta)))
        return a * r + gamma(X.size + m.n_params) * a * a + r * r

    res = taylor_order(_composite(m, loss), lambda w_, d_: np.zeros(1), w, d,
                       scale=loss_scale,
                       terms=m.n_params + X.size, depth=getattr(m, "depth", 1) + 2, smooth_step=smooth,
                       curvature_step=curvature_reach(m, w, d), n_steps=60)
    require(res.ok, f"observed order={res.order:.2f}, but should be ≥ 1.5: L changes to first order "
            f"at W although ψ(W) minimizes ℓ", what="observed Taylor order", value=res.order, op="≥",
            bound=ORDER_THRESHOLD)


@claim("C19", kind="holds", section=GENERAL_VIEW, general=True, plot=plot_singular_values,
       statement="Ghost critical points need a rank-deficient Jacobian: where J(W) has full row rank q, "
                 "‖Jᵀg‖ ≥ σ_q(J)‖g‖ > 0 for every g ≠ 0, so ∇_W L = 0 forces ∇_θℓ = 0.",
       definitions="J is the library's jacobian(W), its SVD J = Σ σᵢuᵢvᵢᵀ computed by numpy, its rank as "
                   "numpy.linalg.matrix_rank counts it. 'For every g' is decided where it is tightest: at "
                   "g = u_q (the left singular vector of σ_q; a vector of J's left null space when p < q), the "
                   "gradient of the loss ℓ(θ) = u_qᵀθ, the library's vjp must give ∇_W L = Jᵀu_q = σ_q v_q to "
                   "the round-off of a backward-stable SVD; where J has full row rank that is ≠ 0 (W is no "
                   "critical point of that ℓ∘ψ), where it is rank-deficient it is 0: W is a ghost critical point "
                   "of ℓ∘ψ although ∇ℓ = u_q ≠ 0. At the drawn g, ‖Jᵀg‖ ≥ σ_q‖g‖ to round-off.",
       strategy=lambda m: for_param(m, g=lambda m: finite_vectors(m.n_canonical)))
def ghosts_need_rank_deficiency(ex):
    m, w, g = ex["param"], ex["w"], ex["g"]
    J = np.asarray(m.jacobian(w))
    q, p = J.shape
    Uj, s, Vt = np.linalg.svd(J)
    smin = float(s[q - 1]) if p >= q else 0.0
    # numerical rank as numpy.linalg.matrix_rank decides it
    rank_tol = (s[0] if s.size else 0.0) * max(p, q) * np.finfo(float).eps
    full = p >= q and smin > rank_tol
    # the SVD is that of J + E with ‖E‖ = O(max(p, q)·u·‖J‖): Jᵀuᵢ = σᵢvᵢ holds to ‖E‖, and the
    # vjp's own products add their round-off
    depth = getattr(m, "depth", 1)
    tol = roundoff(m.jacobian_scale(w, J), p * q, depth + 1)
    u = Uj[:, q - 1]
    grad_u = m.vjp(w, u)
    want = smin * Vt[q - 1] if p >= q else np.zeros(p)
    note(f"σ_q(J)={smin:.3g} ({'full row rank' if full else 'rank-deficient'}); ‖vjp(W, u_q)‖="
         f"{float(np.linalg.norm(grad_u)):.3g}")
    expect_same(grad_u, want, scale=m.jacobian_scale(w, J), terms=p * q, depth=depth + 1,
                 what="∇_W L = vjp(W, u_q) − σ_q v_q for ℓ(θ) = u_qᵀθ")
    if full:
        event("J full row rank: W critical for ℓ∘ψ forces ∇ℓ = 0")
    else:
        event("J rank-deficient: W is a ghost critical point of ℓ(θ) = u_qᵀθ")
        return
    ng = float(np.linalg.norm(g))
    ngw = float(np.linalg.norm(m.vjp(w, g)))
    target(-(ngw - smin * ng), label="Jᵀg below its singular-value bound")
    expect(ngw, ">=", smin * ng - tol * ng, "‖Jᵀg‖ (≥ σ_q(J)‖g‖)")


# --- C18: the origin of the two-layer model is a critical point, and a strict saddle ------------


def _loss_magnitude(kind: str, X, y, abs_theta) -> float:
    """Σ of |terms| summed to evaluate ℓ at a θ whose entries are at most ``abs_theta`` in size."""
    z = np.abs(X) @ abs_theta
    if kind == "squared":  # ½‖Xθ − y‖²
        return 0.5 * float(np.sum((z + np.abs(y)) ** 2))
    return float(np.sum(np.log(2.0) + np.abs(y) * z))  # Σ log(1 + e^{−yz}) ≤ Σ log 2 + |yz|


def _origin_example(t) -> dict:
    m, loss, d = t
    return {"param": m, "kind": loss.kind, "X": loss.X, "y": loss.y, "dir": d}


def origin_hessian(m, g) -> np.ndarray:
    """Hessian of L(U, v) = ℓ(Uᵀv) at (0, 0), in the coordinates w = (vec U, v).

    ψ(tdU, tdv) = t²dUᵀdv, so L(t·δ) = ℓ(0) + t² gᵀdUᵀdv + O(t⁴): the quadratic form
    is δᵀHδ = 2 dvᵀ dU g, i.e. ∂²L/∂U_{il}∂v_j = δ_{ij} g_l and every other block is 0:
    H = [[0, B], [Bᵀ, 0]] with B = I_k ⊗ g (kd × k). BᵀB = ‖g‖²I_k, so the eigenvalues
    of H are ±‖g‖ (k times each) and 0 (kd − k times): λ_min = −‖g‖.
    """
    B = np.kron(np.eye(m.k), np.asarray(g, float)[:, None])
    Z1, Z2 = np.zeros((m.k * m.d, m.k * m.d)), np.zeros((m.k, m.k))
    return np.block([[Z1, B], [B.T, Z2]])


def _gradient_L(m, loss):
    return lambda w: m.vjp(w, loss.grad(m.psi(w)))


def origin_hessian_by_differences(m, loss, h: float = 1.0) -> np.ndarray:
    """Columns (∇L(h eᵢ) − ∇L(−h eᵢ))/(2h), with ∇L = Jᵀ∇ℓ(ψ) from the library's vjp.

    One coordinate of (U, v) alone gives ψ(±h eᵢ) = 0, so ∇L(±h eᵢ) = J(±h eᵢ)ᵀg with J linear
    in w: the central difference has no truncation error at any h, and only round-off.
    """
    grad = _gradient_L(m, loss)
    E = np.eye(m.n_params)
    return np.column_stack([(grad(h * e) - grad(-h * e)) / (2 * h) for e in E])


@claim("C18", kind="holds", section=GENERAL_VIEW,
       statement="For every loss ℓ, (U, v) = (0, 0) is a critical point of the two-layer loss L(U, v) = ℓ(Uᵀv), "
                 "and its Hessian is the form (dU, dv) ↦ 2 dvᵀdU g with g = ∇_θℓ(0), whose smallest eigenvalue "
                 "is exactly −‖g‖: the origin is a strict saddle whenever g ≠ 0. (That gradient descent "
                 "escapes it is a separate entry.)",
       definitions="Hessian: of L at w = 0 in the coordinates w = (vec U, v); computed twice, from its closed "
                   "form and by central differences of ∇L = Jᵀ∇ℓ(ψ(w)), and its quadratic form checked as "
                   "the t² coefficient of L(tδ) by the Taylor-order test in s = t² (δ: the eigenvector of λ_min, "
                   "or a drawn direction where g = 0). Strict saddle: "
                   "λ_min(H) < 0 < λ_max(H).",
       strategy=examples(two_layer(max_dim=3), lambda m: st.tuples(st.just(m), losses(m.d),
                                                                   finite_vectors(m.n_params)).map(_origin_example)),
       plot=lambda ex, fig: plot_origin_saddle(ex, fig))
def origin_is_strict_saddle(ex):
    from overparam.descent.losses import Loss

    m, d = ex["param"], ex["dir"]
    loss = Loss(ex["kind"], ex["X"], ex["y"])
    k, p = m.k, m.n_params
    w0 = m.origin()
    g = loss.grad(m.psi(w0))
    ng = scaled_norm(g)
    event("g = ∇ℓ(0) ≠ 0" if ng > 0 else "g = ∇ℓ(0) = 0: flat to second order, no saddle claimed")
    # the gradient Jᵀ∇ℓ at 0: every entry is a product with a zero factor
    expect_same(_gradient_L(m, loss)(w0), np.zeros(p), scale=0.0, terms=1, what="∇L(0, 0)")
    H = origin_hessian(m, g)
    Hfd = origin_hessian_by_differences(m, loss)
    # each entry of the differences is ±g_l/2 ∓ (−g_l)/2: at most a few roundings of ‖g‖
    expect_same(Hfd, H, scale=float(np.sum(np.abs(H))), terms=2, what="Hessian by differences − closed form")
    lam = np.linalg.eigvalsh((Hfd + Hfd.T) / 2)
    # a backward-stable symmetric eigensolver returns the eigenvalues of H + E, ‖E‖₂ = O(p²u‖H‖_F);
    # by Weyl each eigenvalue moves by at most ‖E‖₂
    tol = roundoff(scaled_norm(Hfd), p * p)
    spectrum = np.sort(np.concatenate([-ng * np.ones(k), np.zeros(p - 2 * k), ng * np.ones(k)]))
    note(f"‖g‖={ng:.3g}, eigenvalues {np.array2string(lam, precision=3)}")
    expect(float(np.max(np.abs(lam - spectrum))), "<=", tol, "max |λᵢ(H) − (±‖g‖, 0…)|")
    expect(float(lam[0]), "<=", -ng + tol, "λ_min(H)")
    if ng > 0:
        expect(float(lam[0]), "<", 0, "λ_min(H) where g ≠ 0")
        expect(float(lam[-1]), ">", 0, "λ_max(H) where g ≠ 0")
    # the form is the second-order term of L itself: L(tδ) = ℓ(t²·dUᵀdv) is smooth in s = t², with
    # slope ½δᵀHδ at s = 0; checked along H's most negative eigenvector (L falls as −‖g‖t²/2 there),
    # or along the drawn δ where g = 0
    directions = [np.linalg.eigh(H)[1][:, 0]] if ng > 0 else ([d] if np.any(d) else [])
    for delta in directions:
        delta = delta / np.linalg.norm(delta)
        dU, dv = m.unpack(delta)
        a_theta = np.abs(dU).T @ np.abs(dv)  # |terms| of θ(s) = s·dUᵀdv, per unit s
        # the magnitude of ℓ's terms grows with s: its value at the first (largest) step bounds it on all
        s0 = 0.1
        res = taylor_order(lambda s: np.array([loss.value(m.psi(np.sqrt(s[0]) * delta))]),
                           lambda s, ds: np.array([0.5 * float(delta @ H @ delta) * ds[0]]),
                           np.zeros(1), np.ones(1), h0=s0,
                           scale=_loss_magnitude(loss.kind, loss.X, loss.y, a_theta * s0),
                           terms=m.k + loss.X.shape[0] + m.d, depth=4)
        note(f"δᵀHδ={float(delta @ H @ delta):.3g}; Taylor in s=t²: {res.reason}")
        require(res.ok, f"observed order={res.order:.2f}, but should be ≥ 1.5: ½δᵀHδ is not the t² "
                f"coefficient of L(tδ)", what="observed Taylor order", value=res.order, op="≥",
                bound=ORDER_THRESHOLD)


def plot_origin_saddle(ex, fig):
    """C18: L on the plane of H's most negative and most positive eigenvectors at (0, 0)."""
    from overparam.descent.losses import Loss
    from ..style import COLORS

    m = ex["param"]
    loss = Loss(ex["kind"], ex["X"], ex["y"])
    g = loss.grad(m.psi(m.origin()))
    ng = scaled_norm(g)
    _, V = np.linalg.eigh(origin_hessian(m, g))
    down, up = V[:, 0], V[:, -1]
    # |L(tδ) − L(0) − t²δᵀHδ/2| ≤ t⁴‖∇²ℓ‖/8 (‖dUᵀdv‖ ≤ ½): the quadratic term dominates for t² < 4‖g‖/‖∇²ℓ‖
    curv = float(np.linalg.norm(loss.X, 2)) ** 2
    r = min(1.0, float(np.sqrt(4 * ng / curv))) if ng > 0 and curv > 0 else 1.0
    ts = np.linspace(-r, r, 61)
    L0 = loss.value(np.zeros(m.d))
    Z = np.array([[loss.value(m.psi(a * down + b * up)) - L0 for a in ts] for b in ts])
    ax = fig.add_subplot()
    lim = float(np.max(np.abs(Z))) or 1.0
    cs = ax.contourf(ts, ts, Z, levels=np.linspace(-lim, lim, 21), cmap="RdBu_r")
    fig.colorbar(cs, ax=ax, label="L − L(0, 0)")
    ax.plot([0], [0], "o", color=COLORS["text"], label="(U, v) = (0, 0)")
    ax.axhline(0, color=COLORS["induced"], lw=1, label=f"descent axis: λ = −‖g‖ = {-ng:.3g}")
    ax.axvline(0, color=COLORS["canonical"], lw=1, label=f"ascent axis: λ = +‖g‖ = {ng:.3g}")
    ax.set_xlabel("along the eigenvector of λ_min")
    ax.set_ylabel("along the eigenvector of λ_max")
    ax.set_title(f"C18: (U, v) = (0, 0) is a saddle of L = ℓ(Uᵀv)\n({m.label}, {ex['kind']} loss)", fontsize="small")
    ax.legend(loc="upper right", fontsize="small")
