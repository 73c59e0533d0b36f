"""Kinks of a user's piecewise-smooth ψ are set aside, never passed nor failed; a wrong J is still caught.

The models are written as a user would (tests/_user_models.py): no ``smooth_step`` hint.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import overparam.parameterizations as P
from overparam.parameterizations import family_strategies
from overparam.parameterizations.base import finite_vectors
from overparam.theorems.conformance import check_parameterization, check_taylor
from overparam.theorems.kinks import NOT_DIFFERENTIABLE, kink_along

from _user_models import UserAbs, UserReLU, UserReLUWrongBias

BUDGET = 30
#: the families whose ψ is differentiable everywhere in its domain (not the ReLU network)
SMOOTH_FAMILIES = sorted(set(family_strategies(3)) - {"relu"})


@pytest.mark.parametrize("model", [UserReLU(), UserAbs()], ids=["relu", "abs"])
def test_a_correct_piecewise_smooth_model_passes_every_check(model):
    results = check_parameterization(model, max_examples=BUDGET)
    bad = [r.message for r in results if r.status != "holds"]
    assert not bad, bad
    for r in results:  # what was set aside is neither in the examples judged nor in the verdict
        assert (r.set_aside > 0) == ("not differentiable" in r.message), r.message


def test_the_kinks_of_abs_are_counted_apart():
    # Hypothesis draws zero entries of w (the kinks of |w|) in most runs of 100 examples
    results = {r.id: r for r in check_parameterization(UserAbs(), max_examples=100, claims=False)}
    r = results["J2"]
    assert r.status == "holds" and r.set_aside > 0, r.message
    assert re.fullmatch(rf"J2 held on all {r.examples} examples where ψ is differentiable; {r.set_aside} drawn "
                        r"points? where ψ is not differentiable .* counted apart\.", r.message), r.message


def test_a_catalogue_claim_at_a_kink_counts_it_undecided_not_held():
    # C16 (the chain rule) on |w|: a drawn zero entry with a direction that moves it is a kink, where
    # ℓ∘ψ has no gradient to compare; the runner counts it as undecided and draws another
    from overparam.theorems import get, run_claim
    from overparam.theorems.core import KINK_REASON

    r = run_claim(get("C16"), param=UserAbs(), overrides={"max_examples": 100, "database": None,
                                                          "derandomize": True})
    assert r.status == "holds", r.message
    assert r.undecided_reasons.get(KINK_REASON, 0) > 0 and r.undecided >= r.undecided_reasons[KINK_REASON], r
    assert r.examples == 100  # the decided ones: the kinks are not among them


class KinkOnly(UserAbs):
    """|w| drawn only at w = 0, where every direction meets a kink."""

    def points(self, *, extreme=False):
        return st.just(np.zeros(self.n_params))


def test_a_model_judged_nowhere_is_not_a_pass():
    r = {r.id: r for r in check_parameterization(KinkOnly(), max_examples=BUDGET, claims=False)}["J2"]
    assert r.status == NOT_DIFFERENTIABLE and r.examples == 0 and r.set_aside > 0, (r.status, r.message)


def test_a_user_relu_with_a_wrong_jacobian_is_caught_and_the_entry_named():
    m = UserReLUWrongBias()
    r = {r.id: r for r in check_parameterization(m, max_examples=BUDGET, claims=False)}["J2"]
    assert r.status == "refuted", r.message
    found = re.search(r"J\[(\d+), (\d+)\] = (\S+), but ∂θ_(\d+)/∂w_(\d+) ≈ (\S+)", r.message)
    assert found, r.message
    row, col = int(found[1]), int(found[2])
    kd = m.k * m.d
    assert kd <= col < kd + m.k, f"the planted error is in the bias columns {kd}…{kd + m.k - 1}: {r.message}"
    # the named entry is wrong at the reported point: J says D_ij, the derivative is a_j·D_ij
    w = r.counterexample["w"]
    J = m.jacobian(w)
    assert float(found[3]) == pytest.approx(J[row, col], rel=1e-2)
    a = w[kd + m.k + col - kd]
    assert float(found[6]) == pytest.approx(a * J[row, col], rel=1e-2, abs=1e-9)


class SquaredMissingFactor(P.Squared):
    """ψ′(w) = w instead of 2w, consistently."""

    def _derivative(self, w):
        return w


def test_a_wrong_diagonal_names_its_entry():
    r = {r.id: r for r in check_parameterization(SquaredMissingFactor(2), max_examples=BUDGET, claims=False,
                                                 shrink=False)}["J2"]
    assert r.status == "refuted", r.message
    w = r.counterexample["w"]
    found = re.findall(r"J\[(\d+), (\d+)\] = (\S+), but ∂θ_\d+/∂w_\d+ ≈ (\S+?)[;\s]", r.message)
    assert found, r.message
    for i, j, claimed, estimate in found:
        assert i == j and float(claimed) == pytest.approx(w[int(i)], rel=1e-2)
        assert float(estimate) == pytest.approx(2 * w[int(i)], rel=1e-2)


@settings(max_examples=50)
@given(data=st.data())
def test_a_dead_zero_unit_is_a_kink_and_is_set_aside(data):
    # unit j with A_j = 0 and b_j = 0 has every pre-activation exactly 0; with a_j ≠ 0 and
    # a direction that moves them, relu bends there
    m = UserReLU(n=3, d=2, k=3)
    w = m.sample(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    j = data.draw(st.integers(0, m.k - 1), label="unit")
    kd = m.k * m.d
    w[j * m.d:(j + 1) * m.d] = 0.0
    w[kd + j] = 0.0
    w[kd + m.k + j] = data.draw(st.sampled_from([1.0, -1.0]), label="sign") * data.draw(
        st.floats(0.1, 10.0), label="|a_j|")
    d = data.draw(finite_vectors(m.n_params), label="d")
    d[kd + j] = data.draw(st.sampled_from([1.0, -1.0]), label="db_j")  # moves every pre-activation of unit j
    assert kink_along(m, w, d)
    # J (relu′(0) = 0) gives unit j no first-order move: that is ψ's derivative from the right
    # along d unless some pre-activation of unit j rises along d
    dZ = m.X @ d[j * m.d:(j + 1) * m.d] + d[kd + j]
    expected = NOT_DIFFERENTIABLE if np.any(dZ > 0) else None
    assert check_taylor({"param": m, "w": w, "dw": d}) == expected


@pytest.mark.parametrize("family", SMOOTH_FAMILIES)
@settings(max_examples=25)
@given(data=st.data())
def test_a_smooth_map_has_no_kink(family, data):
    # the kink test must never excuse a wrong J where ψ is differentiable
    m = data.draw(family_strategies(3)[family], label="member")
    w = data.draw(m.points(extreme=data.draw(st.booleans(), label="extreme")), label="w")
    d = data.draw(finite_vectors(m.n_params), label="d")
    if not np.any(d):
        d = np.ones_like(d)
    assert not kink_along(m, w, d)
