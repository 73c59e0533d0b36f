"""expect_le/expect_ge: a derived round-off band, and target() toward the bound.

Three true conjectures that raised false alarms from round-off alone — a 1-ulp ‖Kg‖ over its
bound, λ_min(K) = −1e-17 against 0, λ_max(K) = 3.1622776601683786 against 2‖θ‖ =
3.1622776601683795 — hold with the helpers and are refuted by the plain comparison: the search
finds the round-off, so each band is needed.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from overparam.parameterizations import MatrixFactorization, family_strategies
from overparam.parameterizations.numerics import (cosine_band, eigenvalue_band, kernel_band, product_band, ratio_band,
                                        step_band, theta_band, value_band)
from overparam.parameterizations.special_points import balanced_points
from overparam.parameterizations.strategies import inputs
from overparam.theorems import ClaimFailed, expect, expect_close, expect_ge, expect_le
from overparam.theorems.core import Claim, run_claim
from overparam.theorems.example_strategies import examples, two_layer

#: derandomized, no database: the verdicts below are reproducible and hermetic
RUN = {"max_examples": 30, "derandomize": True, "database": None}
#: the plain comparisons only need a failure found, not shrunk
FIND = dict(RUN, max_examples=100, phases=(Phase.explicit, Phase.generate, Phase.target))


def test_the_band_decides_and_the_message_names_it():
    expect_ge(3999999999999.9995, 4e12, "λ")  # within value_band(4e12) ≈ 1.8e-3
    with pytest.raises(ClaimFailed, match=r"^λ=3\.99e\+12, but should be ≥ 4e\+12 \(by more than its round-off band "):
        expect_ge(3.99e12, 4e12, "λ")
    with pytest.raises(ClaimFailed, match=r"^cos=0\.7, but should be ≤ 0\.5 \(by more than its round-off band 1e-06\)"):
        expect_le(0.7, 0.5, "cos", band=1e-6)
    with pytest.raises(ClaimFailed, match=r"^r=nan is not finite, but should be ≤ 1$"):
        expect_le(float("nan"), 1, "r")
    with pytest.raises(ValueError, match=r"^band must be a number ≥ 0, but got -1\.0$"):
        expect_le(0, 1, "x", band=-1)


@settings(max_examples=30, database=None)
@given(st.floats(-1, 1), st.floats(-1, 1))
def test_expect_steers_toward_the_bound(a, b):
    from hypothesis.control import current_build_context

    expect_le(min(a, b), max(a, b), "min − max")
    expect_le(min(a, b), max(a, b), "min − max")  # a second call with the label is not a second target
    assert set(current_build_context().data.target_observations) == {"min − max toward its bound"}


def test_bands_grow_with_their_inputs_and_are_infinite_without_a_quotient():
    assert value_band(4e12) > 4e12 * 2 ** -53
    K = np.diag([2.0, 1.0, 0.0])
    assert eigenvalue_band(K) < eigenvalue_band(K, magnitude=100.0, terms=5)
    assert product_band(np.ones((3, 3)), np.ones(3)) == pytest.approx(product_band(np.ones(3), 3.0), rel=0.6)
    assert cosine_band(np.zeros(2), np.ones(2)) == np.inf and ratio_band(1.0, 0.0) == np.inf
    assert ratio_band(1.0, 2.0, 0.0, 1e-12) > ratio_band(1.0, 2.0)
    with pytest.raises(ValueError, match=r"^factors must hold at least one array, but got none$"):
        product_band()


# --- three true conjectures: a 1-ulp ‖Kg‖, λ_min against 0, λ_max against 2‖θ‖ ------------------


def _two_layer_balanced(scales=False):
    points = balanced_points if not scales else (
        lambda m: st.tuples(balanced_points(m), st.integers(-6, 6)).map(lambda t: t[0] * 10.0 ** t[1]))
    return examples(two_layer(), w=points, g=lambda m: inputs(m.d))


def step_at_balance(plain: bool):
    def check(ex):
        """At a balanced two-layer point K = UᵀU + ‖v‖²I ≤ (‖U‖²_F + ‖v‖²)I = 2‖v‖²I: ‖Kg‖ ≤ 2‖v‖²‖g‖
        (equality for k = 1 and g along U)."""
        m, w, g = ex["param"], ex["w"], ex["g"]
        _, v = m.unpack(w)
        z, bound = np.linalg.norm(m.induced_step(w, g)), 2 * (v @ v) * np.linalg.norm(g)
        if plain:
            expect(z, "<=", bound, "‖Kg‖")
        else:
            expect_le(z, bound, "‖Kg‖", band=step_band(m, w, g) + value_band(bound, terms=m.k + m.d, depth=2))
    return check


def kernel_is_psd(plain: bool):
    def check(ex):
        """K = J Jᵀ is PSD: λ_min(K) ≥ 0 (λ_min = 0 wherever J has rank below q)."""
        m, w = ex["param"], ex["w"]
        lam = float(np.linalg.eigvalsh(m.kernel(w)).min())
        if plain:
            expect(lam, ">=", 0, "λ_min(K)")
        else:
            expect_ge(lam, 0.0, "λ_min(K)", band=kernel_band(m, w), scale=float(np.linalg.norm(m.kernel(w))) or 1.0)
    return check


def top_eigenvalue(plain: bool):
    def check(ex):
        """λ_max(K) = ‖U‖₂² + ‖v‖² ≥ 2‖U‖₂‖v‖ ≥ 2‖Uᵀv‖ = 2‖θ‖ (equality at k = 1, balanced)."""
        m, w = ex["param"], ex["w"]
        lam, t = float(np.linalg.eigvalsh(m.kernel(w)).max()), 2 * float(np.linalg.norm(m.psi(w)))
        if plain:
            expect(lam, ">=", t, "λ_max(K)")
        else:
            expect_ge(lam, t, "λ_max(K)", band=kernel_band(m, w) + 2 * theta_band(m, w))
    return check


TRUE_CONJECTURES = {
    "‖Kg‖ ≤ 2‖v‖²‖g‖ at balance": (step_at_balance, _two_layer_balanced()),
    # with factorizations of width 1 (K of rank ≤ m + n < mn), where λ_min is 0 exactly, as the first
    # branch (the one Hypothesis draws most): behind the zoo, the search's finding the round-off
    # depended on how the zoo's families happen to be drawn
    "λ_min(K) ≥ 0": (kernel_is_psd, examples(st.one_of(st.builds(
        MatrixFactorization, m=st.integers(2, 3), n=st.integers(2, 3), width=st.just(1)),
        *family_strategies(3).values()))),
    "λ_max(K) ≥ 2‖θ‖": (top_eigenvalue, _two_layer_balanced(scales=True)),
}


@pytest.mark.parametrize("name", list(TRUE_CONJECTURES))
def test_a_true_conjecture_holds_with_the_band_and_is_refuted_without(name):
    make, strategy = TRUE_CONJECTURES[name]
    banded = Claim("T", "holds", name, "toolkit", check=make(False), strategy=strategy, name="banded")
    plain = Claim("T", "holds", name, "toolkit", check=make(True), strategy=strategy, name="plain")
    assert run_claim(banded, overrides=RUN).status == "holds"
    r = run_claim(plain, overrides=FIND)
    assert r.status == "refuted", r.message


# --- one message pattern, and expect_close ------------------------------------------------------


class _Member:
    label = "two-layer k=3 d=2"


@pytest.mark.parametrize("call, message", [
    (lambda: expect(-0.3, ">=", 0, "cos"), "cos=-0.3, but should be ≥ 0"),
    (lambda: expect(1, "==", 0, "rank J", context="(columns [0, 1] of J are zero)"),
     "rank J=1, but should equal 0 (columns [0, 1] of J are zero)"),
    (lambda: expect(0, "!=", 0, "‖θ‖", member=_Member()), "‖θ‖=0, but should differ from 0 [two-layer k=3 d=2]"),
    (lambda: expect(2, "<", 1, "ρ", context=": the search found no P", member=_Member()),
     "ρ=2, but should be < 1: the search found no P [two-layer k=3 d=2]"),
    (lambda: expect_le(0.7, 0.5, "cos", band=1e-6, context="at the origin"),
     "cos=0.7, but should be ≤ 0.5 (by more than its round-off band 1e-06) at the origin"),
    (lambda: expect_close(2.001, 2.0, "‖U‖₂", band=1e-15, member=_Member()),
     "‖U‖₂=2.001, but should equal 2 (to within its round-off band 1e-15) [two-layer k=3 d=2]"),
    (lambda: expect_close(np.array([1.0, 0.0]), np.array([1.0, 0.003]), "ψ(w₂)", band=1e-15),
     "‖ψ(w₂) − target‖=0.003, but should be ≤ 1e-15 (its round-off band)"),
    (lambda: expect_close(float("nan"), 1.0, "r"), "r=nan is not finite, but should equal 1"),
])
def test_every_failure_speaks_in_one_pattern(call, message):
    # value, relation in words (== as "should equal"), what was allowed, context after a space, [member]
    with pytest.raises(ClaimFailed) as e:
        call()
    assert str(e.value) == message


def test_expect_close_passes_within_the_band_and_fails_beyond_it():
    expect_close(0.1 + 0.2, 0.3, "0.1 + 0.2")  # 1 ulp apart: within the default band of two roundings
    expect_close(np.array([0.1 + 0.2, 1.0]), np.array([0.3, 1.0]), "v")
    with pytest.raises(ClaimFailed) as e:
        expect_close(0.3 + 1e-12, 0.3, "x")
    assert (e.value.what, e.value.op, e.value.bound) == ("x", "=", 0.3)
    with pytest.raises(ValueError, match=r"^band must be a number ≥ 0, but got -1\.0$"):
        expect_close(1.0, 1.0, "x", band=-1)
    with pytest.raises(ValueError, match=r"^value and target must have one shape, but got \(2,\) and \(3,\)$"):
        expect_close(np.ones(2), np.ones(3), "x")


@settings(max_examples=20, database=None)
@given(st.floats(1, 2))
def test_expect_close_steers_by_the_relative_gap(a):
    from hypothesis.control import current_build_context

    expect_close(a, a, "a", steer=True)
    expect_close(a, a * (1 + 1e-16), "a")  # one label per test case
    assert current_build_context().data.target_observations == {"a: relative gap": 0.0}

