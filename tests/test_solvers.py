"""The reference solvers: feasibility, optimality against brute force and LP duals, limits in α."""

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.linalg import null_space

from overparam.descent import solvers as S

seeds = st.integers(0, 2**32 - 1)
FAST = settings(max_examples=15, deadline=None)


def small_problem(seed, n=2, q=5, k=1, nonneg=True):
    return S.random_problem(np.random.default_rng(seed), n, q, k, nonneg=nonneg)


def feasible(X, y, theta, rtol=1e-8):
    return np.linalg.norm(X @ theta - y) <= rtol * (np.linalg.norm(X, 2) * np.linalg.norm(theta) + np.linalg.norm(y))


def basic_solutions(X, y):
    """Every solution of Xθ = y supported on n linearly independent columns (the LP vertices)."""
    n, q = X.shape
    for cols in combinations(range(q), n):
        B = X[:, cols]
        if abs(np.linalg.det(B)) < 1e-10:
            continue
        theta = np.zeros(q)
        theta[list(cols)] = np.linalg.solve(B, y)
        yield theta


def dual_value(c_obj, A_ub, b_ub, bounds):
    res = linprog(c_obj, A_ub=A_ub, b_ub=b_ub, bounds=bounds, method="highs")
    assert res.status == 0, res.message
    return -res.fun


# --- random problems ---------------------------------------------------------------
@FAST
@given(seeds, st.integers(1, 6), st.integers(1, 6))
def test_random_problem_has_the_stated_form(seed, n, extra):
    q = n + extra
    k = 1 + seed % q
    P = S.random_problem(np.random.default_rng(seed), n, q, k)
    assert P.X.shape == (n, q) and P.y.shape == (n,)
    assert np.all(P.theta_star >= 0) and np.count_nonzero(P.theta_star) == k
    np.testing.assert_allclose(P.X @ P.theta_star, P.y)
    Q = S.random_problem(np.random.default_rng(seed), n, q, k)
    assert np.array_equal(P.X, Q.X) and np.array_equal(P.y, Q.y)


def test_random_problem_rejects_bad_sizes():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="n must be below q"):
        S.random_problem(rng, 4, 4)
    with pytest.raises(ValueError, match="k must be"):
        S.random_problem(rng, 2, 4, k=5)
    with pytest.raises(ValueError, match="rng must be"):
        S.random_problem(0, 2, 4)


# --- linear programs ------------------------------------------------------------------
@FAST
@given(seeds, st.integers(1, 3))
def test_min_l1_nonneg_is_feasible_and_beats_every_vertex(seed, n):
    P = small_problem(seed, n=n, q=n + 3, k=1 + seed % n)
    theta = S.min_l1_nonneg(P.X, P.y)
    assert np.all(theta >= 0) and feasible(P.X, P.y, theta)
    best = min(t.sum() for t in basic_solutions(P.X, P.y) if np.all(t >= -1e-12))
    assert theta.sum() == pytest.approx(best, rel=1e-9, abs=1e-12)
    # strong duality with max yᵀλ s.t. Xᵀλ ≤ 1
    dv = dual_value(-P.y, P.X.T, np.ones(P.X.shape[1]), [(None, None)] * n)
    assert theta.sum() == pytest.approx(dv, rel=1e-8, abs=1e-10)


@FAST
@given(seeds, st.integers(1, 3))
def test_min_l1_is_feasible_and_beats_every_basic_solution(seed, n):
    P = small_problem(seed, n=n, q=n + 3, k=1 + seed % n, nonneg=False)
    theta = S.min_l1(P.X, P.y)
    assert feasible(P.X, P.y, theta)
    best = min(np.abs(t).sum() for t in basic_solutions(P.X, P.y))
    assert np.abs(theta).sum() == pytest.approx(best, rel=1e-9, abs=1e-12)
    # dual: max yᵀλ s.t. −1 ≤ Xᵀλ ≤ 1
    q = P.X.shape[1]
    dv = dual_value(-P.y, np.vstack([P.X.T, -P.X.T]), np.ones(2 * q), [(None, None)] * n)
    assert np.abs(theta).sum() == pytest.approx(dv, rel=1e-8, abs=1e-10)


@FAST
@given(seeds, st.integers(1, 4))
def test_min_linf_nonneg_matches_its_dual_and_random_feasible_points(seed, n):
    P = small_problem(seed, n=n, q=n + 4, k=1 + seed % n)
    theta = S.min_linf_nonneg(P.X, P.y)
    assert np.all(theta >= 0) and feasible(P.X, P.y, theta)
    val = theta.max()
    # dual: max yᵀλ s.t. ρ ≥ Xᵀλ, ρ ≥ 0, 1ᵀρ ≤ 1, in variables (λ, ρ)
    q = P.X.shape[1]
    A_ub = np.vstack([np.hstack([P.X.T, -np.eye(q)]), np.concatenate([np.zeros(n), np.ones(q)])[None]])
    b_ub = np.concatenate([np.zeros(q), [1.0]])
    dv = dual_value(np.concatenate([-P.y, np.zeros(q)]), A_ub, b_ub, [(None, None)] * n + [(0, None)] * q)
    assert val == pytest.approx(dv, rel=1e-8, abs=1e-10)
    # no feasible point nearby does better
    N = null_space(P.X)
    rng = np.random.default_rng(seed)
    for _ in range(200):
        t = theta + N @ rng.normal(scale=0.1, size=N.shape[1])
        if np.all(t >= 0):
            assert t.max() >= val - 1e-9


def test_min_l2_is_the_projection_of_theta0():
    P = small_problem(3, n=3, q=7, k=2)
    theta0 = np.arange(7.0)
    theta = S.min_l2(P.X, P.y, theta0)
    assert feasible(P.X, P.y, theta)
    N = null_space(P.X)
    np.testing.assert_allclose(N.T @ (theta - theta0), 0, atol=1e-12)  # θ − θ₀ ∈ range(Xᵀ)
    np.testing.assert_allclose(S.min_l2(P.X, P.y), np.linalg.pinv(P.X) @ P.y, atol=1e-12)


def test_infeasible_problems_raise_and_say_so():
    X = np.array([[1.0, 2.0, 0.5], [0.3, 1.0, 2.0]])  # non-negative columns
    y = np.array([-1.0, 1.0])  # no θ ≥ 0 gives a negative first entry
    for f in (S.min_l1_nonneg, S.min_linf_nonneg, lambda X, y: S.entropy_argmin(X, y, 1.0)):
        with pytest.raises(ValueError, match="infeasible"):
            f(X, y)
    Xr = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]])  # rank one
    yr = np.array([1.0, 0.0])  # not in the range
    for f in (S.min_l1, S.min_l2, lambda X, y: S.q_alpha_argmin(X, y, 1.0)):
        with pytest.raises(ValueError, match="infeasible"):
            f(Xr, yr)


def test_bad_inputs_name_the_argument():
    with pytest.raises(ValueError, match="y must be a vector of shape"):
        S.min_l1(np.ones((2, 3)), np.ones(3))
    with pytest.raises(ValueError, match="X must be"):
        S.min_l2(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="alpha must be positive"):
        S.q_alpha_argmin(np.ones((1, 2)), [1.0], -1)


# --- Woodworth's Q_α ------------------------------------------------------------------
def test_woodworth_q_is_convex_with_the_stated_derivative():
    z = np.linspace(-50, 50, 1001)
    assert S.woodworth_q(0.0) == 0
    h = 1e-5
    np.testing.assert_allclose((S.woodworth_q(z + h) - S.woodworth_q(z - h)) / (2 * h), np.arcsinh(z / 2),
                               rtol=1e-6, atol=1e-8)
    assert np.all(np.diff(S.woodworth_q(z), 2) > 0)


@FAST
@given(seeds, st.sampled_from([1e-3, 1e-2, 0.3, 1.0, 10.0, 1e3]))
def test_q_alpha_argmin_is_feasible_stationary_and_beats_its_neighbours(seed, alpha):
    P = S.random_problem(np.random.default_rng(seed), 4, 9, 2, nonneg=False)
    beta = S.q_alpha_argmin(P.X, P.y, alpha)
    assert feasible(P.X, P.y, beta, rtol=1e-9)
    feas, stat = S.kkt_residual(P.X, P.y, beta, np.arcsinh(beta / (2 * alpha**2)))
    assert stat <= 1e-7
    N = null_space(P.X)
    rng = np.random.default_rng(seed)
    Q = S.q_alpha(beta, alpha)
    scale = np.linalg.norm(beta) + alpha**2
    for _ in range(50):
        assert S.q_alpha(beta + N @ rng.normal(scale=1e-3 * scale, size=N.shape[1]), alpha) >= Q * (1 - 1e-12)


@pytest.mark.parametrize("alpha", [0.1, 1.0, 10.0])
def test_q_alpha_primal_trust_constr_agrees_with_the_dual(alpha):
    P = S.random_problem(np.random.default_rng(7), 5, 12, 2, nonneg=False)
    a = S.q_alpha_argmin(P.X, P.y, alpha)
    b = S.q_alpha_argmin(P.X, P.y, alpha, method="trust-constr")
    np.testing.assert_allclose(a, b, atol=1e-6 * (1 + np.abs(a).max()))


def test_q_alpha_argmin_moves_from_min_l1_to_min_l2_as_alpha_grows():
    P = S.random_problem(np.random.default_rng(0), 6, 12, 1, nonneg=False)
    l1, l2 = S.min_l1(P.X, P.y), S.min_l2(P.X, P.y)
    np.testing.assert_allclose(l1, P.theta_star, atol=1e-9)  # ℓ1 recovers the sparse solution here
    alphas = [1e-1, 1e-2, 1e-3, 1e-5]
    d1 = [np.linalg.norm(S.q_alpha_argmin(P.X, P.y, a) - l1) for a in alphas]
    assert all(b < a for a, b in zip(d1, d1[1:])), d1
    assert d1[-1] < 0.01 * np.linalg.norm(l1)
    alphas = [1.0, 10.0, 100.0, 1e3]
    d2 = [np.linalg.norm(S.q_alpha_argmin(P.X, P.y, a) - l2) for a in alphas]
    assert all(b < a for a, b in zip(d2, d2[1:])), d2
    assert d2[-1] < 1e-6 * np.linalg.norm(l2)


# --- the entropy form -------------------------------------------------------------------
@FAST
@given(seeds, st.sampled_from([1e-3, 0.1, 1.0, 3.0]))
def test_entropy_argmin_is_feasible_stationary_and_beats_its_neighbours(seed, alpha):
    P = S.random_problem(np.random.default_rng(seed), 4, 10, 2)
    theta = S.entropy_argmin(P.X, P.y, alpha)
    assert np.all(theta >= 0) and feasible(P.X, P.y, theta, rtol=1e-9)
    E = S.entropy(theta, alpha)
    N = null_space(P.X)
    rng = np.random.default_rng(seed)
    scale = np.linalg.norm(theta)
    for _ in range(50):
        t = theta + N @ rng.normal(scale=1e-3 * scale, size=N.shape[1])
        assert S.entropy(t, alpha) >= E - 1e-12 * (1 + abs(E))  # +∞ when t leaves θ ≥ 0


def test_entropy_argmin_handles_coordinates_forced_to_zero():
    # θ₁ + θ₂ + θ₃ = 1 and θ₁ + θ₂ = 1 force θ₃ = 0; symmetry then gives θ₁ = θ₂ = 1/2
    X = np.array([[1.0, 1.0, 1.0], [1.0, 1.0, 0.0]])
    for alpha in (1e-3, 1.0, 10.0):
        np.testing.assert_allclose(S.entropy_argmin(X, [1.0, 1.0], alpha), [0.5, 0.5, 0.0], atol=1e-10)


def test_entropy_argmin_tends_to_min_l1_nonneg_as_alpha_shrinks():
    P = S.random_problem(np.random.default_rng(2), 3, 12, 1)
    l1 = S.min_l1_nonneg(P.X, P.y)
    d = [np.linalg.norm(S.entropy_argmin(P.X, P.y, a) - l1) for a in (1.0, 1e-2, 1e-4, 1e-8)]
    assert d[0] > 0.1 * np.linalg.norm(l1)  # the feasible set is more than one point
    assert all(b < a for a, b in zip(d, d[1:])), d
    assert d[-1] < 0.02 * np.linalg.norm(l1)


# --- the acceptance test of the smooth solvers, and rank-deficient systems ----------------
# Q_α and the entropy: the objective's gradient, as the solvers hand it to their KKT check
GRADIENTS = {"q_alpha": lambda theta, a: np.arcsinh(theta / (2 * a * a)),
             "entropy": lambda theta, a: np.log(theta / (a * a))}
SOLVERS = {"q_alpha": S.q_alpha_argmin, "entropy": S.entropy_argmin}


def _moved_to_residual(X, y, theta, direction, which, target, alpha, kind):
    """θ + t·direction with t chosen so that the KKT residual ``which`` (0: feasibility,
    1: stationarity) is ``target``; both are linear in a small move, so one probe sets t."""
    def residual(t):
        moved = theta + t * direction
        return S.kkt_residual(X, y, moved, GRADIENTS[kind](moved, alpha))[which], moved

    probe = 1e-9 * float(np.linalg.norm(theta))
    r0, _ = residual(probe)
    return residual(probe * target / r0)


@pytest.mark.parametrize("kind", sorted(SOLVERS))
@pytest.mark.parametrize("which", [0, 1], ids=["feasibility", "stationarity"])
def test_the_kkt_check_refuses_a_residual_of_1e_6(kind, which):
    # a solution is accepted only if both KKT residuals are ≤ KKT_RTOL = 1e-7; one off by
    # 1e-6 (ten times the tolerance) — moved across the constraint, or along it away from
    # the argmin — must be refused
    P = S.random_problem(np.random.default_rng(5), 3, 7, 2)
    alpha = 0.5
    theta = SOLVERS[kind](P.X, P.y, alpha)
    if which == 0:  # across: Xθ moves by t·e₁
        direction = np.linalg.lstsq(P.X, np.eye(3)[0], rcond=None)[0]
    else:  # along {Xθ = y}: a direction of the null space of X
        direction = null_space(P.X)[:, 0]
    r, moved = _moved_to_residual(P.X, P.y, theta, direction, which, 1e-6, alpha, kind)
    assert 5e-7 < r < 2e-6, r  # the move is small enough to be linear
    assert kind == "q_alpha" or np.all(moved > 0)  # the entropy's gradient log θ needs θ > 0
    S._accept(P.X, P.y, theta, GRADIENTS[kind](theta, alpha), "the argmin")  # the argmin itself passes
    with pytest.raises(RuntimeError, match="fails the KKT check"):
        S._accept(P.X, P.y, moved, GRADIENTS[kind](moved, alpha), "the moved argmin")


@pytest.mark.parametrize("kind", sorted(SOLVERS))
def test_a_dual_solve_that_fails_is_refused_by_the_kkt_check(monkeypatch, kind):
    # the solvers' results go through that check: a dual solve returning its start (ν = 0)
    P = S.random_problem(np.random.default_rng(5), 3, 7, 2)
    monkeypatch.setattr(S, "_solve_dual", lambda fun, grad, hess, n, what: np.zeros(n))
    with pytest.raises(RuntimeError, match="fails the KKT check"):
        SOLVERS[kind](P.X, P.y, 0.5)


@pytest.mark.parametrize("kind", sorted(SOLVERS))
@pytest.mark.parametrize("seed", range(3))
def test_a_repeated_observation_in_other_units_changes_nothing(kind, seed):
    # X with one row repeated ×10⁶ is rank-deficient and consistent; in floating point its
    # SVD has a singular value of ~10⁻¹⁶ whose left vector turns round-off of X and y into a
    # spurious constraint unless the row basis drops it: the argmin is that of X without the
    # repeat (unique: the objectives are strictly convex), to the solvers' accuracy KKT_RTOL
    P = S.random_problem(np.random.default_rng(seed), 3, 8, 1)
    Xr = np.vstack([P.X, 1e6 * P.X[0]])
    yr = np.concatenate([P.y, [1e6 * P.y[0]]])
    alone = SOLVERS[kind](P.X, P.y, 0.5)
    repeated = SOLVERS[kind](Xr, yr, 0.5)
    assert np.linalg.norm(repeated - alone) <= 10 * S.KKT_RTOL * np.linalg.norm(alone)


SOLVER_MESSAGES = [  # (id, call, message)
    ("X not numbers", lambda: S.min_l1("abc", [1.0]), r"^X must be a real matrix, but got str$"),
    ("y not numbers", lambda: S.min_l1(np.eye(2), "ab"), r"^y must be a real vector, but got str$"),
    ("X with nan", lambda: S.min_l1(np.array([[1.0, np.nan]]), [1.0]),
     r"^X must be finite, but it has 1 non-finite entries$"),
    ("alpha not a number", lambda: S.q_alpha_argmin(np.eye(2), [1.0, 0.0], "a"),
     r"^alpha must be a positive real number, but got str$"),
    ("n = 0", lambda: S.random_problem(np.random.default_rng(0), 0, 3), r"^n must be a positive integer, but got 0$"),
    ("low > high", lambda: S.random_problem(np.random.default_rng(0), 2, 4, low=2.0, high=1.0),
     r"^low and high must satisfy 0 < low ≤ high, but got low = 2\.0, high = 1\.0$"),
    ("theta0 of the wrong shape", lambda: S.min_l2(np.ones((1, 3)), [1.0], theta0=np.ones(2)),
     r"^theta0 must be a finite vector of shape \(3,\), but got shape \(2,\)$"),
    ("unknown method", lambda: S.q_alpha_argmin(np.ones((1, 3)), [1.0], 1.0, method="newton"),
     r"^method must be 'dual' or 'trust-constr', but got 'newton'$"),
]


@pytest.mark.parametrize("call, msg", [pytest.param(c, m, id=i) for i, c, m in SOLVER_MESSAGES])
def test_solver_messages_name_the_argument_the_expectation_and_what_came(call, msg):
    with pytest.raises(ValueError, match=msg):
        call()
