"""Shallow networks with a smooth activation: every activation passes the interface checks and the
general claims, a planted wrong derivative of each activation is caught, and bad input is refused.

The family also runs in the conformance suite (tests/test_conformance.py, family ``smooth``) and in
every general claim over the zoo; here each activation is checked by name.
"""

from __future__ import annotations

import numpy as np
import pytest

from overparam.parameterizations import ShallowSmooth, numerics
from overparam.parameterizations.smooth import ACTIVATIONS
from overparam.theorems.conformance import check_parameterization

#: a reduced budget: a planted error shows on almost every point, and the family runs at
#: the full budget in the conformance suite and in every general claim over the zoo
BUDGET = 30

# a slip in σ′ that a hand derivation makes, per activation
SLIPS = {
    "tanh": lambda z: 1.0 - np.tanh(z),  # the square of tanh forgotten
    "softplus": lambda z: 1.0 / (1.0 + np.exp(np.minimum(z, 700.0))),  # the logistic function of −z
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-np.maximum(z, -700.0))),  # σ itself for σ(1 − σ)
}


class WrongDerivative(ShallowSmooth):
    """σ′ replaced by a slip, consistently in J, jvp, vjp and induced_step: only J2 can see it."""

    def _parts(self, w):
        a, H, _ = super()._parts(w)
        A, b, _ = self.unpack(w)
        return a, H, SLIPS[self.activation](self.X @ A.T + b)


class WrongMatrixOnly(ShallowSmooth):
    """J's A-block without the factor a_j in the matrix only (the products are right): J1 sees it."""

    def _jacobian(self, w):
        J = super()._jacobian(w)
        _, _, S = self._parts(w)
        J[:, :self.k * self.d] = (S[:, :, None] * self.X[:, None, :]).reshape(self.n, self.k * self.d)
        return J


def test_every_activation_has_a_slip():
    assert set(SLIPS) == set(ACTIVATIONS)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_each_activation_passes_the_interface_checks_and_every_general_claim(activation):
    m = ShallowSmooth(n=3, d=2, k=3, activation=activation)
    results = check_parameterization(m, max_examples=BUDGET)
    bad = [r.message for r in results if r.status != "holds"]
    assert not bad, bad
    assert {"J1", "J2", "C16", "C19", "C24"} <= {r.id for r in results}


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("plant, check", [(WrongDerivative, "J2"), (WrongMatrixOnly, "J1")],
                         ids=["wrong-derivative", "matrix-only"])
def test_planted_wrong_jacobian_is_caught(activation, plant, check):
    m = plant(n=3, d=2, k=3, activation=activation)
    results = {r.id: r for r in check_parameterization(m, max_examples=BUDGET, claims=False, shrink=False)}
    assert results[check].status == "refuted", results[check].message
    assert check in results[check].message and m.label in results[check].message


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_the_derivative_of_sigma_is_that_of_sigma(activation):
    # σ′ against σ's own Taylor remainder, from the middle of σ to its saturated tails
    act = ACTIVATIONS[activation]
    for z in (-40.0, -3.0, -0.5, 0.0, 0.7, 5.0, 40.0):
        res = numerics.taylor_order(lambda x: act.sigma(x), lambda x, d: act.derivative(x) * d,
                                    np.array([z]), np.array([1.0]), scale=lambda x: float(np.abs(act.sigma(x))[0]
                                    + act.derivative_max(x, numerics.gamma(1) * np.abs(x))[0] * abs(x[0])),
                                    terms=1, n_steps=60)
        assert res.ok, f"σ′ of {activation} at z={z}: {res.reason}"


def test_a_saturated_unit_is_linear_and_passes():
    # a point Hypothesis found at an extreme scale: units so saturated that ψ is exactly
    # linear along d for h ≤ 500, and of order 1 only at the first, huge steps h ≥ 1000
    m = ShallowSmooth(n=3, d=2, k=4, activation="tanh")
    w = np.zeros(m.n_params)
    w[3], w[5] = 20000.0, -2500.0
    d = np.zeros(m.n_params)
    d[4] = d[14] = 1.0
    res = numerics.taylor_order(m.psi, m.jvp, w, d, scale=m.psi_scale, terms=m.n_params, depth=m.depth,
                                n_steps=60)
    assert res.ok, res.reason
    assert res.remainders[0] > res.floors[0] and res.remainders[-1] <= res.floors[-1]


def test_a_wrong_derivative_is_still_caught_when_its_remainder_falls_to_round_off():
    # ψ(w) = w with J = 1 + 1e-9: the remainder 1e-9·h is of order 1 until it meets the floor;
    # the drop to the floor bounds the last order by ≤ 1, so the verdict stays "wrong"
    res = numerics.taylor_order(lambda w: w.copy(), lambda w, d: (1 + 1e-9) * d, np.array([1.0]), np.array([1.0]),
                                scale=lambda x: float(abs(x[0])), terms=1, n_steps=60)
    assert not res.ok and res.order < numerics.ORDER_THRESHOLD, res.reason


@pytest.mark.parametrize("make, msg", [
    (lambda: ShallowSmooth(activation="relu"),
     r"^activation must be one of \['sigmoid', 'softplus', 'tanh'\], but got 'relu'$"),
    (lambda: ShallowSmooth(activation=None), r"^activation must be one of .*, but got None$"),
    (lambda: ShallowSmooth(k=0), r"^k must be > 0, but got 0$"),
    (lambda: ShallowSmooth(n=4, d=2, X=np.ones((3, 2))), r"^X must be a 4×2 matrix, but got an array of shape \(3, 2\)"),
])
def test_bad_constructor_arguments(make, msg):
    with pytest.raises(ValueError, match=msg):
        make()


def test_sign_flips_need_an_odd_activation_and_signs():
    w = ShallowSmooth(k=3, activation="tanh").sample(0)
    with pytest.raises(ValueError, match=r"^s must have entries ±1, but entry 1 is 2.0$"):
        ShallowSmooth(k=3, activation="tanh").flip_units(w, np.array([1.0, 2.0, -1.0]))
    with pytest.raises(ValueError, match=r"^activation must be odd for a sign flip of units, but softplus is not$"):
        ShallowSmooth(k=3, activation="softplus").flip_units(w, np.ones(3))
    assert [s.name for s in ShallowSmooth(activation="softplus").symmetries()] == ["permutation"]


def test_x_must_be_a_fixed_input():
    m = ShallowSmooth(n=3, d=2)
    assert np.array_equal(m.features(m.X[1]), np.eye(3)[1])
    with pytest.raises(ValueError, match=r"^x must be one of the 3 fixed inputs \(rows of X\), but got"):
        m.features(m.X[1] + 1.0)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_spec_rebuilds_the_member(activation):
    from overparam.parameterizations import from_spec

    m = ShallowSmooth(n=3, d=2, k=2, activation=activation, seed=5)
    back = from_spec(m.family, m.spec())
    w = m.sample(1)
    assert back.label == m.label and np.array_equal(back.psi(w), m.psi(w))


def test_rounding_in_a_saturated_tail_is_bounded_locally():
    # a point the thorough profile found: unit 0 deep in sigmoid's lower tail (ψ's change along d
    # ~1e-10). With a global Lipschitz constant in psi_scale the floor (~1e-10) hid the remainder's
    # asymptotic h² regime, and the pre-asymptotic steps (h ≫ 1, where σ has saturated and the
    # remainder grows like h·|J·d|) read as order 1
    from overparam.theorems.conformance import check_taylor

    m = ShallowSmooth(n=1, d=1, k=2, activation="sigmoid", seed=371)
    w = np.array([-150.0, 0.0, 140.625, 0.0, 100.0, 0.0])
    d = np.array([0.0, 0.0, -1.0, 0.0, 0.0, 0.0])
    assert check_taylor({"param": m, "w": w, "dw": d}) is None


def _saturated_sigmoid():
    # a point a fresh search of the conformance suite finds (J2-smooth): unit 5 (a = 100) saturated
    # on every input, its pre-activations 68, −42, −59 and 30 driven deeper along d = −e₅
    m = ShallowSmooth(n=4, d=1, k=7, activation="sigmoid", seed=65145)
    w = np.zeros(m.n_params)
    w[5], w[19] = -53.125, 100.0
    d = np.zeros(m.n_params)
    d[5] = -1.0
    return m, w, d


def test_the_taylor_test_starts_before_the_bend_of_a_saturated_unit():
    # steps of 10, 5 (‖w‖∞/10 on) drive σ through its flat tail, where the remainder
    # e^{−τ} − 1 + τ grows like τ; its h² regime lies under the round-off floor. From
    # curvature_step on (τ ≤ 1) the remainder is quadratic or at round-off: J passes
    from overparam.theorems.conformance import check_taylor

    m, w, d = _saturated_sigmoid()
    J = m.jacobian(w)
    past = numerics.taylor_order(m.psi, lambda w_, d_: J @ d_, w, d, scale=m.psi_scale, terms=m.n_params,
                                 depth=m.depth, n_steps=60)
    assert not past.ok, "the uncapped steps no longer read this correct J as wrong: the example is moot"
    c = np.abs(m.X[:, 0])  # |∂Z_i5/∂h| along d = −e₅ (A is k×1)
    assert m.curvature_step(w, d) == pytest.approx(1.0 / (ACTIVATIONS["sigmoid"].bend * c.max()))
    assert check_taylor({"param": m, "w": w, "dw": d}) is None


def test_wrong_entries_accuse_no_entry_of_a_correct_jacobian_and_name_a_wrong_one():
    from overparam.parameterizations.differentiability import describe_entries, wrong_entries

    m, w, _ = _saturated_sigmoid()
    J = m.jacobian(w)
    kw = dict(scale=m.psi_scale, terms=m.n_params, depth=m.depth)
    assert wrong_entries(m.psi, J, w, curvature_step=m.curvature_step, **kw) == []
    # without the cap the column of b₅ fails its Taylor test, and the difference quotients at the
    # steps it reaches disagree with each other: no entry is named
    uncapped = describe_entries(wrong_entries(m.psi, J, w, **kw))
    assert "∂θ" not in uncapped, uncapped
    bad = J.copy()
    bad[0, 19] += 1e-3
    text = describe_entries(wrong_entries(m.psi, bad, w, curvature_step=m.curvature_step, **kw))
    assert text == "1 wrong column of J: J[0, 19] = 1.001, but ∂θ_0/∂w_19 ≈ 1", text


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_bend_bounds_the_rate_of_change_of_log_sigma_prime(activation):
    # L = sup|σ″/σ′|: curvature_step rests on it (σ′ ∝ e^{−L|z|} in the tails)
    act = ACTIVATIONS[activation]
    z = np.linspace(-30, 30, 6001)
    h = 1e-4
    rate = np.abs(np.log(act.derivative(z + h)) - np.log(act.derivative(z - h))) / (2 * h)
    assert rate.max() <= act.bend * (1 + 1e-6) and rate.max() >= act.bend * (1 - 1e-3)


def test_a_zero_crossing_between_two_sampled_steps_is_seen_by_the_remainders_turn():
    # a point the thorough profile found: unit 6 (a = 1000) at Z = 0, where sigmoid's remainder is
    # cubic, against a small quadratic term of unit 4; the two cancel between steps 5.5e-3 and
    # 2.8e-3 with no rise of ‖R‖, only a change of sign, and the orders just past it are low
    from overparam.theorems.conformance import check_taylor

    m = ShallowSmooth(n=1, d=1, k=7, activation="sigmoid", seed=939)
    w = np.zeros(m.n_params)
    w[20] = 1000.0
    d = np.zeros(m.n_params)
    d[[6, 11, 13, 18]] = -0.25, 0.09375, 0.1875, 0.5
    J, u = m.jacobian(w), d / np.linalg.norm(d)
    signs = {np.sign((m.psi(w + h * u) - m.psi(w) - h * J @ u)[0]) for h in (1.1e-2, 5.5e-3, 2.8e-3, 1.4e-3)}
    assert signs == {-1.0, 1.0}, "the remainder no longer changes sign here: the example is moot"
    assert check_taylor({"param": m, "w": w, "dw": d}) is None
