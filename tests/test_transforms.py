"""Function-preserving transforms, degenerate points, and the strategies that build them.

* every member's ``symmetries()`` leave ψ unchanged, to round-off, for drawn arguments;
* degenerate points: the origin (ψ = 0, J = 0 so the rank of J drops), a duplicated
  hidden unit (its columns of J repeat its twin's), a dead ReLU unit (its columns
  of J vanish), a rank-deficient U;
* the strategies: invertible matrices are as well conditioned as promised and
  permutations are permutations, by construction.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overparam.parameterizations import MatrixFactorization, ShallowReLU, family_strategies, numerics, zoo
from overparam.parameterizations.strategies import inputs, invertible_matrices, nonzero_scales, permutations

from _checks import expect, expect_same, explain, lazy

MAX_DIM = 4
FAMILIES = family_strategies(MAX_DIM)

# A property parametrized over the families runs one Hypothesis search per family;
# each gets a quarter of the loaded profile's budget (25 examples of the default
# 100, 500 of "thorough"'s 2000), so the property as a whole still sees 2¼ times
# the examples of an unparametrized test, and the suite stays fast.
PER_FAMILY = settings(max_examples=max(10, settings().max_examples // 4))
WITH_SYMMETRIES = sorted({m.family for m in zoo() if m.symmetries()})


def test_every_family_is_tested_or_has_no_symmetry():
    # identity and inverse have none: ψ is injective there
    assert set(WITH_SYMMETRIES) == set(FAMILIES) - {"identity", "inverse"}


def _rank(M: np.ndarray, scale: float, terms: int, depth: int) -> int:
    """Numerical rank: singular values above the round-off of the entries of M."""
    if M.size == 0:
        return 0
    s = np.linalg.svd(M, compute_uv=False)
    return int(np.sum(s > numerics.roundoff(scale, terms, depth)))


@pytest.mark.parametrize("family", WITH_SYMMETRIES)
@PER_FAMILY
@given(data=st.data())
def test_symmetries_preserve_psi(family, data):
    member = data.draw(FAMILIES[family], label="member")
    w = data.draw(member.points(extreme=data.draw(st.booleans(), label="extreme")), label="w")
    sym = data.draw(st.sampled_from(member.symmetries()), label="symmetry")
    arg = data.draw(sym.argument, label=f"argument of {sym.name}")
    w2 = sym.apply(w, arg)
    assert w2.shape == w.shape
    scale = member.psi_scale(w) + member.psi_scale(w2)
    if isinstance(arg, np.ndarray) and arg.ndim == 2:
        # the transform applies P and P⁻¹: a computed inverse is off by ~κ(P)·u·‖P⁻¹‖
        # (Higham §14.1), so PᵀP⁻ᵀ − I is off by ~κ(P)²·u
        kappa = float(np.linalg.norm(arg) * np.linalg.norm(np.linalg.inv(arg)))
        scale *= kappa**2
        explain(lazy(lambda: f"κ_F(P)={kappa:.3g}"))
    # the transform is one more rounded product in front of ψ's chain
    expect_same(member.psi(w2), member.psi(w), what=f"ψ({sym.name}(w)) − ψ(w)", scale=scale, terms=member.n_params,
                 depth=member.depth + 1, member=member)


# --- degenerate points -------------------------------------------------------------

ORIGIN_FAMILIES = ["two-layer", "deep-linear", "factorization", "relu"]


@pytest.mark.parametrize("family", ORIGIN_FAMILIES)
@PER_FAMILY
@given(data=st.data())
def test_origin_is_a_zero_of_psi_where_the_rank_of_J_drops(family, data):
    member = data.draw(FAMILIES[family], label="member")
    w0 = member.origin()
    assert not np.any(member.psi(w0)), "ψ(origin) must be exactly 0"
    # every entry of J is a product with at least one weight (no bias term reaches θ alone)
    J0 = member.jacobian(w0)
    expect(int(np.linalg.matrix_rank(J0)), "==", 0, "rank J(origin)", member=member)
    # a generic point has J of positive rank; for the two-layer net it has full row rank d
    w = member.sample(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    J = member.jacobian(w)
    rank = _rank(J, float(np.linalg.norm(J)), member.n_params, member.depth)
    explain(lazy(lambda: f"rank J(sample)={rank}"))
    if family == "two-layer":
        expect(rank, "==", member.d, "rank J at a generic point", member=member)
    elif family != "relu":  # a ReLU net may be dead on all n inputs at a sampled point
        expect(rank, ">=", 1, "rank J at a generic point", member=member)


def _unit_columns(member, j: int) -> np.ndarray:
    """Columns of J for hidden unit j: its incoming weights (and bias) and its outgoing weight."""
    k, d = member.k, member.d
    cols = list(range(j * d, (j + 1) * d))
    if isinstance(member, ShallowReLU):
        cols += [k * d + j, k * d + k + j]  # b_j, a_j
    else:
        cols += [k * d + j]  # v_j
    return np.array(cols)


@pytest.mark.parametrize("family", ["two-layer", "relu"])
@PER_FAMILY
@given(data=st.data())
def test_duplicate_unit_repeats_its_twins_columns_of_J(family, data):
    member = data.draw(FAMILIES[family].filter(lambda m: m.k >= 2), label="member")
    w = data.draw(member.points(extreme=data.draw(st.booleans(), label="extreme")), label="w")
    source, target = data.draw(st.permutations(range(member.k)), label="units")[:2]
    w2 = member.duplicate_unit(w, source, target)
    J = member.jacobian(w2)
    Js, Jt = J[:, _unit_columns(member, source)], J[:, _unit_columns(member, target)]
    # the copy's columns are a linear combination (here: a copy) of the twin's, so
    # the copy adds nothing to the column space of J
    coef, *_ = np.linalg.lstsq(Js, Jt, rcond=None)
    nJ = float(np.linalg.norm(J))
    expect_same(Js @ coef, Jt, what="J_copy − J_twin·c", scale=nJ * (1 + float(np.linalg.norm(coef))),
                 terms=J.shape[0], depth=member.depth + 1, member=member)
    others = np.setdiff1d(np.arange(member.n_params), _unit_columns(member, target))
    r_all = _rank(J, nJ, member.n_params, member.depth)
    r_without = _rank(J[:, others], nJ, member.n_params, member.depth)
    expect(r_all - r_without, "==", 0, "rank J − rank J without the copy's columns", member=member)


@given(member=FAMILIES["relu"], data=st.data())
def test_dead_unit_has_zero_columns_of_J(member, data):
    w = data.draw(member.points(extreme=data.draw(st.booleans(), label="extreme")), label="w")
    j = data.draw(st.integers(0, member.k - 1), label="unit")
    w2 = member.dead_unit(w, j)
    Z = member.preactivations(w2)
    expect(float(Z[:, j].max()), "<", 0.0, "max pre-activation of the dead unit", member=member)
    J = member.jacobian(w2)
    cols = _unit_columns(member, j)
    expect(float(np.abs(J[:, cols]).max()), "==", 0.0, "max |J| over the dead unit's columns", member=member)
    # so ψ does not depend on them either: moving them (keeping the unit dead) leaves ψ
    A, b, a = (x.copy() for x in member.unpack(w2))
    a[j] += 1.0
    assert np.array_equal(member.psi(member.pack(A, b, a)), member.psi(w2))


@given(member=FAMILIES["two-layer"].filter(lambda m: min(m.k, m.d) >= 2), data=st.data())
def test_rank_deficient_lowers_the_rank_of_U(member, data):
    w = data.draw(member.points(extreme=data.draw(st.booleans(), label="extreme")), label="w")
    r = data.draw(st.integers(0, min(member.k, member.d) - 1), label="rank")
    U, v = member.unpack(w)
    U2, v2 = member.unpack(member.rank_deficient(w, r))
    assert np.array_equal(v2, v), "v must be kept"
    s = np.linalg.svd(U2, compute_uv=False)
    # U₂ = Σ_{i<r} σ_i a_i b_iᵀ, rounded: its trailing singular values are round-off of ‖U‖
    nU = float(np.linalg.norm(U))
    explain(lazy(lambda: f"σ(U)={np.linalg.svd(U, compute_uv=False)}, σ(U₂)={s}"))
    expect(float(s[r]), "<=", numerics.roundoff(nU, terms=max(r, 1) + min(member.k, member.d),
                                                                   depth=2), f"σ_{r + 1}(U₂)", member=member)
    # and the leading r are U's own (Eckart–Young)
    expect_same(s[:r], np.linalg.svd(U, compute_uv=False)[:r], what="σ_{≤r}(U₂) − σ_{≤r}(U)", scale=nU,
                 terms=min(member.k, member.d), depth=3, member=member)


# --- strategies ---------------------------------------------------------------------

@given(data=st.data(), k=st.integers(1, MAX_DIM), max_cond=st.floats(1.0, 1e4), max_scale=st.floats(1.0, 1e3))
def test_invertible_matrices_have_bounded_condition(data, k, max_cond, max_scale):
    P = data.draw(invertible_matrices(k, max_cond=max_cond, max_scale=max_scale), label="P")
    assert P.shape == (k, k)
    s = np.linalg.svd(P, compute_uv=False)
    # P = c·Q₁diag(s)Q₂ᵀ is formed with round-off η‖P‖₂ (three products of k terms);
    # Weyl moves each singular value by at most that: κ ≤ max_cond·(1 + η)/(1 − η·max_cond)
    eta = numerics.roundoff(1.0, terms=k, depth=3)
    expect(float(s[0] / s[-1]), "<=", max_cond * (1 + eta) / (1 - eta * max_cond), "κ₂(P)")
    expect(float(s[0]), "<=", max_scale * max_cond * (1 + eta), "σ_max(P)")
    expect(float(s[-1]), ">=", (1 / max_scale) * (1 - eta * max_cond), "σ_min(P)")


@given(data=st.data(), k=st.integers(1, 8))
def test_permutations_are_permutations(data, k):
    perm = data.draw(permutations(k), label="perm")
    assert perm.dtype.kind == "i"
    assert np.array_equal(np.sort(perm), np.arange(k))


# --- the transforms act on the weights they name, not only on ψ ---------------------------

@settings(max_examples=max(10, settings().max_examples // 2))
@given(member=st.builds(MatrixFactorization, m=st.integers(1, 3), n=st.integers(1, 3), N=st.integers(2, 4),
                        width=st.integers(1, 3)),
       data=st.data())
def test_factorization_transforms_change_the_layers_they_name(member, data):
    # a transform between W_j and W_{j+1} is invisible in ψ whatever it does to the layers;
    # the layers show it: (c W_j, W_{j+1}/c) for a rescaling with c of either sign, rows of
    # W_j and columns of W_{j+1} permuted alike, every other layer untouched
    w = data.draw(member.points(), label="w")
    j = data.draw(st.integers(0, member.N - 2), label="layer")
    c = data.draw(nonzero_scales(), label="c")
    perm = data.draw(permutations(member.dims[j + 1]), label="perm")
    Ws = member.unpack(w)
    scaled = member.unpack(member.rescale(w, c, layer=j))
    permuted = member.unpack(member.permute(w, perm, layer=j))
    for i, (W, S, Q) in enumerate(zip(Ws, scaled, permuted)):
        if i == j:
            want_s, want_p = c * W, W[perm]
        elif i == j + 1:
            want_s, want_p = W / c, W[:, perm]
        else:
            want_s = want_p = W
        # P = c·I and its inverse (1/c)·I: one rounding of c or 1/c in each entry
        expect_same(S, want_s, what=f"layer {i + 1} after rescale(c, layer={j})",
                     scale=float(np.linalg.norm(want_s)), terms=1, member=member)
        assert np.array_equal(Q, want_p), f"layer {i + 1} after permute(perm, layer={j}) [{member.label}]"


@given(member=FAMILIES["two-layer"], data=st.data())
def test_two_layer_transforms_change_the_layers_they_name(member, data):
    # (cU, v/c) for c of either sign; rows of U and entries of v permuted alike
    w = data.draw(member.points(), label="w")
    c = data.draw(nonzero_scales(), label="c")
    perm = data.draw(permutations(member.k), label="perm")
    U, v = member.unpack(w)
    U2, v2 = member.unpack(member.rescale(w, c))
    assert np.array_equal(U2, c * U) and np.array_equal(v2, v / c), f"rescale by c={c} [{member.label}]"
    U3, v3 = member.unpack(member.permute(w, perm))
    assert np.array_equal(U3, U[perm]) and np.array_equal(v3, v[perm]), f"permute by {perm} [{member.label}]"


def test_relu_derivative_at_a_kink_is_the_one_from_the_inactive_side():
    # a pre-activation exactly 0 (A_0·x_0 + b_0 = 1·1 + (−1)·1 + 0) with a_0 ≠ 0: relu′(0) is taken
    # as 0, so J there is the derivative along every direction that does not raise z_00, and the
    # columns of unit 0's incoming weights and bias are 0 in row 0. Dyadic numbers: every
    # product below is exact, so the one-sided slope is computed exactly.
    X = np.array([[1.0, 1.0], [2.0, -1.0]])
    m = ShallowReLU(n=2, d=2, k=2, X=X)
    w = m.pack(np.array([[1.0, -1.0], [0.5, 0.25]]), np.array([0.0, 0.125]), np.array([2.0, -1.5]))
    Z = m.preactivations(w)
    assert Z[0, 0] == 0 and Z[1, 0] > 0, Z
    J = m.jacobian(w)
    incoming = np.r_[0, 1, 4]  # A_00, A_01, b_0
    assert not np.any(J[0, incoming]), J[0]
    # lowering b_0 keeps unit 0 off on x_0: ψ is linear along d = −e_{b_0} for steps below z_10 = 3
    d = -np.eye(m.n_params)[4]
    h = 2.0**-10
    slope = (m.psi(w + h * d) - m.psi(w)) / h
    assert np.array_equal(m.jvp(w, d), slope), (m.jvp(w, d), slope)
    assert np.array_equal(m.vjp(w, np.eye(2)[0]), J[0])


# --- balanced points ---------------------------------------------------------------------

def _rank_one(member, data):
    """E = σ a bᵀ with unit a, b and σ = 10^e, e ∈ [−100, 100] (far from under- and overflow)."""
    a = data.draw(inputs(member.m), label="a")
    b = data.draw(inputs(member.n), label="b")
    sigma = 10.0 ** data.draw(st.floats(-100, 100), label="log10 σ")
    return sigma * np.outer(a / np.linalg.norm(a), b / np.linalg.norm(b)), sigma


@settings(max_examples=max(10, settings().max_examples // 2))
@given(member=st.builds(MatrixFactorization, m=st.integers(1, 3), n=st.integers(1, 3), N=st.integers(2, 4),
                        width=st.integers(1, 3)),
       data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_balanced_point_is_reproducible_balanced_and_exact_at_any_scale(member, data, seed):
    E, sigma = _rank_one(member, data)
    w = member.balanced_point(E, rng=seed)
    assert np.array_equal(w, member.balanced_point(E, rng=seed)), "the same seed must give the same point"
    if max(member.widths) > 1:  # random unit hidden vectors: another seed, another point
        assert not np.array_equal(w, member.balanced_point(E, rng=seed + 1))
    Ws = member.unpack(w)
    N, terms = member.N, max(member.dims)
    expect_same(member.psi(w), E.ravel(), what="ψ(balanced point) − E", scale=sigma, terms=terms, depth=2 * N,
                 member=member)
    s2 = sigma ** (2 / N)  # every W_j W_jᵀ = σ^{2/N} u_j u_jᵀ
    for j in range(N - 1):
        expect_same(Ws[j + 1].T @ Ws[j + 1], Ws[j] @ Ws[j].T, what=f"W_{j + 2}ᵀW_{j + 2} − W_{j + 1}W_{j + 1}ᵀ",
                     scale=s2, terms=terms, depth=2 * N, member=member)


@pytest.mark.parametrize("N", [3, 5, 7])
@pytest.mark.parametrize("log10_sigma", [-150, -72, 72, 150])
def test_balanced_scalar_chain_is_exact_far_from_one(N, log10_sigma):
    # where σ ** (1/N) with the exponent 1/N rounded is off by |ln σ|·u/N (55u at σ = 1e72, N = 3),
    # and its N-th power by N times that: above the round-off of the chain
    m = MatrixFactorization(m=1, n=1, N=N, width=1)
    sigma = 10.0**log10_sigma
    w = m.balanced_point(np.array([[sigma]]), rng=0)
    expect_same(m.psi(w), [sigma], what="ψ(balanced point) − σ", scale=sigma, terms=1, depth=2 * N, member=m)


@settings(max_examples=max(10, settings().max_examples // 2))
@given(member=st.builds(MatrixFactorization, m=st.integers(2, 3), n=st.integers(2, 3), N=st.integers(2, 3)),
       data=st.data(), ratio=st.floats(1e-12, 1e-2))
def test_balanced_point_refuses_a_second_singular_value_above_round_off(member, data, ratio):
    # E = σ₁a₁b₁ᵀ + σ₂a₂b₂ᵀ with σ₂/σ₁ = ratio ≥ 1e-12, orthonormal a's and b's: rank 2, far
    # above the round-off of forming a rank-one σ a bᵀ (~10⁻¹⁵ relative), so it is refused
    E1, sigma = _rank_one(member, data)
    U, _, Vt = np.linalg.svd(E1)
    E = E1 + ratio * sigma * np.outer(U[:, 1], Vt[1])
    with pytest.raises(ValueError, match="^E must have rank ≤ 1 for a balanced point here"):
        member.balanced_point(E)


# --- the inverse map's inverse --------------------------------------------------------------

@given(member=FAMILIES["inverse"], data=st.data())
def test_inverse_inverts_psi(member, data):
    w = data.draw(member.points(extreme=data.draw(st.booleans(), label="extreme")), label="w")
    theta = member.psi(w)
    # 1/(1/w) and ψ(1/θ): two roundings of a relative error u each
    expect_same(member.inverse(theta), w, what="inverse(ψ(w)) − w", scale=float(np.linalg.norm(w)), terms=1,
                 member=member)
    expect_same(member.psi(member.inverse(theta)), theta, what="ψ(inverse(θ)) − θ",
                 scale=float(np.linalg.norm(theta)), terms=1, member=member)
