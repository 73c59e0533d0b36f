"""Where gradient flow of an element-wise map ends on under-determined least squares, and how close descent gets.

Shared by the claims on implicit bias (C29, C29b, C31 in :mod:`overparam.theorems.chapters.elementwise_bias`)
and on Woodworth et al.'s Q_α interpolation (C38, :mod:`overparam.theorems.chapters.woodworth`):

* the random problems y = Xθ* they draw (:func:`bias_problems`);
* the mirror geometry θ̇ = −M Xᵀ(Xθ − y) of each map's flow (:func:`mirror_metric`) and the move the
  flow still makes from a residual (:func:`remaining_move`);
* descent at η, η/2, η/4, … from the uniform start until its end points contract, and the bound on the
  distance from the flow's end (:func:`descent_end`, from :func:`flow_runs`), a solver's own error
  included (:func:`solver_error`);
* the small-α and large-α laws of argmin Q_α around the minimum-ℓ1 and minimum-ℓ2 interpolants
  (:func:`l1_asymptotics`, :func:`small_alpha`, :func:`large_alpha`).

Descent runs on :mod:`overparam.descent`; reference points come from :mod:`overparam.descent.solvers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from hypothesis import strategies as st

from overparam.descent import squared_loss, gradient_descent
from overparam.descent.results import StatusFlags

from .experiments import REL_TOL

__all__ = [
    "descent_end",
    "solver_error",
    "bias_problems",
    "draw_bias_problem",
    "BIAS_DISTRIBUTION",
    "solve_reference",
    "mirror_metric",
    "remaining_move",
    "flow_run",
    "flow_run_batch",
    "BatchRun",
    "flow_runs",
    "settled",
    "l1_asymptotics",
    "small_alpha",
    "small_alpha_law",
    "large_alpha",
    "SWEEP",
]

#: step sizes of the two runs compared (Richardson): η = c/ρ and η/2, ρ the curvature bound below
_BIAS_C = 0.5
#: step budget of each implicit-bias run, and the most rows of history each keeps (for the pictures)
_BIAS_STEPS = 40_000
_RECORDS = 256


def _bias_problem(n: int, q: int, seed: int, nonneg: bool) -> dict:
    """A random under-determined problem y = Xθ*, θ* supported on n of the q coordinates (descent.solvers).

    Support size n makes y a generic point of the cone (or span) of n columns, so the linear programs
    below have a non-degenerate vertex solution with probability one.
    """
    from overparam.descent.solvers import random_problem

    p = random_problem(np.random.default_rng(seed), n, q, n, nonneg=nonneg)
    return {"n": n, "q": q, "seed": seed, "X": p.X, "y": p.y}


@lru_cache(maxsize=None)
def bias_problems(nonneg: bool) -> st.SearchStrategy:
    """Problems of n ∈ {2, 3} equations in q ∈ 5…8 unknowns, seeded; θ* ≥ 0 when ``nonneg``."""
    return st.builds(lambda n, q, seed: _bias_problem(n, q, seed, nonneg),
                     st.integers(2, 3), st.integers(5, 8), st.integers(0, 2**32 - 1))


#: the distribution of :func:`draw_bias_problem`, in words
BIAS_DISTRIBUTION = ("n ~ U{2, 3} equations in q ~ U{5…8} unknowns, X with N(0, 1/n) entries, y = Xθ*, θ* ≥ 0 "
                     "(entries U[0.5, 1.5]) on n random coordinates")


def draw_bias_problem(rng, nonneg: bool = True, alphas: tuple | None = None) -> dict:
    """One problem of :func:`bias_problems`'s sizes drawn from ``rng`` (and α log-uniform in ``alphas``, if given)."""
    n = int(rng.integers(2, 4))
    q = int(rng.integers(5, 9))
    out = _bias_problem(n, q, int(rng.integers(2**32)), nonneg)
    if alphas is not None:
        out["alpha"] = float(np.exp(rng.uniform(np.log(alphas[0]), np.log(alphas[1]))))
    return out


def solve_reference(solver, *args):
    """(solver(*args), "") or (None, why): the reference solvers raise ValueError/RuntimeError where their own
    method fails (an overflowing dual, a KKT check that an underflowing entry makes NaN on a nearly
    degenerate feasible set); such an example is beyond the reference, not evidence about the claim."""
    try:
        return solver(*args), ""
    except (ValueError, RuntimeError) as exc:
        return None, f"{getattr(solver, '__name__', 'solver')} fails: {exc}"


def mirror_metric(kind: str, theta, alpha: float) -> np.ndarray:
    r"""diag(M) of the mirror geometry of each map's flow, θ̇ = −M Xᵀr.

    Squared: θ̇ = −4θ⊙g, M ∝ θ. Signed squared: u·v = α² is kept, u² + v² = √(4α⁴ + θ²).
    Inverse: θ̇ = −θ⁴⊙g, M ∝ θ⁴. (Constant factors cancel in :func:`remaining_move`.)
    """
    theta = np.asarray(theta, float)
    if kind == "squared":
        return np.abs(theta)
    if kind == "signed":
        return np.sqrt(4.0 * alpha ** 4 + theta * theta)
    return theta ** 4


def remaining_move(X, y, theta, M) -> float:
    r"""‖M Xᵀ(X M Xᵀ)⁻¹ r‖, r = Xθ − y: to first order, how far the flow θ̇ = −M Xᵀ(Xθ − y) still moves θ.

    Near its end the flow moves θ in range(M Xᵀ) while r decays as e^{−X M Xᵀ t} r, so the total
    move is −M Xᵀ(X M Xᵀ)⁻¹ r: the stopping tolerance's share of a distance to the limit.
    """
    X = np.asarray(X, float)
    r = X @ theta - y
    A = (X * M) @ X.T
    return float(np.linalg.norm(M * (X.T @ np.linalg.lstsq(A, r, rcond=None)[0])))


def _curvature_bound(param, kind, X, loss, w0, theta_end, alpha) -> float:
    """ρ: the larger of the parametric Hessian's spectral radius at w₀ (power iteration) and its
    Gauss–Newton part at the expected end point, λ_max(XᵀX)·max diag of J Jᵀ there."""
    from overparam.descent import curvature

    lam = float(np.linalg.norm(X, 2)) ** 2
    gn = {"squared": 4.0 * float(np.max(np.abs(theta_end))),
          "signed": 4.0 * float(np.max(np.sqrt(4.0 * alpha ** 4 + theta_end ** 2))),
          "inverse": float(np.max(np.abs(theta_end))) ** 4}[kind]
    return max(curvature(param, w0, loss), gn * lam)


def flow_run(param, kind, X, y, alpha, theta_end, *, eta: float | None = None, steps: int = _BIAS_STEPS):
    """One descent run from the uniform start of scale α at η = c/ρ (or the given ``eta``), halved while it
    diverges (at most five times); loss ≤ 1e-10·L₀ or ``steps``. Returns (run, η used)."""
    from overparam.descent import uniform_initial

    loss = squared_loss(X, y)
    w0 = uniform_initial(param, alpha)
    if eta is None:
        eta = _BIAS_C / _curvature_bound(param, kind, X, loss, w0, theta_end, alpha)
    L0 = loss.value(param.psi(w0))
    for _ in range(6):
        run = gradient_descent(param, w0, loss, lr=eta, steps=steps, tol=REL_TOL * L0, record_every=1,
                               max_records=_RECORDS)
        if not run.diverged:
            break
        eta /= 2
    return run, eta


@dataclass(frozen=True)
class BatchRun(StatusFlags):
    """One problem's run of :func:`flow_run_batch`: what :func:`settled` and the claims read of a run."""

    theta: np.ndarray
    steps: int
    status: str
    eta: float

    @property
    def message(self) -> str:
        return f"{self.status} after {self.steps} steps at η = {self.eta:.3g}"


def flow_run_batch(kind: str, problems, alphas, theta_ends, *, steps: int = _BIAS_STEPS) -> list[BatchRun]:
    """:func:`flow_run` of many problems at once: problem b = (X_b, y_b) from w₀ = α_b·1, η_b = c/ρ_b sized by
    ``theta_ends[b]``, halved while it diverges (at most five times), until its loss is 1e-10 of its start or
    ``steps``.

    The problems are padded to one size (zero columns: a coordinate that stays at its start; zero equations)
    and run as rows of one :func:`compacted_descent` on a :class:`StackedSquaredLoss`, each row's loss divided
    by 1e-10 of its start (and its step multiplied by it) so that one tolerance is each row's own.
    """
    from overparam.descent import uniform_initial
    from overparam.descent.batched import compacted_descent
    from overparam.descent.losses import StackedSquaredLoss
    from overparam.parameterizations import Inverse, Squared

    cls = {"squared": Squared, "inverse": Inverse}[kind]
    B = len(problems)
    n_max = max(X.shape[0] for X, _ in problems)
    q_max = max(X.shape[1] for X, _ in problems)
    Xs, ys = np.zeros((B, n_max, q_max)), np.zeros((B, n_max))
    etas, L0 = np.zeros(B), np.zeros(B)
    for b, ((X, y), a, end) in enumerate(zip(problems, alphas, theta_ends)):
        n, q = X.shape
        Xs[b, :n, :q], ys[b, :n] = X, y
        m, loss = cls(q), squared_loss(X, y)
        w0 = uniform_initial(m, a)
        etas[b] = _BIAS_C / _curvature_bound(m, kind, X, loss, w0, end, a)
        L0[b] = loss.value(m.psi(w0))
    param = cls(q_max)
    W0 = np.stack([uniform_initial(param, a) for a in alphas])
    scale = REL_TOL * L0
    out: list = [None] * B
    todo = np.arange(B)
    for attempt in range(6):
        loss = StackedSquaredLoss(Xs[todo], ys[todo], 1.0 / scale[todo])
        _, Theta, status, taken = compacted_descent(param, W0[todo], loss, lr=etas[todo] * scale[todo], steps=steps,
                                                    tol=1.0)
        again = []
        for j, b in enumerate(todo):
            if status[j] == "diverged" and attempt < 5:
                etas[b] /= 2
                again.append(b)
            else:
                out[b] = BatchRun(Theta[j, :problems[b][0].shape[1]].copy(), int(taken[j]), str(status[j]),
                                  float(etas[b]))
        todo = np.array(again, dtype=int)
        if not len(todo):
            break
    return out


def settled(X, y, run) -> tuple[bool, str, float]:
    """Whether a run ended where its flow ends, as far as a descent run can tell: the loss reached 1e-10 of its
    start (so ‖Xθ − y‖ ≤ 1e-5‖Xθ₀ − y‖). A run stopped by the step budget is not settled however little its
    first-order remaining move (:func:`remaining_move`) is: a coordinate stalled near 0 has a metric near 0,
    so that estimate misses the move it still has to make. Returns (settled, why not, ‖Xθ − y‖/‖y‖)."""
    r = float(np.linalg.norm(np.asarray(X) @ run.theta - y)) / max(float(np.linalg.norm(y)), np.finfo(float).tiny)
    if run.converged:
        return True, "", r
    how = "diverged" if run.diverged else "stopped at the step budget"
    return False, f"descent {how} before the loss reached 1e-10 of its start", r


def flow_runs(param, kind, X, y, alpha, theta_end, record: bool = True):
    """Descent from the uniform start of scale α at η = c/ρ and at η/2; loss ≤ 1e-10·L₀ or the budget.
    ``record``: keep each run's trajectory (up to 256 evenly spread θ, for a picture); the loss is
    recorded at the start and the end only (recording each step is a tenth of a step's cost)."""
    from overparam.descent import uniform_initial

    loss = squared_loss(X, y)
    w0 = uniform_initial(param, alpha)
    rho = _curvature_bound(param, kind, X, loss, w0, theta_end, alpha)
    eta = _BIAS_C / rho
    L0 = loss.value(param.psi(w0))
    for _ in range(6):  # a bound that proved too small: halve the step (at most five times)
        runs = [gradient_descent(param, w0, loss, lr=lr, steps=_BIAS_STEPS, tol=REL_TOL * L0,
                                 record_every=1 if record else None, loss_every=_BIAS_STEPS,
                                 max_records=_RECORDS) for lr in (eta, eta / 2)]
        if not any(r.diverged for r in runs):
            break
        eta /= 2
    return runs, eta


def solver_error(X, y, kind, alpha, reference) -> float:
    """How far a solver's candidate for the flow's end can be from the true one: the first-order move
    the flow still makes from its residual, plus its stationarity residual ε turned into a distance (ε
    makes the candidate the minimiser of the potential tilted by ε, which moves it by at most max(M)·‖ε‖,
    ‖ε‖ = stat·(‖∇f‖ + 1) as :func:`overparam.descent.solvers.kkt_residual` scales it)."""
    from overparam.descent.solvers import kkt_residual

    Mr = mirror_metric(kind, reference, alpha)
    grad = _potential_grad(kind, reference, alpha)
    _, stat = kkt_residual(X, y, reference, grad)
    return remaining_move(X, y, reference, Mr) + float(np.max(Mr)) * stat * (float(np.linalg.norm(grad)) + 1.0)


def _potential_grad(kind, theta, alpha):
    """∇ of the potential whose constrained minimiser the flow reaches (entropy, Q_α)."""
    theta = np.asarray(theta, float)
    if kind == "squared":
        with np.errstate(divide="ignore"):
            return np.where(theta > 0, np.log(np.where(theta > 0, theta, 1.0) / alpha ** 2), 0.0)
    return np.arcsinh(theta / (2.0 * alpha ** 2))



#: the extreme scales are chosen where the asymptotic law predicts a distance of 1e-3 of that norm
_LIMIT_PREDICTED = 1e-3
#: sweeps go three scales beyond that point, a decade apart
SWEEP = np.array([1.0, 10.0, 100.0])
#: α² below this is beyond what the dual solver of Q_α resolves: its trust-region steps evaluate cosh at
#: ‖Xᵀν‖ up to several times log(1/α²), and cosh overflows at 710; α ≥ 1e-60 keeps that in range
_MIN_LOG_ALPHA2 = -2.0 * np.log(1e60)


def l1_asymptotics(X, y, beta_l1, nonneg: bool = False) -> dict | None:
    r"""The small-α law of argmin Q_α around the minimum-ℓ1 interpolant β₁ (support S, |S| = n).

    With λ the dual certificate (X_Sᵀλ = sign β₁,S) and ν₁ solving X_Sᵀν₁ = sign(β₁,S)·log|β₁,S|, the
    stationarity β = 2α² sinh(Xᵀν) with ν = log(1/α²)λ + ν₁ + o(1) gives, off the support,
    |βᵢ| ≈ exp(−ℓ·sᵢ + sign(aᵢ)·bᵢ), ℓ = log(1/α²), a = Xᵀλ, sᵢ = 1 − |aᵢ| (the slack), b = Xᵀν₁.
    With ``nonneg`` (the entropy of C29 and the non-negative ℓ1 problem) the same holds with
    θᵢ = α² exp((Xᵀν)ᵢ): X_Sᵀλ = 1, X_Sᵀν₁ = log β₁,S and the slack is sᵢ = 1 − aᵢ.
    Returns None when the vertex is degenerate (|S| ≠ n) or the certificate is not strict (some sᵢ ≤ 0).
    """
    from overparam.descent.solvers import LP_TOL

    X = np.asarray(X, float)
    n, q = X.shape
    big = float(np.max(np.abs(beta_l1)))
    S = np.flatnonzero(np.abs(beta_l1) > 10 * LP_TOL * max(1.0, big))
    if len(S) != n:
        return None
    off = np.setdiff1d(np.arange(q), S)
    XS = X[:, S]
    sgn = np.sign(beta_l1[S])
    lam = np.linalg.solve(XS.T, sgn)
    nu1 = np.linalg.solve(XS.T, sgn * np.log(np.abs(beta_l1[S])))
    a, b = X.T @ lam, X.T @ nu1
    if nonneg:
        slack, b_off = 1.0 - a[off], b[off]
    else:
        slack, b_off = 1.0 - np.abs(a[off]), np.sign(a[off]) * b[off]
    if np.any(slack <= 0):
        return None
    amp = float(np.linalg.norm(np.linalg.solve(XS, X[:, off]), 2)) if len(off) else 0.0
    return {"S": S, "off": off, "slack": slack, "b_off": b_off, "amplification": amp}


def small_alpha_law(X, asym, beta_l1, alpha: float) -> tuple[np.ndarray, float]:
    r"""The off-support entries |βᵢ| the law of :func:`l1_asymptotics` predicts at ``alpha`` (signed case),
    and the law's relative error to first order.

    The law takes the support at β₁; the constraint moves it by X_S⁻¹X_off β_off, which shifts
    ν by δν = X_S⁻ᵀ(sign β₁,S ⊙ log(1 − X_S⁻¹X_off β_off / β₁,S)) and each off-support log|βᵢ| by
    ±(X_offᵀδν)ᵢ; 2α² sinh z = α²eᶻ(1 − e⁻²ᶻ) adds (α²/|βᵢ|)². The error returned is the largest of
    these, max|X_offᵀδν| + max(α²/|βᵢ|)², computed from the prediction itself (not from a solver);
    the terms after it are of its square's order.
    """
    X = np.asarray(X, float)
    S, off = asym["S"], asym["off"]
    XS, Xo = X[:, S], X[:, off]
    ell = np.log(1.0 / alpha ** 2)
    pred = np.exp(-ell * asym["slack"] + asym["b_off"])
    sign_off = np.sign((X.T @ np.linalg.solve(XS.T, np.sign(beta_l1[S])))[off])
    moved = np.linalg.solve(XS, Xo @ (sign_off * pred)) / beta_l1[S]
    shift = Xo.T @ np.linalg.solve(XS.T, np.sign(beta_l1[S]) * np.log1p(-moved))
    return pred, float(np.max(np.abs(shift)) + np.max((alpha ** 2 / pred) ** 2))


def small_alpha(asym, beta_l1, tau: float = _LIMIT_PREDICTED) -> float | None:
    """The α at which the law of :func:`l1_asymptotics` predicts ‖β_α − β₁‖ ≤ τ‖β₁‖.

    Off-support entries are predicted below τ‖β₁‖/((1 + amplification)·√q) each; the support entries
    move by at most the amplification ‖X_S⁻¹X_off‖ times the off-support ones. None if that α² is below
    what double precision resolves.
    """
    q = len(asym["S"]) + len(asym["off"])
    each = tau * float(np.linalg.norm(beta_l1)) / ((1.0 + asym["amplification"]) * np.sqrt(q))
    ell = float(np.max((asym["b_off"] - np.log(each)) / asym["slack"]))
    ell = max(ell, 0.0)
    if -ell - 2.0 * np.log(SWEEP[-1]) < _MIN_LOG_ALPHA2:
        return None
    return float(np.exp(-ell / 2.0))


def large_alpha(beta_l2, tau: float = _LIMIT_PREDICTED) -> float:
    r"""The α at which argmin Q_α is predicted within τ‖β₂‖ of the minimum-ℓ2 interpolant β₂.

    β = 2α² sinh(Xᵀν) = 2α²Xᵀν + α²(Xᵀν)³/3 + …; with Xᵀν ≈ β₂/(2α²) the cubic term is β₂³/(24α⁴), and
    the constraint projects it (a contraction): ‖β_α − β₂‖ ≲ ‖β₂³‖/(24α⁴) ≤ τ‖β₂‖ when
    α⁴ ≥ ‖β₂³‖/(24τ‖β₂‖).
    """
    b = np.asarray(beta_l2, float)
    return float((np.linalg.norm(b ** 3) / (24.0 * tau * np.linalg.norm(b))) ** 0.25)


#: the end points of descent at η/2ᵏ are in their first-order regime once successive differences
#: contract by at most this factor (a first-order method: the factor tends to ½)
_CONTRACTION = 0.75
#: at most this many halvings of η beyond the two runs of flow_runs
_MAX_HALVINGS = 3
#: step budget of each run (as flow_runs)
_HALVING_STEPS = _BIAS_STEPS


def descent_end(X, y, alpha: float, beta, kind: str = "signed", record: bool = False) -> dict:
    r"""Where descent from the uniform start of scale α ends, at η, η/2, η/4, …, and how far the flow's end can
    be from it: θ = u⊙u − v⊙v from u₀ = v₀ = α·1 (``kind="signed"``, C38) or θ = w⊙w from w₀ = α·1
    (``kind="squared"``, C29b), on least squares, against ``beta``, a solver's candidate for the flow's end.

    θₖ, the end point at ηₖ = η/2ᵏ, is θ_flow + cηₖ + O(ηₖ²), so Dₖ = ‖θₖ − θₖ₊₁‖ contracts by
    rₖ = Dₖ/Dₖ₋₁ → ½. Two runs (the Richardson estimate, which takes r = ½) are not enough where the
    O(η²) term still matters: from a tiny α an off-support entry ends near α²·exp(κ/η-dependent
    exponent), and the first halvings can move it as much as the one before (r ≈ 1). The runs go on
    halving η until some rₖ ≤ 3/4 (at most three more runs); then the tail Σⱼ>ₖ Dⱼ ≤ Dₖ·r̄/(1 − r̄), r̄ = max(rₖ, ½)
    (a ratio below ½ is the O(η²) term cancelling the O(η) one, not a faster tail)
    and twice it (twice: for the second-order terms) plus the move the finest run still makes from its
    residual (:func:`remaining_move`), plus the solver's own error for β (:func:`solver_error`), bounds
    ‖θ_finest − β_α‖.
    ``decided`` is False when the differences never contract or the finest run did not converge.
    ``record``: the first two runs keep their trajectories (:func:`flow_runs`), for a picture.
    """
    from overparam.descent import uniform_initial
    from overparam.parameterizations import SignedSquared, Squared

    q = X.shape[1]
    m = SignedSquared(q) if kind == "signed" else Squared(q)
    runs, eta = flow_runs(m, kind, X, y, alpha, beta, record=record)
    loss = squared_loss(X, y)
    w0 = uniform_initial(m, alpha)
    tol = REL_TOL * loss.value(m.psi(w0))
    diffs = [float(np.linalg.norm(runs[0].theta - runs[1].theta))]
    ratio = np.inf
    for _ in range(_MAX_HALVINGS):
        runs.append(gradient_descent(m, w0, loss, lr=eta / 2 ** len(runs), steps=_HALVING_STEPS, tol=tol,
                                     loss_every=_HALVING_STEPS))
        diffs.append(float(np.linalg.norm(runs[-2].theta - runs[-1].theta)))
        ratio = diffs[-1] / diffs[-2] if diffs[-2] > 0 else (0.0 if diffs[-1] == 0 else np.inf)
        # a run that stopped at its step budget: a smaller step needs more steps still, and the end is
        # undecided whatever follows
        if ratio <= _CONTRACTION or runs[-1].diverged or not runs[-1].converged:
            break
    fine = runs[-1]
    solver = solver_error(X, y, kind, alpha, beta)
    stop = remaining_move(X, y, fine.theta, mirror_metric(kind, fine.theta, alpha))
    # a first-order method's differences contract by r → ½; a ratio below ½ is the O(η²) term cancelling
    # the O(η) one in one difference (0.11 seen at α = 2.8e-56), not a faster tail: the tail uses max(r, ½)
    r = max(ratio, 0.5)
    tail = diffs[-1] * r / (1.0 - r) if ratio <= _CONTRACTION else np.inf
    bound = 2.0 * (tail + stop) + solver
    decided = bool(ratio <= _CONTRACTION and fine.converged)
    why = ("" if decided else
           f"descent at η/2^{len(runs) - 1} stopped at the step budget" if not fine.converged else
           f"the end points do not contract yet (differences {', '.join(f'{d:.2g}' for d in diffs)})")
    return dict(alpha=alpha, eta=eta, runs=runs, diffs=diffs, ratio=ratio, tail=tail, stop=stop,
                solver=solver, bound=bound, dist=float(np.linalg.norm(fine.theta - beta)), decided=decided,
                why=why)
