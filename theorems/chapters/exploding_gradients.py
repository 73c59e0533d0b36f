"""Section "A More General View", C23: exploding and vanishing gradients along the parameters of one function.

Rescaling (cU, v/c) keeps θ but scales J's singular values as √(c²σᵢ(U)² + ‖v‖²/c²); in a deep
linear network, rescaling two adjacent layers scales their blocks of J by c and 1/c.
"""

from __future__ import annotations

import numpy as np
from hypothesis import event, note
from hypothesis import strategies as st

from overparam.parameterizations import TwoLayerLinear
from overparam.parameterizations.numerics import roundoff
from overparam.parameterizations.strategies import positive_scales

from ..core import expect, expect_same
from ..example_strategies import deep_linear, examples, two_layer
from ..geometry import scaled_norm
from ..registry import claim
from ..sections import GENERAL_VIEW

__all__ = ["exploding_and_vanishing", "two_layer_singular_values"]


def two_layer_singular_values(U, v, c: float) -> np.ndarray:
    """Singular values of J at (cU, v/c), largest first: √(c²σᵢ(U)² + ‖v‖²/c²), i = 1…d.

    J(cU, v/c) = [(v/c) ⊗ I_d | c Uᵀ], so J Jᵀ = ‖v‖²/c²·I_d + c²UᵀU, whose eigenvalues are
    c²σᵢ(U)² + ‖v‖²/c² with σᵢ(U) = 0 for i > rank U.
    """
    k, d = U.shape
    sU = np.zeros(d)
    sU[: min(k, d)] = np.linalg.svd(U, compute_uv=False)
    return np.sqrt((c * sU) ** 2 + (scaled_norm(v) / c) ** 2)


def _deep_blocks(m, J):
    o = m._offsets
    return [J[:, o[j]:o[j + 1]] for j in range(m.N)]


def _c23_two_layer(t) -> dict:
    """U of rank ≤ r < d: its best rank-r approximation, or U itself when r = k < d; v = 0 in a drawn share."""
    m, w, r, c, zero_v = t
    w = w if r >= min(m.k, m.d) else m.rank_deficient(w, r)
    if zero_v:  # the statement's other case: with v = 0 the smallest non-zero σ(J) is c·σ_r(U)
        U, _ = m.unpack(w)
        w = m.pack(U, np.zeros(m.k))
    return {"param": m, "w": w, "rank": r, "c": c}


def _max_rank_below_d(m) -> int:
    return m.k if m.k < m.d else m.d - 1


@claim("C23", kind="holds", section=GENERAL_VIEW,
       statement="Exploding and vanishing: along the parameters (cU, v/c) of one two-layer function the singular "
                 "values of J are exactly √(c²σᵢ(U)² + ‖v‖²/c²), so ‖J‖₂ ≥ c·‖U‖₂ grows without bound, and where "
                 "rank U < d the smallest one is ‖v‖/c, non-zero for v ≠ 0 yet arbitrarily small. In a deep "
                 "linear network, scaling layer j by c and layer j + 1 by 1/c multiplies J's block of layer "
                 "j + 1 by c and that of layer j by 1/c, so max(c‖Jⱼ₊₁‖₂, ‖Jⱼ‖₂/c) ≤ ‖J(c)‖₂ ≤ "
                 "√(c²‖Jⱼ₊₁‖₂² + ‖Jⱼ‖₂²/c² + ‖J_rest‖₂²).",
       definitions="Unbounded / arbitrarily small: decided by the exact scaling law, checked at a drawn c ∈ "
                   "[10⁻³, 10³] (log-uniform) against the singular values the library's J has at the rescaled "
                   "point, to the round-off of a backward-stable SVD (Weyl: O(q·p·u·‖J‖_F) per singular value). "
                   "Smallest non-zero singular value: of J at (cU, v/c) with rank U < d and v ≠ 0 it is the d-th, "
                   "‖v‖/c; with v = 0 it is c·σ_r(U).",
       strategy=st.one_of(
           examples(two_layer(k=st.integers(1, 4), d=st.integers(2, 4)), lambda m: st.tuples(
               st.just(m), m.points(), st.integers(0, _max_rank_below_d(m)), positive_scales(1e-3, 1e3),
               st.integers(0, 4).map(lambda i: i == 4))
               .map(_c23_two_layer)),
           examples(deep_linear(max_dim=3, depths=(2, 4)), lambda m: st.fixed_dictionaries({
               "param": st.just(m), "w": m.points(), "layer": st.integers(0, m.N - 2),
               "c": positive_scales(1e-3, 1e3)}))),
       plot=lambda ex, fig: plot_exploding_vanishing(ex, fig))
def exploding_and_vanishing(ex):
    m, w, c = ex["param"], ex["w"], ex["c"]
    p = m.n_params
    if isinstance(m, TwoLayerLinear):
        U, v = m.unpack(w)
        wc = m.rescale(w, c)
        expect_same(m.psi(wc), m.psi(w), scale=float(np.linalg.norm(np.abs(U).T @ np.abs(v))), terms=m.k + 2,
                     what="ψ(cU, v/c) − ψ(U, v)")
        Jc = np.asarray(m.jacobian(wc))
        s = np.linalg.svd(Jc, compute_uv=False)
        law = two_layer_singular_values(U, v, c)
        # SVD of Jc and SVD of U (scaled by c) each carry their own round-off: a Householder
        # bidiagonalization is the exact one of A + E with ‖E‖_F ≤ γ̃_{mn}‖A‖_F (Higham, Thm 19.4), so
        # the inner sums have m·n terms — q·p for J, k·d for U — as C19 bounds the SVD of J (p terms
        # alone missed a 3×12 J by 2%: 2.16e-11 against 2.12e-11, once in 200 runs)
        tol = (roundoff(float(np.linalg.norm(Jc)), m.n_canonical * p, 2)
               + roundoff(c * float(np.linalg.norm(U)), m.k * m.d, 2))
        note(f"c={c:.3g}, rank U ≤ {ex['rank']} < d={m.d}, ‖v‖={scaled_norm(v):.3g}; σ(J)={np.array2string(s, precision=4)}"
             f", law {np.array2string(law, precision=4)}")
        expect(float(np.max(np.abs(s - law))), "<=", tol, "max |σᵢ(J(cU, v/c)) − √(c²σᵢ(U)² + ‖v‖²/c²)|")
        sU1 = float(np.linalg.svd(U, compute_uv=False)[0])
        expect(float(s[0]), ">=", c * sU1 - tol, "‖J(cU, v/c)‖₂ (exploding: ≥ c‖U‖₂)")
        if np.any(v):
            event("v ≠ 0: σ_min(J) = ‖v‖/c")
            expect(abs(float(s[-1]) - scaled_norm(v) / c), "<=", tol, "|σ_min(J(cU, v/c)) − ‖v‖/c|")
        elif sU1 > 0:
            event("v = 0: smallest non-zero σ(J) = c·σ_r(U)")
            # J(cU, 0) = [0 | cUᵀ]: its non-zero singular values are c·σᵢ(U), as many as rank U
            sU = np.linalg.svd(U, compute_uv=False)
            r = int(np.sum(sU > sU1 * max(U.shape) * np.finfo(float).eps))
            nonzero = s[s > tol]
            expect(nonzero.size, "==", r, "number of non-zero σ(J(cU, 0)) (rank U)")
            expect(abs(float(nonzero[-1]) - c * float(sU[r - 1])), "<=", tol,
                   "|smallest non-zero σ(J(cU, 0)) − c·σ_r(U)|")
        else:
            event("U = 0, v = 0: J = 0 on the whole orbit")
        return
    # deep linear: rescale layer j by c and layer j + 1 by 1/c
    j = ex["layer"]
    wc = m.rescale(w, c, j)
    J1, Jc = np.asarray(m.jacobian(w)), np.asarray(m.jacobian(wc))
    B1, Bc = _deep_blocks(m, J1), _deep_blocks(m, Jc)
    depth = m.depth + 2  # the products of ψ, and the factors c and 1/c
    expect_same(m.psi(wc), m.psi(w), scale=m.psi_scale(w) * (c + 1 / c), terms=p, depth=depth,
                 what="ψ at the rescaled layers − ψ")
    for i in range(m.N):
        factor = c if i == j + 1 else (1 / c if i == j else 1.0)
        expect_same(Bc[i], factor * B1[i], scale=float(np.linalg.norm(Bc[i])) + factor * float(np.linalg.norm(B1[i])),
                     terms=p, depth=depth, what=f"block {i + 1} of J(c) − {factor:.3g}·block {i + 1} of J")
    norm2 = lambda A: float(np.linalg.norm(A, 2)) if A.size else 0.0  # noqa: E731
    rest = np.hstack([B1[i] for i in range(m.N) if i not in (j, j + 1)] or [np.zeros((m.n_canonical, 0))])
    lo = max(c * norm2(B1[j + 1]), norm2(B1[j]) / c)
    hi = float(np.sqrt((c * norm2(B1[j + 1])) ** 2 + (norm2(B1[j]) / c) ** 2 + norm2(rest) ** 2))
    nJ = norm2(Jc)
    # ‖·‖₂ is an SVD: q·p terms, as above
    tol = roundoff(float(np.linalg.norm(Jc)) + (c + 1 / c) * float(np.linalg.norm(J1)), m.n_canonical * p, depth)
    note(f"c={c:.3g}, layer {j + 1}→{j + 2}: ‖J(c)‖₂={nJ:.4g}, bounds [{lo:.4g}, {hi:.4g}]")
    event("deep linear: ‖Jⱼ₊₁‖ > 0" if lo > 0 else "deep linear: Jⱼ₊₁ = 0")
    expect(nJ, ">=", lo - tol, "‖J(c)‖₂ (exploding: ≥ max(c‖Jⱼ₊₁‖₂, ‖Jⱼ‖₂/c))")
    expect(nJ, "<=", hi + tol, "‖J(c)‖₂ (≤ √(c²‖Jⱼ₊₁‖² + ‖Jⱼ‖²/c² + ‖J_rest‖²))")


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
            ax.loglog(cs, scaled_norm(v) / cs, "--", color=COLORS["reference"], label="‖v‖/c")
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
