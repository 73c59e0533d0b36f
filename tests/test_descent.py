"""The descent engines: convergence, divergence reporting, recording, batching, gradient flow."""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

import overparam.parameterizations as P
from overparam.descent import (
    FunctionLoss,
    alpha_sweep,
    batched_descent,
    canonical_descent,
    curvature,
    gradient_descent,
    gradient_flow,
    squared_loss,
    uniform_initial,
)
from overparam.descent import flow as flow_module
from overparam.descent import solvers as S
from overparam.descent.losses import Loss, losses
from overparam.parameterizations import numerics
from overparam.parameterizations.strategies import finite_vectors

from _checks import expect, expect_same

seeds = st.integers(0, 2**32 - 1)
FAST = settings(max_examples=15, deadline=None)


def gaussian_loss(seed, n, q):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, q)) / np.sqrt(n)
    return squared_loss(X, rng.standard_normal(n))


def lam_max(loss):
    return float(np.linalg.eigvalsh(loss.X.T @ loss.X)[-1])


# --- convergence and divergence -----------------------------------------------------
@FAST
@given(seeds, st.integers(1, 4), st.integers(2, 4))
def test_identity_converges_to_the_least_squares_solution(seed, q, extra):
    loss = gaussian_loss(seed, q + extra, q)  # overdetermined: a unique minimizer
    r = canonical_descent(np.zeros(q), loss, lr=1.0 / lam_max(loss), steps=200_000, tol=1e-10, criterion="grad")
    assert r.status == "converged", r.message
    theta_ls = np.linalg.lstsq(loss.X, loss.y, rcond=None)[0]
    smin = np.linalg.svd(loss.X, compute_uv=False)[-1]
    assert np.linalg.norm(r.theta - theta_ls) <= 2e-10 / smin**2  # ‖θ − θ*‖ ≤ ‖∇L‖/λ_min
    assert np.all(np.diff(r.losses) <= 1e-12 * r.losses[0])  # η ≤ 1/λ_max: no increase beyond round-off


@FAST
@given(seeds, st.integers(2, 5))
def test_identity_from_zero_reaches_the_minimum_norm_solution(seed, n):
    prob = S.random_problem(np.random.default_rng(seed), n, n + 3, nonneg=False)
    loss = squared_loss(prob.X, prob.y)
    r = gradient_descent(P.Identity(n + 3), np.zeros(n + 3), loss, lr=1.0 / lam_max(loss), steps=500_000, tol=1e-24)
    assert r.converged, r.message
    np.testing.assert_allclose(r.theta, S.min_l2(prob.X, prob.y), atol=1e-9)


@FAST
@given(seeds, st.floats(2.2, 50.0))
def test_too_large_a_step_is_reported_as_divergence(seed, factor):
    loss = gaussian_loss(seed, 3, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning may escape
        r = canonical_descent(np.ones(3), loss, lr=factor / lam_max(loss), steps=100_000)
    assert r.status == "diverged" and r.diverged_at == r.steps + 1
    assert f"step {r.diverged_at}" in r.message
    for a in (r.w, r.theta, r.losses, r.trajectory):
        assert np.all(np.isfinite(a))
    assert r.loss == r.losses[-1] and len(r.losses) == r.steps + 1


def test_overflow_is_divergence_not_nan():
    loss = squared_loss(np.eye(2), [1.0, -1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = gradient_descent(P.TwoLayerLinear(2, 2), np.full(6, 3.0), loss, lr=10.0, max_loss=np.inf, steps=10_000)
    assert r.diverged and ("inf" in r.message or "finite" in r.message or "overflow" in r.message), r.message
    assert np.all(np.isfinite(r.w)) and np.isfinite(r.loss)


def test_a_step_onto_the_pole_of_the_inverse_map_is_divergence():
    # θ = 1/w at w = 1 with target 10: ∇_w L = (θ − 10)·(−1/w²) = 9, so η = 1/9 lands on w = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = gradient_descent(P.Inverse(1), [1.0], squared_loss([[1.0]], [10.0]), lr=1 / 9, steps=1000)
    assert r.diverged and r.diverged_at == 1 and r.steps == 0, r.message
    assert np.array_equal(r.w, [1.0]) and np.array_equal(r.theta, [1.0])


class Cubed:
    """A duck-typed parameterization θ = w³ that refuses |w| > 1e6, as a validating map refuses overflow."""

    n_params = n_canonical = 1

    def psi(self, w):
        w = np.asarray(w, float)
        if abs(w[0]) > 1e6:
            raise ValueError("psi(w) would overflow")
        return w**3

    def vjp(self, w, g):
        return 3 * np.asarray(w, float) ** 2 * g


def test_a_duck_typed_parameterization_runs_and_its_refusal_is_divergence():
    loss = squared_loss([[1.0]], [8.0])
    r = gradient_descent(Cubed(), [1.0], loss, lr=1e-3, steps=100_000, tol=1e-20)
    assert r.converged and r.theta[0] == pytest.approx(8.0)
    bad = gradient_descent(Cubed(), [1.0], loss, lr=10.0, steps=1000, max_loss=np.inf)
    assert bad.diverged and "overflow" in bad.message, bad.message


def test_budget_and_zero_budget():
    loss = gaussian_loss(0, 2, 2)
    r = canonical_descent(np.zeros(2), loss, lr=1e-6, steps=7, tol=0)
    assert r.status == "budget" and r.steps == 7 and len(r.losses) == 8
    r0 = canonical_descent(np.zeros(2), loss, lr=1e-6, steps=0)
    assert r0.status == "budget" and r0.steps == 0 and np.array_equal(r0.w, np.zeros(2))


# --- recording ------------------------------------------------------------------------
@FAST
@given(st.integers(0, 300), st.integers(1, 40))
def test_trajectory_has_the_recorded_length(steps, every):
    loss = gaussian_loss(1, 2, 3)
    r = gradient_descent(P.Squared(3), np.ones(3), loss, lr=1e-4, steps=steps, tol=0, record_every=every,
                         loss_every=every)
    expected = list(range(0, steps + 1, every))
    if expected[-1] != steps:
        expected.append(steps)
    assert list(r.trajectory_steps) == expected and list(r.loss_steps) == expected
    assert r.trajectory.shape == (len(expected), 3)
    np.testing.assert_array_equal(r.trajectory[-1], r.theta)
    full = gradient_descent(P.Squared(3), np.ones(3), loss, lr=1e-4, steps=steps, tol=0, record_every=1)
    np.testing.assert_array_equal(full.trajectory[r.trajectory_steps], r.trajectory)
    np.testing.assert_array_equal(full.losses[r.loss_steps], r.losses)


@FAST
@given(st.integers(0, 2000), st.integers(1, 5), st.integers(2, 30))
def test_capped_recording_stays_bounded_and_evenly_spaced(steps, every, cap):
    loss = gaussian_loss(2, 2, 3)
    r = gradient_descent(P.Identity(3), np.zeros(3), loss, lr=1e-4, steps=steps, tol=0,
                         record_every=every, max_records=cap)
    ts = r.trajectory_steps
    assert len(ts) <= cap and len(r.losses) <= cap
    assert ts[0] == 0 and ts[-1] == steps and np.all(np.diff(ts) > 0)
    gaps = np.diff(ts[:-1])  # all but the final (forced) record share one interval k·2^j
    if len(gaps):
        assert len(set(gaps)) == 1 and (gaps[0] // every) & (gaps[0] // every - 1) == 0


# --- general losses -----------------------------------------------------------------
def test_a_canonical_loss_from_callables_runs_like_the_squared_loss():
    sq = gaussian_loss(3, 2, 4)
    gen = FunctionLoss(sq.value, sq.grad, 4)
    a = gradient_descent(P.SignedSquared(4), np.full(8, 0.5), sq, lr=0.05, steps=300)
    b = gradient_descent(P.SignedSquared(4), np.full(8, 0.5), gen, lr=0.05, steps=300)
    np.testing.assert_allclose(a.w, b.w, rtol=1e-12, atol=1e-14)
    assert a.steps == b.steps and a.status == b.status


def test_a_non_quadratic_loss_with_gradient_criterion():
    # ℓ(θ) = Σ cosh(θ − c): minimum at θ = c, not at zero loss
    c = np.array([0.3, -1.0])
    loss = FunctionLoss(lambda t: np.sum(np.cosh(t - c)), lambda t: np.sinh(t - c), 2)
    r = gradient_descent(P.Polar(), [1.0, 0.2], loss, lr=0.1, steps=20_000, tol=1e-10, criterion="grad")
    assert r.converged
    np.testing.assert_allclose(r.theta, c, atol=1e-8)


def test_bad_inputs_name_the_argument():
    loss = gaussian_loss(0, 2, 3)
    cases = [
        (dict(lr=-1.0), "lr must be"),
        (dict(lr=0.1, steps=-1), "steps must be"),
        (dict(lr=0.1, criterion="norm"), "criterion must be"),
        (dict(lr=0.1, record_every=1.5), "record_every must be"),
        (dict(lr=0.1, max_records=1), "max_records must be"),
    ]
    for kw, msg in cases:
        with pytest.raises(ValueError, match=msg):
            gradient_descent(P.Identity(3), np.zeros(3), loss, **kw)
    with pytest.raises(ValueError, match="w0 must be a vector of shape"):
        gradient_descent(P.Identity(3), np.zeros(4), loss, lr=0.1)
    with pytest.raises(ValueError, match="loss must act on the canonical space of dimension q = 2"):
        gradient_descent(P.Identity(2), np.zeros(2), loss, lr=0.1)
    with pytest.raises(ValueError, match="loss must be a canonical loss"):
        gradient_descent(P.Identity(3), np.zeros(3), "mse", lr=0.1)
    with pytest.raises(ValueError, match="w0 must have no zero entry"):
        gradient_descent(P.Inverse(3), np.zeros(3), loss, lr=0.1)
    with pytest.raises(ValueError, match="y must be a vector of shape"):
        squared_loss(np.ones((2, 3)), np.ones(3))
    with pytest.raises(ValueError, match="W0 must be"):
        batched_descent(P.Squared(3), np.ones((2, 4)), loss, lr=0.1)


# --- batched engine ------------------------------------------------------------------
BATCHABLE = [P.Identity(3), P.Squared(3), P.SignedSquared(3), P.Inverse(3), P.Polar(), P.DeepLinear(1, 4),
             P.TwoLayerLinear(2, 3)]  # the last runs row by row


def _starts(param, rng, B):
    return np.stack([param.sample(rng, scale=0.8) for _ in range(B)])


@FAST
@given(seeds, st.sampled_from(BATCHABLE), st.integers(1, 4), st.sampled_from([None, 1, 7]))
def test_batched_sweep_matches_the_unbatched_engine(seed, param, B, every):
    rng = np.random.default_rng(seed)
    q = param.n_canonical
    loss = gaussian_loss(seed, max(1, q - 1), q)
    W0 = _starts(param, rng, B)
    lr = np.array([min(rng.uniform(0.01, 0.1) / curvature(param, w, loss), 0.02) for w in W0])
    kw = dict(steps=int(rng.integers(0, 300)), tol=float(rng.choice([0.0, 1e-6])), record_every=every)
    singles = [gradient_descent(param, W0[b], loss, lr=lr[b], **kw) for b in range(B)]
    # The two engines round differently (gemm against gemv); in an unstable run (η·ρ > 2 at
    # some iterate, which shows as a loss increase) round-off grows without bound, so only
    # stable runs are compared.
    assume(all(np.all(np.diff(r.losses) <= 1e-12 * r.losses[0]) for r in singles))
    batch = batched_descent(param, W0, loss, lr=lr, **kw)
    for b, one in enumerate(singles):
        m = batch.member(b)
        assert (m.status, m.steps, m.diverged_at) == (one.status, one.steps, one.diverged_at), (m.message, one.message)
        np.testing.assert_allclose(m.w, one.w, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(m.losses, one.losses, rtol=1e-9, atol=1e-12)
        assert np.array_equal(m.loss_steps, one.loss_steps) and np.array_equal(m.trajectory_steps, one.trajectory_steps)
        np.testing.assert_allclose(m.trajectory, one.trajectory, rtol=1e-9, atol=1e-12)


def test_a_diverging_member_stops_alone_and_matches_its_single_run():
    loss = squared_loss(np.diag([1.0, 2.0, 3.0]), [1.0, -1.0, 0.5])
    lam = lam_max(loss)
    W0 = np.ones((3, 3))
    lr = np.array([0.5 / lam, 3.0 / lam, 0.9 / lam])
    batch = batched_descent(P.Identity(3), W0, loss, lr=lr, steps=3000, tol=1e-12, record_every=10)
    assert list(batch.status) == ["converged", "diverged", "converged"] and batch.counts()["diverged"] == 1
    assert np.all(np.isfinite(batch.W)) and np.all(np.isfinite(batch.losses)) and np.all(np.isfinite(batch.trajectory))
    for b in range(3):
        one = gradient_descent(P.Identity(3), W0[b], loss, lr=lr[b], steps=3000, tol=1e-12, record_every=10)
        m = batch.member(b)
        assert (m.status, m.steps, m.diverged_at) == (one.status, one.steps, one.diverged_at)
        np.testing.assert_allclose(m.trajectory, one.trajectory, rtol=1e-9, atol=1e-12)


def test_scalar_deep_chain_batch_matches_deep_linear():
    # Shamir's f = w₁⋯w_N on one example with target 1, from N(0, 1) initial weights
    N, B = 6, 5
    W0 = np.random.default_rng(4).standard_normal((B, N))
    loss = squared_loss([[1.0]], [1.0])
    batch = batched_descent(P.DeepLinear(1, N), W0, loss, lr=0.01, steps=5000, tol=1e-10)
    for b in range(B):
        one = gradient_descent(P.DeepLinear(1, N), W0[b], loss, lr=0.01, steps=5000, tol=1e-10)
        assert batch.member(b).steps == one.steps
        np.testing.assert_allclose(batch.W[b], one.w, rtol=1e-9)
        np.testing.assert_allclose(batch.Theta[b], np.prod(one.w))


def test_alpha_sweep_runs_every_scale_and_matches_single_runs():
    prob = S.random_problem(np.random.default_rng(1), 3, 6, 1)
    loss = squared_loss(prob.X, prob.y)
    alphas = [0.05, 0.3, 1.0, 2.0]
    for param in (P.Squared(6), P.SignedSquared(6), P.Inverse(6)):
        def lr(a):  # a stable step at the start: η = 0.05/ρ(∇²_w L)
            return 0.05 / curvature(param, uniform_initial(param, a), loss)

        sweep = alpha_sweep(param, alphas, loss, lr=lr, steps=500, tol=0)
        assert len(sweep) == 4 and np.all(sweep.status == "budget")
        for b, a in enumerate(alphas):
            one = gradient_descent(param, uniform_initial(param, a), loss, lr=lr(a), steps=500, tol=0)
            np.testing.assert_allclose(sweep.W[b], one.w, rtol=1e-9, atol=1e-13)


# --- implicit bias: an end-to-end sanity check of the engine ------------------------
def test_signed_squared_descent_ends_at_woodworths_q_alpha_argmin():
    # Woodworth et al. 2020: the flow from u₀ = v₀ = α·1 converges to argmin Q_α s.t. Xβ = y;
    # descent with step η is within O(η) of it.
    prob = S.random_problem(np.random.default_rng(0), 4, 10, 1, nonneg=False)
    loss = squared_loss(prob.X, prob.y)
    param, alpha = P.SignedSquared(10), 0.1
    beta = S.q_alpha_argmin(prob.X, prob.y, alpha)
    r = gradient_descent(param, param.uniform_initial(alpha), loss, lr=0.05, steps=100_000, tol=1e-14)
    assert r.converged
    err = np.linalg.norm(r.theta - beta)
    gaps = np.linalg.norm(beta - S.min_l1(prob.X, prob.y)), np.linalg.norm(beta - S.min_l2(prob.X, prob.y))
    assert err < 0.05 * min(gaps), (err, gaps)
    # first order in η: halving the step halves the distance (one batched run, two step sizes)
    W0 = np.stack([param.uniform_initial(0.3)] * 2)
    sweep = batched_descent(param, W0, loss, lr=[0.05, 0.025], steps=100_000, tol=1e-14)
    e = np.linalg.norm(sweep.Theta - S.q_alpha_argmin(prob.X, prob.y, 0.3), axis=1)
    assert 1.6 < e[0] / e[1] < 2.4, e


# --- gradient flow ------------------------------------------------------------------
def test_gradient_flow_is_first_order_accurate_in_c():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 3))
    y = X @ np.array([1.0, 0.5, 0.0])
    w0, T = np.full(3, 0.5), 3.0
    ref = solve_ivp(lambda t, w: -2 * w * (X.T @ (X @ (w * w) - y)), (0, T), w0, rtol=1e-12, atol=1e-14).y[:, -1] ** 2
    errs = []
    for c in (0.2, 0.05):
        r = gradient_flow(P.Squared(3), w0, squared_loss(X, y), t_max=T, c=c, tol=0)
        assert r.status == "budget" and r.time == pytest.approx(T, rel=1e-12)
        errs.append(np.linalg.norm(r.theta - ref))
    assert errs[1] < 0.01 and 3 < errs[0] / errs[1] < 5, errs


@FAST
@given(seeds, st.integers(1, 4))
def test_curvature_is_the_spectral_radius_of_the_parametric_hessian(seed, q):
    # Squared: ∇²_w L = diag(2g) + 4 diag(w) XᵀX diag(w), g = Xᵀ(Xw² − y)
    rng = np.random.default_rng(seed)
    loss = gaussian_loss(seed, max(1, q - 1), q)
    w = rng.standard_normal(q)
    g = loss.grad(w * w)
    H = np.diag(2 * g) + 4 * np.outer(w, w) * (loss.X.T @ loss.X)
    rho = np.max(np.abs(np.linalg.eigvalsh(H)))
    est = curvature(P.Squared(q), w, loss, iters=60)
    # the same power iteration on the exact H, from the same start (numpy's default_rng(0)): the estimate
    # differs only by its central differences, exact to ε² times the third derivative (ε = 1e-5‖w‖: ~1e-10
    # relative) plus the round-off of a difference of gradients divided by ε (~u/1e-5 ≈ 1e-11 relative)
    v = np.random.default_rng(0).standard_normal(q)
    v, power = v / np.linalg.norm(v), 0.0
    for _ in range(60):
        Hv = H @ v
        n = float(np.linalg.norm(Hv))
        power = max(power, n)
        if n == 0:
            break
        v = Hv / n
    assert est == pytest.approx(power, rel=1e-6, abs=1e-9 * max(rho, 1.0))
    assert est <= rho * (1 + 1e-6) + 1e-9


# --- the loss, the time, the divergence bound and the flow's safeguard ---------------
@FAST
@given(losses(3, n_max=3), finite_vectors(3), finite_vectors(3))
def test_loss_value_agrees_with_its_gradient_and_with_value_and_grad(loss, theta, d):
    # ℓ's three evaluations are one function, and grad is its derivative: the first-order Taylor
    # remainder of value along d is O(h²) (a squared loss without its ½ has remainder h·∇ℓᵀd + O(h²))
    value, (v2, g) = loss.value(theta), loss.value_and_grad(theta)
    vb, gb = loss.value_and_grad_batch(theta[None, :])
    S = float(np.linalg.norm(theta))
    scale = loss.evaluation_scale(S)
    terms = loss.n_samples + loss.n_canonical
    for what, other in (("value_and_grad", v2), ("value_and_grad_batch", vb[0])):
        expect_same([value], [other], scale=scale, terms=terms, depth=2, what=f"value(θ) − {what}(θ)[0]")
    # ∇ℓ = Xᵀr, with |rᵢ| ≤ ‖xᵢ‖S + |yᵢ| (squared) or |yᵢ| (logistic)
    nX = float(np.linalg.norm(loss.X))
    expect_same(gb[0], g, scale=nX * (nX * S + float(np.linalg.norm(loss.y))), terms=terms, depth=2,
                 what="batched ∇ℓ − ∇ℓ")
    if not np.any(d):
        return
    res = numerics.taylor_order(lambda t: np.array([loss.value(t)]), lambda t, dd: np.array([loss.grad(t) @ dd]),
                                theta, d, scale=lambda t: loss.evaluation_scale(float(np.linalg.norm(t))),
                                terms=terms, depth=2, n_steps=60)
    assert res.ok, f"the {loss.kind} loss's grad is not the derivative of its value: {res.reason}"


@FAST
@given(seeds, st.integers(0, 200), st.floats(1e-3, 0.5))
def test_time_is_the_sum_of_the_step_sizes(seed, steps, lr):
    # the flow time a run approximates: Σ η = η·steps for a fixed step, in either engine
    # three equations in two unknowns: the least-squares loss stays above 0, so tol = 0 is never met
    # (on a square system descent can reach a loss of exactly 0.0 and stop as converged)
    loss = gaussian_loss(seed, 3, 2)
    lr = lr / lam_max(loss)
    one = canonical_descent(np.zeros(2), loss, lr=lr, steps=steps, tol=0)
    assert one.status == "budget" and one.steps == steps
    # the sum of `steps` equal terms, rounded at each addition: γ_steps·η·steps
    bound = numerics.roundoff(lr * steps, terms=steps, computations=1)
    expect(abs(one.time - lr * steps), "<=", bound, "|time − η·steps| of gradient_descent")
    member = batched_descent(P.Identity(2), np.zeros((1, 2)), loss, lr=lr, steps=steps, tol=0).member(0)
    expect(abs(member.time - one.time), "<=", bound, "|time of the batched member − time of the single run|")


def _growing_run_from_a_tiny_loss():
    # θ ← θ − 2.5θ on ½θ²: |θ| grows by 1.5 a step from a loss of 5e-31, which is healthy
    # until the loss exceeds divergence_factor·max(L₀, 1) = 1e12 (not 1e12·L₀ = 5e-19)
    loss = squared_loss([[1.0]], [0.0])
    theta0, lr = 1e-15, 2.5
    L, k = 0.5 * theta0**2, 0
    theta = theta0
    while L <= 1e12 * max(0.5 * theta0**2, 1.0):
        theta, k = theta - lr * theta, k + 1
        L = 0.5 * theta**2
    return loss, np.array([theta0]), lr, k  # k: the first step above the bound


def test_divergence_bound_has_a_floor_of_one_for_a_run_that_starts_near_zero_loss():
    loss, theta0, lr, first_bad = _growing_run_from_a_tiny_loss()
    short = canonical_descent(theta0, loss, lr=lr, steps=first_bad - 1, tol=0)
    assert short.status == "budget", short.message  # the loss grew by 10⁴⁰ and is still below 1e12
    long = canonical_descent(theta0, loss, lr=lr, steps=first_bad + 10, tol=0)
    assert long.diverged and long.diverged_at == first_bad, long.message
    batch = batched_descent(P.Identity(1), theta0[None, :], loss, lr=lr, steps=first_bad + 10, tol=0)
    assert batch.member(0).diverged_at == first_bad, batch.member(0).message


def test_gradient_flow_halves_its_step_after_a_loss_increase(monkeypatch):
    # curvature() is a lower bound on ρ(∇²_w L) (power iteration); the flow's safeguard against
    # an estimate that is too low is to halve c after every increase of the loss. With ρ
    # underestimated 40 times, c = 0.1 gives η·λ_max = 4 (unstable): two halvings make it 1.
    true_curvature = flow_module.curvature

    def underestimated(*args, **kwargs):
        rho, v = true_curvature(*args, **kwargs)
        return rho / 40, v

    monkeypatch.setattr(flow_module, "curvature", underestimated)
    loss = squared_loss(np.diag([1.0, 3.0]), [1.0, -1.0])
    r = gradient_flow(P.Identity(2), np.zeros(2), loss, c=0.1, tol=1e-20, steps=5000)
    assert r.converged, r.message
    increases = int(np.sum(np.diff(r.losses) > 0))
    assert 1 <= increases <= 3, increases  # increases happened, and the halvings stopped them


# --- every validation message of the engines names the argument, what was expected and what came
class _WrongShapePsi:
    """A duck-typed map whose ψ returns q + 1 entries."""

    n_params = n_canonical = 2

    def psi(self, w):
        return np.zeros(3)

    def vjp(self, w, g):
        return g


_LOSS = squared_loss(np.eye(2), [1.0, 0.0])  # ℓ(0) = 0.5
ENGINE_MESSAGES = [  # (id, call, message)
    ("param without psi", lambda: gradient_descent(object(), np.zeros(2), _LOSS, lr=0.1),
     r"^param must be a parameterization with psi, vjp, n_params and n_canonical, but object <object object at "
     r"0x[0-9a-f]+> has no 'psi'$"),
    ("max_loss below L0", lambda: gradient_descent(P.Identity(2), np.zeros(2), _LOSS, lr=0.1, max_loss=0.1),
     r"^max_loss must exceed the initial loss 0\.5, but got 0\.1$"),
    ("psi of the wrong shape", lambda: gradient_descent(_WrongShapePsi(), np.zeros(2), _LOSS, lr=0.1),
     r"^param\.psi must return a vector of shape \(2,\), but returned shape \(3,\)$"),
    ("gradient of the wrong shape", lambda: gradient_descent(
        P.Identity(2), np.zeros(2), FunctionLoss(lambda t: 0.0, lambda t: np.zeros(3), 2), lr=0.1),
     r"^loss\.value_and_grad must return a gradient of shape \(2,\), but returned shape \(3,\)$"),
    ("w0 with an infinite loss", lambda: gradient_descent(P.Identity(2), np.array([1e200, 0.0]), _LOSS, lr=0.1),
     r"^w0 must give a finite loss and gradient, but at w0 the loss is inf$"),
    ("no rows", lambda: batched_descent(P.Identity(2), np.zeros((0, 2)), _LOSS, lr=0.1),
     r"^W0 must hold at least one row \(one initial point\), but got 0 rows$"),
    ("negative lr in a batch", lambda: batched_descent(P.Identity(2), np.zeros((2, 2)), _LOSS, lr=[0.1, -1.0]),
     r"^lr must be positive and finite, but got \[-1\.\]$"),
    ("row with an infinite loss", lambda: batched_descent(P.Identity(2), np.array([[0.0, 0.0], [1e200, 0.0]]),
                                                          _LOSS, lr=0.1),
     r"^W0 must give finite losses and gradients, but row 1 does not \(loss inf\)$"),
    ("max_loss below a row's L0", lambda: batched_descent(P.Identity(2), np.zeros((2, 2)), _LOSS, lr=0.1,
                                                          max_loss=[1.0, 0.1]),
     r"^max_loss must exceed the initial loss, but for row 1 it is 0\.1 ≤ 0\.5$"),
    ("member out of range", lambda: batched_descent(P.Identity(2), np.zeros((2, 2)), _LOSS, lr=0.1, steps=1).member(2),
     r"^b must be an integer index in range\(2\), but got 2$"),
    ("uniform_initial of an object", lambda: uniform_initial(object(), 0.3),
     r"^param must be a parameterization with a uniform initialization, but got <object object at 0x[0-9a-f]+>$"),
    ("no alphas", lambda: alpha_sweep(P.Squared(2), [], _LOSS, lr=0.1),
     r"^alphas must be a non-empty 1-d array of scales, but got an array of shape \(0,\) and dtype float64$"),
    ("c = 2", lambda: gradient_flow(P.Identity(2), np.zeros(2), _LOSS, c=2.0),
     r"^c must be below 2 \(η·ρ < 2 is the stability limit\), but got 2\.0$"),
    ("t_max = 0", lambda: gradient_flow(P.Identity(2), np.zeros(2), _LOSS, t_max=0.0),
     r"^t_max must be positive, but got 0\.0$"),
    ("lr_max < 0", lambda: gradient_flow(P.Identity(2), np.zeros(2), _LOSS, lr_max=-1.0),
     r"^lr_max must be positive, but got -1\.0$"),
    ("Hessian outside the domain", lambda: curvature(P.Identity(1), [0.0], FunctionLoss(
        lambda t: float(np.sum(t * np.log(t))), lambda t: np.log(t) + 1, 1)),
     r"^w must be inside the loss's domain, but the Hessian there is not finite \(‖Hv‖ = nan\)$"),
    ("unknown loss kind", lambda: Loss("hinge", np.eye(2), [1.0, 0.0]),
     r"^kind must be one of \('squared', 'logistic'\), but got 'hinge'$"),
    ("no examples", lambda: squared_loss(np.zeros((0, 2)), []),
     r"^X must have at least one row and one column, but got shape \(0, 2\)$"),
    ("value not callable", lambda: FunctionLoss(1.0, lambda t: t, 2),
     r"^value must be callable θ ↦ …, but got float 1\.0$"),
    ("hessian not callable", lambda: FunctionLoss(lambda t: 0.0, lambda t: t, 2, hessian=3),
     r"^hessian must be callable θ ↦ q×q matrix or None, but got int 3$"),
    ("no Hessian", lambda: FunctionLoss(lambda t: 0.0, lambda t: t, 2).hessian(np.zeros(2)),
     r"^<FunctionLoss 'canonical loss' q=2> has no Hessian; give it one \(FunctionLoss\(\.\.\., hessian=θ ↦ ∇²ℓ\(θ\)\)\)$"),
]


@pytest.mark.parametrize("call, msg", [pytest.param(c, m, id=i) for i, c, m in ENGINE_MESSAGES])
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning", "ignore:invalid value encountered:RuntimeWarning",
                            "ignore:divide by zero:RuntimeWarning")
def test_engine_messages_name_the_argument_the_expectation_and_what_came(call, msg):
    with pytest.raises(ValueError, match=msg):
        call()
