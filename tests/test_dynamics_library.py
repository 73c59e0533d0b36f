"""Library-level tests of the helpers of the descent claims (the claims themselves run in the chapter tests).

theorems.experiments, theorems.flow_limits and the helpers the chapters C18b, C29–C31, C36, C37 export.
"""

import numpy as np
import pytest

import overparam.descent.solvers as S
from overparam.descent import squared_loss, gradient_descent, uniform_initial
from overparam.parameterizations import DeepLinear, Inverse
from overparam.theorems import experiments, flow_limits
from overparam.theorems.chapters import completion_rank, elementwise_bias, saddle_escape, scalar_chain


# --- effective rank ----------------------------------------------------------------------------------

def test_effective_rank_counts_equal_singular_values_and_ignores_scale():
    rng = np.random.default_rng(0)
    Q1, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    Q2, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    for r in range(1, 7):
        E = Q1[:, :r] @ Q2[:, :r].T
        assert completion_rank.effective_rank(E) == pytest.approx(r, rel=1e-12)
        assert completion_rank.effective_rank(37.0 * E) == pytest.approx(r, rel=1e-12)
    assert completion_rank.effective_rank(np.zeros((3, 3))) == 0.0
    # unequal spectrum: strictly between 1 and the rank
    E = Q1 @ np.diag([1.0, 0.1, 0.01, 0, 0, 0]) @ Q2.T
    assert 1.0 < completion_rank.effective_rank(E) < 3.0


# --- the scalar chain (C37) -----------------------------------------------------------------------------

def test_chain_limit_sharpness_closed_forms():
    # N = 1: the end point is w = y, sharpness 1; N = 2 from (a, a): w₁ = w₂ = √|y|, sharpness 2|y|
    assert scalar_chain.chain_limit_sharpness(np.array([0.3]), 1.7) == pytest.approx(1.0, rel=1e-12)
    assert scalar_chain.chain_limit_sharpness(np.array([0.4, 0.4]), 2.5) == pytest.approx(5.0, rel=1e-12)
    assert scalar_chain.chain_limit_sharpness(np.array([-0.4, 0.4]), 2.5) == pytest.approx(5.0, rel=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_chain_limit_sharpness_is_the_sharpness_where_descent_ends(seed):
    # descent with a small step follows the flow: the sharpness ‖∇f‖² at its end matches the prediction
    rng = np.random.default_rng(seed)
    N, y = 4, 1.3
    w0 = rng.standard_normal(N)
    lam = scalar_chain.chain_limit_sharpness(w0, y)
    r = gradient_descent(DeepLinear(1, N, width=1), w0, squared_loss(np.ones((1, 1)), np.array([y])), lr=0.02 / lam,
                         steps=400_000, tol=1e-24)
    w = r.w
    grad_f = np.array([np.prod(np.delete(w, i)) for i in range(N)])
    assert r.converged
    assert grad_f @ grad_f == pytest.approx(lam, rel=0.05)


def test_chain_iterations_agree_with_single_runs_and_stop_at_the_median():
    rng = np.random.default_rng(1)
    N, y, S_ = 3, 1.0, 7
    W0 = rng.standard_normal((S_, N))
    lr = np.array([0.5 / scalar_chain.chain_limit_sharpness(w, y) for w in W0])
    tol = 1e-10 * 0.5
    its = scalar_chain.chain_iterations(N, W0, y, lr, tol, chunk=37)
    loss = squared_loss(np.ones((1, 1)), np.array([y]))
    for b in range(S_):
        one = gradient_descent(DeepLinear(1, N, width=1), W0[b], loss, lr=lr[b], steps=20_000, tol=tol)
        assert one.converged and its[b] == one.steps
    some = scalar_chain.chain_iterations(N, W0, y, lr, tol, chunk=1, need=S_ // 2 + 1)
    done = np.isfinite(some)
    assert done.sum() >= S_ // 2 + 1
    assert np.array_equal(some[done], its[done])
    assert np.sort(some)[S_ // 2] == np.sort(its)[S_ // 2]  # the median is already known


def test_chain_iterations_stops_each_group_at_its_own_median():
    # a fast group (N = 2 at a large step) beside a slow one (a small step): the fast group's rows stop once its
    # median is known, and every group's median is the one it has alone
    rng = np.random.default_rng(2)
    N, S_ = 2, 9
    W0 = rng.standard_normal((2 * S_, N))
    lr = np.array([0.5 / scalar_chain.chain_limit_sharpness(w, 1.0) for w in W0]) * np.repeat([1.0, 0.05], S_)
    groups = np.repeat([0, 1], S_)
    both = scalar_chain.chain_iterations(N, W0, 1.0, lr, 5e-11, chunk=5, need=S_ // 2 + 1, groups=groups)
    for g in (0, 1):
        alone = scalar_chain.chain_iterations(N, W0[groups == g], 1.0, lr[groups == g], 5e-11, chunk=5,
                                              need=S_ // 2 + 1)
        assert np.sort(both[groups == g])[S_ // 2] == np.sort(alone)[S_ // 2]
    # the fast group stopped early: fewer of its rows converged than if it had run as long as the slow one
    everything = scalar_chain.chain_iterations(N, W0, 1.0, lr, 5e-11, chunk=5)
    assert np.isfinite(both[:S_]).sum() < np.isfinite(everything[:S_]).sum()


def test_growth_fit_tells_exponential_from_power_law():
    N = np.arange(1, 13)
    e = scalar_chain.growth_fit(N, 5.0 * np.exp(0.3 * N))
    assert e["exp"]["slope"] == pytest.approx(0.3, rel=1e-10)
    assert e["exp"]["rss"] < 1e-20 < e["pow"]["rss"]
    assert e["exp"]["lo"] == pytest.approx(0.3, rel=1e-6)
    p = scalar_chain.growth_fit(N, 5.0 * N ** 2.0)
    assert p["pow"]["slope"] == pytest.approx(2.0, rel=1e-10)
    assert p["pow"]["rss"] < p["exp"]["rss"]


# --- C18b -----------------------------------------------------------------------------------------------

def test_escape_budget_grows_like_log_one_over_eps():
    b = [saddle_escape.escape_budget(eps, 0.5) for eps in (1e-2, 1e-4, 1e-8)]
    assert b[0] < b[1] < b[2]
    per_decade = (b[2] - b[1]) / 4
    assert per_decade == pytest.approx(2 * np.log(10) / np.log1p(0.125), abs=1)


# --- implicit bias --------------------------------------------------------------------------------------

def test_remaining_move_is_zero_on_the_constraint_and_the_projection_for_the_identity_metric():
    p = S.random_problem(np.random.default_rng(2), 2, 6, 2)
    theta = S.min_l1_nonneg(p.X, p.y)
    assert flow_limits.remaining_move(p.X, p.y, theta, np.ones(6)) < 1e-12
    off = theta + np.random.default_rng(3).standard_normal(6)
    expected = np.linalg.norm(np.linalg.pinv(p.X) @ (p.X @ off - p.y))
    assert flow_limits.remaining_move(p.X, p.y, off, np.ones(6)) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("seed", range(4))
def test_small_alpha_law_predicts_the_off_support_entries(seed):
    p = S.random_problem(np.random.default_rng(seed), 3, 7, 3, nonneg=False)
    b1 = S.min_l1(p.X, p.y)
    asym = flow_limits.l1_asymptotics(p.X, p.y, b1)
    assert asym is not None
    a = flow_limits.small_alpha(asym, b1)
    if a is None:
        pytest.skip("slack beyond double precision")
    for alpha in (a, a / 100):
        beta = S.q_alpha_argmin(p.X, p.y, alpha)
        ell = np.log(1 / alpha ** 2)
        pred, first_order = flow_limits.small_alpha_law(p.X, asym, b1, alpha)
        np.testing.assert_allclose(pred, np.exp(-ell * asym["slack"] + asym["b_off"]), rtol=1e-12)
        # the law's own first-order error, doubled for the terms after it (of its square's order)
        assert first_order < 0.05
        np.testing.assert_allclose(np.abs(beta[asym["off"]]), pred, rtol=2 * first_order)
    assert np.linalg.norm(S.q_alpha_argmin(p.X, p.y, a) - b1) <= 2e-3 * np.linalg.norm(b1)


@pytest.mark.parametrize("seed", range(3))
def test_large_alpha_law_bounds_the_distance_to_min_l2(seed):
    p = S.random_problem(np.random.default_rng(seed), 2, 6, 2, nonneg=False)
    b2 = S.min_l2(p.X, p.y)
    a = flow_limits.large_alpha(b2, tau=1e-3)
    d = np.linalg.norm(S.q_alpha_argmin(p.X, p.y, a) - b2) / np.linalg.norm(b2)
    assert 1e-6 < d <= 1e-3


@pytest.mark.parametrize("seed", range(2))
def test_inverse_descent_ends_at_the_predicted_flow_limit(seed):
    p = S.random_problem(np.random.default_rng(seed), 2, 5, 2)
    alpha = 0.8
    m = Inverse(5)
    loss = squared_loss(p.X, p.y)
    r = gradient_descent(m, uniform_initial(m, alpha), loss, lr=0.01, steps=200_000, tol=1e-14 * loss.value(
        np.full(5, 1 / alpha)))
    assert r.converged
    flow = elementwise_bias.inverse_flow_limit(p.X, p.y, alpha, r.theta)
    assert flow is not None
    assert np.linalg.norm(r.theta - flow) <= 0.02 * np.linalg.norm(flow)


def test_memo_computes_once_per_example():
    calls = []

    def f(ex):
        calls.append(1)
        return {"value": float(ex["a"][0])}

    ex = {"a": np.array([1.0, 2.0]), "s": "x"}
    assert experiments.memo(f, ex) is experiments.memo(f, dict(ex))
    assert len(calls) == 1
    experiments.memo(f, {"a": np.array([1.0, 3.0]), "s": "x"})
    assert len(calls) == 2


def test_a_stalled_run_is_not_settled_however_little_its_first_order_move():
    # the case of a false refutation: a coordinate stalled near 0 adds nothing to the first-order remaining move,
    # while the residual stays at 7.6% of ‖y‖ (problem n = 3, q = 6, seed 1804475916, α = 2.5e-41)
    from overparam.parameterizations import Squared

    p = flow_limits._bias_problem(3, 6, 1804475916, True)
    X, y = p["X"], p["y"]
    l1 = S.min_l1_nonneg(X, y)
    alpha = 2.5e-41
    run, _ = flow_limits.flow_run(Squared(6), "squared", X, y, alpha, l1, steps=3000)
    move = flow_limits.remaining_move(X, y, run.theta, flow_limits.mirror_metric("squared", run.theta, alpha))
    assert move < 1e-3 * np.linalg.norm(l1)  # the first-order estimate says "done"
    ok, why, residual = flow_limits.settled(X, y, run)
    assert not ok and residual > 0.05 and "step budget" in why
    assert np.linalg.norm(run.theta - l1) > 0.3 * np.linalg.norm(l1)  # and it is far from its limit


def test_completion_rows_run_as_single_descents_with_their_own_relative_tolerance():
    # C36 runs every (problem, initialization) as one row of a batched descent, each row's loss divided by its
    # L₀ and its step multiplied by it: the same iterates as gradient_descent on that problem alone
    from overparam.parameterizations import MatrixFactorization

    problems = completion_rank._problems(np.random.default_rng(5), 2)
    m = MatrixFactorization(6, 6, 3, width=6)
    W0 = 0.3 * np.random.default_rng(1).standard_normal((2 * 2, m.n_params))
    plain = completion_rank._masked_loss(problems, 2)
    L0 = plain.value_and_grad_batch(m.psi_batch(W0))[0]
    weighted = completion_rank._masked_loss(problems, 2, 1.0 / L0)
    np.testing.assert_allclose(weighted.value_and_grad_batch(m.psi_batch(W0))[0], 1.0)
    from overparam.descent import batched_descent

    batch = batched_descent(m, W0, weighted, lr=0.5 * L0, steps=150, tol=0.0)
    for b in range(4):
        pr = problems[b // 2]
        X = np.eye(36)[pr["observed"]]
        single = gradient_descent(m, W0[b], squared_loss(X, pr["M"].ravel()[pr["observed"]]), lr=0.5, steps=150,
                                  tol=0.0)
        assert L0[b] == pytest.approx(single.losses[0], rel=1e-12)
        np.testing.assert_allclose(batch.Theta[b], single.theta, rtol=1e-9, atol=1e-12)
