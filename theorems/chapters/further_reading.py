"""Section "Further Reading": the cited papers' results, C34–C38.

C34 and C35 are about the end-to-end field of a deep linear network with scalar output at a
balanced point (Arora, Cohen & Hazan 2018): with N layers and θ = (W_N⋯W_1)ᵀ ∈ R^d,

    F(θ) = ‖θ‖^{2−2/N} (g + (N−1) θ̂θ̂ᵀ g),   θ̂ = θ/‖θ‖,   g = ∇ℓ(θ).

C36–C38 (gradient-descent experiments), filed under this section, are in :mod:`theorems.chapters.completion_rank`,
:mod:`theorems.chapters.scalar_chain` and :mod:`theorems.chapters.woodworth`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from hypothesis import event, note
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from descent.losses import Loss, logistic_loss, squared_loss
from parameterizations import DeepLinear
from parameterizations.numerics import roundoff, taylor_order
from parameterizations.strategies import finite_vectors, inputs, positive_scales

from ..core import ClaimFailed, expect, expect_close
from ..registry import claim
from ..sections import FURTHER_READING
from ..style import COLORS

__all__ = ["end_to_end_preconditioner", "end_to_end_field_not_conservative", "end_to_end_field",
           "end_to_end_jacobian"]


def _unit(v):
    """v/‖v‖, scaled by its largest entry first (no underflow in the norm)."""
    m = float(np.max(np.abs(v)))
    v = v / m
    return v / np.linalg.norm(v)


# --- C34 ---------------------------------------------------------------------------------------------

def end_to_end_field(theta, g, N: int) -> np.ndarray:
    """‖θ‖^{2−2/N}(g + (N−1)θ̂θ̂ᵀg): the induced step at a balanced point (Arora, Cohen & Hazan 2018)."""
    theta, g = np.asarray(theta, float), np.asarray(g, float)
    n = float(np.linalg.norm(theta))
    th = _unit(theta)
    return n ** (2 - 2 / N) * (g + (N - 1) * th * float(th @ g))


@lru_cache(maxsize=None)
def _balanced_at(d: int, N: int, width: int) -> st.SearchStrategy:
    # one strategy object per size: Hypothesis validates a strategy once, not at every draw
    m = DeepLinear(d=d, N=N, width=width)

    def build(theta, seed, g):
        return {"param": m, "theta": theta, "seed": seed, "w": m.balanced_point(theta[None, :], rng=seed), "g": g}

    return st.builds(build, st.tuples(inputs(d), positive_scales(1e-2, 1e2)).map(lambda a: a[0] * a[1]),
                     st.integers(0, 2**32 - 1), inputs(d))


def _balanced_examples():
    return st.tuples(st.integers(1, 4), st.integers(1, 6), st.integers(1, 4)).flatmap(lambda t: _balanced_at(*t))


def _product_scale(m):
    """x ↦ Π_j ‖W_j‖_F: bounds Σ|terms| of the product W_N⋯W_1 (‖|A||B|‖_F ≤ ‖A‖_F‖B‖_F)."""
    return lambda x: float(np.prod([np.linalg.norm(W) for W in m.unpack(x)]))


def _c34_roundoff(m, theta, g):
    """(scale, terms, depth) of the comparison of K g with the formula.

    K = Σ_j (A_jA_jᵀ)(B_jᵀB_j) has N blocks of norm ‖θ‖^{2−2/N} each (every |W_j| has Frobenius norm
    ‖θ‖^{1/N}); J Jᵀg chains N products down and N up, and the balanced point's construction one more.
    """
    N = m.N
    n, ng = float(np.linalg.norm(theta)), float(np.linalg.norm(g))
    return N * n ** (2 - 2 / N) * ng, max(m.d, max(m.widths, default=1)) + 2, 2 * N + 1


def _c34_bound(m, theta, g) -> float:
    s, t, dep = _c34_roundoff(m, theta, g)
    return roundoff(s, t, dep)


def plot_preconditioner(ex, fig):
    m, w, g = ex["param"], ex["w"], ex["g"]
    theta = m.psi(w)
    N = m.N
    actual = m.induced_step(w, g)
    pred = end_to_end_field(theta, g, N)
    n = float(np.linalg.norm(theta))
    ax = fig.add_subplot(1, 2, 1)
    idx = np.arange(theta.size)
    gain = n ** (2 - 2 / N)
    ax.bar(idx - 0.27, g, 0.27, color=COLORS["canonical"], label="g")
    ax.bar(idx, actual / gain, 0.27, color=COLORS["induced"], label="K g / ‖θ‖^(2−2/N)  (the network)")
    ax.bar(idx + 0.27, pred / gain, 0.27, color=COLORS["reference"], label="g + (N−1)θ̂θ̂ᵀg  (the formula)")
    ax.axhline(0, color=COLORS["neutral"], lw=0.8)
    ax.set_xticks(idx)
    ax.set_xlabel("coordinate i")
    ax.set_ylabel(f"component (divided by ‖θ‖^(2−2/N) = {gain:.3g})")
    ax.set_title(f"N = {N}, width {m.widths[0] if m.widths else '-'}, ‖θ‖ = {n:.3g}", fontsize=9)
    ax.legend(fontsize=7)
    ax2 = fig.add_subplot(1, 2, 2)
    diff = np.abs(actual - pred)
    ax2.bar(idx, diff, 0.5, color=COLORS["violation"], label="|K g − prediction|")
    bound = _c34_bound(m, theta, g)
    ax2.axhline(bound, color=COLORS["reference"], ls="--", label="round-off bound on ‖K g − prediction‖")
    if diff.max() > 0 or bound > 0:
        ax2.set_yscale("log")
    ax2.set_xticks(idx)
    ax2.set_xlabel("coordinate i")
    ax2.set_ylabel("absolute difference")
    ax2.set_title("prediction error vs round-off", fontsize=9)
    ax2.legend(fontsize=7)
    fig.suptitle("Balanced deep linear network: the induced step is the end-to-end preconditioner")


@claim("C34", kind="holds", section=FURTHER_READING,
       statement="Arora, Cohen & Hazan 2018: for a deep linear network with N layers, scalar output and a balanced "
                 "point (W_{j+1}ᵀW_{j+1} = W_jW_jᵀ), a gradient step of size η moves θ = (W_N⋯W_1)ᵀ by "
                 "−η‖θ‖^{2−2/N}(g + (N−1)θ̂θ̂ᵀg) + O(η²): the induced step K g is that vector.",
       strategy=_balanced_examples(), plot=plot_preconditioner,
       definitions="Balanced points come from MatrixFactorization.balanced_point(θᵀ) (rank one, random unit hidden "
                   "directions). K g is compared with the formula to round-off of depth 2N + 1 (N products down and "
                   "N up in J Jᵀg, one more for the point's construction); the first-order statement is checked "
                   "against ψ itself: ψ(w − hJᵀg/‖Jᵀg‖) − ψ(w) + h·F/‖Jᵀg‖ must be O(h²).")
def end_to_end_preconditioner(ex):
    m, w, g = ex["param"], ex["w"], ex["g"]
    N, d = m.N, m.d
    terms = max(d, max(m.widths, default=1)) + 1
    Ws = m.unpack(w)
    theta = m.psi(w)
    n = float(np.linalg.norm(theta))
    s2 = n ** (2 / N)  # every W_j W_jᵀ has norm ‖θ‖^{2/N} at a balanced point
    expect_close(theta, ex["theta"], scale=n, terms=terms, depth=N, what="ψ(balanced point) − θ")
    for j in range(N - 1):
        expect_close(Ws[j + 1].T @ Ws[j + 1], Ws[j] @ Ws[j].T, scale=s2, terms=terms, depth=N,
                     what=f"W_{j + 2}ᵀW_{j + 2} − W_{j + 1}W_{j + 1}ᵀ")
    actual = m.induced_step(w, g)
    pred = end_to_end_field(theta, g, N)
    event(f"N={N}")
    s, t, dep = _c34_roundoff(m, theta, g)
    expect_close(actual, pred, scale=s, terms=t, depth=dep, what="K g − ‖θ‖^{2−2/N}(g + (N−1)θ̂θ̂ᵀg)")
    step = -m.vjp(w, g)
    if not np.any(step):
        event("Jᵀg = 0: no step")
        return
    ns = float(np.max(np.abs(step)) * np.linalg.norm(step / np.max(np.abs(step))))
    res = taylor_order(m.psi, lambda w_, du: -pred / ns, w, step, scale=_product_scale(m), terms=terms, depth=N,
                       n_steps=10)
    note(f"first-order check: {res.reason}")
    if not res.ok:
        raise ClaimFailed(f"observed order={res.order:.2f}, but should be ≥ 1.5: θ does not move by −ηF to first "
                          f"order ({res.reason})")


# --- C35 ---------------------------------------------------------------------------------------------

def _grads(kind, X, y, T):
    """∇ℓ at every column of T (d×M), for the squared and logistic losses of descent.losses."""
    Z = X @ T
    if kind == "squared":
        return X.T @ (Z - y[:, None])
    return X.T @ (-y[:, None] / (1.0 + np.exp(y[:, None] * Z)))


def _grad_scale(kind, X, y, T):
    """Σ|terms| of each ∇ℓ in T's columns (the size its round-off is relative to)."""
    aX = np.abs(X)
    if kind == "squared":
        return np.linalg.norm(aX.T @ (aX @ np.abs(T) + np.abs(y)[:, None]), axis=0)
    return np.full(T.shape[1], float(np.linalg.norm(aX.T @ np.ones(X.shape[0]))))


def _hess_scale(kind, X):
    aX = np.abs(X)
    return float(np.linalg.norm(aX.T @ aX)) * (1.0 if kind == "squared" else 0.25)


def _field_batch(ex, T):
    """F at every column of T (d×M)."""
    N = ex["N"]
    G = _grads(ex["kind"], ex["X"], ex["y"], T)
    n = np.linalg.norm(T, axis=0)
    th = T / n
    s = np.sum(th * G, axis=0)
    return n ** (2 - 2 / N) * (G + (N - 1) * th * s)


def _field_scale(ex, T):
    """Σ|terms| of F at every column of T: ‖θ‖^{2−2/N}(1 + (N−1))·Sg(θ)."""
    N = ex["N"]
    return np.linalg.norm(T, axis=0) ** (2 - 2 / N) * N * _grad_scale(ex["kind"], ex["X"], ex["y"], T)


def end_to_end_jacobian(theta, g, H, N: int) -> np.ndarray:
    """DF(θ) for F = ‖θ‖^p(g + cθ̂θ̂ᵀg), p = 2 − 2/N, c = N − 1, g = ∇ℓ(θ), H = ∇²ℓ(θ):

    DF = ‖θ‖^p [ (p/‖θ‖)(g + c s θ̂)θ̂ᵀ + (c/‖θ‖)(s I + θ̂gᵀ − 2s θ̂θ̂ᵀ) + (I + cθ̂θ̂ᵀ)H ],  s = θ̂ᵀg.
    """
    d = theta.size
    n = float(np.linalg.norm(theta))
    th = theta / n
    p, c = 2 - 2 / N, N - 1
    s = float(th @ g)
    P = np.eye(d) + c * np.outer(th, th)
    return n ** p * (p / n * np.outer(g + c * s * th, th)
                     + c / n * (s * np.eye(d) + np.outer(th, g) - 2 * s * np.outer(th, th)) + P @ H)


@lru_cache(maxsize=None)
def _loss_at(d: int, n: int) -> st.SearchStrategy:
    """A squared or logistic loss on n examples in R^d, as :func:`descent.losses.losses` draws them."""
    elems = st.floats(-2, 2, allow_subnormal=False)
    return st.builds(lambda kind, X, y: (squared_loss if kind == "squared" else logistic_loss)(X, y),
                     st.sampled_from(["squared", "logistic"]), hnp.arrays(np.float64, (n, d), elements=elems),
                     hnp.arrays(np.float64, n, elements=elems)).map(
        lambda L: {"family": "general", "kind": L.kind, "X": L.X, "y": L.y})


@lru_cache(maxsize=None)
def _c35_at(d: int) -> st.SearchStrategy:
    general = st.integers(1, 3).flatmap(lambda n: _loss_at(d, n))
    # ℓ = ½‖√α θ − b/√α‖² = ½α‖θ‖² − bᵀθ + const; b = 0 makes it radial
    isotropic = st.builds(lambda a, b: {"family": "isotropic", "kind": "squared", "X": np.sqrt(a) * np.eye(d),
                                        "y": b / np.sqrt(a)},
                          positive_scales(0.1, 10.0), finite_vectors(d))
    return st.tuples(st.one_of(general, isotropic), st.integers(2, 6), inputs(d), finite_vectors(d)).map(
        lambda t: {**t[0], "N": t[1], "theta": t[2], "direction": t[3]})


def _c35_examples():
    return st.integers(2, 4).flatmap(_c35_at)


#: points on the loop for the circulation (trapezoidal rule: geometric convergence for a smooth periodic integrand)
_LOOP_POINTS = 64


_TAU = 2 * np.pi * np.arange(_LOOP_POINTS) / _LOOP_POINTS
_COS, _SIN = np.cos(_TAU), np.sin(_TAU)


def _circle(theta, e1, e2, rho):
    """Points θ + ρ(cos τ e1 + sin τ e2) and tangents dl/dτ on the loop (columns)."""
    radial = e1[:, None] * _COS + e2[:, None] * _SIN
    tangent = rho * (e2[:, None] * _COS - e1[:, None] * _SIN)
    return theta[:, None] + rho * radial, tangent


def _circulation(ex, e1, e2, rho):
    """∮ F·dl around the circle θ + ρ(cos τ e1 + sin τ e2), counter-clockwise in (e1, e2)."""
    if rho == 0:
        return 0.0
    pts, tangent = _circle(ex["theta"], e1, e2, rho)
    return float(np.sum(_field_batch(ex, pts) * tangent) * 2 * np.pi / pts.shape[1])


def _c35_quantities(ex):
    """Everything C35 and its plot need, in one place."""
    theta, N = ex["theta"], ex["N"]
    L = Loss(ex["kind"], ex["X"], ex["y"])
    d, nd = theta.size, ex["X"].shape[0]
    n = float(np.linalg.norm(theta))
    th = theta / n
    g, H = L.grad(theta), L.hessian(theta)
    p, c = 2 - 2 / N, N - 1
    D = end_to_end_jacobian(theta, g, H, N)
    u = (N - 2) / N * g + H @ theta
    u_perp = u - th * float(th @ u)
    nu = float(np.linalg.norm(u_perp))
    e1 = th
    if nu > 0:
        e2 = _unit(u_perp)
    else:
        Q = np.eye(d) - np.outer(th, th)
        e2 = _unit(Q[:, int(np.argmax(np.linalg.norm(Q, axis=0)))])
    omega = float(e2 @ (D - D.T) @ e1)
    Sg = float(_grad_scale(ex["kind"], ex["X"], ex["y"], theta[:, None])[0])
    SH = _hess_scale(ex["kind"], ex["X"])
    return dict(L=L, d=d, nd=nd, n=n, th=th, g=g, H=H, p=p, c=c, D=D, u=u, u_perp=u_perp, nu=nu, e1=e1, e2=e2,
                omega=omega, Sg=Sg, SH=SH)


def plot_not_conservative(ex, fig):
    q = _c35_quantities(ex)
    theta, n, e1, e2, omega = ex["theta"], q["n"], q["e1"], q["e2"], q["omega"]
    rho0 = n / 2
    ax = fig.add_subplot(1, 2, 1)
    xs = np.linspace(n - 1.6 * rho0, n + 1.6 * rho0, 11)
    ys = np.linspace(-1.6 * rho0, 1.6 * rho0, 11)
    X, Y = np.meshgrid(xs, ys)
    P = np.outer(e1, X.ravel()) + np.outer(e2, Y.ravel())
    ok = np.linalg.norm(P, axis=0) > 0
    F = np.zeros_like(P)
    F[:, ok] = _field_batch(ex, P[:, ok])
    fx, fy = e1 @ F, e2 @ F
    ax.quiver(X.ravel(), Y.ravel(), fx, fy, color=COLORS["induced"], angles="xy", width=0.004,
              label="F projected on the plane")
    t = np.linspace(0, 2 * np.pi, 200)
    ax.plot(n + rho0 * np.cos(t), rho0 * np.sin(t), color=COLORS["violation"], lw=2,
            label=f"loop ρ = ‖θ‖/2: ∮F·dl = {_circulation(ex, e1, e2, rho0):.3g}")
    ax.plot([n], [0], "o", color=COLORS["theta"], ms=8, label="θ")
    ax.set_aspect("equal")
    ax.set_xlabel("along θ̂")
    ax.set_ylabel("along e₂ = û⊥ (⊥ θ̂, the plane of the curl)" if q["nu"] > 0 else "along e₂ ⊥ θ̂")
    ax.set_title(f"{ex['family']} {ex['kind']} loss, N = {ex['N']}", fontsize=9)
    ax.legend(fontsize=6, loc="upper left")
    ax2 = fig.add_subplot(1, 2, 2)
    rhos = rho0 * 2.0 ** -np.arange(0, 8, 0.5)
    circ = np.array([_circulation(ex, e1, e2, r) for r in rhos])
    pred = np.pi * rhos ** 2 * omega
    ax2.loglog(rhos, np.abs(circ) + 1e-300, "o-", color=COLORS["induced"], label="|∮F·dl| (64-point rule)")
    if omega != 0:
        ax2.loglog(rhos, np.abs(pred), "--", color=COLORS["reference"], label="πρ²|ω|, ω = e₂ᵀ(DF − DFᵀ)e₁")
    ax2.loglog(rhos, np.abs(circ - pred) + 1e-300, ":", color=COLORS["neutral"], label="|remainder| (∝ ρ⁴)")
    ax2.set_xlabel("loop radius ρ")
    ax2.set_ylabel("circulation")
    ax2.set_title("non-zero circulation: F is not a gradient" if abs(omega) > 0 else "circulation at round-off",
                  fontsize=9)
    ax2.legend(fontsize=7)
    fig.suptitle("End-to-end field F = ‖θ‖^(2−2/N)·(g + (N−1)θ̂θ̂ᵀg)")


@claim("C35", kind="holds", section=FURTHER_READING,
       statement="Arora, Cohen & Hazan 2018: depth is not a norm regularizer. For θ ≠ 0 the end-to-end field "
                 "F = ‖θ‖^{2−2/N}(g + (N−1)θ̂θ̂ᵀg), g = ∇ℓ, has DF − DFᵀ = −(N−1)‖θ‖^{1−2/N}(uθ̂ᵀ − θ̂uᵀ) with "
                 "u = ((N−2)/N)g + ∇²ℓ·θ, so F is not the gradient of any function near θ exactly when u is not "
                 "parallel to θ — at generic θ for generic losses when N ≥ 2, d ≥ 2 — and its circulation around a "
                 "small loop is then non-zero. Not for every loss: for radial losses, and for ℓ = ½α‖θ‖² − bᵀθ at "
                 "N = 2, u ∥ θ everywhere and F is a gradient.",
       strategy=_c35_examples(), plot=plot_not_conservative,
       definitions="'Generic condition': u_⊥ = (I − θ̂θ̂ᵀ)u ≠ 0, decided beyond round-off: when the exact "
                   "‖DF − DFᵀ‖_F = √2(N−1)‖θ‖^{1−2/N}‖u_⊥‖ (with ‖u_⊥‖ less its round-off) exceeds twice the "
                   "round-off bound of DF, the computed asymmetry must exceed that bound; when ‖u_⊥‖ is within its "
                   "round-off, DF must be symmetric to round-off. The closed-form DF is checked against F by the "
                   "Taylor order test; the circulation ∮F·dl around the circle of radius ρ ≤ ‖θ‖/2 in the plane "
                   "(θ̂, û_⊥), computed with a 64-point rule, must equal πρ²·e₂ᵀ(DF − DFᵀ)e₁ + O(ρ⁴) (order test "
                   "in t = ρ²). Exceptions checked in closed form: ℓ = ½α‖θ‖² − bᵀθ gives F = ∇Φ with "
                   "Φ = (2α/3)‖θ‖³ − ‖θ‖bᵀθ at N = 2, and Φ = Nα‖θ‖^{4−2/N}/(4−2/N) when b = 0.")
def end_to_end_field_not_conservative(ex):
    theta, N = ex["theta"], ex["N"]
    q = _c35_quantities(ex)
    d, nd, n, th, g, D, c, p = q["d"], q["nd"], q["n"], q["th"], q["g"], q["D"], q["c"], q["p"]
    Sg, SH = q["Sg"], q["SH"]
    terms = d + nd
    # 1. the closed-form Jacobian is the derivative of F (no tolerance on the step: an order test)
    F1 = lambda t: _field_batch(ex, t[:, None])[:, 0]  # noqa: E731
    direction = ex["direction"]
    if np.any(direction):
        res = taylor_order(F1, lambda t, dd: end_to_end_jacobian(t, q["L"].grad(t), q["L"].hessian(t), N) @ dd,
                           theta, direction, scale=lambda t: float(_field_scale(ex, t[:, None])[0]), terms=terms,
                           depth=3, smooth_step=n, n_steps=10)
        if not res.ok:
            raise ClaimFailed(f"observed order={res.order:.2f}, but should be ≥ 1.5: the closed-form DF is not the "
                              f"derivative of F ({res.reason})")
    # 2. its antisymmetric part in closed form; Frobenius sizes of the terms of DF set the round-off
    scale_D = n ** p * ((p * (1 + c) + c * (np.sqrt(d) + 3)) * Sg / n + (1 + c) * SH)
    scale_u = Sg + SH * n
    tol_A = roundoff(scale_D + 2 * c * n ** (p - 1) * scale_u, terms, depth=3)
    asym = D - D.T
    A_pred = -c * n ** (p - 1) * (np.outer(q["u"], th) - np.outer(th, q["u"]))
    na = float(np.linalg.norm(asym))
    note(f"‖DF − DFᵀ‖_F={na:.3g}, ‖u_⊥‖={q['nu']:.3g}, round-off bound of DF={tol_A:.3g}")
    diff = float(np.linalg.norm(asym - A_pred))
    expect(diff, "<=", tol_A, "‖(DF − DFᵀ) + (N−1)‖θ‖^{1−2/N}(uθ̂ᵀ − θ̂uᵀ)‖_F")
    # 3. the condition decides the asymmetry
    tol_u = roundoff(scale_u, terms, depth=2)
    exact_lo = np.sqrt(2) * c * n ** (p - 1) * (q["nu"] - tol_u)
    if exact_lo > 2 * tol_A:
        event("u ∦ θ: DF not symmetric, F not a gradient near θ")
        expect(na, ">", tol_A, "‖DF − DFᵀ‖_F where u ∦ θ")
    elif q["nu"] <= tol_u:
        event("u ∥ θ: DF symmetric at θ")
        expect(na, "<=", tol_A + np.sqrt(2) * c * n ** (p - 1) * tol_u, "‖DF − DFᵀ‖_F where u ∥ θ")
    else:
        event("u_⊥ at the edge of round-off: undecided at this precision")
    # 4. the exceptions: isotropic quadratic at N = 2, radial quadratic at any N: F is a gradient, in closed form
    if ex["family"] == "isotropic":
        alpha = float(ex["X"][0, 0] ** 2)
        b = ex["X"].T @ ex["y"]
        F = F1(theta)
        if N == 2:
            event("isotropic quadratic, N = 2: F = ∇Φ")
            grad_phi = 2 * alpha * n * theta - th * float(b @ theta) - n * b
            expect_close(F, grad_phi, scale=float(_field_scale(ex, theta[:, None])[0]), terms=terms, depth=3,
                         what="F − ∇[(2α/3)‖θ‖³ − ‖θ‖bᵀθ]")
        elif not np.any(b):
            event("radial quadratic: F = ∇Φ")
            expect_close(F, N * alpha * n ** p * theta, scale=float(_field_scale(ex, theta[:, None])[0]),
                         terms=terms, depth=3, what="F − ∇[Nα‖θ‖^{4−2/N}/(4−2/N)]")
    # 5. circulation around a loop in the plane (θ̂, û⊥): πρ²ω + O(ρ⁴), an order test in t = ρ²
    e1, e2, omega = q["e1"], q["e2"], q["omega"]

    def circ(t):
        return np.array([_circulation(ex, e1, e2, float(np.sqrt(max(t[0], 0.0))))])

    def circ_scale(t):
        rho = float(np.sqrt(max(t[0], 0.0)))
        if rho == 0:
            return 0.0
        pts, _ = _circle(theta, e1, e2, rho)
        return 2 * np.pi * rho * float(np.max(_field_scale(ex, pts)))

    res = taylor_order(circ, lambda t, dt: np.array([np.pi * omega * dt[0]]), np.zeros(1), np.ones(1),
                       scale=circ_scale, terms=_LOOP_POINTS + terms, depth=4, h0=(n / 2) ** 2, n_steps=10)
    c0 = float(circ(np.array([(n / 2) ** 2]))[0])
    note(f"ω={omega:.3g}; ∮F·dl at ρ=‖θ‖/2: {c0:.3g} (first order {np.pi * (n / 2) ** 2 * omega:.3g}); {res.reason}")
    if not res.ok:
        raise ClaimFailed(f"observed order={res.order:.2f}, but should be ≥ 1.5: the circulation is not "
                          f"πρ²·e₂ᵀ(DF − DFᵀ)e₁ + O(ρ⁴) ({res.reason})")


# --- C36–C38: written elsewhere ---------------------------------------------------------------------------
