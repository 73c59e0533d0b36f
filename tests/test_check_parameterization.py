"""check_parameterization passes correct maps and catches planted wrong Jacobians."""

import numpy as np
import pytest

import overparam.parameterizations as P
from overparam.theorems.conformance import ParameterizationCheckFailed, check_parameterization

# a reduced budget: each planted error is generic (it shows on almost every point),
# and the correct maps are checked at the full budget by tests/test_conformance.py
BUDGET = 30


class SignFlippedBlock(P.TwoLayerLinear):
    """J's v-block has the wrong sign in the matrix only (products correct)."""

    def _jacobian(self, w):
        J = super()._jacobian(w)
        J[:, self.k * self.d:] *= -1
        return J


class ProductsFromMatrix:
    """Mixin: jvp, vjp and induced_step computed from the (planted) matrix J, so all agree."""

    def _jvp(self, w, dw):
        return self._jacobian(w) @ dw

    def _vjp(self, w, g):
        return self._jacobian(w).T @ g

    def _induced_step(self, w, g):
        J = self._jacobian(w)
        return J @ (J.T @ g)


class SignFlippedEverywhere(ProductsFromMatrix, P.TwoLayerLinear):
    """The v-block's sign is wrong consistently in J, jvp, vjp and induced_step."""

    def _jacobian(self, w):
        J = super()._jacobian(w)
        J[:, self.k * self.d:] *= -1
        return J


class TransposedPolar(ProductsFromMatrix, P.Polar):
    """J transposed (a square case), consistently."""

    def _jacobian(self, w):
        return super()._jacobian(w).T


class MissingFactor(P.Squared):
    """ψ′(w) = w instead of 2w, consistently."""

    def _derivative(self, w):
        return w


class WrongOnNegatives(P.Inverse):
    """ψ′ correct for w > 0, sign-flipped for w < 0: wrong on part of the domain only."""

    def _derivative(self, w):
        d = -1.0 / (w * w)
        return np.where(w > 0, d, -d)


class MissingKernelTerm(P.TwoLayerLinear):
    """The closed-form induced step forgets ‖v‖²g."""

    def _induced_step(self, w, g):
        U, v = self.unpack(w)
        return U.T @ (U @ g)


class DuckTyped:
    """A correct map that does not subclass Parameterization: θ = (w₀w₁, w₁)."""

    n_params = 2
    n_canonical = 2

    def psi(self, w):
        return np.array([w[0] * w[1], w[1]])

    def jacobian(self, w):
        return np.array([[w[1], w[0]], [0.0, 1.0]])

    def jvp(self, w, dw):
        return self.jacobian(w) @ dw

    def vjp(self, w, g):
        return self.jacobian(w).T @ g

    def induced_step(self, w, g):
        J = self.jacobian(w)
        return J @ (J.T @ g)

    def sample(self, rng):
        return rng.standard_normal(2)


PLANTED = [
    (SignFlippedBlock(k=2, d=2), "J1"),
    (SignFlippedEverywhere(k=2, d=2), "J2"),
    (TransposedPolar(), "J2"),
    (MissingFactor(2), "J2"),
    (WrongOnNegatives(2), "J2"),
    (MissingKernelTerm(k=2, d=2), "J1"),
]


@pytest.mark.parametrize("param,check", PLANTED, ids=[type(p).__name__ for p, _ in PLANTED])
def test_planted_wrong_jacobian_is_caught(param, check):
    results = {r.id: r for r in check_parameterization(param, max_examples=BUDGET, claims=False, shrink=False)}
    assert results[check].status == "refuted", results[check].message
    msg = results[check].message
    assert check in msg and param.label in msg and "but" in msg
    assert results[check].counterexample is not None


@pytest.mark.parametrize("param,check", PLANTED[2:3], ids=["raise"])
def test_raise_on_failure_raises_the_sentence(param, check):
    with pytest.raises(ParameterizationCheckFailed, match=check):
        check_parameterization(param, max_examples=BUDGET, raise_on_failure=True, claims=False, shrink=False)


@pytest.mark.parametrize("param", [P.TwoLayerLinear(k=2, d=3), DuckTyped()], ids=["two-layer", "duck-typed"])
def test_correct_parameterization_passes_every_check(param):
    results = check_parameterization(param, max_examples=BUDGET)
    bad = [r.message for r in results if r.status != "holds"]
    assert not bad, bad
    ids = {r.id for r in results}
    assert {"J1", "J2", "C16", "C19", "C24"} <= ids
    assert "C17" not in ids  # a consistency check: no object can fail it


def test_object_without_the_interface_is_rejected():
    with pytest.raises(ValueError, match="param must implement the parameterization interface, but object has no 'n_params'"):
        check_parameterization(object())
