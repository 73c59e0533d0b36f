"""Section "Gradient Dynamics Between Spaces": C04–C08.

The two-layer model f(x) = vᵀUx, θ = Uᵀv, compared with the canonical model f(x) = θᵀx:
its gradients (C04, C05), how their norm scales with the weights (C06), what one
parametric step does to θ (C07), and that the induced step is not the canonical one
(C08). Angles, plane bases and the round-off of a step come from :mod:`overparam.theorems.geometry`.
"""

from __future__ import annotations

import numpy as np
from hypothesis import event, note
from hypothesis import strategies as st

from overparam.descent import gradient_descent, squared_loss
from overparam.parameterizations import DeepLinear, Identity
from overparam.parameterizations.base import finite_vectors
from overparam.parameterizations.numerics import ORDER_THRESHOLD, roundoff, taylor_order
from overparam.parameterizations.strategies import inputs, invertible_matrices, positive_scales

from ..core import expect, expect_same, require, undecided
from ..example_strategies import dims, examples, sized
from ..geometry import (
    angle,
    angle_roundoff,
    condition_number,
    plane_basis,
    project,
    step_roundoff,
    reparameterization_mismatch,
    step_scale,
    transformed_step_roundoff,
    two_layer_step,
)
from ..registry import claim
from ..sections import GRADIENT_DYNAMICS
from ..style import COLORS, draw_arrows, fit_limits
from ..notation import vector

__all__ = [
    "canonical_gradient_is_x",
    "parametric_gradient_formula",
    "gradient_norm_scales_with_weights",
    "one_step_second_order",
    "induced_step_not_canonical",
]


# --- C04 --------------------------------------------------------------------------------


def _difference_gradient(f, z, h_of, scale_of, terms):
    """Forward differences (f(z + h eᵢ) − f(z))/h and their round-off bounds.

    Exact in exact arithmetic for a function that is affine in each coordinate separately
    (θ ↦ θᵀx, and (U, v) ↦ vᵀUx, whose monomials hold each weight at most once), for any
    h; what remains is round-off: each of the two evaluations errs by at most
    γ·S(point), with S the sum of |terms| (the rounding of zᵢ + h is inside S(z + h eᵢ),
    which holds the term |zᵢ + h|·|∂ᵢf|).
    """
    z = np.asarray(z, float)
    h = h_of(z)
    f0 = f(z)
    s0 = scale_of(z)
    grad, bounds = np.empty(z.size), np.empty(z.size)
    for i in range(z.size):
        zi = z.copy()
        zi[i] += h
        grad[i] = (f(zi) - f0) / h
        bounds[i] = (scale_of(zi) + s0) / h
    return grad, float(np.linalg.norm(bounds))


def _step_h(z) -> float:
    """A difference step of the size of the point (any h is exact; this keeps the bound relative)."""
    m = float(np.max(np.abs(z))) if np.size(z) else 0.0
    return m if m > 0 else 1.0


def plot_canonical_gradient(ex, fig):
    m, x = ex["param"], np.asarray(ex["x"], float)
    thetas = [m.psi(ex["w"]), m.psi(ex["w2"])]
    ax = fig.add_subplot(1, 1, 1)
    if x.size >= 2:
        # the plane of the first two coordinates, the other coordinates held at θ's values
        pts = np.array([t[:2] for t in thetas])
        r = max(float(np.max(np.abs(pts))), float(np.linalg.norm(x[:2]))) * 1.6 or 1.0
        g = np.linspace(-r, r, 60)
        A, B = np.meshgrid(g, g)
        F = A * x[0] + B * x[1]
        cs = ax.contour(A, B, F, levels=12, colors=COLORS["neutral"], linewidths=0.6)
        ax.clabel(cs, fontsize=6, fmt=lambda v: f"{v:.2g}")  # compact at any scale (weights reach 10⁶)
        arrow = x[:2] * (0.35 * r / max(float(np.linalg.norm(x[:2])), 1e-300))
        for t, name, col in zip(pts, ("θ = ψ(W)", "θ₂ = ψ(W₂)"), (COLORS["theta"], COLORS["other"])):
            ax.plot(*t, "o", color=col, label=name)
            ax.annotate("", xy=t + arrow, xytext=t,
                        arrowprops=dict(arrowstyle="-|>", color=COLORS["canonical"], lw=2))
        ax.plot([], [], color=COLORS["canonical"], lw=2, label="∂f/∂θ = x (first two entries, rescaled)")
        ax.set_xlabel("θ₁")
        ax.set_ylabel("θ₂")
        ax.set_aspect("equal")
        ax.set_title("C04: level lines of f(θ) = θᵀx; the gradient is x at every θ")
    else:
        r = max(abs(float(thetas[0][0])), abs(float(thetas[1][0])), 1.0) * 1.5
        t = np.linspace(-r, r, 50)
        ax.plot(t, t * x[0], color=COLORS["canonical"], label=f"f(θ) = θ·x, slope x = {x[0]:.3g}")
        for th, name, col in zip(thetas, ("θ = ψ(W)", "θ₂ = ψ(W₂)"), (COLORS["theta"], COLORS["other"])):
            ax.plot(th[0], th[0] * x[0], "o", color=col, label=name)
        ax.set_xlabel("θ")
        ax.set_ylabel("f(θ)")
        ax.set_title("C04: f is linear in θ, its slope is x everywhere")
    ax.legend(loc="best")


@claim("C04", kind="holds", section=GRADIENT_DYNAMICS,
       statement="In the canonical space f(x) = θᵀx is linear in θ, so its gradient ∂f/∂θ is x itself, "
                 "whatever θ is: differences of f along each coordinate of θ give x at any two points θ.",
       strategy=examples(sized(), w=lambda m: m.points(extreme=True), w2=lambda m: m.points(extreme=True),
                         x=lambda m: inputs(m.d)),
       plot=plot_canonical_gradient,
       definitions="The canonical model is the library's own: Identity(d), whose output(θ, x) = ψ(θ)ᵀφ(x) is f "
                   "and whose vjp(θ, φ(x)) = J(θ)ᵀφ(x) is ∂f/∂θ. ∂f/∂θ is measured by forward differences "
                   "(f(θ + h eᵢ) − f(θ))/h of that output, h = ‖θ‖_∞ (1 at θ = 0), exact for an affine f up to "
                   "round-off, and compared with x and with the vjp; 'the same at every θ' is checked at two "
                   "drawn points θ = ψ(W), θ₂ = ψ(W₂) of the two-layer model, with weights of scale 10⁻⁶…10⁶.")
def canonical_gradient_is_x(ex):
    m, x = ex["param"], np.asarray(ex["x"], float)
    canonical = Identity(m.d)
    ax = np.abs(x)
    f = lambda th: canonical.output(th, x)  # noqa: E731  the canonical model, as the library computes it
    scale = lambda th: float(np.abs(th) @ ax)  # noqa: E731  Σ|θⱼxⱼ|
    for name, w in (("θ", ex["w"]), ("θ₂", ex["w2"])):
        theta = m.psi(w)
        g, s = _difference_gradient(f, theta, _step_h, scale, m.d)
        note(f"at {name} = {np.array2string(theta, precision=3)}: differences {np.array2string(g, precision=4)}")
        expect_same(g, x, scale=s, terms=m.d + 1, what=f"∂f/∂θ by differences at {name} − x")
        # J(θ)ᵀφ(x) is a product of J = I with x: one rounding per entry at most
        expect_same(canonical.vjp(theta, canonical.features(x)), x, scale=float(np.linalg.norm(x)), terms=1,
                     what=f"the canonical model's gradient J(θ)ᵀφ(x) at {name} − x")


# --- C05 --------------------------------------------------------------------------------


def _two_layer_output_scale(m, w, x) -> float:
    """|x|ᵀ|U|ᵀ|v|: the sum of |terms| in f = (Uᵀv)ᵀx."""
    U, v = m.unpack(w)
    return float(np.abs(x) @ (np.abs(U).T @ np.abs(v)))


def _post_gradient(m, w, x) -> np.ndarray:
    """The post's formulas ∂f/∂U = v xᵀ, ∂f/∂v = Ux, flattened like w."""
    U, v = m.unpack(w)
    return np.concatenate([np.outer(v, x).ravel(), U @ x])


def plot_parametric_gradient(ex, fig):
    m, w, x = ex["param"], np.asarray(ex["w"], float), np.asarray(ex["x"], float)
    f = lambda z: m.output(z, x)  # noqa: E731
    g, _ = _difference_gradient(f, w, _step_h, lambda z: _two_layer_output_scale(m, z, x), m.k + m.d)
    post = _post_gradient(m, w, x)
    ax = fig.add_subplot(1, 1, 1)
    idx = np.arange(w.size)
    kd = m.k * m.d
    ax.bar(idx - 0.2, post, width=0.4, color=COLORS["induced"], label="formula: v xᵀ (U entries), Ux (v entries)")
    ax.bar(idx + 0.2, g, width=0.4, color=COLORS["canonical"], label="differences of f = vᵀUx")
    ax.axvline(kd - 0.5, color=COLORS["neutral"], ls="--", lw=0.8)
    ax.set_xticks(idx)
    ax.set_xticklabels([f"U{i // m.d + 1}{i % m.d + 1}" for i in range(kd)] + [f"v{i + 1}" for i in range(m.k)],
                       rotation=90, fontsize=7)
    ax.set_xlabel("weight")
    ax.set_ylabel("∂f/∂weight")
    ax.set_title(f"C05: the gradient of vᵀUx, formula vs differences ({m.label})")
    ax.legend(loc="best")


@claim("C05", kind="holds", section=GRADIENT_DYNAMICS,
       statement="In the two-layer model f(x) = vᵀUx the gradients are ∂f/∂v = Ux and ∂f/∂U = v xᵀ: they "
                 "agree with differences of f itself and with the model's gradient J(W)ᵀx, and f's "
                 "first-order Taylor remainder along any direction of (U, v) is of second order.",
       strategy=examples(sized(), w=lambda m: m.points(extreme=True), x=lambda m: inputs(m.d),
                         dw=lambda m: finite_vectors(m.n_params)),
       plot=plot_parametric_gradient,
       definitions="Independent differentiation: f is affine in each single weight (each monomial vᵢUᵢⱼxⱼ holds "
                   "it once), so the forward difference (f(W + h e_j) − f(W))/h equals ∂f/∂W_j exactly for "
                   "any h (h = ‖W‖_∞) and differs only by round-off; the model's vjp(W, x) equals the formula to "
                   "round-off; in addition the Taylor remainder "
                   "f(W + h d) − f(W) − h⟨∇f, d⟩ along the drawn direction d has observed order ≥ 1.5 "
                   "(it is h²·dvᵀdU x).")
def parametric_gradient_formula(ex):
    m, w, x, dw = ex["param"], np.asarray(ex["w"], float), np.asarray(ex["x"], float), ex["dw"]
    f = lambda z: m.output(z, x)  # noqa: E731  the model's own forward map
    S = lambda z: _two_layer_output_scale(m, z, x)  # noqa: E731
    post = _post_gradient(m, w, x)
    g, s = _difference_gradient(f, w, _step_h, S, m.k + m.d)
    note(f"formula {np.array2string(post, precision=4)}\ndifferences {np.array2string(g, precision=4)}")
    # the forward differences round twice (f(W+h e_j), f(W)); the formula's products once more
    U, v = m.unpack(w)
    post_abs = np.concatenate([np.outer(np.abs(v), np.abs(x)).ravel(), np.abs(U) @ np.abs(x)])
    expect_same(g, post, scale=s + float(np.linalg.norm(post_abs)), terms=m.k + m.d + 1, depth=2,
                 what="differences of f − (v xᵀ, Ux)")
    # the library's gradient ∇_W f = J(W)ᵀφ(x) against the formula: the same products, rounded once each
    expect_same(m.vjp(w, m.features(x)), post, scale=float(np.linalg.norm(post_abs)), terms=m.d, depth=1,
                 what="vjp(W, x) − (v xᵀ, Ux)")
    if np.any(dw):
        res = taylor_order(lambda z: np.array([f(z)]), lambda z, d: np.array([post @ d]), w, dw,
                           scale=S, terms=m.k + m.d, depth=2)
        note(f"Taylor: {res.reason}")
        require(res.ok, f"observed order={res.order:.2f}, but should be ≥ 1.5: (v xᵀ, Ux) is not the "
                f"derivative of vᵀUx ({res.reason})", what="observed Taylor order", value=res.order,
                op="≥", bound=ORDER_THRESHOLD)


# --- C06 --------------------------------------------------------------------------------


def _layers(m) -> int:
    """N, the number of weight matrices multiplied (2 for the two-layer model)."""
    return int(getattr(m, "N", 2))


def plot_gradient_scaling(ex, fig):
    m, w, x, c0 = ex["param"], np.asarray(ex["w"], float), np.asarray(ex["x"], float), float(ex["c"])
    N = _layers(m)
    cs = np.geomspace(1e-2, 1e2, 41)
    norms = np.array([np.linalg.norm(m.vjp(c * w, x)) for c in cs])
    g1 = float(np.linalg.norm(m.vjp(w, x)))
    ax = fig.add_subplot(1, 1, 1)
    ax.loglog(cs, np.maximum(norms, 1e-300), "o", ms=3, color=COLORS["induced"], label="‖∇_W f(cW)‖ (model)")
    ax.loglog(cs, np.maximum(g1 * cs ** (N - 1), 1e-300), color=COLORS["reference"],
              label=f"c^{N - 1}·‖∇_W f(W)‖")
    ax.axvline(c0, color=COLORS["neutral"], ls="--", lw=0.8, label=f"the drawn c = {c0:.3g}")
    ax.set_xlabel("c (all weights multiplied by c)")
    ax.set_ylabel("gradient norm")
    ax.set_title(f"C06: the gradient grows like c^(N−1) ({m.label}, N = {N})")
    ax.legend(loc="best")


@claim("C06", kind="holds", section=GRADIENT_DYNAMICS,
       statement="The parametric gradient grows with the weights: multiplying every weight by c > 0 "
                 "multiplies ‖∇_W f‖ by c in the two-layer model and by c^(N−1) in an N-layer deep linear "
                 "network, while the canonical gradient x does not change.",
       strategy=st.one_of(
           examples(sized(), w=lambda m: m.points(), x=lambda m: inputs(m.d),
                    c=lambda m: positive_scales(1e-2, 1e2)),
           # deep linear networks DeepLinear(d, N, width), N = 2…5 as in theorems.example_strategies.deep_linear
           examples(sized(DeepLinear, sizes=st.tuples(dims(1, 3), st.integers(2, 5), dims(1, 3))),
                    w=lambda m: m.points(), x=lambda m: inputs(m.d), c=lambda m: positive_scales(1e-2, 1e2))),
       plot=plot_gradient_scaling,
       definitions="∇_W f = J(W)ᵀx, computed by the model's vjp and compared, to round-off, with the formula "
                   "written layer by layer ((v xᵀ, Ux); ∂f/∂Wⱼ = (W_N⋯Wⱼ₊₁)ᵀ(Wⱼ₋₁⋯W₁x)ᵀ); N = 2 for the "
                   "two-layer model. The scaling law is compared to round-off: Σ|terms| of every entry of J(W)ᵀx "
                   "is the same formula evaluated on |W| and |x|.")
def gradient_norm_scales_with_weights(ex):
    m, w, x, c = ex["param"], np.asarray(ex["w"], float), np.asarray(ex["x"], float), float(ex["c"])
    N = _layers(m)
    event(f"{m.family}, N={N}")
    grad = m.vjp(w, x)
    # the value: the model's J(W)ᵀx against the layer-by-layer formula, both rounded products of N − 1
    # weights and x whose |terms| are the same formula on |W|, |x|
    formula = _gradient_formula(m, w, x)
    s = float(np.linalg.norm(_gradient_formula(m, np.abs(w), np.abs(x))))
    expect_same(grad, formula, scale=s, terms=m.n_params + m.n_canonical, depth=N,
                 what="∇_W f = J(W)ᵀx (model) − the formula")
    g = float(np.linalg.norm(grad))
    gc = float(np.linalg.norm(m.vjp(c * w, x)))
    law = c ** (N - 1)
    note(f"‖∇f(W)‖={g:.6g}, ‖∇f(cW)‖={gc:.6g}, c={c:.6g}, c^(N−1)={law:.6g}")
    # both sides are products of N−1 weights (each rounded once more when scaled by c) and x;
    # the (N−1)-fold power of c adds N−1 roundings
    tol = roundoff(law * s, m.n_params + m.n_canonical, depth=2 * N, computations=2)
    expect(abs(gc - law * g), "<=", tol, "|‖∇f(cW)‖ − c^(N−1)‖∇f(W)‖|")


def _gradient_formula(m, w, x) -> np.ndarray:
    """∇_W f written layer by layer, flattened like w: (v xᵀ, Ux) for the two-layer model; for
    f = W_N⋯W_1x, ∂f/∂W_j = (W_N⋯W_{j+1})ᵀ(W_{j−1}⋯W_1x)ᵀ."""
    if not isinstance(m, DeepLinear):
        return _post_gradient(m, w, x)
    Ws = m.unpack(w)
    below = [np.asarray(x, float)]  # W_{j−1}⋯W_1x
    for W in Ws[:-1]:
        below.append(W @ below[-1])
    above = [np.ones(1)]  # (W_N⋯W_{j+1})ᵀ, from the top
    for W in Ws[:0:-1]:
        above.append(W.T @ above[-1])
    above = above[::-1]
    return np.concatenate([np.outer(above[j], below[j]).ravel() for j in range(len(Ws))])


# --- C07 --------------------------------------------------------------------------------


def _one_step(m, w, x, y, eta):
    """θ after one step of the library's gradient descent of size η on ℓ(θ) = ½(θᵀx − y)², and ℓ′ = f − y.

    The engine steps W − η J(W)ᵀ∇ℓ(ψ(W)) = W − ηℓ′∇_W f; no stopping rule interferes (tol 0, no
    divergence bound: a step of η = 1 may raise the loss, and the formula covers it).
    """
    lp = m.output(w, x) - y
    run = gradient_descent(m, w, squared_loss(np.asarray(x, float)[None, :], np.array([y])), lr=eta, steps=1,
                           tol=0.0, max_loss=np.inf)
    return run.theta, lp


def _step_terms(m, w, x, lp, eta) -> float:
    """Σ|terms| of θ(η) = (U − ηℓ′vxᵀ)ᵀ(v − ηℓ′Ux) and of the comparison θ − ηℓ′z + η²C."""
    U, v = m.unpack(w)
    aU, av, ax = np.abs(U), np.abs(v), np.abs(x)
    a = abs(eta * lp)
    Ue = aU + a * np.outer(av, ax)
    ve = av + a * (aU @ ax)
    f_abs = float(av @ aU @ ax)
    return float(np.linalg.norm(Ue.T @ ve) + np.linalg.norm(aU.T @ av) + a * step_scale(U, v, x)
                 + a * a * f_abs * np.linalg.norm(ax))


_ETAS = 0.25 ** np.arange(0, 8)  # η = 1, 1/4, …, 4⁻⁷


def _second_order_data(ex):
    m, w, x, y = ex["param"], np.asarray(ex["w"], float), np.asarray(ex["x"], float), float(ex["y"])
    U, v = m.unpack(w)
    theta = m.psi(w)
    z = two_layer_step(U, v, x)
    rows = []
    for eta in _ETAS:
        th, lp = _one_step(m, w, x, y, eta)
        R = th - theta + eta * lp * z
        C = lp * lp * float(v @ (U @ x)) * x
        canonical_err = th - (theta - eta * lp * x)
        rows.append((eta, R, C, canonical_err, _step_terms(m, w, x, lp, eta), lp))
    return rows


def plot_one_step(ex, fig):
    rows = _second_order_data(ex)
    m = ex["param"]
    etas = np.array([r[0] for r in rows])
    R = np.array([np.linalg.norm(r[1]) for r in rows])
    C = float(np.linalg.norm(rows[0][2]))
    can = np.array([np.linalg.norm(r[3]) for r in rows])
    floor = np.array([roundoff(r[4], m.k + m.d + 3, depth=4) for r in rows])
    ax = fig.add_subplot(1, 1, 1)
    tiny = 1e-300
    ax.loglog(etas, np.maximum(R, tiny), "o", ms=4, color=COLORS["induced"],
              label="‖θ(η) − θ + ηℓ′(UᵀU + ‖v‖²I)x‖")
    ax.loglog(etas, np.maximum(etas ** 2 * C, tiny), color=COLORS["reference"], label="η²·‖ℓ′²(vᵀUx)x‖ (exact)")
    ax.loglog(etas, np.maximum(can, tiny), "s", ms=3, color=COLORS["canonical"],
              label="‖θ(η) − (θ − ηℓ′x)‖: canonical prediction, O(η)")
    ax.loglog(etas, floor, color=COLORS["neutral"], ls=":", label="round-off bound")
    ax.set_xlabel("step size η")
    ax.set_ylabel("remainder")
    ax.set_title(f"C07: one parametric step, remainder is η²·C ({m.label}, ℓ′ = {rows[0][5]:.3g})")
    ax.legend(loc="best")


@claim("C07", kind="holds", section=GRADIENT_DYNAMICS,
       statement="One parametric gradient step of size η on a loss ℓ(f(x)) moves θ to "
                 "θ − ηℓ′(UᵀU + ‖v‖²I)x + η²ℓ′²(vᵀUx)x exactly, so the first-order move is "
                 "(UᵀU + ‖v‖²I)x rather than x and the remainder over η² stays bounded as η → 0.",
       strategy=examples(sized(), w=lambda m: m.points(), x=lambda m: inputs(m.d), y=lambda m: finite_vectors(1).map(lambda a: float(a[0]))),
       plot=plot_one_step,
       definitions="Loss ℓ(f) = ½(f − y)², ℓ′ = f(x) − y, with y 0 or of magnitude ≥ 1e-4 like every drawn entry "
                   "(a y of 1e-163 makes ℓ underflow to 0, and the engine rightly takes no step); the step is one step of the library's gradient "
                   "descent (descent.gradient_descent, W − ηJ(W)ᵀ∇ℓ with the model's vjp) and θ(η) its ψ. 'O(η²)', "
                   "decided with a finite criterion: on η = 4⁰, 4⁻¹, …, 4⁻⁷ the "
                   "remainder R(η) = θ(η) − θ + ηℓ′(UᵀU + ‖v‖²I)x equals η²·C with the η-independent "
                   "C = ℓ′²(vᵀUx)x to within round-off (θ(η) is a polynomial of degree 2 in η, so this "
                   "identity is exact and gives ‖R(η)‖/η² = ‖C‖ for every η).")
def one_step_second_order(ex):
    m = ex["param"]
    rows = _second_order_data(ex)
    lp = rows[0][5]
    event("ℓ′ = 0: the step does not move" if lp == 0 else "ℓ′ ≠ 0")
    for eta, R, C, _, s, _ in rows:
        diff = float(np.linalg.norm(R - eta * eta * C))
        # θ(η) rounds the step (W − ηℓ′∇f: three products) and ψ (k terms); the comparison
        # θ − ηℓ′z + η²C three more products of up to k + d terms
        tol = roundoff(s, m.k + m.d + 3, depth=4)
        if diff > tol:
            note(f"η={eta:.3g}: ‖R‖={np.linalg.norm(R):.3g}, η²‖C‖={eta * eta * np.linalg.norm(C):.3g}")
        expect(diff, "<=", tol, f"‖R(η) − η²C‖ at η={eta:.3g}")


# --- C08 --------------------------------------------------------------------------------


def _c08_data(ex):
    m, w, x, P = ex["param"], np.asarray(ex["w"], float), np.asarray(ex["x"], float), np.asarray(ex["P"], float)
    U, v = m.unpack(w)
    w2 = m.transform(w, P)
    U2, v2 = m.unpack(w2)
    z1 = m.induced_step(w, x)
    z2 = m.induced_step(w2, x)
    e1 = step_roundoff(U, v, x)
    # w2 holds P⁻ᵀv, computed with a relative error up to κ(P)·u
    e2 = transformed_step_roundoff(U2, v2, x, cond=condition_number(P))
    return m, x, z1, z2, e1, e2, w2


def plot_induced_vs_canonical(ex, fig):
    m, x, z1, z2, *_ = _c08_data(ex)
    ax = fig.add_subplot(1, 1, 1)
    if not np.any(z1):
        z1 = x
    if x.size == 1:
        e1, e2 = np.ones(1), np.zeros(1)
        pts = np.array([[x[0], 0.0], [z1[0], 0.0], [z2[0], 0.0]])
    else:
        e1, e2 = plane_basis(x, z1)
        pts = project([x, z1, z2], e1, e2)
    draw_arrows(ax, pts, [
        (f"x, the canonical step (‖x‖ = {np.linalg.norm(x):.3g})", COLORS["canonical"]),
        (f"(UᵀU + ‖v‖²I)x at W, ∠(·, x) = {np.degrees(angle(z1, x)):.1f}°, ‖·‖ = {np.linalg.norm(z1):.3g}",
         COLORS["induced"]),
        (f"the same at (PU, P⁻ᵀv), ‖·‖ = {np.linalg.norm(z2):.3g}", COLORS["other"]),
    ])
    fit_limits(ax, pts)
    ax.set_xlabel("along x")
    ax.set_ylabel("⊥ x, in the plane of x and the induced step")
    ax.set_title(f"C08: induced steps for one θ differ from x and from each other ({m.label})")
    ax.legend(loc="lower left", fontsize=7)


@claim("C08", kind="exists", section=GRADIENT_DYNAMICS,
       statement="The induced step is not the canonical one: for some U, v, x the step (UᵀU + ‖v‖²I)x points "
                 "in another direction than x, and two parameterizations of the same θ — (U, v) and "
                 "(PU, P⁻ᵀv) — give induced steps of different lengths.",
       strategy=examples(sized(k=(1, 2), d=(2, 3), square=False), w=lambda m: m.points(), x=lambda m: inputs(m.d),
                         P=lambda m: invertible_matrices(m.k, max_cond=10.0)),
       plot=plot_induced_vs_canonical,
       definitions="A witness is a non-zero function (θ ≠ 0) with both: angle(z, x) above the round-off of "
                   "the angle (the error bound of z "
                   "over ‖z‖ plus the normalisations), and |‖z′‖/‖z‖ − 1| above the round-off of the two "
                   "norms (the κ(P)-scaled error of z′ at the transformed point); and the pair checked in full: "
                   "ψ(PU, P⁻ᵀv) = ψ(U, v) within C09's round-off bound, and both induced steps of the model equal "
                   "their formulas (UᵀU + ‖v‖²I)x and (UᵀPᵀPU + ‖P⁻ᵀv‖²I)x, written with U, v and P, within "
                   "C10's. d ≥ 2: for d = 1 every step is parallel to x.")
def induced_step_not_canonical(ex):
    m, x, z1, z2, e1, e2, _ = _c08_data(ex)
    n1, n2, nx = (float(np.linalg.norm(a)) for a in (z1, z2, x))
    theta = m.psi(ex["w"])
    if n1 == 0 or n2 == 0 or not np.any(theta):
        undecided("an induced step is zero, or θ = 0")
    bad = reparameterization_mismatch(m, ex["w"], ex["P"], x)
    if bad is not None:  # not two parameterizations of one θ with their own steps: no witness
        note(bad[0])
        event("rejected: not a reparameterization of the same θ with its induced step")
        return None
    phi = angle(z1, x)
    phi_tol = angle_roundoff(e1, n1, 0.0, nx, m.d)
    ratio = n2 / n1
    ratio_tol = (e1 / n1 + e2 / n2) * max(ratio, 1.0) + roundoff(1.0, m.d, computations=3)
    note(f"angle(z, x)={phi:.3g} rad (round-off {phi_tol:.2g}); ‖z′‖/‖z‖={ratio:.6g} (round-off {ratio_tol:.2g})")
    if phi > phi_tol and abs(ratio - 1) > ratio_tol:
        return (f"angle((UᵀU + ‖v‖²I)x, x) = {np.degrees(phi):.3g}° > round-off {phi_tol:.1e} rad, and the "
                f"same θ = {vector(theta)} at (PU, P⁻ᵀv) has ‖z′‖/‖z‖ = {ratio:.4g}")
    return None
