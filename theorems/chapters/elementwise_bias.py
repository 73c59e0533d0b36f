"""Section "Exploring Parameterizations and Gradient Fields": where descent on element-wise maps ends (C29, C29b, C31).

On an under-determined least-squares problem: the squared map's bias toward sparse solutions
(C29) and its mirror-descent reading, the entropy projection (C29b); the inverse map's
conjectured bias toward flat solutions (C31). The flow limits and their bounds come from
:mod:`theorems.flow_limits`.
"""

from __future__ import annotations

import numpy as np
from hypothesis import event, note
from hypothesis import strategies as st

from parameterizations.strategies import positive_scales

from ..core import ClaimFailed, expect
from ..experiments import PHASES, memo
from ..flow_limits import (
    bias_problems,
    flow_limit_bound,
    flow_runs,
    l1_asymptotics,
    mirror_metric,
    remaining_move,
    small_alpha,
    solve_reference,
)
from ..registry import claim
from ..sections import GRADIENT_FIELDS
from ..style import COLORS

__all__ = [
    "squared_map_sparse_or_l2",
    "squared_map_is_mirror_descent",
    "inverse_map_flat_solutions",
    "relative_distance",
    "inverse_flow_limit",
]


#: "near": distance to the reference ≤ 5% of the reference's distance from the start θ₀
_NEAR = 0.05
#: the large initial scale of C29 (θ₀ = 100·1, while interpolants have entries of order 1)
_LARGE_ALPHA = 10.0
#: a run stopped by the budget decides nothing when the flow still has to move more than this (relative)
_UNDECIDED = 0.01


def relative_distance(theta, reference, theta0) -> float:
    """‖θ − θ_ref‖ / ‖θ_ref − θ₀‖: the distance in units of how far the reference is from the start."""
    return float(np.linalg.norm(np.asarray(theta) - reference)) / max(float(np.linalg.norm(reference - theta0)),
                                                                       np.finfo(float).tiny)


def _settled(X, y, run, kind, alpha, theta0, reference) -> tuple[bool, float]:
    """Whether a run ended close enough to its limit to be compared: converged, or what the flow
    still moves (:func:`remaining_move`) is below 1% of the scale ‖θ_ref − θ₀‖."""
    move = remaining_move(X, y, run.theta, mirror_metric(kind, run.theta, alpha))
    rel = move / max(float(np.linalg.norm(reference - theta0)), np.finfo(float).tiny)
    return run.converged or rel <= _UNDECIDED, rel


def _c29_experiment(ex):
    from parameterizations import Squared

    from descent.solvers import entropy_argmin, min_l1_nonneg, min_l2

    X, y = ex["X"], ex["y"]
    q = X.shape[1]
    m = Squared(q)
    l1 = min_l1_nonneg(X, y)
    asym = l1_asymptotics(X, y, l1, nonneg=True)
    a_small = small_alpha(asym, l1) if asym is not None else None
    out = {"l1": l1, "asym": asym, "a_small": a_small}
    if a_small is not None:
        runs, eta = flow_runs(m, "squared", X, y, a_small, l1)
        out["small"] = {"alpha": a_small, "runs": runs, "eta": eta, "theta0": np.full(q, a_small ** 2)}
    a = _LARGE_ALPHA
    theta0 = np.full(q, a * a)
    ent, why = solve_reference(entropy_argmin, X, y, a)
    # the entropy argmin only sizes the step and is shown beside the end point; without it, θ₀ sizes the step
    runs, eta = flow_runs(m, "squared", X, y, a, theta0 if ent is None else ent)
    out["large"] = {"alpha": a, "runs": runs, "eta": eta, "theta0": theta0, "l2": min_l2(X, y, theta0),
                    "entropy": ent, "unsolved": why}
    return out


def _bar_panel(ax, bars, title):
    """Grouped bars: one group per coordinate, one bar per (label, vector, colour)."""
    k = len(bars)
    q = len(bars[0][1])
    width = 0.8 / k
    idx = np.arange(q)
    for j, (label, vec, color) in enumerate(bars):
        ax.bar(idx + (j - (k - 1) / 2) * width, vec, width, color=color, label=label)
    ax.axhline(0, color=COLORS["neutral"], lw=0.8)
    ax.set_xticks(idx)
    ax.set_xlabel("coordinate i")
    ax.set_ylabel("θᵢ")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=6)


def _trajectory_panel(ax, run, param, X, y, end, refs, title):
    """The run's θ in the plane of its two largest final coordinates, over the induced field −K∇ℓ there
    (the other coordinates held at the run's end point)."""
    i, j = np.argsort(-np.abs(end))[:2]
    traj = run.trajectory
    lo = np.minimum(traj[:, [i, j]].min(axis=0), min(r[[i, j]].min() for _, r, _ in refs))
    hi = np.maximum(traj[:, [i, j]].max(axis=0), max(r[[i, j]].max() for _, r, _ in refs))
    pad = 0.1 * np.maximum(hi - lo, 1e-12)
    floor = -np.inf if param.family == "signed-squared" else 1e-9  # θ > 0 for the squared and inverse maps
    gi = np.linspace(max(lo[0] - pad[0], floor), hi[0] + pad[0], 13)
    gj = np.linspace(max(lo[1] - pad[1], floor), hi[1] + pad[1], 13)
    P, Q = np.meshgrid(gi, gj)
    U, V = np.zeros_like(P), np.zeros_like(Q)
    for a in range(P.shape[0]):
        for b in range(P.shape[1]):
            th = end.copy()
            th[i], th[j] = P[a, b], Q[a, b]
            g = X.T @ (X @ th - y)
            if param.family == "squared":
                step = -4.0 * th * g
            elif param.family == "inverse":
                step = -th ** 4 * g
            else:
                step = -g
            U[a, b], V[a, b] = step[i], step[j]
    norm = np.hypot(U, V)
    norm[norm == 0] = 1.0
    ax.quiver(P, Q, U / norm, V / norm, color=COLORS["neutral"], angles="xy", width=0.003,
              label="induced field −K∇ℓ (direction)")
    ax.plot(traj[:, i], traj[:, j], "-", color=COLORS["induced"], lw=1.5, label="descent")
    ax.plot(traj[0, i], traj[0, j], "o", color=COLORS["theta"], label="start θ₀")
    for label, r, color in refs:
        ax.plot(r[i], r[j], "*", ms=11, color=color, label=label)
    ax.set_xlabel(f"θ_{i}")
    ax.set_ylabel(f"θ_{j}")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=6)


def plot_squared_bias(ex, fig):
    from parameterizations import Squared

    out = memo(_c29_experiment, ex)
    X, y = ex["X"], ex["y"]
    m = Squared(X.shape[1])
    L = out["large"]
    if "small" in out:
        S = out["small"]
        _bar_panel(fig.add_subplot(1, 3, 1), [(f"descent from α = {S['alpha']:.2g}", S["runs"][1].theta,
                                               COLORS["induced"]),
                                              ("min-ℓ1 interpolant (θ ≥ 0)", out["l1"], COLORS["canonical"])],
                   "small α: end point and min-ℓ1")
    t0 = L["theta0"]
    ax = fig.add_subplot(1, 3, 2)
    bars = [("descent from α = 10", L["runs"][1].theta - t0, COLORS["induced"]),
            ("ℓ2-closest to θ₀", L["l2"] - t0, COLORS["reference"])]
    if L["entropy"] is not None:
        bars.append(("entropy argmin (C29b)", L["entropy"] - t0, COLORS["other"]))
    _bar_panel(ax, bars, "large α: displacement θ − θ₀ from θ₀ = 100·1")
    ax.set_ylabel("θᵢ − 100")
    run = out["small"]["runs"][1] if "small" in out else L["runs"][1]
    ref = ("min-ℓ1", out["l1"], COLORS["canonical"]) if "small" in out else ("ℓ2-closest", L["l2"], COLORS["reference"])
    _trajectory_panel(fig.add_subplot(1, 3, 3), run, m, X, y, run.theta, [ref],
                      "small-α descent" if "small" in out else "large-α descent")
    fig.suptitle(f"C29: θ = w⊙w on Xθ = y (n = {ex['n']}, q = {ex['q']})")


@claim("C29", kind="open", section=GRADIENT_FIELDS,
       statement="The squared map biases gradient descent toward sparse solutions: on an under-determined "
                 "least-squares problem that has a non-negative interpolant, descent from w₀ = α·1 ends near "
                 "the non-negative interpolant of minimum ℓ1 norm when α is small, and near the interpolant "
                 "closest in ℓ2 to θ₀ = α²·1 when α is large. (The mirror-descent reading of the same sentence "
                 "is C29b.)",
       strategy=bias_problems(True).map(dict), plot=plot_squared_bias,
       # each example is four descent runs and three solver calls
       settings={"max_examples": 10, "phases": PHASES},
       definitions="Problems: X (n×q, n ∈ {2, 3}, q ∈ 5…8, N(0, 1/n) entries), y = Xθ*, θ* ≥ 0 on n random "
                   "coordinates. Descent: η = 0.5/ρ and η/2 (ρ: the parametric Hessian's spectral radius at the "
                   "start, or the Gauss–Newton part 4‖θ_ref‖∞λ_max(XᵀX) if larger), until the loss is 1e-10 of its "
                   "start (or 40 000 steps); the finer run is compared. 'Near': ‖θ − θ_ref‖ ≤ 5% of ‖θ_ref − θ₀‖. "
                   "'Small α': where the small-α law of the flow's limit (off-support θᵢ ≈ exp(−log(1/α²)·sᵢ + bᵢ), "
                   "sᵢ the slack of the LP certificate) predicts a distance 1e-3·‖θ_ℓ1‖ to the min-ℓ1 interpolant — "
                   "so the 5% leaves room for descent's own error. 'Large α': α = 10 (θ₀ = 100·1). The "
                   "interpolant closest to θ₀ is θ₀ + X⁺(y − Xθ₀) (no sign constraint, as stated). A run stopped by "
                   "the budget with more than 1% of the scale still to move decides nothing (event).")
def squared_map_sparse_or_l2(ex):
    out = memo(_c29_experiment, ex)
    X, y = ex["X"], ex["y"]
    failures = []
    if "small" in out:
        S = out["small"]
        run = S["runs"][1]
        ok, rel = _settled(X, y, run, "squared", S["alpha"], S["theta0"], out["l1"])
        d = relative_distance(run.theta, out["l1"], S["theta0"])
        rich = relative_distance(S["runs"][0].theta, run.theta, S["theta0"])
        note(f"small α = {S['alpha']:.3g}: {run.message}; distance to min-ℓ1 = {d:.3g} (Richardson {rich:.2g}, "
             f"still to move {rel:.2g})")
        if not ok:
            event("small α: descent not settled within the budget (undecided)")
        else:
            event(f"small α: {'near' if d <= _NEAR else 'not near'} min-ℓ1")
            if d > _NEAR:
                failures.append(f"from small α = {S['alpha']:.3g} the distance to the min-ℓ1 interpolant={d:.3g}, "
                                f"but should be ≤ {_NEAR}")
    else:
        event("LP certificate degenerate or slack beyond double precision: small α undecided")
    L = out["large"]
    run = L["runs"][1]
    ok, rel = _settled(X, y, run, "squared", L["alpha"], L["theta0"], L["l2"])
    d = relative_distance(run.theta, L["l2"], L["theta0"])
    d_ent = (f"{relative_distance(run.theta, L['entropy'], L['theta0']):.3g}" if L["entropy"] is not None
             else L["unsolved"])
    note(f"large α = {L['alpha']:g}: {run.message}; distance to the ℓ2-closest interpolant = {d:.3g}, to the "
         f"entropy argmin = {d_ent} (still to move {rel:.2g}); min entry of the ℓ2-closest: {L['l2'].min():.3g}")
    if not ok:
        event("large α: descent not settled within the budget (undecided)")
    else:
        event(f"large α: {'near' if d <= _NEAR else 'not near'} the ℓ2-closest interpolant")
        if d > _NEAR:
            failures.append(f"from large α = {L['alpha']:g} the distance to the ℓ2-closest interpolant={d:.3g}, but "
                            f"should be ≤ {_NEAR}")
    if failures:
        raise ClaimFailed("; ".join(failures))


def _c29b_experiment(ex):
    from parameterizations import Squared

    from descent.solvers import entropy_argmin

    X, y, alpha = ex["X"], ex["y"], float(ex["alpha"])
    ent, why = solve_reference(entropy_argmin, X, y, alpha)
    if ent is None:
        return {"unsolved": why}
    runs, eta = flow_runs(Squared(X.shape[1]), "squared", X, y, alpha, ent)
    bound = flow_limit_bound(X, y, "squared", alpha, runs[0].theta, runs[1].theta, reference=ent)
    return {"entropy": ent, "runs": runs, "eta": eta, "bound": bound}


def plot_mirror_descent(ex, fig):
    from parameterizations import Squared

    from descent.solvers import min_l1_nonneg, min_l2

    out = memo(_c29b_experiment, ex)
    if "unsolved" in out:
        fig.add_subplot(1, 1, 1).text(0.5, 0.5, out["unsolved"], ha="center", wrap=True)
        return
    X, y, a = ex["X"], ex["y"], float(ex["alpha"])
    q = X.shape[1]
    run = out["runs"][1]
    bars = [(f"descent from α = {a:.3g}", run.theta, COLORS["induced"]),
            ("entropy argmin (the claim)", out["entropy"], COLORS["other"]),
            ("min-ℓ1 (θ ≥ 0)", min_l1_nonneg(X, y), COLORS["canonical"]),
            ("ℓ2-closest to α²·1", min_l2(X, y, np.full(q, a * a)), COLORS["reference"])]
    _bar_panel(fig.add_subplot(1, 2, 1), bars, "end point against the references")
    _trajectory_panel(fig.add_subplot(1, 2, 2), run, Squared(q), X, y, run.theta,
                      [("entropy argmin", out["entropy"], COLORS["other"])], "descent in the plane of θ's two largest")
    b = out["bound"]
    fig.suptitle(f"C29b: w⊙w descent ends at the entropy projection of α²·1 (‖θ − θ_ent‖ = "
                 f"{np.linalg.norm(run.theta - out['entropy']):.2g}, allowed {b['bound']:.2g})", fontsize=10)


@claim("C29b", kind="open", section=GRADIENT_FIELDS,
       statement="The squared map θᵢ = wᵢ² makes gradient descent a mirror descent: from w₀ = α·1 the gradient-flow "
                 "limit on an under-determined least-squares problem with a non-negative interpolant is "
                 "argmin Σ θᵢlog(θᵢ/α²) − θᵢ over {Xθ = y, θ ≥ 0} (the entropy projection of α²·1; the second "
                 "reading of C29).",
       strategy=st.tuples(bias_problems(True), positive_scales(1e-3, 10.0)).map(lambda t: {**t[0], "alpha": t[1]}),
       plot=plot_mirror_descent,
       # each example is two descent runs and one solver call
       settings={"max_examples": 12, "phases": PHASES},
       definitions="Problems as in C29; α ∈ [1e-3, 10]. The flow's limit is approximated by descent at η = 0.5/ρ and "
                   "η/2 (as in C29) until the loss is 1e-10 of its start. 'Is the limit': ‖θ_{η/2} − θ_ent‖ ≤ "
                   "2(‖θ_η − θ_{η/2}‖ + m) + s, with the Richardson estimate of descent's O(η) error, m = "
                   "‖M Xᵀ(X M Xᵀ)⁻¹r‖ the first-order move the flow θ̇ = −4θ⊙Xᵀr still makes from the final "
                   "residual r (M = diag θ), and s the same for the solver's θ_ent plus its stationarity error.")
def squared_map_is_mirror_descent(ex):
    out = memo(_c29b_experiment, ex)
    if "unsolved" in out:
        note(out["unsolved"])
        event("the entropy solver fails on this problem (undecided)")
        return
    run, b = out["runs"][1], out["bound"]
    dist = float(np.linalg.norm(run.theta - out["entropy"]))
    note(f"α={ex['alpha']:.3g}, η={out['eta']:.3g}: {out['runs'][0].message}; {run.message}")
    note(f"‖θ − θ_ent‖={dist:.3g}; Richardson {b['richardson']:.3g}, remaining move {b['stop']:.3g}, solver "
         f"{b['solver']:.3g}; ‖θ_ent‖={np.linalg.norm(out['entropy']):.3g}")
    event("descent converged" if run.converged else "descent stopped at the step budget")
    expect(dist, "<=", b["bound"], "‖θ_descent − entropy argmin‖")


# --- C31: the inverse map θᵢ = 1/wᵢ -----------------------------------------------------------------------

def inverse_flow_limit(X, y, alpha, start) -> np.ndarray | None:
    r"""argmin Σᵢ 1/(2θᵢ²) + α³θᵢ subject to Xθ = y, θ > 0: where the flow of θ = 1/w from w₀ = α·1 ends.

    Along θ̇ = −θ⁴⊙Xᵀr, d(θ^{−3})/dt = 3Xᵀr, so θ^{−3} − α³ stays in range(Xᵀ): the stationarity of
    that potential (a mirror descent with mirror map −θ^{−3}). Solved by SLSQP from ``start``; None if
    the solve fails its KKT check (kkt_residual ≤ 1e-6).
    """
    from scipy.optimize import minimize

    from descent.solvers import kkt_residual

    X, y = np.asarray(X, float), np.asarray(y, float)
    a3 = float(alpha) ** 3
    x0 = np.maximum(np.asarray(start, float), 1e-3)
    res = minimize(lambda t: float(np.sum(0.5 / t ** 2 + a3 * t)), x0, jac=lambda t: -1.0 / t ** 3 + a3,
                   constraints=[{"type": "eq", "fun": lambda t: X @ t - y, "jac": lambda t: X}],
                   bounds=[(1e-9, None)] * X.shape[1], method="SLSQP", options={"ftol": 1e-14, "maxiter": 500})
    th = res.x
    if not np.all(th > 0):
        return None
    feas, stat = kkt_residual(X, y, th, -1.0 / th ** 3 + a3)
    return th if feas <= 1e-6 and stat <= 1e-6 else None


def _c31_experiment(ex):
    from parameterizations import Inverse

    from descent.solvers import min_l1_nonneg, min_linf_nonneg

    X, y, alpha = ex["X"], ex["y"], float(ex["alpha"])
    q = X.shape[1]
    linf = min_linf_nonneg(X, y)
    end_guess = np.maximum(linf, 1.0 / alpha)
    runs, eta = flow_runs(Inverse(q), "inverse", X, y, alpha, end_guess)
    flow = inverse_flow_limit(X, y, alpha, runs[1].theta)
    return {"linf": linf, "l1": min_l1_nonneg(X, y), "runs": runs, "eta": eta, "flow": flow,
            "theta0": np.full(q, 1.0 / alpha)}


def plot_inverse_bias(ex, fig):
    from parameterizations import Inverse

    out = memo(_c31_experiment, ex)
    X, y = ex["X"], ex["y"]
    run = out["runs"][1]
    bars = [(f"descent from w₀ = {ex['alpha']:.3g}·1", run.theta, COLORS["induced"]),
            ("a min-ℓ∞ interpolant (θ ≥ 0)", out["linf"], COLORS["reference"]),
            ("min-ℓ1 (θ ≥ 0)", out["l1"], COLORS["canonical"])]
    if out["flow"] is not None:
        bars.append(("argmin Σ 1/(2θ²) + α³θ (the flow's limit)", out["flow"], COLORS["other"]))
    ax = fig.add_subplot(1, 2, 1)
    _bar_panel(ax, bars, "end point and references")
    v = float(np.max(out["linf"]))
    ax.axhline(v, color=COLORS["reference"], ls=":", lw=1)
    ax.axhline((1 + _NEAR) * v, color=COLORS["violation"], ls="--", lw=1, label="1.05 × min ‖θ‖∞")
    ax.legend(fontsize=6)
    _trajectory_panel(fig.add_subplot(1, 2, 2), run, Inverse(X.shape[1]), X, y, run.theta,
                      [("min-ℓ∞", out["linf"], COLORS["reference"])], "descent in the plane of θ's two largest")
    fig.suptitle(f"C31: θ = 1/w: ‖θ‖∞ = {np.max(np.abs(run.theta)):.3g} against min ‖θ‖∞ = {v:.3g}")


@claim("C31", kind="open", section=GRADIENT_FIELDS,
       statement="The inverse map θᵢ = 1/wᵢ biases gradient descent toward flat solutions: from a uniform "
                 "initialization on an under-determined non-negative least-squares problem, descent ends near "
                 "the non-negative interpolant of minimum ℓ∞ norm.",
       strategy=st.tuples(bias_problems(True), positive_scales(0.3, 3.0)).map(lambda t: {**t[0], "alpha": t[1]}),
       plot=plot_inverse_bias,
       # each example is two descent runs, two linear programs and one small solve
       settings={"max_examples": 10, "phases": PHASES},
       definitions="Problems as in C29; uniform start w₀ = α·1 (θ₀ = 1/α·1), α ∈ [0.3, 3]. Descent at η = 0.5/ρ "
                   "and η/2 "
                   "(ρ: the parametric Hessian's spectral radius at the start, or λ_max(XᵀX)·max θ⁴ at the larger "
                   "of θ₀ and a min-ℓ∞ interpolant), until the loss is 1e-10 of its start. The ℓ∞ minimiser is not "
                   "unique, so values are compared: 'near' means θ ≥ 0 and ‖θ‖∞ ≤ 1.05·min{‖θ‖∞ : Xθ = y, θ ≥ 0} (LP). "
                   "A run stopped by the budget with more than 1% of ‖θ_ref − θ₀‖ still to move decides nothing.")
def inverse_map_flat_solutions(ex):
    out = memo(_c31_experiment, ex)
    X, y = ex["X"], ex["y"]
    run = out["runs"][1]
    v = float(np.max(out["linf"]))
    ok, rel = _settled(X, y, run, "inverse", ex["alpha"], out["theta0"], out["linf"])
    note(f"α={ex['alpha']:.3g}: {run.message}; ‖θ‖∞={np.max(np.abs(run.theta)):.4g}, min ‖θ‖∞={v:.4g}, "
         f"min θᵢ={np.min(run.theta):.3g}, still to move {rel:.2g}")
    if out["flow"] is not None:
        note(f"flow limit argmin Σ 1/(2θ²) + α³θ: ‖θ_flow‖∞={np.max(out['flow']):.4g}, ‖θ − θ_flow‖="
             f"{np.linalg.norm(run.theta - out['flow']):.3g}")
    if not ok:
        event("descent not settled within the budget (undecided)")
        return
    expect(float(np.min(run.theta)), ">=", 0.0, "smallest entry of the end point")
    expect(float(np.max(run.theta)), "<=", (1 + _NEAR) * v, "‖θ‖∞ of the end point")
