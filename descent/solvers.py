r"""Reference solutions of underdetermined linear systems Xθ = y, from scipy.

These are the points the implicit-bias claims compare gradient descent with:

* :func:`min_l1_nonneg`   argmin ‖θ‖₁  s.t. Xθ = y, θ ≥ 0        (LP, HiGHS)
* :func:`min_linf_nonneg` argmin ‖θ‖_∞ s.t. Xθ = y, θ ≥ 0        (LP, HiGHS)
* :func:`min_l1`          argmin ‖θ‖₁  s.t. Xθ = y               (LP on θ = a − b, a, b ≥ 0)
* :func:`min_l2`          argmin ‖θ − θ₀‖₂ s.t. Xθ = y           (θ₀ + X⁺(y − Xθ₀), lstsq)
* :func:`q_alpha_argmin`  argmin Q_α(β) s.t. Xβ = y, Woodworth et al. 2020
* :func:`entropy_argmin`  argmin Σ θᵢlog(θᵢ/α²) − θᵢ s.t. Xθ = y, θ ≥ 0 (mirror descent)

and :func:`random_problem`, a random underdetermined system with a sparse (non-negative)
solution. Every solver raises ``ValueError`` when the problem is infeasible and says so.

Tolerances (stated once, used everywhere):

* Consistency of Xθ = y: ‖Xθ − y‖ ≤ :data:`FEAS_RTOL`·(‖X‖₂‖θ‖ + ‖y‖) at the least-squares θ.
* The LPs run HiGHS with primal and dual feasibility tolerances :data:`LP_TOL`; entries of a
  sign-constrained solution within ``LP_TOL·max(1, ‖θ‖_∞)`` below 0 are set to 0.
* The smooth problems are solved through their (strictly concave) duals with
  ``scipy.optimize.minimize(method="trust-exact")`` and the analytic gradient and Hessian, then
  the stationarity equations are polished with ``scipy.optimize.root(method="hybr")``. The
  result is accepted only if its KKT residuals — feasibility ‖Xθ − y‖ relative as above, and the
  distance of ∇f(θ) from range(Xᵀ) relative to ‖∇f(θ)‖ + 1 — are below :data:`KKT_RTOL`;
  otherwise ``RuntimeError``. Q_α can also be solved in the primal with
  ``method="trust-constr"`` (equality constraint, analytic gradient and Hessian), checked the same way.

Non-uniqueness: ‖·‖₁ and ‖·‖_∞ are not strictly convex, so the LPs return *a* minimizer (a
HiGHS vertex); the optimal value is unique. Compare values, or compare with a tolerance only
where the minimizer is known to be unique. Q_α, the entropy and ‖·‖₂ are strictly convex on
the feasible set: their argmins are unique.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.optimize import LinearConstraint, linprog, minimize, root

__all__ = [
    "Problem",
    "random_problem",
    "min_l1_nonneg",
    "min_linf_nonneg",
    "min_l1",
    "min_l2",
    "min_l2_nonneg",
    "woodworth_q",
    "q_alpha",
    "q_alpha_argmin",
    "entropy",
    "entropy_argmin",
    "kkt_residual",
    "FEAS_RTOL",
    "LP_TOL",
    "KKT_RTOL",
]

#: relative residual below which Xθ = y counts as solved (consistency checks)
FEAS_RTOL = 1e-9
#: HiGHS primal and dual feasibility tolerance
LP_TOL = 1e-10
#: relative KKT residual below which a smooth solve is accepted
KKT_RTOL = 1e-7


# --------------------------------------------------------------------------------------
# input checks and helpers
# --------------------------------------------------------------------------------------
def _system(X, y):
    """Validated (X, y): X a finite n×q matrix, y a finite vector of length n."""
    try:
        Xa = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"X must be a real matrix, but got {type(X).__name__}") from None
    if Xa.ndim != 2 or 0 in Xa.shape:
        raise ValueError(f"X must be a non-empty n×q matrix, but got an array of shape {Xa.shape}")
    try:
        ya = np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"y must be a real vector, but got {type(y).__name__}") from None
    if ya.shape != (Xa.shape[0],):
        raise ValueError(f"y must be a vector of shape ({Xa.shape[0]},) to match X, but got shape {ya.shape}")
    for name, a in (("X", Xa), ("y", ya)):
        if not np.isfinite(a).all():
            raise ValueError(f"{name} must be finite, but it has {int((~np.isfinite(a)).sum())} non-finite entries")
    return Xa, ya


def _alpha(alpha) -> float:
    try:
        a = float(alpha)
    except (TypeError, ValueError):
        raise ValueError(f"alpha must be a positive real number, but got {type(alpha).__name__}") from None
    if not (np.isfinite(a) and a > 0):
        raise ValueError(f"alpha must be positive and finite, but got {a}")
    return a


def _feasibility_scale(X, theta, y) -> float:
    return float(np.linalg.norm(X, 2) * np.linalg.norm(theta) + np.linalg.norm(y))


def _consistent(X, y) -> np.ndarray:
    """The minimum-norm least-squares θ, or ValueError if y ∉ range(X)."""
    theta = np.linalg.lstsq(X, y, rcond=None)[0]
    res = float(np.linalg.norm(X @ theta - y))
    if res > FEAS_RTOL * max(_feasibility_scale(X, theta, y), np.finfo(float).tiny):
        raise ValueError(
            f"infeasible: Xθ = y has no solution (y is not in the range of X; least-squares residual {res:.3g})"
        )
    return theta


def _row_basis(X, y):
    """(A, b) with full row rank and {Aθ = b} = {Xθ = y} (assumes consistency)."""
    U, s, _ = np.linalg.svd(X, full_matrices=False)
    r = int(np.sum(s > max(X.shape) * np.finfo(float).eps * (s[0] if s.size else 0)))
    U = U[:, :r]
    return U.T @ X, U.T @ y


def _linprog(c, **kw):
    return linprog(c, method="highs", options={"primal_feasibility_tolerance": LP_TOL,
                                               "dual_feasibility_tolerance": LP_TOL}, **kw)


def _lp_failed(res, what):
    if res.status == 2:
        raise ValueError(f"infeasible: {what} has no solution (HiGHS: {res.message})")
    raise RuntimeError(f"HiGHS did not solve {what}: status {res.status}, {res.message}")


def _clip_nonneg(theta):
    tol = LP_TOL * max(1.0, float(np.max(np.abs(theta))) if theta.size else 1.0)
    if np.any(theta < -tol):
        raise RuntimeError(f"HiGHS returned an entry {theta.min():.3g} < 0 beyond the tolerance {tol:.3g}")
    return np.maximum(theta, 0.0)


def kkt_residual(X, y, theta, grad_f) -> tuple[float, float]:
    r"""(feasibility, stationarity) residuals of θ for min f(θ) s.t. Xθ = y.

    feasibility = ‖Xθ − y‖ / (‖X‖₂‖θ‖ + ‖y‖);
    stationarity = min_ν ‖∇f(θ) − Xᵀν‖ / (‖∇f(θ)‖ + 1), the distance of ∇f from range(Xᵀ).
    For a strictly convex f both are 0 exactly at the unique argmin.
    """
    X, y = _system(X, y)
    theta = np.asarray(theta, dtype=float)
    g = np.asarray(grad_f, dtype=float)
    feas = float(np.linalg.norm(X @ theta - y)) / max(_feasibility_scale(X, theta, y), np.finfo(float).tiny)
    nu = np.linalg.lstsq(X.T, g, rcond=None)[0]
    stat = float(np.linalg.norm(X.T @ nu - g)) / (float(np.linalg.norm(g)) + 1.0)
    return feas, stat


# --------------------------------------------------------------------------------------
# random problems
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """An underdetermined system Xθ = y with a known sparse solution θ*."""

    X: np.ndarray
    y: np.ndarray
    theta_star: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        """(n, q)."""
        return self.X.shape


def random_problem(rng: np.random.Generator, n: int, q: int, k: int | None = None, *,
                   nonneg: bool = True, low: float = 0.5, high: float = 1.5) -> Problem:
    r"""A random underdetermined problem with a sparse solution.

    X has i.i.d. N(0, 1/n) entries (columns of expected unit norm), θ* has k non-zero entries
    on a uniformly random support with magnitudes uniform in [low, high] (and random signs
    unless ``nonneg``), y = Xθ*. With probability one X has full row rank n.

    Args:
        rng: a ``numpy.random.Generator`` (the only source of randomness).
        n, q: 1 ≤ n < q.
        k: support size, 1 ≤ k ≤ q; default max(1, n // 3) (sparse enough for ℓ1 recovery
            to be typical).
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, but got {type(rng).__name__}")
    for name, v in (("n", n), ("q", q)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive integer, but got {v!r}")
    if not n < q:
        raise ValueError(f"n must be below q for an underdetermined problem, but got n = {n}, q = {q}")
    k = max(1, n // 3) if k is None else k
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= q:
        raise ValueError(f"k must be an integer in [1, q] = [1, {q}], but got {k!r}")
    if not (np.isfinite(low) and np.isfinite(high) and 0 < low <= high):
        raise ValueError(f"low and high must satisfy 0 < low ≤ high, but got low = {low}, high = {high}")
    X = rng.standard_normal((n, q)) / np.sqrt(n)
    theta = np.zeros(q)
    support = rng.choice(q, size=k, replace=False)
    theta[support] = rng.uniform(low, high, size=k)
    if not nonneg:
        theta[support] *= rng.choice([-1.0, 1.0], size=k)
    return Problem(X=X, y=X @ theta, theta_star=theta)


# --------------------------------------------------------------------------------------
# linear programs
# --------------------------------------------------------------------------------------
def min_l1_nonneg(X, y) -> np.ndarray:
    r"""A minimizer of ‖θ‖₁ = 1ᵀθ subject to Xθ = y, θ ≥ 0 (LP; HiGHS).

    LP dual: max yᵀλ s.t. Xᵀλ ≤ 1. Raises ``ValueError`` if no θ ≥ 0 solves Xθ = y.
    """
    X, y = _system(X, y)
    q = X.shape[1]
    res = _linprog(np.ones(q), A_eq=X, b_eq=y, bounds=[(0, None)] * q)
    if res.status != 0:
        _lp_failed(res, "Xθ = y with θ ≥ 0")
    return _clip_nonneg(res.x)


def min_linf_nonneg(X, y) -> np.ndarray:
    r"""A minimizer of ‖θ‖_∞ subject to Xθ = y, θ ≥ 0 (LP; HiGHS).

    LP in (θ, t): min t s.t. Xθ = y, 0 ≤ θᵢ ≤ t. Its dual is max yᵀλ s.t. Σᵢ max((Xᵀλ)ᵢ, 0) ≤ 1.
    The minimizer is in general not unique (only the value is). Raises ``ValueError`` if no
    θ ≥ 0 solves Xθ = y.
    """
    X, y = _system(X, y)
    n, q = X.shape
    c = np.zeros(q + 1)
    c[-1] = 1.0
    A_ub = np.hstack([np.eye(q), -np.ones((q, 1))])  # θᵢ − t ≤ 0
    res = _linprog(c, A_ub=A_ub, b_ub=np.zeros(q), A_eq=np.hstack([X, np.zeros((n, 1))]), b_eq=y,
                   bounds=[(0, None)] * (q + 1))
    if res.status != 0:
        _lp_failed(res, "Xθ = y with θ ≥ 0")
    return _clip_nonneg(res.x[:q])


def min_l1(X, y) -> np.ndarray:
    r"""A minimizer of ‖θ‖₁ subject to Xθ = y, no sign constraint (basis pursuit).

    LP with θ = a − b, a, b ≥ 0: min 1ᵀ(a + b) s.t. X(a − b) = y. Dual: max yᵀλ s.t.
    ‖Xᵀλ‖_∞ ≤ 1. Raises ``ValueError`` if y ∉ range(X).
    """
    X, y = _system(X, y)
    q = X.shape[1]
    res = _linprog(np.ones(2 * q), A_eq=np.hstack([X, -X]), b_eq=y, bounds=[(0, None)] * (2 * q))
    if res.status != 0:
        _lp_failed(res, "Xθ = y")
    return res.x[:q] - res.x[q:]


def min_l2(X, y, theta0=None) -> np.ndarray:
    r"""argmin ‖θ − θ₀‖₂ subject to Xθ = y: θ₀ + X⁺(y − Xθ₀) (θ₀ = 0 by default).

    Computed with ``np.linalg.lstsq``. Raises ``ValueError`` if y ∉ range(X).
    """
    X, y = _system(X, y)
    q = X.shape[1]
    if theta0 is None:
        theta0 = np.zeros(q)
    else:
        theta0 = np.asarray(theta0, dtype=float)
        if theta0.shape != (q,) or not np.isfinite(theta0).all():
            raise ValueError(f"theta0 must be a finite vector of shape ({q},), but got shape {theta0.shape}")
    r = y - X @ theta0
    _consistent(X, r)
    return theta0 + np.linalg.lstsq(X, r, rcond=None)[0]


def min_l2_nonneg(X, y, theta0=None) -> np.ndarray:
    r"""argmin ‖θ − θ₀‖₂ subject to Xθ = y, θ ≥ 0: the non-negative interpolant nearest θ₀ (θ₀ = 0 by default).

    Through the dual: for a multiplier ν, θ(ν) = max(θ₀ + Xᵀν, 0) minimizes ½‖θ − θ₀‖² − νᵀ(Xθ − y) over
    θ ≥ 0, and the dual ½‖θ(ν)‖² − νᵀy (convex, piecewise quadratic, Hessian X_A X_Aᵀ on the coordinates A
    where θ(ν) > 0) is minimal where Xθ(ν) = y. θ(ν) is then stationary and complementary by construction,
    so only its feasibility is checked (‖Xθ − y‖ ≤ KKT_RTOL relative). Raises ``ValueError`` when Xθ = y
    has no non-negative solution (the dual is unbounded) and ``RuntimeError`` when the solve fails the check.
    """
    X, y = _system(X, y)
    n, q = X.shape
    theta0 = np.zeros(q) if theta0 is None else np.asarray(theta0, dtype=float)
    if theta0.shape != (q,) or not np.isfinite(theta0).all():
        raise ValueError(f"theta0 must be a finite vector of shape ({q},), but got shape {theta0.shape}")
    res = _linprog(np.zeros(q), A_eq=X, b_eq=y, bounds=[(0, None)] * q)
    if res.status != 0:  # no non-negative solution: the dual below would be unbounded
        _lp_failed(res, "Xθ = y, θ ≥ 0")
    A, b = _row_basis(X, y)

    def theta(nu):
        return np.maximum(theta0 + A.T @ nu, 0.0)

    def fun(nu):
        t = theta(nu)
        return 0.5 * float(t @ t) - float(nu @ b)

    def grad(nu):
        return A @ theta(nu) - b

    def hess(nu):
        on = theta0 + A.T @ nu > 0
        return A[:, on] @ A[:, on].T + 1e-14 * np.eye(len(b))

    t = theta(_solve_dual(fun, grad, hess, len(b), "the non-negative ℓ2 projection"))
    feas = float(np.linalg.norm(X @ t - y)) / max(_feasibility_scale(X, t, y), np.finfo(float).tiny)
    if not feas <= KKT_RTOL:
        raise RuntimeError(f"the non-negative ℓ2 projection fails its feasibility check ({feas:.2g}, tolerance "
                           f"{KKT_RTOL:g})")
    return t


# --------------------------------------------------------------------------------------
# smooth problems, through their duals
# --------------------------------------------------------------------------------------
def _solve_dual(fun, grad, hess, n, what):
    """Minimize a smooth strictly convex dual on R^n; polish ∇ = 0 with MINPACK's hybrid method."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        res = minimize(fun, np.zeros(n), jac=grad, hess=hess, method="trust-exact",
                       options={"gtol": 1e-13, "maxiter": 2000})
        nu = res.x
        pol = root(grad, nu, jac=hess, method="hybr", options={"xtol": 1e-15})
        if np.all(np.isfinite(pol.x)) and np.linalg.norm(grad(pol.x)) <= np.linalg.norm(grad(nu)):
            nu = pol.x
    if not np.all(np.isfinite(nu)):
        raise RuntimeError(f"the dual solve of {what} did not converge (trust-exact: {res.message})")
    return nu


def _accept(X, y, theta, g, what):
    feas, stat = kkt_residual(X, y, theta, g)
    if not (feas <= KKT_RTOL and stat <= KKT_RTOL):
        raise RuntimeError(
            f"{what}: the solution fails the KKT check (feasibility {feas:.2g}, stationarity {stat:.2g}, "
            f"tolerance {KKT_RTOL:g})"
        )
    return theta


def woodworth_q(z):
    r"""q(z) = 2 − √(4 + z²) + z·arcsinh(z/2); q(0) = 0, q′(z) = arcsinh(z/2), q″(z) = 1/√(4 + z²)."""
    z = np.asarray(z, dtype=float)
    return 2.0 - np.sqrt(4.0 + z * z) + z * np.arcsinh(z / 2.0)


def q_alpha(beta, alpha) -> float:
    r"""Q_α(β) = α² Σᵢ q(βᵢ/α²) (Woodworth et al. 2020). ∇Q_α(β) = arcsinh(β/(2α²))."""
    a2 = _alpha(alpha) ** 2
    return float(a2 * np.sum(woodworth_q(np.asarray(beta, dtype=float) / a2)))


def q_alpha_argmin(X, y, alpha, *, method: str = "dual") -> np.ndarray:
    r"""argmin Q_α(β) subject to Xβ = y: the limit of gradient flow on θ = u⊙u − v⊙v from u₀ = v₀ = α·1.

    Stationarity: arcsinh(β/(2α²)) = Xᵀν, i.e. β = 2α² sinh(Xᵀν). Since q* (the convex
    conjugate of q) is 2cosh(s) − 2, the dual is

        max_ν  νᵀy − 2α² Σᵢ (cosh((Xᵀν)ᵢ) − 1),

    strictly concave on the row space. ``method="dual"`` (default) solves it with trust-exact
    (variable scaled by σ = max(1, 2α²) so that its Hessian is O(1) for large α) and polishes
    with ``root``; ``method="trust-constr"`` minimizes Q_α in the primal with the equality
    constraint, analytic gradient and (diagonal) Hessian 1/√(4α⁴ + β²), from the minimum-ℓ2
    solution, gtol 1e-10, xtol 1e-13 — it is slow and may fail the KKT check for α ≲ 1e-3.
    Either result must pass the KKT check of the module docstring.

    As α → 0 the argmin tends to the minimum-ℓ1 solution, as α → ∞ to the minimum-ℓ2 one.
    Raises ``ValueError`` if y ∉ range(X).
    """
    X, y = _system(X, y)
    a2 = _alpha(alpha) ** 2
    b_ls = _consistent(X, y)
    if not np.any(y):
        return np.zeros(X.shape[1])
    if method == "dual":
        A, b = _row_basis(X, y)
        sig = max(1.0, 2 * a2)

        def fun(m):
            z = A.T @ m / sig
            return sig * 2 * a2 * np.sum(np.cosh(z) - 1) - m @ b

        def grad(m):
            return A @ (2 * a2 * np.sinh(A.T @ m / sig)) - b

        def hess(m):
            return (A * (2 * a2 / sig * np.cosh(A.T @ m / sig))) @ A.T

        m = _solve_dual(fun, grad, hess, len(b), "argmin Q_α")
        beta = 2 * a2 * np.sinh(A.T @ m / sig)
    elif method == "trust-constr":
        s = float(np.sqrt(4 * a2 * a2 + np.max(np.abs(b_ls)) ** 2))  # Hessian ≈ 1 on the large entries
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            res = minimize(lambda b: s * a2 * np.sum(woodworth_q(b / a2)), b_ls,
                           jac=lambda b: s * np.arcsinh(b / (2 * a2)),
                           hess=lambda b: np.diag(s / np.sqrt(4 * a2 * a2 + b * b)),
                           method="trust-constr", constraints=[LinearConstraint(X, y, y)],
                           options={"gtol": 1e-10, "xtol": 1e-13, "maxiter": 3000})
        beta = res.x
    else:
        raise ValueError(f"method must be 'dual' or 'trust-constr', but got {method!r}")
    return _accept(X, y, beta, np.arcsinh(beta / (2 * a2)), f"argmin Q_α (α = {np.sqrt(a2):g}, {method})")


def entropy(theta, alpha) -> float:
    r"""Σᵢ θᵢ log(θᵢ/α²) − θᵢ for θ ≥ 0 (0·log 0 = 0); +∞ if some θᵢ < 0."""
    a2 = _alpha(alpha) ** 2
    theta = np.asarray(theta, dtype=float)
    if np.any(theta < 0):
        return np.inf
    pos = theta > 0
    return float(np.sum(theta[pos] * np.log(theta[pos] / a2)) - np.sum(theta))


def _free_coordinates(X, y) -> np.ndarray:
    """Mask of the coordinates that are positive at some θ ≥ 0 with Xθ = y.

    Iterated LP: maximize Σ_{i∈U} sᵢ s.t. Xθ = y, θ ≥ 0, 0 ≤ sᵢ ≤ min(θᵢ, 1) over the
    undecided set U; every sᵢ > 1e-9 certifies a free coordinate; stop when the optimum is 0
    (the rest are zero on the whole feasible set). At most q LPs, usually one.
    """
    n, q = X.shape
    free = np.zeros(q, dtype=bool)
    while True:
        U = np.flatnonzero(~free)
        m = len(U)
        if m == 0:
            return free
        c = np.concatenate([np.zeros(q), -np.ones(m)])
        A_ub = np.zeros((m, q + m))
        A_ub[np.arange(m), U] = -1.0  # sᵢ − θᵢ ≤ 0
        A_ub[np.arange(m), q + np.arange(m)] = 1.0
        res = _linprog(c, A_ub=A_ub, b_ub=np.zeros(m), A_eq=np.hstack([X, np.zeros((n, m))]), b_eq=y,
                       bounds=[(0, None)] * q + [(0, 1)] * m)
        if res.status != 0:
            _lp_failed(res, "Xθ = y with θ ≥ 0")
        new = U[res.x[q:] > 1e-9]
        if len(new) == 0:
            return free
        free[new] = True


def entropy_argmin(X, y, alpha) -> np.ndarray:
    r"""argmin Σᵢ θᵢ log(θᵢ/α²) − θᵢ subject to Xθ = y, θ ≥ 0.

    The Bregman projection of α²·1 onto the feasible set, i.e. the limit of mirror descent
    (and, per C29's reading, of gradient flow on θ = w⊙w from w₀ = α·1). Coordinates that vanish
    on the whole feasible set are found by LP and fixed to 0; on the others (F) stationarity
    reads log(θ_F/α²) = X_Fᵀν, θ_F = α² exp(X_Fᵀν) > 0, and the dual max_ν νᵀy − α² Σ exp(X_Fᵀν)
    is solved as described in the module docstring. Raises ``ValueError`` if no θ ≥ 0 solves Xθ = y.
    """
    X, y = _system(X, y)
    a2 = _alpha(alpha) ** 2
    q = X.shape[1]
    free = _free_coordinates(X, y)
    theta = np.zeros(q)
    if not free.any():
        return theta  # the feasible set is {0}: y = 0
    XF = X[:, free]
    A, b = _row_basis(XF, y)

    def fun(nu):
        return a2 * np.sum(np.exp(np.minimum(A.T @ nu, 700))) - nu @ b

    def grad(nu):
        return A @ (a2 * np.exp(np.minimum(A.T @ nu, 700))) - b

    def hess(nu):
        return (A * (a2 * np.exp(np.minimum(A.T @ nu, 700)))) @ A.T

    nu = _solve_dual(fun, grad, hess, len(b), "the entropy argmin")
    theta[free] = a2 * np.exp(A.T @ nu)
    with np.errstate(divide="ignore"):
        g = np.log(theta[free] / a2)
    _accept(XF, y, theta[free], g, f"entropy argmin (α = {np.sqrt(a2):g})")
    return theta
