"""Section "Why the Canonical Gradient Is So Canonical": positive correlation and its limits (C24–C26)."""

from __future__ import annotations

import numpy as np
from hypothesis import event, note, target
from hypothesis import strategies as st

from overparam.parameterizations import DeepLinear, MatrixFactorization, Squared

from overparam.parameterizations.numerics import roundoff
from overparam.parameterizations.strategies import finite_vectors, positive_scales

from ..core import expect, undecided
from ..example_strategies import deep_linear, examples, for_param, two_layer
from ..registry import claim
from ..sections import CANONICAL

__all__ = ["induced_step_positively_correlated", "steps_of_one_function_anticorrelated", "finite_step_moves_uphill"]


def _plane(a, b):
    """An orthonormal basis (e₁, e₂) of span(a, b), e₁ along a (e₂ = 0 if b ∥ a)."""
    e1 = a / np.linalg.norm(a)
    r = b - (e1 @ b) * e1
    nr = float(np.linalg.norm(r))
    return e1, (r / nr if nr > 0 else np.zeros_like(a))


def _draw_halfspace(ax, normal2, lim, color, label):
    """Shade {z in the plane: normal2ᵀz ≥ 0} in a square of half-width lim."""
    n = np.asarray(normal2, float)
    n = n / np.linalg.norm(n)
    t = np.array([-n[1], n[0]])
    big = 4 * lim
    poly = np.array([t * big, t * big + n * big, -t * big + n * big, -t * big])
    ax.fill(poly[:, 0], poly[:, 1], color=color, alpha=0.15, label=label)
    ax.plot([-t[0] * big, t[0] * big], [-t[1] * big, t[1] * big], color=color, lw=0.8)


def _arrow(ax, v, color, label):
    ax.annotate("", xy=(v[0], v[1]), xytext=(0, 0), arrowprops=dict(arrowstyle="->", color=color, lw=2))
    ax.plot([v[0]], [v[1]], "o", ms=3, color=color, label=label)


def plot_induced_step(ex, fig):
    """C24: g and the induced step Kg in their plane, the halfspace gᵀz ≥ 0 shaded."""
    from ..style import COLORS

    m, w, g = ex["param"], ex["w"], ex["g"]
    ax = fig.add_subplot()
    ax.set_title(f"C24: the induced step stays in g's halfspace ({m.label})", fontsize="small")
    z = m.induced_step(w, g)
    if not np.any(g) or not np.any(z):
        ax.text(0.5, 0.5, "g = 0 or Kg = 0: nothing to draw", ha="center", transform=ax.transAxes)
        return
    sc = max(float(np.linalg.norm(g)), float(np.linalg.norm(z)))
    e1, e2 = _plane(g, z)
    P = lambda x: np.array([e1 @ x, e2 @ x]) / sc  # noqa: E731
    _draw_halfspace(ax, P(g), 1.2, COLORS["neutral"], "gᵀz ≥ 0")
    _arrow(ax, P(g), COLORS["canonical"], "g (canonical)")
    _arrow(ax, P(z), COLORS["induced"], f"Kg (induced), gᵀKg = ‖Jᵀg‖² = {float(g @ z):.3g}")
    ax.set_xlim(-1.2, 1.2)
    ax.set_ylim(-1.2, 1.2)
    ax.set_aspect("equal")
    ax.set_xlabel("along g")
    ax.set_ylabel("orthogonal to g, in span(g, Kg)")
    ax.legend(loc="lower left", fontsize="small")


@claim("C24", kind="holds", section=CANONICAL, general=True, plot=plot_induced_step,
       statement="For every parameterization, point W and canonical gradient g, the induced step z = K g "
                 "satisfies gᵀz = ‖Jᵀg‖² ≥ 0, with equality only where Jᵀg = 0.",
       definitions="z is the model's induced_step; ‖Jᵀg‖² is computed twice, from the model's vjp and from its "
                   "matrix jacobian; gᵀz equals both to the round-off of the sums involved (Σ|terms| of gᵀJJᵀg), "
                   "which also decides 'equality only where Jᵀg = 0' (the equality read at 0).",
       strategy=lambda m: for_param(m, g=lambda m: finite_vectors(m.n_canonical)))
def induced_step_positively_correlated(ex):
    m, w, g = ex["param"], ex["w"], ex["g"]
    z = m.induced_step(w, g)
    r = m.vjp(w, g)
    inner, sq = float(g @ z), float(r @ r)
    J = np.asarray(m.jacobian(w))
    aJ = np.abs(J)
    scale = float(np.abs(g) @ aJ @ aJ.T @ np.abs(g))  # Σ of |terms| in gᵀJJᵀg
    tol = roundoff(scale, m.n_params + m.n_canonical, 2 * getattr(m, "depth", 1))
    ng, nz = float(np.linalg.norm(g)), float(np.linalg.norm(z))
    cos = inner / (ng * nz) if ng > 0 and nz > 0 else 1.0
    note(f"gᵀKg={inner:.3g}, ‖Jᵀg‖²={sq:.3g}, cos(g, Kg)={cos:.3g}, round-off bound={tol:.3g}")
    event("Jᵀg = 0" if sq == 0 else "Jᵀg ≠ 0")
    target(-cos, label="-cos(g, Kg)")
    expect(inner, ">=", -tol, "gᵀKg")
    expect(abs(inner - sq), "<=", tol, "|gᵀKg − ‖Jᵀg‖²|")
    # the same with Jᵀg from the matrix J: the induced step, the vjp and the Jacobian are three
    # computations, and "0 only where Jᵀg = 0" is this equality read at 0
    r_mat = J.T @ g
    expect(abs(inner - float(r_mat @ r_mat)), "<=", tol, "|gᵀKg − ‖Jᵀg‖²| (Jᵀg from the matrix J)")


# --- C25: two parameterizations of one function, steps not positively correlated ---------------


def _reparameterized(t) -> dict:
    m, w, layer, P = t
    return {"param": m, "w": w, "layer": layer, "P": P}


def _rotation(a: float) -> np.ndarray:
    return np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])


#: every 2×2 matrix of positive determinant, by its SVD: P = c·R(α)·diag(1, s)·R(β), condition number
#: max(s, 1/s) ≤ 10³; four numbers to draw (and shrink), where invertible_matrices(2) draws eleven
_P2 = st.tuples(positive_scales(0.1, 10.0), st.floats(-np.pi, np.pi), positive_scales(1e-3, 1e3),
                st.floats(-np.pi, np.pi)).map(lambda t: t[0] * _rotation(t[1]) @ np.diag([1.0, t[2]]) @ _rotation(t[3]))


def _step_sizes():
    """η = 10^(k + f), k ∈ {0, 1, 2, −1, −2, −3}, f ∈ [0, 1): every decade of [10⁻³, 10³] is drawn.

    ``positive_scales(1e-3, 1e3)`` draws log η as one bounded float, and Hypothesis's first examples
    (and most later ones: about 70%) are its simplest value, η = 1. The decade is a choice of its own
    here, so the search moves between decades by choice rather than through a float's bits; its
    simplest value is the decade [1, 10) where a finite step of a map of unit-size weights starts
    to differ from its first order, and it shrinks toward η = 1.
    """
    return st.tuples(st.sampled_from((0, 1, 2, -1, -2, -3)), st.floats(0.0, 1.0, exclude_max=True)).map(
        lambda t: float(10.0 ** (t[0] + t[1])))


def _integer_vectors(n: int):
    """Vectors with entries in {−2, …, 2}: a witness reads at a glance, and integers shrink fast."""
    return st.lists(st.integers(-2, 2), min_size=n, max_size=n).map(lambda v: np.array(v, float))


def _deep_model_examples(m):
    """A point, a hidden layer (width 2), and an invertible P between that layer and the next."""
    per_layer = [st.tuples(st.just(m), _integer_vectors(m.n_params), st.just(j), _P2).map(_reparameterized)
                 for j in range(m.N - 1)]
    return st.integers(0, m.N - 2).flatmap(per_layer.__getitem__)


def most_anticorrelating_g(K1, K2) -> tuple[np.ndarray, float]:
    """The unit g minimizing (K₁g)ᵀ(K₂g) = gᵀ S g, S = (K₁K₂ + K₂K₁)/2: S's eigenvector of λ_min, and λ_min."""
    lam, V = np.linalg.eigh((K1 @ K2 + K2 @ K1) / 2)
    return V[:, 0], float(lam[0])


def _two_steps(ex):
    m, w, j, P = ex["param"], ex["w"], ex["layer"], ex["P"]
    w2 = m.transform(w, P, j)
    K1, K2 = m.kernel(w), m.kernel(w2)
    g, _ = most_anticorrelating_g(K1, K2)
    return m, w, w2, g, m.induced_step(w, g), m.induced_step(w2, g)


def _chain(Ws, rows: int):
    """W_k⋯W_1 for the list [W_1, …, W_k] (I of size ``rows`` for an empty list)."""
    out = np.eye(rows)
    for W in Ws:
        out = W @ out
    return out


def written_induced_step(Ws, g, m_rows: int, n_cols: int) -> np.ndarray:
    """K g = Σ_j vec(A_jA_jᵀ G B_jᵀB_j) for the layers Ws = [W_1, …, W_N], written from the formula.

    A_j = W_N⋯W_{j+1}, B_j = W_{j−1}⋯W_1 and G = g as an m×n matrix (row by row): the sum over the
    layers of the kernel of each block of J = [A_j ⊗ B_jᵀ]_j, independent of the model's products.
    """
    G = np.asarray(g, float).reshape(m_rows, n_cols)
    out = np.zeros((m_rows, n_cols))
    for j in range(len(Ws)):
        A = _chain(Ws[j + 1:], Ws[j].shape[0])
        B = _chain(Ws[:j], n_cols)
        out += A @ (A.T @ G @ B.T) @ B
    return out.ravel()


def _deep_pair_mismatch(m, w, w2, j, P, g) -> str | None:
    """Why W′ = ``m.transform(w, P, j)`` is not W with P inserted between layers j + 1 and j + 2 (same ψ,
    its induced step the formula's at the layers written by hand), or None; each to its round-off."""
    Ws = m.unpack(w)
    P = np.asarray(P, float)
    Pinv = np.linalg.inv(P)
    hand = [W.copy() for W in Ws]
    hand[j], hand[j + 1] = P @ Ws[j], Ws[j + 1] @ Pinv
    # Σ|terms|: the chain on absolute values with |P⁻¹||P| inside, times κ(P) for the computed inverse
    absl = [np.abs(W) for W in Ws]
    absl[j] = np.abs(P) @ absl[j]
    absl[j + 1] = absl[j + 1] @ np.abs(Pinv)
    kP = float(np.linalg.cond(P))
    depth = m.depth + 2
    s_psi = kP * float(np.linalg.norm(_chain(absl, m.n))) + m.psi_scale(w)
    gap = float(np.linalg.norm(m.psi(w2) - m.psi(w)))
    if not gap <= roundoff(s_psi, m.n_params, depth):
        return f"ψ(W′) − ψ(W) has norm {gap:.3g} > round-off {roundoff(s_psi, m.n_params, depth):.3g}: not the same θ"
    s_step = kP * float(np.linalg.norm(written_induced_step(absl, np.abs(g), m.m, m.n)))
    gap = float(np.linalg.norm(m.induced_step(w2, g) - written_induced_step(hand, g, m.m, m.n)))
    if not gap <= roundoff(s_step, m.n_params, 2 * depth):
        return (f"the model's induced step at W′ differs from Σ_j A_jA_jᵀG B_jᵀB_j at the layers written with P by "
                f"{gap:.3g} > round-off {roundoff(s_step, m.n_params, 2 * depth):.3g}")
    return None


@claim("C25", kind="exists", section=CANONICAL,
       statement="Beyond the two-layer model too, the induced steps of two parameterizations of one function "
                 "need not be positively correlated with each other: a deep linear network (N ≥ 3) or a matrix "
                 "factorization, W and W′ = W with P inserted between two layers (ψ(W′) = ψ(W)), and a canonical "
                 "gradient g with (K(W)g)ᵀ(K(W′)g) < 0, although both have a positive inner product with g; the "
                 "function ψ(W) is not the zero one.",
       definitions="The search draws the model (hidden width 2), W with entries in {−2, …, 2}, the layer and an "
                   "invertible P = c·R(α)·diag(1, s)·R(β) (rotations R; s ∈ [10⁻³, 10³], c ∈ [0.1, 10]: every 2×2 "
                   "matrix of positive determinant up to that condition number); g is then the unit vector "
                   "minimizing (K(W)g)ᵀ(K(W′)g), the eigenvector of the smallest eigenvalue of "
                   "(K(W)K(W′) + K(W′)K(W))/2. Negative: below minus the round-off bound of the two induced "
                   "steps and their inner product. A witness is checked in full: ψ(W′) = ψ(W), and the model's "
                   "K(W′)g equals Σ_j vec(A_jA_jᵀG B_jᵀB_j) (A_j, B_j the products of the layers above and below "
                   "layer j) written with the layers PWⱼ and Wⱼ₊₁P⁻¹, each to its round-off (κ(P) times the "
                   "sum of |terms|).",
       strategy=examples(st.one_of(
           st.builds(DeepLinear, d=st.integers(2, 3), N=st.just(3), width=st.just(2)),
           st.builds(MatrixFactorization, m=st.just(2), n=st.just(2), N=st.integers(2, 3),
                     width=st.just(2))), _deep_model_examples),
       plot=lambda ex, fig: plot_two_steps(ex, fig))
def steps_of_one_function_anticorrelated(ex):
    m, w, w2, g, z1, z2 = _two_steps(ex)
    inner = float(z1 @ z2)
    n1, n2 = float(np.linalg.norm(z1)), float(np.linalg.norm(z2))
    # each Kg = J(Jᵀg) is a chain of 2·depth products over ≤ p terms, of size ‖J‖_F²‖g‖ (‖g‖ = 1);
    # the inner product adds q terms: |error| ≤ ‖z₁‖δ₂ + ‖z₂‖δ₁ + δ₁δ₂ + γ_q‖z₁‖‖z₂‖
    d1, d2 = (roundoff(float(np.linalg.norm(m.jacobian(x))) ** 2, m.n_params, 2 * m.depth) for x in (w, w2))
    tol = n1 * d2 + n2 * d1 + d1 * d2 + roundoff(n1 * n2, m.n_canonical)
    cos = inner / (n1 * n2) if n1 > 0 and n2 > 0 else 1.0
    note(f"{m.label}: (K g)ᵀ(K′g)={inner:.3g}, cos={cos:.3g}, gᵀKg={float(g @ z1):.3g}, gᵀK′g={float(g @ z2):.3g}, "
         f"round-off bound {tol:.3g}")
    target(-cos, label="-cos(Kg, K′g)")
    nonzero = bool(np.any(m.psi(w)))
    if not nonzero:
        undecided("ψ(W) = 0: not counted as a witness")
    if nonzero and inner < -tol:
        bad = _deep_pair_mismatch(m, w, w2, ex["layer"], ex["P"], g)
        if bad is not None:  # not two parameterizations of one function with their own steps
            note(bad)
            event("rejected: W′ is not W with P inserted, or its induced step is not the formula's")
            return None
        return f"{m.label}: cos(K(W)g, K(W′)g) = {cos:.3g} < 0 for W′ = W with P between layers {ex['layer'] + 1} and {ex['layer'] + 2}"
    return None


def plot_two_steps(ex, fig):
    """C25: the two induced steps in their own plane, with the halfspace of g (its projection) shaded."""
    from ..style import COLORS

    m, w, w2, g, z1, z2 = _two_steps(ex)
    ax = fig.add_subplot()
    n1, n2 = float(np.linalg.norm(z1)), float(np.linalg.norm(z2))
    cos = float(z1 @ z2) / (n1 * n2) if n1 > 0 and n2 > 0 else float("nan")
    ax.set_title(f"C25: two steps of one function, cos = {cos:.3g} ({m.label})", fontsize="small")
    if n1 == 0 or n2 == 0:
        ax.text(0.5, 0.5, "an induced step is 0 here: nothing to compare", ha="center", transform=ax.transAxes)
        return
    e1, e2 = _plane(z1, z2)
    sc = max(float(np.linalg.norm(z1)), float(np.linalg.norm(z2)))
    P = lambda x: np.array([e1 @ x, e2 @ x]) / sc  # noqa: E731
    gp = P(g)
    if np.any(gp):
        _draw_halfspace(ax, gp, 1.2, COLORS["neutral"], "gᵀz ≥ 0 (in this plane)")
        _arrow(ax, gp / np.linalg.norm(gp), COLORS["canonical"], "g, projected (direction)")
    _arrow(ax, P(z1), COLORS["induced"], "K(W)g")
    _arrow(ax, P(z2), COLORS["other"], "K(W′)g, same function")
    ax.set_xlim(-1.2, 1.2)
    ax.set_ylim(-1.2, 1.2)
    ax.set_aspect("equal")
    ax.set_xlabel("along K(W)g")
    ax.set_ylabel("orthogonal, in span(K(W)g, K(W′)g)")
    ax.legend(loc="lower left", fontsize="small")


# --- C26: a finite learning rate can move θ uphill -----------------------------------------------


@claim("C26", kind="exists", section=CANONICAL,
       statement="With a finite learning rate the parametric step can move the function against canonical "
                 "descent: some W, g and η > 0 give Δθ = ψ(W − ηJᵀg) − ψ(W) with gᵀΔθ > 0, although to first "
                 "order Δθ = −ηKg has gᵀΔθ ≤ 0.",
       definitions="Searched over two-layer linear, deep linear (N ≤ 3, widths ≤ 2) and squared (θ = w⊙w) models, "
                   "W and g with entries in {−2, …, 2}, η ∈ [10⁻³, 10³], each decade about equally often. Positive: above the round-off "
                   "bound of the difference of the two evaluations of ψ, times ‖g‖. The step of a witness is "
                   "checked to be the gradient step: the model's vjp(W, g) equals J(W)ᵀg from its matrix J.",
       strategy=examples(st.one_of(two_layer(max_dim=3), deep_linear(max_dim=2, depths=(2, 3)),
                                   st.builds(Squared, st.integers(1, 3))), lambda m: st.fixed_dictionaries({
           "param": st.just(m), "w": _integer_vectors(m.n_params), "g": _integer_vectors(m.n_canonical),
           "eta": _step_sizes()})),
       plot=lambda ex, fig: plot_finite_step(ex, fig))
def finite_step_moves_uphill(ex):
    m, w, g, eta = ex["param"], ex["w"], ex["g"], ex["eta"]
    w2 = w - eta * m.vjp(w, g)
    delta = m.psi(w2) - m.psi(w)
    inner = float(g @ delta)
    ng, nd = float(np.linalg.norm(g)), float(np.linalg.norm(delta))
    # two rounded evaluations of ψ, each of size psi_scale; then q more terms in gᵀΔθ
    tol = roundoff(m.psi_scale(w) + m.psi_scale(w2), m.n_params, m.depth) * ng + roundoff(ng * nd, m.n_canonical)
    cos = inner / (ng * nd) if ng > 0 and nd > 0 else -1.0
    note(f"{m.label}: η={eta:.3g}, gᵀΔθ={inner:.3g}, cos(g, Δθ)={cos:.3g}, first order −ηgᵀKg="
         f"{-eta * float(g @ m.induced_step(w, g)):.3g}, round-off bound {tol:.3g}")
    # gᵀΔθ against its first order −η‖Jᵀg‖²: −1 for small η, above 0 at a witness, and (where ψ's second
    # order bends the step toward g) growing with η: a direction to climb that cos(g, Δθ), constant
    # in η while the step is first order, does not give
    first = eta * float(np.linalg.norm(m.vjp(w, g))) ** 2
    target(inner / first if first > 0 else -1.0, label="gᵀΔθ / (η‖Jᵀg‖²)")
    target(cos, label="cos(g, Δθ)")
    if inner > tol:
        # the step is the parametric gradient step: the model's vjp is Jᵀg for its own matrix J
        J = np.asarray(m.jacobian(w))
        step_gap = float(np.linalg.norm(m.vjp(w, g) - J.T @ g))
        step_tol = roundoff(m.jacobian_scale(w, J) * ng, m.n_canonical, m.depth)
        if not step_gap <= step_tol:
            note(f"vjp(W, g) − J(W)ᵀg has norm {step_gap:.3g} > round-off {step_tol:.3g}: not a gradient step")
            event("rejected: the step is not −ηJᵀg")
            return None
        return f"{m.label}: η={eta:.3g} gives cos(g, Δθ) = {cos:.3g} > 0"
    return None


def plot_finite_step(ex, fig):
    """C26: −ηg, the first-order step −ηKg and the actual Δθ in the plane of g and Δθ."""
    from ..style import COLORS

    m, w, g, eta = ex["param"], ex["w"], ex["g"], ex["eta"]
    ax = fig.add_subplot()
    ax.set_title(f"C26: a finite step (η = {eta:.3g}) can leave the descent halfspace ({m.label})", fontsize="small")
    if not np.any(g):
        ax.text(0.5, 0.5, "g = 0: nothing to draw", ha="center", transform=ax.transAxes)
        return
    delta = m.psi(w - eta * m.vjp(w, g)) - m.psi(w)
    first = -eta * m.induced_step(w, g)
    e1, e2 = _plane(g, delta)
    sc = max(float(np.linalg.norm(v)) for v in (eta * g, delta, first))
    P = lambda x: np.array([e1 @ x, e2 @ x]) / sc  # noqa: E731
    _draw_halfspace(ax, -P(g), 1.2, COLORS["neutral"], "descent halfspace gᵀz ≤ 0")
    _arrow(ax, P(-eta * g), COLORS["canonical"], "−ηg (canonical step)")
    _arrow(ax, P(first), COLORS["reference"], "−ηKg (first order; off-plane part dropped)")
    _arrow(ax, P(delta), COLORS["violation"], f"Δθ = ψ(W − ηJᵀg) − ψ(W), gᵀΔθ = {float(g @ delta):.3g}")
    ax.set_xlim(-1.2, 1.2)
    ax.set_ylim(-1.2, 1.2)
    ax.set_aspect("equal")
    ax.set_xlabel("along g")
    ax.set_ylabel("orthogonal to g, in span(g, Δθ)")
    ax.legend(loc="lower left", fontsize="small")
