"""Helpers behind C18–C26: closed forms checked against independent computations, and the plots drawn."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import overparam.theorems as T
from overparam.descent.losses import logistic_loss, squared_loss
from overparam.parameterizations import DeepLinear, ShallowReLU, TwoLayerLinear
from overparam.parameterizations.numerics import roundoff
from overparam.theorems.chapters import canonical as C
from overparam.theorems.chapters import exploding_gradients, general_view, hidden_units
from overparam.theorems.style import new_figure


@pytest.mark.parametrize("make", [squared_loss, logistic_loss])
def test_origin_hessian_is_the_second_difference_of_the_loss(make):
    # δᵀHδ against (L(tδ) − 2L(0) + L(−tδ))/t², whose error is O(t²): an independent route to H
    rng = np.random.default_rng(0)
    m = TwoLayerLinear(k=3, d=2)
    loss = make(rng.standard_normal((4, 2)), rng.standard_normal(4))
    H = general_view.origin_hessian(m, loss.grad(np.zeros(2)))
    L = lambda w: loss.value(m.psi(w))  # noqa: E731
    for _ in range(5):
        delta = rng.standard_normal(m.n_params)
        errs = []
        for t in (1e-1, 5e-2):
            second = (L(t * delta) - 2 * L(np.zeros(m.n_params)) + L(-t * delta)) / t**2
            errs.append(abs(second - delta @ H @ delta))
        assert errs[1] < errs[0] / 3 or errs[1] < 1e-9  # O(t²): halving t divides the error by ≈ 4


def test_origin_hessian_spectrum():
    g = np.array([3.0, 4.0])
    lam = np.linalg.eigvalsh(general_view.origin_hessian(TwoLayerLinear(k=2, d=2), g))
    np.testing.assert_allclose(lam, [-5, -5, 0, 0, 5, 5], atol=1e-12)


@pytest.mark.parametrize("m", [TwoLayerLinear(k=3, d=2), ShallowReLU(n=3, d=2, k=4, seed=1)])
def test_unit_columns_are_the_units_weights(m):
    # the columns of unit j are the flat positions of its weights in w
    for j in range(m.k):
        cols = hidden_units.unit_columns(m, j)
        if isinstance(m, ShallowReLU):
            A, b, a = m.unpack(np.arange(m.n_params, dtype=float))
            expect = np.concatenate([A[j], [b[j]], [a[j]]])
        else:
            U, v = m.unpack(np.arange(m.n_params, dtype=float))
            expect = np.concatenate([U[j], [v[j]]])
        assert np.array_equal(cols, expect.astype(int))


def test_two_layer_singular_values_law():
    rng = np.random.default_rng(2)
    m = TwoLayerLinear(k=2, d=3)
    w = m.sample(rng)
    U, v = m.unpack(w)
    for c in (1e-2, 0.3, 1.0, 7.0, 1e2):
        s = np.linalg.svd(m.jacobian(m.rescale(w, c)), compute_uv=False)
        np.testing.assert_allclose(s, exploding_gradients.two_layer_singular_values(U, v, c), rtol=1e-12)
    # rank U ≤ 2 < d = 3: the smallest singular value is ‖v‖/c
    assert np.isclose(exploding_gradients.two_layer_singular_values(U, v, 10.0)[-1], np.linalg.norm(v) / 10)


def test_most_anticorrelating_g_minimizes_the_inner_product():
    rng = np.random.default_rng(3)
    m = DeepLinear(d=3, N=3, width=2)
    w = m.sample(rng)
    w2 = m.transform(w, np.array([[1.0, 5.0], [0.0, 0.2]]), 0)
    K1, K2 = m.kernel(w), m.kernel(w2)
    g, lam = C.most_anticorrelating_g(K1, K2)
    assert np.isclose((K1 @ g) @ (K2 @ g), lam)
    for _ in range(200):
        h = rng.standard_normal(3)
        h /= np.linalg.norm(h)
        assert (K1 @ h) @ (K2 @ h) >= lam - roundoff(float(np.linalg.norm(K1) * np.linalg.norm(K2)), 3)


def test_activation_groups_explain_rank_deficiency():
    # d = 1, every unit active on all three inputs (x > every breakpoint): one pattern, rank ≤ d + 1 = 2 < 3
    m = ShallowReLU(n=3, d=1, k=4, X=np.array([[1.0], [2.0], [3.0]]))
    w = m.pack(np.ones((4, 1)), -0.5 * np.ones(4), np.arange(1.0, 5.0))
    group, dead = hidden_units.activation_groups(m, w)
    assert (group, dead) == (3, 0)
    assert np.linalg.matrix_rank(m.jacobian(w)) == 2


PLOTTED = ["C16", "C17", "C18", "C19", "C20", "C21", "C22", "C22w", "C23", "C24", "C25", "C26"]


# the slow tier: drawing is the report's part (tests/test_figures.py reads every claim's figures there too)
@pytest.mark.slow
@pytest.mark.parametrize("cid", PLOTTED)
def test_plot_draws(cid):
    claim = T.get(cid)
    assert claim.plot is not None

    @settings(max_examples=2, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(claim.example_strategy())
    def draw(ex):
        fig = new_figure()
        claim.plot(ex, fig)
        ax = fig.axes[0]
        assert ax.get_title()
        fig.canvas.draw()

    draw()
