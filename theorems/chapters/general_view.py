"""Section "A More General View": any ψ, its critical points, ghost saddles, exploding gradients (C16–C23)."""

from __future__ import annotations

import numpy as np
from hypothesis import event, note, target
from hypothesis import strategies as st

from parameterizations import ShallowReLU, TwoLayerLinear
from parameterizations.numerics import gamma, roundoff, taylor_order
from parameterizations.strategies import finite_vectors, positive_scales

from ..catalogue import claim
from ..core import ClaimFailed, expect, expect_close
from ..examples import deep_linear, for_param, per_model, relu, two_layer
from ..kinks import NOT_DIFFERENTIABLE, kink_along
from ..losses import losses

__all__ = ["chain_rule", "canonical_minimum_is_critical", "ghosts_need_rank_deficiency", "origin_is_strict_saddle",
           "duplicate_unit_adds_no_columns", "dead_unit_has_zero_columns", "wide_relu_full_row_rank",
           "exploding_and_vanishing"]

SECTION = "A More General View"


def _composite(m, loss):
    """L(w) = ℓ(ψ(w)) as a map into R¹, for the Taylor test."""
    return lambda w: np.array([loss.value(m.psi(w))])


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
    from ..style import COLORS

    m, w, g = ex["param"], ex["w"], ex["g"]
    J = np.asarray(m.jacobian(w))
    q, p = J.shape
    s = np.linalg.svd(J, compute_uv=False)
    tol = (s[0] if s.size else 0.0) * max(p, q) * np.finfo(float).eps
    floor = max(tol, np.finfo(float).tiny) / 10
    ax = fig.add_subplot()
    ax.bar(np.arange(1, s.size + 1), np.maximum(s, floor), color=COLORS["canonical"], label="σ_i(J)")
    ax.axhline(max(tol, floor), color=COLORS["violation"], ls="--", label="rank tolerance σ₁·max(p,q)·eps")
    ng = float(np.linalg.norm(g))
    if ng > 0:
        ax.axhline(float(np.linalg.norm(m.vjp(w, g))) / ng, color=COLORS["induced"],
                   label="‖Jᵀg‖/‖g‖ (≥ σ_q when rank J = q)")
    ax.set_yscale("log")
    ax.set_xlabel("i")
    ax.set_ylabel("singular value")
    ax.set_title(f"C19: singular values of J ({m.label}, q={q})")
    ax.legend()


@claim("C16", kind="holds", section=SECTION, general=True, plot=plot_chain_rule,
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
    # the composite's size: the terms summed to evaluate ℓ at a θ of ψ's size, along the segment
    res = taylor_order(_composite(m, loss), lambda w_, d_: np.array([grad_w @ d_]), w, d,
                       scale=lambda x: loss.evaluation_scale(m.psi_scale(x)),
                       terms=m.n_params + loss.X.size, depth=getattr(m, "depth", 1) + 2, smooth_step=smooth, n_steps=60)
    note(f"{loss.kind} loss; Taylor remainders {np.array2string(res.remainders, precision=2)}")
    if not res.ok and kink_along(m, w, d):  # one-sided derivatives of ψ differ: no gradient to compare
        return NOT_DIFFERENTIABLE
    if not res.ok:
        raise ClaimFailed(f"observed order={res.order:.2f}, but should be ≥ 1.5: Jᵀ∇ℓ is not the gradient "
                          f"of ℓ∘ψ ({res.reason})")


def _minimizing_loss(m, w, X):
    """ℓ(θ) = ½‖X(θ − ψ(w))‖²: convex, minimized at θ* = ψ(w)."""
    from ..losses import squared_loss

    return squared_loss(X, X @ m.psi(w))


@claim("C17", kind="holds", section=SECTION, general=True, plot=plot_canonical_minimum_is_critical,
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
    # near its minimum L = ½‖r‖², r = Xψ(x) − Xθ*, is computed with r's round-off δ ≤ gS
    # (S: the size of ψ's and Xψ's terms), so its own round-off is at most ‖r‖δ + δ²/2 + γ‖r‖²,
    # below γ(S‖r‖ + ‖r‖² + gS²); ‖r‖ is taken at each point of the segment: near the minimum
    # it is far below S, and a floor of γS² would hide the remainder's h² regime
    nX = float(np.linalg.norm(np.abs(X)))
    depth, terms = getattr(m, "depth", 1) + 2, m.n_params + X.size
    g = 2 * depth * gamma(terms + depth)

    def scale(x):
        S = nX * (m.psi_scale(x) + m.psi_scale(w))
        r = float(np.linalg.norm(X @ m.psi(x) - loss.y))
        return S * r + r * r + g * S * S

    res = taylor_order(_composite(m, loss), lambda w_, d_: np.zeros(1), w, d, scale=scale,
                       terms=terms, depth=depth, smooth_step=smooth, n_steps=60)
    if not res.ok:
        raise ClaimFailed(f"observed order={res.order:.2f}, but should be ≥ 1.5: L changes to first order "
                          f"at W although ψ(W) minimizes ℓ")


@claim("C19", kind="holds", section=SECTION, general=True, plot=plot_singular_values,
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


# --- C18: the origin of the two-layer model is a critical point, and a strict saddle ------------


def _loss_magnitude(kind: str, X, y, abs_theta) -> float:
    """Σ of |terms| summed to evaluate ℓ at a θ whose entries are at most ``abs_theta`` in size."""
    z = np.abs(X) @ abs_theta
    if kind == "squared":  # ½‖Xθ − y‖²
        return 0.5 * float(np.sum((z + np.abs(y)) ** 2))
    return float(np.sum(np.log(2.0) + np.abs(y) * z))  # Σ log(1 + e^{−yz}) ≤ Σ log 2 + |yz|


def _norm(x) -> float:
    """‖x‖ without underflow: tiny entries (a drawn y of 1e-224) would square to 0."""
    x = np.asarray(x, float)
    a = float(np.max(np.abs(x))) if x.size else 0.0
    return 0.0 if a == 0 else a * float(np.linalg.norm(x / a))


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


@claim("C18", kind="holds", section=SECTION,
       statement="For every loss ℓ, (U, v) = (0, 0) is a critical point of the two-layer loss L(U, v) = ℓ(Uᵀv), "
                 "and its Hessian is the form (dU, dv) ↦ 2 dvᵀdU g with g = ∇_θℓ(0), whose smallest eigenvalue "
                 "is exactly −‖g‖: the origin is a strict saddle whenever g ≠ 0. (That gradient descent "
                 "escapes it is a separate entry.)",
       definitions="Hessian: of L at w = 0 in the coordinates w = (vec U, v); computed twice, from its closed "
                   "form and by central differences of ∇L = Jᵀ∇ℓ(ψ(w)), and its quadratic form checked as "
                   "the t² coefficient of L(tδ) by the Taylor-order test in s = t² (δ: the eigenvector of λ_min, "
                   "or a drawn direction where g = 0). Strict saddle: "
                   "λ_min(H) < 0 < λ_max(H).",
       strategy=two_layer(max_dim=3).flatmap(per_model(lambda m: st.tuples(st.just(m), losses(m.d),
                                                                            finite_vectors(m.n_params)).map(_origin_example))),
       plot=lambda ex, fig: plot_origin_saddle(ex, fig))
def origin_is_strict_saddle(ex):
    from ..losses import Loss

    m, d = ex["param"], ex["dir"]
    loss = Loss(ex["kind"], ex["X"], ex["y"])
    k, p = m.k, m.n_params
    w0 = m.origin()
    g = loss.grad(m.psi(w0))
    ng = _norm(g)
    event("g = ∇ℓ(0) ≠ 0" if ng > 0 else "g = ∇ℓ(0) = 0: flat to second order, no saddle claimed")
    # the gradient Jᵀ∇ℓ at 0: every entry is a product with a zero factor
    expect_close(_gradient_L(m, loss)(w0), np.zeros(p), scale=0.0, terms=1, what="∇L(0, 0)")
    H = origin_hessian(m, g)
    Hfd = origin_hessian_by_differences(m, loss)
    # each entry of the differences is ±g_l/2 ∓ (−g_l)/2: at most a few roundings of ‖g‖
    expect_close(Hfd, H, scale=float(np.sum(np.abs(H))), terms=2, what="Hessian by differences − closed form")
    lam = np.linalg.eigvalsh((Hfd + Hfd.T) / 2)
    # a backward-stable symmetric eigensolver returns the eigenvalues of H + E, ‖E‖₂ = O(p²u‖H‖_F);
    # by Weyl each eigenvalue moves by at most ‖E‖₂
    tol = roundoff(_norm(Hfd), p * p)
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
        if not res.ok:
            raise ClaimFailed(f"observed order={res.order:.2f}, but should be ≥ 1.5: ½δᵀHδ is not the t² "
                              f"coefficient of L(tδ)")


def plot_origin_saddle(ex, fig):
    """C18: L on the plane of H's most negative and most positive eigenvectors at (0, 0)."""
    from ..losses import Loss
    from ..style import COLORS

    m = ex["param"]
    loss = Loss(ex["kind"], ex["X"], ex["y"])
    g = loss.grad(m.psi(m.origin()))
    ng = _norm(g)
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


# --- C20, C21: duplicate and dead hidden units ------------------------------------------------


def unit_columns(m, j: int) -> np.ndarray:
    """The columns of J that belong to hidden unit j: its incoming weights (and bias) and its outgoing weight.

    Two-layer: row j of U (d columns) and v_j. Shallow ReLU: row j of A, b_j and a_j.
    """
    kd = m.k * m.d
    incoming = np.arange(j * m.d, (j + 1) * m.d)
    if isinstance(m, ShallowReLU):
        return np.concatenate([incoming, [kd + j, kd + m.k + j]])
    return np.concatenate([incoming, [kd + j]])


def _unit_pair(k: int):
    """Two distinct hidden units (source, target) of k ≥ 2."""
    return st.tuples(st.integers(0, k - 1), st.integers(0, k - 2)).map(
        lambda t: {"source": t[0], "target": t[1] + (t[1] >= t[0])})


def _with_pair(m):
    return st.tuples(st.just(m), m.points(), _unit_pair(m.k)).map(lambda t: {"param": t[0], "w": t[1], **t[2]})


def _rank(s, tol) -> int:
    return int(np.sum(s > tol))


@claim("C20", kind="holds", section=SECTION,
       statement="A hidden unit that copies another adds nothing to the column space of J: in the two-layer "
                 "linear model and in a shallow ReLU network (canonical space: the outputs on n fixed inputs), "
                 "after making unit t a copy of unit s, J's columns for t equal J's columns for s, so the rank "
                 "of J is that of J without t's columns.",
       definitions="Columns of a unit: its incoming weights (a row of U, or a row of A and its bias) and its "
                   "outgoing weight. Rank: the numerical rank as numpy.linalg.matrix_rank counts it "
                   "(singular values above σ₁·max(q, p)·eps), with the tolerance of the full J for both matrices.",
       strategy=st.one_of(
           st.builds(TwoLayerLinear, k=st.integers(2, 4), d=st.integers(1, 4)),
           st.builds(ShallowReLU, n=st.integers(1, 4), d=st.integers(1, 4), k=st.integers(2, 8),
                     seed=st.integers(0, 2**16))).flatmap(per_model(_with_pair)),
       plot=lambda ex, fig: plot_unit_columns(ex, fig, "duplicate"))
def duplicate_unit_adds_no_columns(ex):
    m, s, t = ex["param"], ex["source"], ex["target"]
    w = m.duplicate_unit(ex["w"], s, t)
    J = np.asarray(m.jacobian(w))
    cs, ct = unit_columns(m, s), unit_columns(m, t)
    # the twin's columns are computed by the same formulas from the same numbers; a blocked matrix
    # product may round them differently: a product of depth 2 with d + 1 terms (Z = XAᵀ + b)
    expect_close(J[:, ct], J[:, cs], scale=float(np.linalg.norm(J[:, cs])), terms=m.d + 1, depth=2,
                 what="J's columns of the copy − J's columns of its twin")
    rest = np.delete(J, ct, axis=1)
    sv_full = np.linalg.svd(J, compute_uv=False)
    tol = (sv_full[0] if sv_full.size else 0.0) * max(J.shape) * np.finfo(float).eps
    r_full, r_rest = _rank(sv_full, tol), _rank(np.linalg.svd(rest, compute_uv=False), tol)
    event(f"{m.family}: rank J {'<' if r_full < m.n_canonical else '='} q")
    note(f"rank J = {r_full}, rank J without the copy's columns = {r_rest}, q = {m.n_canonical}")
    expect(r_full, "==", r_rest, "rank of J with the copy's columns")


@claim("C21", kind="holds", section=SECTION,
       statement="A ReLU unit that is inactive on every input has zero columns in J, for its incoming weights "
                 "and bias and for its outgoing weight alike: no first-order change of those weights changes "
                 "the network's outputs, and the parametric gradient Jᵀg is zero there for every g.",
       definitions="Inactive on every input: pre-activation A_j·x_i + b_j < 0 for every input x_i "
                   "(ShallowReLU.dead_unit sets b_j = −max_i A_j·x_i − 1).",
       strategy=relu().flatmap(per_model(lambda m: st.fixed_dictionaries({
           "param": st.just(m), "w": m.points(), "j": st.integers(0, m.k - 1), "g": finite_vectors(m.n)}))),
       plot=lambda ex, fig: plot_unit_columns(ex, fig, "dead"))
def dead_unit_has_zero_columns(ex):
    m, j, g = ex["param"], ex["j"], ex["g"]
    w = m.dead_unit(ex["w"], j)
    Z = m.preactivations(w)
    note(f"pre-activations of unit {j}: {np.array2string(Z[:, j], precision=3)}")
    expect(float(np.max(Z[:, j])), "<", 0, "max pre-activation of the dead unit")
    cols = unit_columns(m, j)
    # exact zeros: each entry is a product with D_ij = 0 or relu(Z_ij) = 0 (0·finite = 0 in IEEE)
    expect(float(np.max(np.abs(m.jacobian(w)[:, cols]))), "==", 0, "max |J entry| in the dead unit's columns")
    expect(float(np.max(np.abs(m.vjp(w, g)[cols]))), "==", 0, "max |(Jᵀg) entry| of the dead unit's weights")
    E = np.eye(m.n_params)
    expect(max(float(np.max(np.abs(m.jvp(w, E[c])))) for c in cols), "==", 0,
           "max |J·e| along the dead unit's weights")


def plot_unit_columns(ex, fig, which: str):
    """C20/C21: J as an image, the columns of the copied (or dead) unit and its twin outlined."""
    from matplotlib.patches import Rectangle

    from ..style import COLORS

    m = ex["param"]
    if which == "dead":
        w, units = m.dead_unit(ex["w"], ex["j"]), [(ex["j"], COLORS["violation"], f"dead unit {ex['j']}")]
    else:
        w = m.duplicate_unit(ex["w"], ex["source"], ex["target"])
        units = [(ex["source"], COLORS["canonical"], f"unit {ex['source']}"),
                 (ex["target"], COLORS["violation"], f"its copy, unit {ex['target']}")]
    J = np.asarray(m.jacobian(w))
    lim = float(np.max(np.abs(J))) or 1.0
    ax = fig.add_subplot()
    im = ax.imshow(J, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto", interpolation="nearest")
    fig.colorbar(im, ax=ax, label="J entry")
    q = J.shape[0]
    for j, color, label in units:
        for n_, c in enumerate(unit_columns(m, j)):
            ax.add_patch(Rectangle((c - 0.5, -0.5), 1, q, fill=False, ec=color, lw=2,
                                   label=label if n_ == 0 else None))
    ax.set_xlabel("parameter (column of J)")
    ax.set_ylabel("canonical coordinate (row of J)")
    ax.set_title(f"C{'21' if which == 'dead' else '20'}: J of {m.label}, the {which} unit's columns outlined")
    ax.legend(loc="upper right", fontsize="small")


# --- C22: wide random shallow ReLU networks and the rank of J ------------------------------------


def _wide_relu(t) -> dict:
    n, d, mult, seed, init = t
    m = ShallowReLU(n=n, d=d, k=mult * n, seed=seed)
    return {"param": m, "w": m.sample(init), "width_multiple": mult, "init_seed": init}


def activation_groups(m, w) -> tuple[int, int]:
    """(largest number of inputs sharing one activation pattern, number of inputs no unit is active on).

    Inputs with one pattern D have J rows (a⊙D ⊗ xᵢ, a⊙D, relu(zᵢ)) that are affine in xᵢ: at most
    d + 1 of them are independent, so a group larger than d + 1 forces rank J < n; an input on which
    no unit is active has a zero row.
    """
    D = m.preactivations(w) > 0
    _, counts = np.unique(D, axis=0, return_counts=True)
    return int(counts.max()), int(np.sum(~D.any(axis=1)))


@claim("C22", kind="open", section=SECTION,
       statement="A wide shallow ReLU network at a random initialization has J of full row rank n on its n inputs "
                 "(so it has no ghost critical points near there).",
       definitions="Wide: k = c·n hidden units with c ∈ {2, …, 8}, so p = k(d + 2) ≥ 6n. Random initialization: "
                   "ShallowReLU.sample — A ~ N(0, 1/d), b ~ N(0, 0.01), a ~ N(0, 1/k) — at a drawn seed, inputs "
                   "x₁…x_n ~ N(0, I_d) at another; n ∈ [1, 8], d ∈ [1, 4]. Full row rank: σ_n(J) > "
                   "σ₁(J)·max(n, p)·eps, the numerical rank of numpy.linalg.matrix_rank; σ_n/σ₁ is reported.",
       strategy=st.tuples(st.integers(1, 8), st.integers(1, 4), st.integers(2, 8), st.integers(0, 2**16),
                          st.integers(0, 2**16)).map(_wide_relu),
       plot=lambda ex, fig: plot_wide_relu_spectrum(ex, fig))
def wide_relu_full_row_rank(ex):
    m, w = ex["param"], ex["w"]
    J = np.asarray(m.jacobian(w))
    s = np.linalg.svd(J, compute_uv=False)
    tol = s[0] * max(J.shape) * np.finfo(float).eps
    sn = float(s[m.n - 1])
    ratio = sn / s[0] if s[0] > 0 else 0.0
    group, dead = activation_groups(m, w)
    note(f"σ_n/σ₁ = {ratio:.3g}; largest group of inputs with one activation pattern: {group} (> d + 1 = "
         f"{m.d + 1} forces rank < n); inputs no unit is active on: {dead}")
    event(f"d={m.d}: " + ("full row rank" if sn > tol else "rank-deficient"))
    target(-np.log10(max(ratio, 1e-300)), label="−log₁₀ σ_n/σ₁")
    expect(sn, ">", tol, "σ_n(J)")


def plot_wide_relu_spectrum(ex, fig):
    """C22: singular values of J at the initialization, the rank tolerance, n marked."""
    from ..style import COLORS

    m, w = ex["param"], ex["w"]
    J = np.asarray(m.jacobian(w))
    s = np.linalg.svd(J, compute_uv=False)
    tol = s[0] * max(J.shape) * np.finfo(float).eps
    floor = max(tol, np.finfo(float).tiny) / 10
    group, dead = activation_groups(m, w)
    ax = fig.add_subplot()
    colors = [COLORS["canonical"] if x > tol else COLORS["violation"] for x in s]
    ax.bar(np.arange(1, s.size + 1), np.maximum(s, floor), color=colors, label="σ_i(J) (pink: below tolerance)")
    ax.axhline(tol, color=COLORS["reference"], ls="--", label="σ₁·max(n, p)·eps")
    ax.set_yscale("log")
    ax.set_xlabel(f"i (n = {m.n})")
    ax.set_ylabel("singular value")
    ax.set_title(f"C22: J at a random init of {m.label}\nlargest group of inputs with one activation pattern: "
                 f"{group}; inputs no unit is active on: {dead}", fontsize="small")
    ax.legend()


# --- C23: exploding and vanishing along the parameters of one function ---------------------------


def two_layer_singular_values(U, v, c: float) -> np.ndarray:
    """Singular values of J at (cU, v/c), largest first: √(c²σᵢ(U)² + ‖v‖²/c²), i = 1…d.

    J(cU, v/c) = [(v/c) ⊗ I_d | c Uᵀ], so J Jᵀ = ‖v‖²/c²·I_d + c²UᵀU, whose eigenvalues are
    c²σᵢ(U)² + ‖v‖²/c² with σᵢ(U) = 0 for i > rank U.
    """
    k, d = U.shape
    sU = np.zeros(d)
    sU[: min(k, d)] = np.linalg.svd(U, compute_uv=False)
    return np.sqrt((c * sU) ** 2 + (_norm(v) / c) ** 2)


def _deep_blocks(m, J):
    o = m._offsets
    return [J[:, o[j]:o[j + 1]] for j in range(m.N)]


def _c23_two_layer(t) -> dict:
    """U of rank ≤ r < d: its best rank-r approximation, or U itself when r = k < d."""
    m, w, r, c = t
    return {"param": m, "w": w if r >= min(m.k, m.d) else m.rank_deficient(w, r), "rank": r, "c": c}


def _max_rank_below_d(m) -> int:
    return m.k if m.k < m.d else m.d - 1


@claim("C23", kind="holds", section=SECTION,
       statement="Exploding and vanishing: along the parameters (cU, v/c) of one two-layer function the singular "
                 "values of J are exactly √(c²σᵢ(U)² + ‖v‖²/c²), so ‖J‖₂ ≥ c·‖U‖₂ grows without bound, and where "
                 "rank U < d the smallest one is ‖v‖/c, non-zero for v ≠ 0 yet arbitrarily small. In a deep "
                 "linear network, scaling layer j by c and layer j + 1 by 1/c multiplies J's block of layer "
                 "j + 1 by c and that of layer j by 1/c, so max(c‖J_{j+1}‖₂, ‖J_j‖₂/c) ≤ ‖J(c)‖₂ ≤ "
                 "√(c²‖J_{j+1}‖₂² + ‖J_j‖₂²/c² + ‖J_rest‖₂²).",
       definitions="Unbounded / arbitrarily small: decided by the exact scaling law, checked at a drawn c ∈ "
                   "[10⁻³, 10³] (log-uniform) against the singular values the library's J has at the rescaled "
                   "point, to the round-off of a backward-stable SVD (Weyl: O(p·u·‖J‖_F) per singular value). "
                   "Smallest non-zero singular value: of J at (cU, v/c) with rank U < d and v ≠ 0 it is the d-th, "
                   "‖v‖/c; with v = 0 it is c·σ_r(U).",
       strategy=st.one_of(
           two_layer(k=st.integers(1, 4), d=st.integers(2, 4)).flatmap(per_model(lambda m: st.tuples(
               st.just(m), m.points(), st.integers(0, _max_rank_below_d(m)), positive_scales(1e-3, 1e3))
               .map(_c23_two_layer))),
           deep_linear(max_dim=3, depths=(2, 4)).flatmap(per_model(lambda m: st.fixed_dictionaries({
               "param": st.just(m), "w": m.points(), "layer": st.integers(0, m.N - 2),
               "c": positive_scales(1e-3, 1e3)})))),
       plot=lambda ex, fig: plot_exploding_vanishing(ex, fig))
def exploding_and_vanishing(ex):
    m, w, c = ex["param"], ex["w"], ex["c"]
    p = m.n_params
    if isinstance(m, TwoLayerLinear):
        U, v = m.unpack(w)
        wc = m.rescale(w, c)
        expect_close(m.psi(wc), m.psi(w), scale=float(np.linalg.norm(np.abs(U).T @ np.abs(v))), terms=m.k + 2,
                     what="ψ(cU, v/c) − ψ(U, v)")
        Jc = np.asarray(m.jacobian(wc))
        s = np.linalg.svd(Jc, compute_uv=False)
        law = two_layer_singular_values(U, v, c)
        # SVD of Jc and SVD of U (scaled by c) each carry their own round-off
        tol = roundoff(float(np.linalg.norm(Jc)) + c * float(np.linalg.norm(U)), p, 2)
        note(f"c={c:.3g}, rank U ≤ {ex['rank']} < d={m.d}, ‖v‖={_norm(v):.3g}; σ(J)={np.array2string(s, precision=4)}"
             f", law {np.array2string(law, precision=4)}")
        expect(float(np.max(np.abs(s - law))), "<=", tol, "max |σᵢ(J(cU, v/c)) − √(c²σᵢ(U)² + ‖v‖²/c²)|")
        sU1 = float(np.linalg.svd(U, compute_uv=False)[0])
        expect(float(s[0]), ">=", c * sU1 - tol, "‖J(cU, v/c)‖₂ (exploding: ≥ c‖U‖₂)")
        if np.any(v):
            event("v ≠ 0: σ_min(J) = ‖v‖/c")
            expect(abs(float(s[-1]) - _norm(v) / c), "<=", tol, "|σ_min(J(cU, v/c)) − ‖v‖/c|")
        elif sU1 > 0:
            event("v = 0: smallest non-zero σ(J) = c·σ_r(U)")
        else:
            event("U = 0, v = 0: J = 0 on the whole orbit")
        return
    # deep linear: rescale layer j by c and layer j + 1 by 1/c
    j = ex["layer"]
    wc = m.rescale(w, c, j)
    J1, Jc = np.asarray(m.jacobian(w)), np.asarray(m.jacobian(wc))
    B1, Bc = _deep_blocks(m, J1), _deep_blocks(m, Jc)
    depth = m.depth + 2  # the products of ψ, and the factors c and 1/c
    expect_close(m.psi(wc), m.psi(w), scale=m.psi_scale(w) * (c + 1 / c), terms=p, depth=depth,
                 what="ψ at the rescaled layers − ψ")
    for i in range(m.N):
        factor = c if i == j + 1 else (1 / c if i == j else 1.0)
        expect_close(Bc[i], factor * B1[i], scale=float(np.linalg.norm(Bc[i])) + factor * float(np.linalg.norm(B1[i])),
                     terms=p, depth=depth, what=f"block {i + 1} of J(c) − {factor:.3g}·block {i + 1} of J")
    norm2 = lambda A: float(np.linalg.norm(A, 2)) if A.size else 0.0  # noqa: E731
    rest = np.hstack([B1[i] for i in range(m.N) if i not in (j, j + 1)] or [np.zeros((m.n_canonical, 0))])
    lo = max(c * norm2(B1[j + 1]), norm2(B1[j]) / c)
    hi = float(np.sqrt((c * norm2(B1[j + 1])) ** 2 + (norm2(B1[j]) / c) ** 2 + norm2(rest) ** 2))
    nJ = norm2(Jc)
    tol = roundoff(float(np.linalg.norm(Jc)) + (c + 1 / c) * float(np.linalg.norm(J1)), p, depth)
    note(f"c={c:.3g}, layer {j + 1}→{j + 2}: ‖J(c)‖₂={nJ:.4g}, bounds [{lo:.4g}, {hi:.4g}]")
    event("deep linear: ‖J_{j+1}‖ > 0" if lo > 0 else "deep linear: J_{j+1} = 0")
    expect(nJ, ">=", lo - tol, "‖J(c)‖₂ (exploding: ≥ max(c‖J_{j+1}‖₂, ‖J_j‖₂/c))")
    expect(nJ, "<=", hi + tol, "‖J(c)‖₂ (≤ √(c²‖J_{j+1}‖² + ‖J_j‖²/c² + ‖J_rest‖²))")


def plot_exploding_vanishing(ex, fig):
    """C23: ‖J‖₂ and the smallest non-zero singular value along the function-preserving path, against c."""
    from ..style import COLORS

    m, w = ex["param"], ex["w"]
    cs = np.logspace(-3, 3, 31)
    ax = fig.add_subplot()
    if not np.any(m.jacobian(w)):
        ax.set_title(f"C23: J = 0 along the whole path here ({m.label})", fontsize="small")
        ax.text(0.5, 0.5, "U = 0 and v = 0 (or all layers 0): nothing grows", ha="center", transform=ax.transAxes)
        return
    if isinstance(m, TwoLayerLinear):
        U, v = m.unpack(w)
        svs = [np.linalg.svd(m.jacobian(m.rescale(w, c)), compute_uv=False) for c in cs]
        laws = [two_layer_singular_values(U, v, c) for c in cs]
        ax.loglog(cs, [s[0] for s in svs], "o", color=COLORS["induced"], label="‖J(cU, v/c)‖₂")
        ax.loglog(cs, [s[0] for s in laws], "-", color=COLORS["reference"], label="√(c²σ₁(U)² + ‖v‖²/c²)")
        if np.any(v):
            ax.loglog(cs, [s[-1] for s in svs], "s", color=COLORS["canonical"], label="σ_min(J), rank U < d")
            ax.loglog(cs, _norm(v) / cs, "--", color=COLORS["reference"], label="‖v‖/c")
        title = f"C23: J along (cU, v/c), {m.label}, rank U ≤ {ex.get('rank', '?')}"
    else:
        j = ex["layer"]
        ns = [float(np.linalg.norm(m.jacobian(m.rescale(w, c, j)), 2)) for c in cs]
        blocks = _deep_blocks(m, np.asarray(m.jacobian(w)))
        ax.loglog(cs, ns, "o", color=COLORS["induced"], label="‖J(c)‖₂")
        for b, f, lab, ls in ((blocks[j + 1], cs, "c‖J_{j+1}‖₂", "--"), (blocks[j], 1 / cs, "‖J_j‖₂/c", ":")):
            if np.any(b):
                ax.loglog(cs, f * float(np.linalg.norm(b, 2)), ls, color=COLORS["reference"], label=lab)
        title = f"C23: J along layer {j + 1}·c, layer {j + 2}/c, {m.label}"
    ax.axvline(ex["c"], color=COLORS["neutral"], lw=0.8, label="drawn c")
    ax.set_xlabel("c")
    ax.set_ylabel("singular value of J")
    ax.set_title(title, fontsize="small")
    ax.legend(fontsize="small")
