"""Section "Further Reading": the cited papers' results, C34–C38 (here C34, C35, C35u, C35e).

C34 and C35 are about the end-to-end field of a deep linear network with scalar output at a
balanced point (Arora, Cohen & Hazan 2018): with N layers and θ = (W_N⋯W_1)ᵀ ∈ R^d, the induced step

    P(θ) = ‖θ‖^{2−2/N} (g + (N−1) θ̂θ̂ᵀ g),   θ̂ = θ/‖θ‖,   g = ∇ℓ(θ),

and the field of the flow F = −P. C35 is the pointwise fact (DF asymmetric at θ exactly when
u = ((N−2)/N)g + ∇²ℓ·θ is not parallel to θ), C35u the reading "for every loss F is no gradient"
(false: radial losses), C35e a convex loss with DF asymmetric on a whole ball.

C36–C38 (gradient-descent experiments), filed under this section, are in :mod:`overparam.theorems.chapters.completion_rank`,
:mod:`overparam.theorems.chapters.scalar_chain` and :mod:`overparam.theorems.chapters.woodworth`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from hypothesis import Phase, assume, event, note, target
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from overparam.descent.losses import Loss, logistic_loss, squared_loss
from overparam.parameterizations import DeepLinear
from overparam.parameterizations.numerics import close, roundoff, taylor_order
from overparam.parameterizations.strategies import finite_vectors, inputs, positive_scales

from ..core import ClaimFailed, compare, expect, expect_same, require, skip_clause, undecided
from ..registry import claim
from ..sections import FURTHER_READING
from ..style import COLORS, log_dots
from ..notation import sup, vector

__all__ = ["end_to_end_preconditioner", "end_to_end_field_not_conservative", "end_to_end_field_never_a_gradient",
           "end_to_end_field_asymmetric_on_a_ball", "end_to_end_field", "end_to_end_jacobian"]


def _unit(v):
    """v/‖v‖, scaled by its largest entry first (no underflow in the norm)."""
    m = float(np.max(np.abs(v)))
    v = v / m
    return v / np.linalg.norm(v)


# --- C34 ---------------------------------------------------------------------------------------------

def end_to_end_field(theta, g, N: int) -> np.ndarray:
    """‖θ‖^{2−2/N}(g + (N−1)θ̂θ̂ᵀg): the induced step at a balanced point (Arora, Cohen & Hazan 2018).

    ``theta`` and ``g`` are vectors, or d×M arrays whose columns are M points and their gradients.
    """
    theta, g = np.asarray(theta, float), np.asarray(g, float)
    one = theta.ndim == 1
    T, G = (theta[:, None], g[:, None]) if one else (theta, g)
    big = np.max(np.abs(T), axis=0)  # each column scaled by its largest entry first: no underflow in the norm
    S = T / big
    ns = np.linalg.norm(S, axis=0)
    th = S / ns
    F = (big * ns) ** (2 - 2 / N) * (G + (N - 1) * th * np.sum(th * G, axis=0))
    return F[:, 0] if one else F


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
    bound = _c34_bound(m, theta, g)
    log_dots(ax2, idx, diff, COLORS["violation"], labels=["|K g − prediction|ᵢ"] + [None] * (diff.size - 1))
    shown = [v for v in (*diff, bound) if v > 0]
    if shown:
        ax2.set_ylim(min(shown) / 100, max(shown) * 10)
    ax2.axhline(bound, color=COLORS["reference"], ls="--", label="round-off bound on ‖K g − prediction‖")
    ax2.set_xlim(-0.6, idx.size - 0.4)
    ax2.set_xticks(idx)
    ax2.set_xlabel("coordinate i")
    ax2.set_ylabel("absolute difference")
    ax2.set_title("prediction error vs round-off", fontsize=9)
    ax2.legend(fontsize=7)
    fig.suptitle("Balanced deep linear network: the induced step is the end-to-end preconditioner")


@claim("C34", kind="holds", section=FURTHER_READING,
       statement="Arora, Cohen & Hazan 2018: for a deep linear network with N layers, scalar output and a balanced "
                 "point (Wⱼ₊₁ᵀWⱼ₊₁ = WⱼWⱼᵀ), a gradient step of size η moves θ = (W_N⋯W₁)ᵀ by "
                 "−η‖θ‖^(2−2/N)(g + (N−1)θ̂θ̂ᵀg) + O(η²): the induced step K g is that vector.",
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
    expect_same(theta, ex["theta"], scale=n, terms=terms, depth=N, what="ψ(balanced point) − θ")
    for j in range(N - 1):
        expect_same(Ws[j + 1].T @ Ws[j + 1], Ws[j] @ Ws[j].T, scale=s2, terms=terms, depth=N,
                     what=f"W_{j + 2}ᵀW_{j + 2} − W_{j + 1}W_{j + 1}ᵀ")
    actual = m.induced_step(w, g)
    pred = end_to_end_field(theta, g, N)
    event(f"N={N}")
    s, t, dep = _c34_roundoff(m, theta, g)
    expect_same(actual, pred, scale=s, terms=t, depth=dep, what="K g − ‖θ‖^(2−2/N)(g + (N−1)θ̂θ̂ᵀg)")
    step = -m.vjp(w, g)
    if not np.any(step):
        event("Jᵀg = 0: no step")
        return
    ns = float(np.max(np.abs(step)) * np.linalg.norm(step / np.max(np.abs(step))))
    res = taylor_order(m.psi, lambda w_, du: -pred / ns, w, step, scale=_product_scale(m), terms=terms, depth=N,
                       n_steps=10)
    note(f"first-order check: {res.reason}")
    require(res.ok, f"observed order={res.order:.2f}, but should be ≥ 1.5: θ does not move by −ηF to first "
            f"order ({res.reason})")


# --- C35 ---------------------------------------------------------------------------------------------

def _grads(kind, X, y, T):
    """∇ℓ at every column of T (d×M), for the squared and logistic losses of descent.losses."""
    Z = X @ T
    if kind == "squared":
        return X.T @ (Z - y[:, None])
    return X.T @ (-y[:, None] / (1.0 + np.exp(y[:, None] * Z)))


def _grad_scale(kind, X, y, T):
    """The size the round-off of each ∇ℓ in T's columns is relative to.

    ∇ℓ = Xᵀs with sᵢ = ℓ′(zᵢ), z = Xθ computed with an error ≤ γ|xᵢ|·|θ|. Squared: sᵢ = zᵢ − yᵢ, so the
    terms are |xᵢ|(|xᵢ|·|θ| + |yᵢ|). Logistic: sᵢ = −yᵢσᵢ, σᵢ = 1/(1 + e^{yᵢzᵢ}), computed to a few units
    relative to itself, and |ℓ″| = σᵢ(1 − σᵢ) ≤ σᵢ carries z's error, so the terms are
    |xᵢ|σᵢ(1 + |xᵢ|·|θ|) — not |xᵢ|: where the loss saturates, σᵢ ≈ e^{−yᵢzᵢ} and so is every round-off.
    """
    aX, aT = np.abs(X), np.abs(T)
    if kind == "squared":
        return np.linalg.norm(aX.T @ (aX @ aT + np.abs(y)[:, None]), axis=0)
    sigma = np.exp(-np.logaddexp(0.0, y[:, None] * (X @ T)))  # 1/(1 + e^{yz}), without overflow
    return np.linalg.norm(aX.T @ (sigma * (1.0 + aX @ aT)), axis=0)


def _hess_scale(kind, X):
    aX = np.abs(X)
    return float(np.linalg.norm(aX.T @ aX)) * (1.0 if kind == "squared" else 0.25)


def _field_batch(ex, T):
    """The induced step P = ‖θ‖^{2−2/N}(g + (N−1)θ̂θ̂ᵀg) at every column of T (d×M); the field is F = −P."""
    return end_to_end_field(T, _grads(ex["kind"], ex["X"], ex["y"], T), ex["N"])


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
    """A squared or logistic loss on n examples in R^d, as :func:`overparam.descent.losses.losses` draws them."""
    elems = st.floats(-2, 2, allow_subnormal=False)
    return st.builds(lambda kind, X, y: (squared_loss if kind == "squared" else logistic_loss)(X, y),
                     st.sampled_from(["squared", "logistic"]), hnp.arrays(np.float64, (n, d), elements=elems),
                     hnp.arrays(np.float64, n, elements=elems)).map(
        lambda L: {"family": "general", "kind": L.kind, "X": L.X, "y": L.y})


@lru_cache(maxsize=None)
def _isotropic_at(d: int) -> st.SearchStrategy:
    """ℓ = ½‖√α θ − b/√α‖² = ½α‖θ‖² − bᵀθ + const; b = 0 (Hypothesis's simplest b) makes it radial."""
    return st.builds(lambda a, b: {"family": "isotropic", "kind": "squared", "X": np.sqrt(a) * np.eye(d),
                                   "y": b / np.sqrt(a)},
                     positive_scales(0.1, 10.0), finite_vectors(d))


@lru_cache(maxsize=None)
def _c35_at(d: int) -> st.SearchStrategy:
    general = st.integers(1, 3).flatmap(lambda n: _loss_at(d, n))
    return st.tuples(st.one_of(general, _isotropic_at(d)), st.integers(2, 6), inputs(d), finite_vectors(d),
                     st.integers(1, 3), st.integers(0, 2**32 - 1)).map(
        lambda t: {**t[0], "N": t[1], "theta": t[2], "direction": t[3], "width": t[4], "seed": t[5]})


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


def _circulation_roundoff(ex, e1, e2, rho) -> float:
    """The round-off bound of :func:`_circulation` at radius ρ: each of the M terms F·dl carries F's own
    round-off (depth 3, from its term sizes :func:`_field_scale`) and one inner product, then the M terms
    are summed: ``roundoff`` of Σ|F terms|·|dl|·2π/M over d + n + M terms, depth 4."""
    if rho == 0:
        return 0.0
    pts, tangent = _circle(ex["theta"], e1, e2, rho)
    scale = float(np.sum(_field_scale(ex, pts) * np.linalg.norm(tangent, axis=0))) * 2 * np.pi / pts.shape[1]
    return roundoff(scale, ex["theta"].size + ex["X"].shape[0] + pts.shape[1], depth=4)


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


def _roundoff_of_asymmetry(q):
    """(round-off of u, round-off of DF − DFᵀ) at the point ``q`` (from :func:`_c35_quantities`) describes.

    Frobenius sizes of the terms of DF: ‖θ‖^p[(p(1 + c) + c(√d + 3))·S_g/‖θ‖ + (1 + c)S_H], and of
    the closed form c‖θ‖^{p−1}(uθ̂ᵀ − θ̂uᵀ) with ‖u‖'s terms S_g + S_H‖θ‖.
    """
    n, c, p, d, nd = q["n"], q["c"], q["p"], q["d"], q["nd"]
    scale_u = q["Sg"] + q["SH"] * n
    scale_D = n ** p * ((p * (1 + c) + c * (np.sqrt(d) + 3)) * q["Sg"] / n + (1 + c) * q["SH"])
    return roundoff(scale_u, d + nd, depth=2), roundoff(scale_D + 2 * c * n ** (p - 1) * scale_u, d + nd, depth=3)


def plot_not_conservative(ex, fig):
    q = _c35_quantities(ex)
    n, e1, e2, omega = q["n"], q["e1"], q["e2"], q["omega"]
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
              label="P = −F (the induced step) projected on the plane")
    t = np.linspace(0, 2 * np.pi, 200)
    ax.plot(n + rho0 * np.cos(t), rho0 * np.sin(t), color=COLORS["violation"], lw=2,
            label=f"loop ρ = ‖θ‖/2: ∮P·dl = {_circulation(ex, e1, e2, rho0):.3g}")
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
    shown = np.abs(circ) > 0
    ax2.loglog(rhos[shown], np.abs(circ[shown]), "o-", color=COLORS["induced"],
               label="|∮F·dl| = |∮P·dl| (64-point rule)" + ("; 0 not drawn" if not shown.all() else ""))
    if omega != 0:
        ax2.loglog(rhos, np.abs(pred), "--", color=COLORS["reference"], label="πρ²|ω|, ω = e₂ᵀ(DF − DFᵀ)e₁")
    floor = np.array([_circulation_roundoff(ex, e1, e2, r) for r in rhos])
    ax2.loglog(rhos, floor, "-.", color=COLORS["violation"], lw=1, label="round-off bound of the computed ∮")
    rest = np.abs(circ - pred)
    if np.any(rest > 0):
        ax2.loglog(rhos[rest > 0], rest[rest > 0], ":", color=COLORS["neutral"], label="|remainder| (∝ ρ⁴)")
    ax2.set_xlabel("loop radius ρ")
    ax2.set_ylabel("circulation")
    ax2.set_title("non-zero circulation: F is not a gradient" if abs(omega) > 0 else
                  "circulation within its round-off bound", fontsize=9)
    ax2.legend(fontsize=7)
    fig.suptitle("End-to-end field F = −P, P = ‖θ‖^(2−2/N)·(g + (N−1)θ̂θ̂ᵀg) (the sign does not change the curl's size)")


@lru_cache(maxsize=None)
def _network(d: int, N: int, width: int) -> DeepLinear:
    return DeepLinear(d=d, N=N, width=width)


@claim("C35", kind="holds", section=FURTHER_READING,
       statement="The end-to-end field F = −‖θ‖^(2−2/N)(g + (N−1)θ̂θ̂ᵀg), g = ∇ℓ(θ), has an asymmetric Jacobian at "
                 "θ ≠ 0 exactly when u = ((N−2)/N)g + ∇²ℓ·θ is not parallel to θ (N ≥ 2, d ≥ 2, ℓ smooth; Arora, "
                 "Cohen & Hazan 2018, the fact checked pointwise): F is the induced step of a balanced depth-N "
                 "network, negated, DF − DFᵀ = (N−1)‖θ‖^(1−2/N)(uθ̂ᵀ − θ̂uᵀ), and the circulation of F around a small "
                 "loop in the plane of θ and u is πρ²·(its curl) + O(ρ⁴).",
       strategy=_c35_examples(), plot=plot_not_conservative,
       definitions="Losses: squared or logistic on 1–3 examples in ℝᵈ (d = 2…4), and ½α‖θ‖² − bᵀθ (isotropic, "
                   "radial when b = 0); N = 2…6. The field is the library's: ‖θ‖^(2−2/N)(g + (N−1)θ̂θ̂ᵀg) equals "
                   "K g at a balanced point of a DeepLinear network of that depth (to the round-off of C34). "
                   "'Asymmetric exactly when u ∦ θ': u_⊥ = (I − θ̂θ̂ᵀ)u decided beyond round-off — when the exact "
                   "‖DF − DFᵀ‖_F = √2(N−1)‖θ‖^(1−2/N)‖u_⊥‖ (with ‖u_⊥‖ less its round-off) exceeds twice the "
                   "round-off bound of DF, the computed asymmetry must exceed that bound; when ‖u_⊥‖ is within its "
                   "round-off, DF must be symmetric to round-off. The closed-form DF is checked against F by the "
                   "Taylor order test, its antisymmetric part against the formula to round-off; the circulation "
                   "∮F·dl around the circle of radius ρ ≤ ‖θ‖/2 in the plane (θ̂, û_⊥), computed with a 64-point "
                   "rule, must equal πρ²·e₂ᵀ(DF − DFᵀ)e₁ + O(ρ⁴) (order test in t = ρ²). Whether F is a gradient "
                   "for every loss is C35u; a convex loss with DF asymmetric on a whole ball is C35e.")
def end_to_end_field_not_conservative(ex):
    theta, N = ex["theta"], ex["N"]
    q = _c35_quantities(ex)
    d, nd, n, th, g, D, c, p = q["d"], q["nd"], q["n"], q["th"], q["g"], q["D"], q["c"], q["p"]
    terms = d + nd
    # 0. the field is the network's: K g at a balanced point of a depth-N network with end-to-end vector θ
    net = _network(d, N, ex["width"])
    w = net.balanced_point(theta[None, :], rng=ex["seed"])
    scale, t34, dep = _c34_roundoff(net, theta, g)
    expect_same(_field_batch(ex, theta[:, None])[:, 0], net.induced_step(w, g), scale=scale, terms=t34, depth=dep,
                 what="‖θ‖^(2−2/N)(g + (N−1)θ̂θ̂ᵀg) − K g at a balanced point")
    # 1. the closed-form Jacobian is the derivative of the field (no tolerance on the step: an order test);
    # D is the Jacobian of the induced step P = −F, so DF − DFᵀ = −(D − Dᵀ)
    F1 = lambda t: _field_batch(ex, t[:, None])[:, 0]  # noqa: E731
    direction = ex["direction"]
    if np.any(direction):
        res = taylor_order(F1, lambda t, dd: end_to_end_jacobian(t, q["L"].grad(t), q["L"].hessian(t), N) @ dd,
                           theta, direction, scale=lambda t: float(_field_scale(ex, t[:, None])[0]), terms=terms,
                           depth=3, smooth_step=n, n_steps=40)
        require(res.ok, f"observed order={res.order:.2f}, but should be ≥ 1.5: the closed-form DF is not the "
                f"derivative of F ({res.reason})")
    # 2. its antisymmetric part in closed form; Frobenius sizes of the terms of DF set the round-off
    tol_u, tol_A = _roundoff_of_asymmetry(q)
    asym = D.T - D
    A_pred = c * n ** (p - 1) * (np.outer(q["u"], th) - np.outer(th, q["u"]))
    na = float(np.linalg.norm(asym))
    note(f"‖DF − DFᵀ‖_F={na:.3g}, ‖u_⊥‖={q['nu']:.3g}, round-off bound of DF={tol_A:.3g}")
    diff = float(np.linalg.norm(asym - A_pred))
    expect(diff, "<=", tol_A, "‖(DF − DFᵀ) − (N−1)‖θ‖^(1−2/N)(uθ̂ᵀ − θ̂uᵀ)‖_F")
    # 3. the condition decides the asymmetry
    exact_lo = np.sqrt(2) * c * n ** (p - 1) * (q["nu"] - tol_u)
    if exact_lo > 2 * tol_A:
        event("u ∦ θ: DF not symmetric")
        expect(na, ">", tol_A, "‖DF − DFᵀ‖_F where u ∦ θ")
    elif q["nu"] <= tol_u:
        event("u ∥ θ: DF symmetric at θ")
        expect(na, "<=", tol_A + np.sqrt(2) * c * n ** (p - 1) * tol_u, "‖DF − DFᵀ‖_F where u ∥ θ")
    else:
        skip_clause("u_⊥ at the edge of round-off: whether DF is symmetric is undecidable at this precision")
    # 4. circulation around a loop in the plane (θ̂, û⊥): πρ²ω + O(ρ⁴), an order test in t = ρ²
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
                       scale=circ_scale, terms=_LOOP_POINTS + terms, depth=4, h0=(n / 2) ** 2, n_steps=40)
    c0 = float(circ(np.array([(n / 2) ** 2]))[0])
    note(f"ω={omega:.3g}; ∮P·dl at ρ=‖θ‖/2 (P = −F): {c0:.3g} (first order {np.pi * (n / 2) ** 2 * omega:.3g}); "
         f"{res.reason}")
    require(res.ok, f"observed order={res.order:.2f}, but should be ≥ 1.5: the circulation is not "
            f"πρ²·e₂ᵀ(DF − DFᵀ)e₁ + O(ρ⁴) ({res.reason})")


# --- C35u: the universal reading -------------------------------------------------------------------

def _affine_u(ex):
    """For ℓ = ½‖Xθ − y‖²: u(θ) = Mθ + a with M = ((2N−2)/N)XᵀX, a = −((N−2)/N)Xᵀy, and their round-off."""
    X, y, N = ex["X"], ex["y"], ex["N"]
    nd = X.shape[0]
    G = X.T @ X
    M, a = (2 * N - 2) / N * G, -(N - 2) / N * (X.T @ y)
    tol_M = roundoff((2 * N - 2) / N * float(np.linalg.norm(np.abs(X).T @ np.abs(X))), nd)
    tol_a = roundoff((N - 2) / N * float(np.linalg.norm(np.abs(X).T @ np.abs(y))), nd)
    return M, a, tol_M, tol_a


def _potential_gradient(theta, alpha, b, N):
    """∇Φ for Φ = Nα‖θ‖^{4−2/N}/(4−2/N) − [N = 2]·‖θ‖bᵀθ: the induced step of ½α‖θ‖² − bᵀθ when N = 2 or b = 0."""
    n = float(np.linalg.norm(theta))
    out = N * alpha * n ** (2 - 2 / N) * theta
    if N == 2:
        out = out - (theta / n) * float(b @ theta) - n * b
    return out


@claim("C35u", kind="open", section=FURTHER_READING,
       expected="refuted",
       expected_because="refuted in every run so far (ci, and 200 fresh-seed runs under quick), in its first examples: a "
                         "loss for which F = −∇Φ on all of ℝᵈ∖{0}.",
       statement="For every non-constant smooth loss ℓ, the end-to-end field F = −‖θ‖^(2−2/N)(g + (N−1)θ̂θ̂ᵀg) is not a "
                 "gradient field on any neighbourhood of any θ ≠ 0 (N ≥ 2, d ≥ 2): the universal reading of Arora, "
                 "Cohen & Hazan 2018's 'depth is not a regularizer'.",
       strategy=_c35_examples(), plot=plot_not_conservative,
       # no explain phase: it reruns the counterexample's parts varied for a list of lines, 12 s for what the
       # message already says
       settings={"phases": (Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink)},
       definitions="Losses as C35 draws them (squared and logistic on 1–3 examples, and ½α‖θ‖² − bᵀθ); constant "
                   "losses (X = 0) are outside the premise and redrawn. An example agrees with the reading when "
                   "u_⊥ ≠ 0 at θ beyond round-off (C35: DF asymmetric at θ, so on a neighbourhood), or when u ∥ θ at "
                   "θ but not on any neighbourhood. For a squared loss u(θ) = Mθ + a is affine, so u ∥ θ on an open "
                   "set iff (Mθ + a)∧θ vanishes identically, iff a = 0 and M = μI (d ≥ 2), decided to round-off; "
                   "then F = −∇Φ on all of ℝᵈ∖{0} with Φ = Nα‖θ‖^(4−2/N)/(4−2/N) − [N = 2]‖θ‖bᵀθ (α = μN/(2N−2), "
                   "b = Xᵀy), checked at θ and at 2d points ‖θ‖/2 away: a counterexample. For a logistic loss "
                   "with u ∥ θ at θ, points ‖θ‖/2^k away along ±eᵢ are tried; if none has u ∦ θ the example is "
                   "undecided.")
def end_to_end_field_never_a_gradient(ex):
    theta, N, X = ex["theta"], ex["N"], ex["X"]
    assume(bool(np.any(X)))  # a constant loss has F = 0 = ∇(const): outside the reading's premise
    q = _c35_quantities(ex)
    d, nd, n, c, p = q["d"], q["nd"], q["n"], q["c"], q["p"]
    terms = d + nd
    tol_u, tol_A = _roundoff_of_asymmetry(q)
    if compare(np.sqrt(2) * c * n ** (p - 1) * (q["nu"] - tol_u), ">", 2 * tol_A):
        event("u ∦ θ: DF asymmetric at θ, F not a gradient near θ")
        return
    if ex["kind"] == "squared":
        M, a, tol_M, tol_a = _affine_u(ex)
        mu = float(np.trace(M)) / d
        off = float(np.linalg.norm(M - mu * np.eye(d)))
        na = float(np.linalg.norm(a))
        note(f"u(θ) = Mθ + a: ‖a‖={na:.3g} (round-off {tol_a:.3g}), ‖M − μI‖={off:.3g} (round-off {tol_M:.3g})")
        if compare(na, ">", tol_a) or compare(off, ">", tol_M):
            event("u ∥ θ at θ only (squared loss): not a gradient on any neighbourhood")
            return
        # u ∥ θ everywhere: F = −∇Φ in closed form, at θ and around it
        alpha, b = mu * N / (2 * N - 2), ex["X"].T @ ex["y"]
        pts = [theta] + [theta + s * n / 2 * e for e in np.eye(d) for s in (1.0, -1.0)]
        pts = [t for t in pts if np.any(t)]
        for t in pts:
            P = _field_batch(ex, t[:, None])[:, 0]
            ok, gap, bound = close(P, _potential_gradient(t, alpha, b, N), float(_field_scale(ex, t[:, None])[0]),
                                   terms, depth=3)
            if not ok:  # the algebra says they agree: a disagreement is a bug in the field or in Φ
                raise RuntimeError(f"F + ∇Φ = {gap:.3g} > round-off {bound:.3g} at θ = {vector(t)} although u ∥ θ everywhere")
        event("u ∥ θ everywhere: F = −∇Φ")
        raise ClaimFailed(
            f"F = −∇Φ on all of ℝ{sup(d)}∖{{0}}, Φ = Nα‖θ‖^(4−2/N)/(4−2/N)" + (" − ‖θ‖bᵀθ" if np.any(b) else "")
            + f" (α = {alpha:.3g}, N = {N}{', b = 0' if not np.any(b) else ''}): XᵀX = αI and (N−2)Xᵀy = 0 make "
            f"u(θ) = Mθ ∥ θ for every θ; checked F + ∇Φ = 0 to round-off at θ and {len(pts) - 1} points ‖θ‖/2 away",
            what="‖u_⊥‖ on ℝᵈ∖{0}", value=0.0, op=">", bound=0.0)
    # logistic: u ∥ θ at θ; look for a nearby point where it is not
    for k in range(1, 6):
        for e in np.eye(d):
            for sgn in (1.0, -1.0):
                t = theta + sgn * n / 2 ** k * e
                qt = _c35_quantities({**ex, "theta": t})
                if compare(qt["nu"], ">", _roundoff_of_asymmetry(qt)[0]):
                    event("u ∥ θ at θ only (logistic loss): not a gradient on any neighbourhood")
                    return
    undecided("u ∥ θ at θ and at the points tried around it (logistic loss)")


# --- C35e: a convex loss, asymmetric on a ball -------------------------------------------------------

#: depths for which one witness (loss, θ) must hold at once
_C35E_DEPTHS = (2, 3, 4, 5, 6)


@lru_cache(maxsize=None)
def _c35e_at(d: int) -> st.SearchStrategy:
    elems = st.floats(-2, 2, allow_subnormal=False)
    return st.integers(1, 3).flatmap(lambda nd: st.builds(
        lambda X, y, theta: {"family": "general", "kind": "squared", "X": X, "y": y, "theta": theta},
        hnp.arrays(np.float64, (nd, d), elements=elems), hnp.arrays(np.float64, nd, elements=elems), inputs(d)))


def _c35e_examples():
    return st.integers(2, 4).flatmap(_c35e_at)


def _asymmetric_ball(ex, N):
    """(ρ, ‖u_⊥(θ)‖ less round-off, the lower bound of ‖u_⊥‖ on B(θ, ρ)) for the squared loss at depth N.

    u(θ′) = Mθ′ + a is affine, and for ‖θ′ − θ‖ ≤ ρ < ‖θ‖ the projector onto θ′'s orthogonal complement
    moves by at most sin∠(θ, θ′) ≤ ρ/‖θ‖, so ‖u_⊥(θ′)‖ ≥ ‖u_⊥(θ)‖ − ρ(‖M‖₂ + ‖u(θ)‖/‖θ‖).
    ρ = min(‖θ‖/2, ‖u_⊥(θ)‖/(2(‖M‖₂ + ‖u(θ)‖/‖θ‖))) keeps it ≥ ‖u_⊥(θ)‖/2 on the ball.
    """
    e = {**ex, "N": N}
    q = _c35_quantities(e)
    M, _, _, _ = _affine_u(e)
    lo = q["nu"] - _roundoff_of_asymmetry(q)[0]
    if lo <= 0:
        return 0.0, lo, 0.0
    rate = float(np.linalg.norm(M, 2)) + float(np.linalg.norm(q["u"])) / q["n"]
    rho = min(q["n"] / 2, lo / (2 * rate)) if rate > 0 else q["n"] / 2
    return rho, lo, lo - rho * rate


@claim("C35e", kind="exists", section=FURTHER_READING,
       statement="Some convex loss — least squares ½‖Xθ − y‖² — and some θ make DF − DFᵀ non-zero on a whole ball "
                 "around θ at every depth N = 2…6 at once (d ≥ 2), so there F is not the gradient of any function: no "
                 "regularizer of θ reproduces what depth does (Arora, Cohen & Hazan 2018, the paper's point).",
       strategy=_c35e_examples(), plot=lambda ex, fig: plot_not_conservative({**ex, "N": 2}, fig),
       definitions="Searched over X (1–3 rows, d = 2…4 columns) and y with entries in [−2, 2], and θ ≠ 0. A witness: "
                   "for each N = 2…6, ‖u_⊥(θ)‖ less its round-off is positive and the ball B(θ, ρ_N) of the bound "
                   "‖u_⊥(θ′)‖ ≥ ‖u_⊥(θ)‖ − ρ(‖M‖₂ + ‖u(θ)‖/‖θ‖) (u affine for a squared loss; ρ ≤ ‖θ‖/2) keeps "
                   "‖u_⊥‖ ≥ half of it, so ‖DF − DFᵀ‖_F = √2(N−1)‖θ′‖^(1−2/N)‖u_⊥(θ′)‖ > 0 on the whole ball; "
                   "the computed DF must then be asymmetric beyond its round-off at the 2d points θ ± ρ_N eᵢ on the "
                   "ball's boundary (a failure there is a bug, not a missing witness).")
def end_to_end_field_asymmetric_on_a_ball(ex):
    theta = ex["theta"]
    d = theta.size
    balls = {N: _asymmetric_ball(ex, N) for N in _C35E_DEPTHS}
    n = float(np.linalg.norm(theta))
    target(min(r for r, _, _ in balls.values()) / n, label="smallest ρ_N/‖θ‖ over the depths")
    note("ρ_N: " + ", ".join(f"N={N}: {r:.3g}" for N, (r, _, _) in balls.items()))
    if any(r <= 0 for r, _, _ in balls.values()):
        return None
    # the boundary points θ ± ρ_N eᵢ: there ‖DF − DFᵀ‖_F ≥ √2(N−1)‖θ′‖^{1−2/N}·‖u_⊥(θ)‖/2 exactly; a witness
    # needs that beyond twice the round-off of the computed asymmetry, which must then exceed it
    checks = []
    for N, (rho, lo, _) in balls.items():
        for i, sgn in ((i, s_) for i in range(d) for s_ in (1.0, -1.0)):
            qt = _c35_quantities({**ex, "N": N, "theta": theta + sgn * rho * np.eye(d)[i]})
            _, tol_A = _roundoff_of_asymmetry(qt)
            exact_lo = np.sqrt(2) * qt["c"] * qt["n"] ** (qt["p"] - 1) * lo / 2
            if exact_lo <= 2 * tol_A:
                event("asymmetry on the ball within reach of round-off: not a witness at this precision")
                return None
            checks.append((float(np.linalg.norm(qt["D"] - qt["D"].T)), tol_A,
                           f"‖DF − DFᵀ‖_F at θ {'+' if sgn > 0 else '−'} ρ_{N}e_{i + 1} (N = {N})"))
    for value, tol_A, what in checks:
        expect(value, ">", tol_A, what)
    r2 = balls[2][0]
    return (f"ℓ = ½‖Xθ − y‖² (X {ex['X'].shape[0]}×{d}) at θ = {vector(theta)}: DF − DFᵀ ≠ 0 "
            f"on B(θ, ρ_N) for N = 2…6 (ρ₂ = {r2:.3g}, smallest ρ_N = "
            f"{min(r for r, _, _ in balls.values()):.3g}): F is not a gradient there")


# --- C36–C38: written elsewhere ---------------------------------------------------------------------------
