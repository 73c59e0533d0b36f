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

from parameterizations import ShallowReLU, family_strategies, numerics, zoo
from parameterizations.strategies import invertible_matrices, permutations

from _checks import expect, expect_close, explain, lazy

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
    expect_close(member.psi(w2), member.psi(w), what=f"ψ({sym.name}(w)) − ψ(w)", scale=scale, terms=member.n_params,
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
    expect_close(Js @ coef, Jt, what="J_copy − J_twin·c", scale=nJ * (1 + float(np.linalg.norm(coef))),
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
    expect_close(s[:r], np.linalg.svd(U, compute_uv=False)[:r], what="σ_{≤r}(U₂) − σ_{≤r}(U)", scale=nU,
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
