"""Section "Exploring Parameterizations and Gradient Fields": where descent on element-wise maps ends (C29, C29b, C29c, C31).

On an under-determined least-squares problem: the squared map's bias toward sparse solutions from a
small initialization (C29, the post's claim), its mirror-descent reading, the entropy projection
(C29b), and the large-initialization reading by analogy with Woodworth et al. (C29c); the inverse
map's conjectured bias toward flat solutions (C31). C29, C29c and C31 are tendency claims, decided
by the rate of their criterion over random problems (:mod:`overparam.theorems.rates`). A run that the step
budget stopped before the loss reached 1e-10 of its start decides nothing (:func:`settled`). The
flow limits and their bounds come from :mod:`overparam.theorems.flow_limits`.
"""

from __future__ import annotations

import numpy as np
from hypothesis import event, note
from hypothesis import strategies as st

from overparam.parameterizations.strategies import positive_scales

from ..core import expect, undecided
from ..experiments import PHASES, memo
from ..flow_limits import (
    BIAS_DISTRIBUTION,
    bias_problems,
    descent_end,
    draw_bias_problem,
    flow_run,
    flow_run_batch,
    l1_asymptotics,
    mirror_metric,
    remaining_move,
    settled,
    small_alpha,
    solve_reference,
)
from ..rates import CLAIMED, RateRule, sample_trials
from ..registry import claim
from ..sections import GRADIENT_FIELDS
from ..style import COLORS, log_dots

__all__ = [
    "squared_map_sparse_from_small_alpha",
    "squared_map_large_alpha_l2",
    "squared_map_is_mirror_descent",
    "inverse_map_flat_solutions",
    "relative_distance",
    "inverse_flow_limit",
]


#: "near": distance to the reference ≤ 5% of the reference's distance from the start θ₀
_NEAR = 0.05
#: C29's scales: the small-α law predicts a distance of this fraction of ‖θ_ℓ1‖ at α_s (so 5% leaves room for
#: descent's own error) and, for "nearer as α → 0", of the larger one at α_m (at least 10·α_s)
_SMALL_TAU, _MID_TAU = 1e-3, 3e-2
#: C29c's large scales (θ₀ = α²·1 with α² = 4…25, the interpolants' entries being of order 1); at α ≈ 10 a
#: quarter of the runs still move after the step budget, as coordinates stall near 0
_LARGE_ALPHA = (2.0, 5.0)
#: a settled run whose first-order remaining move is more than this fraction of the scale decides nothing
_UNDECIDED = 0.01
#: the step budget of the tendency claims' runs: nine in ten runs that converge within 40 000 steps do so within
#: this, and a run the budget stops is undecided (and replaced), so a larger budget costs more than it decides
_STEPS = 20_000


def relative_distance(theta, reference, theta0) -> float:
    """‖θ − θ_ref‖ / ‖θ_ref − θ₀‖: the distance in units of how far the reference is from the start."""
    return float(np.linalg.norm(np.asarray(theta) - reference)) / max(float(np.linalg.norm(reference - theta0)),
                                                                       np.finfo(float).tiny)


def _undecided_run(X, y, run, kind, alpha, theta0, reference) -> str:
    """Why the run decides nothing, or "": it is not settled (the loss above 1e-10 of its start), or its flow
    still moves more than 1% of the scale ‖θ_ref − θ₀‖ (:func:`remaining_move`)."""
    ok, why, res = settled(X, y, run)
    if not ok:
        return why
    move = remaining_move(X, y, run.theta, mirror_metric(kind, run.theta, alpha))
    rel = move / max(float(np.linalg.norm(reference - theta0)), np.finfo(float).tiny)
    if rel > _UNDECIDED:
        return "descent converged but its flow still moves more than 1% of the scale"
    return ""


def _bar_panel(ax, bars, title, *, legend_below: bool = True):
    """Grouped bars: one group per coordinate, one bar per (label, vector, colour); the legend below the axes."""
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
    if legend_below:
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False)


def _legend_below(ax, offset: float = -0.16) -> None:
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, offset), frameon=False)


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
    _legend_below(ax)


# --- C29: from a small α, near the minimum-ℓ1 non-negative interpolant ----------------------------------


def _c29_prepare(pr):
    """The min-ℓ1 interpolant and the two scales α_s, α_m of one problem, or why it is undecided."""
    from overparam.descent.solvers import min_l1_nonneg

    X, y = pr["X"], pr["y"]
    l1 = min_l1_nonneg(X, y)
    asym = l1_asymptotics(X, y, l1, nonneg=True)
    if asym is None:
        return {"l1": l1, "unsolved": "the LP certificate of the min-ℓ1 vertex is degenerate (no small-α law)"}
    a_s = small_alpha(asym, l1, _SMALL_TAU)
    if a_s is None:
        return {"l1": l1, "unsolved": "the small-α law needs α² below what double precision resolves"}
    return {"l1": l1, "alphas": (a_s, max(small_alpha(asym, l1, _MID_TAU) or 0.0, 10.0 * a_s))}


def _c29_decide(pr, out):
    """(met, detail) of one prepared and run problem: None when it is undecided (the detail says why)."""
    if "unsolved" in out:
        return None, out["unsolved"]
    X, y = pr["X"], pr["y"]
    S, M = out["small"], out["mid"]
    for r in (S, M):
        why = _undecided_run(X, y, r["run"], "squared", r["alpha"], r["theta0"], out["l1"])
        if why:
            return None, why
    d_s = relative_distance(S["run"].theta, out["l1"], S["theta0"])
    d_m = relative_distance(M["run"].theta, out["l1"], M["theta0"])
    return bool(d_s <= _NEAR and d_s < d_m), (f"distance to min-ℓ1 {d_s:.3g} from α_s = {S['alpha']:.3g} (≤ {_NEAR:g}?), "
                                              f"{d_m:.3g} from α_m = {M['alpha']:.3g}")


def _c29_batch(rng, m):
    """m problems of C29: their LPs, then the runs from α_s and α_m of all of them as one batched descent."""
    problems = [draw_bias_problem(rng) for _ in range(m)]
    outs = [_c29_prepare(pr) for pr in problems]
    rows = [(i, key, a) for i, o in enumerate(outs) if "alphas" in o for key, a in zip(("small", "mid"), o["alphas"])]
    if rows:
        runs = flow_run_batch("squared", [(problems[i]["X"], problems[i]["y"]) for i, _, _ in rows],
                              [a for _, _, a in rows], [outs[i]["l1"] for i, _, _ in rows], steps=_STEPS)
        for (i, key, a), run in zip(rows, runs):
            outs[i][key] = {"alpha": a, "run": run, "eta": run.eta, "theta0": np.full(problems[i]["q"], a * a)}
    return [(pr, o, _c29_decide(pr, o)) for pr, o in zip(problems, outs)]


def _sampled(rule, batch):
    """The run of a sampled tendency claim: its Count and every problem (problem, outcome, (met, detail))."""

    def experiment(ex):
        done = []

        def run(rng, m):
            res = batch(rng, m)
            done.extend(res)
            return [r[2] for r in res]

        count, _ = sample_trials(rule, ex["seed"], run)
        return {"count": count, "problems": done}

    return experiment


def _shown(run):
    """The problem a picture shows: the first that missed the criterion, else the first decided, else the first."""
    probs = run["problems"]
    return next((p for p in probs if p[2][0] is False), next((p for p in probs if p[2][0]), probs[0]))


def _report(run):
    """note() every problem of the run, and return its Count."""
    for i, (pr, _, (met, detail)) in enumerate(run["problems"]):
        what = "undecided" if met is None else ("met" if met else "missed")
        note(f"problem {i} (n = {pr['n']}, q = {pr['q']}, seed {pr['seed']}"
             + (f", α = {pr['alpha']:.3g}" if "alpha" in pr else "") + f"): {what}: {detail}")
    return run["count"]


def plot_squared_bias(ex, fig):
    from overparam.parameterizations import Squared

    ex, out, _ = _shown(memo(_c29_experiment, ex))
    X, y = ex["X"], ex["y"]
    fig.set_size_inches(13, 4.8)
    if "unsolved" in out:
        _bar_panel(fig.add_subplot(1, 1, 1), [("min-ℓ1 interpolant (θ ≥ 0)", out["l1"], COLORS["canonical"])],
                   f"undecided: {out['unsolved']}")
        return
    S, M = out["small"], out["mid"]
    _bar_panel(fig.add_subplot(1, 3, 1), [(f"descent from α_s = {S['alpha']:.2g}", S["run"].theta, COLORS["induced"]),
                                          ("min-ℓ1 interpolant (θ ≥ 0)", out["l1"], COLORS["canonical"])],
               "end point against the min-ℓ1 interpolant")
    ax = fig.add_subplot(1, 3, 2)
    alphas = [S["alpha"], M["alpha"]]
    dists = [relative_distance(r["run"].theta, out["l1"], r["theta0"]) for r in (S, M)]
    ax.loglog(alphas, dists, "-", color=COLORS["neutral"], lw=1)
    ax.loglog([alphas[0]], [dists[0]], "o", ms=9,
              color=COLORS["canonical"] if dists[0] <= _NEAR else COLORS["violation"],
              label=f"at α_s: {dists[0]:.2g} (must be ≤ {_NEAR:g})")
    ax.loglog([alphas[1]], [dists[1]], "s", ms=8,
              color=COLORS["canonical"] if dists[0] < dists[1] else COLORS["violation"],
              label=f"at α_m = {alphas[1]:.2g}: {dists[1]:.2g} (must be farther)")
    ax.axhline(_NEAR, color=COLORS["reference"], ls="--", label=f"'near': {_NEAR:g}")
    ax.set_xlabel("α (w₀ = α·1)")
    ax.set_ylabel("‖θ − θ_ℓ1‖ / ‖θ_ℓ1 − θ₀‖")
    ax.set_title("distance to min-ℓ1 against α", fontsize=9)
    _legend_below(ax)
    run, _ = flow_run(Squared(X.shape[1]), "squared", X, y, S["alpha"], out["l1"], eta=S["eta"], steps=_STEPS)
    _trajectory_panel(fig.add_subplot(1, 3, 3), run, Squared(X.shape[1]), X, y, run.theta,
                      [("min-ℓ1", out["l1"], COLORS["canonical"])], "descent from α_s (plane of θ's two largest)")
    fig.suptitle(f"C29: θ = w⊙w on Xθ = y (n = {ex['n']}, q = {ex['q']}), small initialization", fontsize=10)


_C29_RULE = RateRule("the end point from the small α_s is within 5% of the min-ℓ1 non-negative interpolant and "
                     "nearer to it than the end point from the larger α_m", trial="decided problem", claimed=CLAIMED,
                     distribution=BIAS_DISTRIBUTION, overdraw=1.2)
_c29_experiment = _sampled(_C29_RULE, _c29_batch)


@claim("C29", kind="open", section=GRADIENT_FIELDS,
       expected="survived",
       expected_because="under the design p₁ = 0.9 (at least 34 of 41 problems): the end point near the min-ℓ1 "
                         "interpolant in 41 of 41 decided problems in the ci run and in every fresh-seed run so far.",
       statement="The squared map biases gradient descent toward sparse solutions (the post's claim): on an "
                 "under-determined least-squares problem that has a non-negative interpolant, descent from a small "
                 "uniform initialization w₀ = α·1 ends near the non-negative interpolant of minimum ℓ1 norm, and "
                 "nearer as α → 0 — in nearly every problem (\"biased toward\": in at least 90 % of random "
                 "problems). (The mirror-descent reading is C29b, the large-α reading C29c.)",
       strategy=st.fixed_dictionaries({"seed": st.integers(0, 2**63 - 1)}), plot=plot_squared_bias, rate=_C29_RULE,
       # one run: its problems' linear programs, then two descent runs each, all problems' runs in one batch
       definitions="Problems: " + BIAS_DISTRIBUTION + ". Descent: η = 0.5/ρ (ρ: the parametric Hessian's spectral "
                   "radius at the start, or the Gauss–Newton part 4‖θ_ℓ1‖∞λ_max(XᵀX) if larger), halved while it "
                   "diverges, until the loss is 1e-10 of its start (so ‖Xθ − y‖ ≤ 1e-5 of its start) within 20 000 "
                   "steps; a run the budget stopped is undecided, however little its first-order remaining move. "
                   "'Small α': α_s, where the small-α law of the flow's limit (off-support θᵢ ≈ exp(−log(1/α²)·sᵢ + "
                   "bᵢ), sᵢ the slack of the LP certificate) predicts a distance 1e-3·‖θ_ℓ1‖; 'nearer as α → 0': the "
                   "end point from α_s is nearer than the one from α_m = max(the α of a predicted 3e-2·‖θ_ℓ1‖, "
                   "10·α_s). 'Near': ‖θ − θ_ℓ1‖ ≤ 5% of ‖θ_ℓ1 − θ₀‖. A problem whose LP vertex is degenerate, or "
                   "whose α_s is below what double precision resolves, is undecided.")
def squared_map_sparse_from_small_alpha(ex):
    return _report(memo(_c29_experiment, ex))


# --- C29c: from a large α, near the ℓ2-closest interpolant? ----------------------------------------------


def _c29c_batch(rng, m):
    """m problems of C29c (each with its α): references, then all runs as one batched descent."""
    from overparam.descent.solvers import entropy_argmin, min_l2_nonneg

    problems = [draw_bias_problem(rng, alphas=_LARGE_ALPHA) for _ in range(m)]
    outs = []
    for pr in problems:
        X, y, a = pr["X"], pr["y"], pr["alpha"]
        theta0 = np.full(pr["q"], a * a)
        ent, why = solve_reference(entropy_argmin, X, y, a)
        l2, why_l2 = solve_reference(min_l2_nonneg, X, y, theta0)
        outs.append({"alpha": a, "theta0": theta0, "entropy": ent, "unsolved": why, "l2": l2, "l2_unsolved": why_l2})
    # the entropy argmin only sizes the step and is shown beside the end point; without it, θ₀ sizes the step
    runs = flow_run_batch("squared", [(pr["X"], pr["y"]) for pr in problems], [o["alpha"] for o in outs],
                          [o["theta0"] if o["entropy"] is None else o["entropy"] for o in outs], steps=_STEPS)
    res = []
    for pr, o, run in zip(problems, outs, runs):
        o.update(run=run, eta=run.eta)
        res.append((pr, o, _c29c_decide(pr, o)))
    return res


def _c29c_decide(pr, out):
    if out["l2"] is None:
        return None, out["l2_unsolved"]
    why = _undecided_run(pr["X"], pr["y"], out["run"], "squared", out["alpha"], out["theta0"], out["l2"])
    if why:
        return None, why
    d = relative_distance(out["run"].theta, out["l2"], out["theta0"])
    d_ent = (f"{relative_distance(out['run'].theta, out['entropy'], out['theta0']):.3g}" if out["entropy"] is not None
             else out["unsolved"])
    return bool(d <= _NEAR), (f"distance to the non-negative ℓ2-closest interpolant {d:.3g} (≤ {_NEAR:g}?), to the "
                              f"entropy argmin {d_ent}")


def plot_large_alpha(ex, fig):
    ex, out, _ = _shown(memo(_c29c_experiment, ex))
    fig.set_size_inches(11, 4.8)
    t0, a = out["theta0"], out["alpha"]
    run = out["run"]
    bars = [(f"descent from α = {a:.3g}", run.theta - t0, COLORS["induced"]),
            ("non-negative interpolant ℓ2-closest to θ₀ (the claim)", out["l2"] - t0, COLORS["reference"])]
    if out["entropy"] is not None:
        bars.append(("entropy argmin (C29b)", out["entropy"] - t0, COLORS["other"]))
    ax = fig.add_subplot(1, 2, 1)
    _bar_panel(ax, bars, f"displacement θ − θ₀ from θ₀ = {a * a:.3g}·1")
    ax.set_ylabel("θᵢ − α²")
    ax2 = fig.add_subplot(1, 2, 2)
    d = relative_distance(run.theta, out["l2"], t0)
    names = ["to the ℓ2-closest (decides)"]
    vals = [d]
    if out["entropy"] is not None:
        names.append("to the entropy argmin")
        vals.append(relative_distance(run.theta, out["entropy"], t0))
    log_dots(ax2, range(len(vals)), vals,
             [COLORS["violation"] if d > _NEAR else COLORS["canonical"], COLORS["other"]][:len(vals)])
    ax2.set_xticks(range(len(vals)), names)
    ax2.set_xlim(-0.6, len(vals) - 0.4)
    shown = [v for v in vals if np.isfinite(v) and v > 0] + [_NEAR]
    ax2.set_ylim(min(shown) / 10, max(shown) * 10)
    ax2.axhline(_NEAR, color=COLORS["reference"], ls="--", label=f"'near': {_NEAR:g}")
    ax2.set_ylabel("‖θ − θ_ref‖ / ‖θ_ref − θ₀‖")
    ax2.set_title("relative distance of the end point", fontsize=9)
    _legend_below(ax2, -0.12)
    fig.suptitle(f"C29c: θ = w⊙w from a large α (n = {ex['n']}, q = {ex['q']})", fontsize=10)


_C29C_RULE = RateRule("the end point from α is within 5% of the non-negative interpolant closest in ℓ2 to θ₀ = α²·1",
                      trial="decided problem", claimed=CLAIMED,
                      distribution=BIAS_DISTRIBUTION + "; α log-uniform in [2, 5]")
_c29c_experiment = _sampled(_C29C_RULE, _c29c_batch)


@claim("C29c", kind="open", section=GRADIENT_FIELDS,
       expected="refuted",
       expected_because="under the design p₁ = 0.9 (at least 34 of 41 problems): near the ℓ2-closest interpolant in "
                         "a few problems of 41 (3 under ci, 8 in a run under quick), far below p₀ = 0.7 — the mathematics of the "
                         "definitions below says the distance tends to a non-zero constant.",
       statement="A reading not in the post (by analogy with Woodworth et al.): descent on the squared map from a "
                 "large uniform initialization w₀ = α·1 ends near the non-negative interpolant closest in ℓ2 to "
                 "θ₀ = α²·1 (the kernel regime) — in nearly every problem (in at least 90 % of random "
                 "problems).",
       strategy=st.fixed_dictionaries({"seed": st.integers(0, 2**63 - 1)}), plot=plot_large_alpha, rate=_C29C_RULE,
       # one run: its problems' reference solves, then one descent each, all in one batch
       definitions="Problems as in C29; α log-uniform in [2, 5] (θ₀ = 4…25·1 while the interpolants' entries are "
                   "of order 1). Descent as in C29, sized by the entropy argmin of C29b. 'Near': ‖θ − θ_ℓ2‖ ≤ 5% of "
                   "‖θ_ℓ2 − θ₀‖, θ_ℓ2 = argmin{‖θ − θ₀‖ : Xθ = y, θ ≥ 0} (descent.solvers.min_l2_nonneg; without "
                   "the sign constraint about half of these problems' nearest interpolant has a negative entry, "
                   "which no end point of the squared map can be near). Expected refuted, and why: the squared "
                   "map's flow is a mirror descent (C29b) whose limit is the entropy projection of α²·1; with "
                   "θ = α²t the problem becomes Xt = y/α² from t₀ = 1, so the limit's relative distance to the "
                   "ℓ2-closest interpolant depends on y/α² only and tends, as α → ∞, to that of the entropy and ℓ2 "
                   "projections of 1 onto {Xt = 0}: a non-zero constant of the problem, not 0 (for signed θ = u⊙u − "
                   "v⊙v, Woodworth et al.'s kernel limit is ℓ2 because that map's mirror potential is quadratic "
                   "near 0; the squared map's is not).")
def squared_map_large_alpha_l2(ex):
    return _report(memo(_c29c_experiment, ex))


# --- C29b: the mirror-descent reading -----------------------------------------------------------------------


def _c29b_experiment(ex):
    """The entropy argmin, and where descent ends: at η, η/2, η/4, … until the end points contract
    (:func:`overparam.theorems.flow_limits.descent_end`), with the bound on the flow's end."""
    from overparam.descent.solvers import entropy_argmin

    X, y, alpha = ex["X"], ex["y"], float(ex["alpha"])
    ent, why = solve_reference(entropy_argmin, X, y, alpha)
    if ent is None:
        return {"unsolved": why}
    end = descent_end(X, y, alpha, ent, kind="squared", record=True)  # the picture draws a trajectory
    out = {"entropy": ent, "runs": end["runs"], "eta": end["eta"], "end": end}
    return out if end["decided"] else {**out, "unsettled": end["why"]}


def plot_mirror_descent(ex, fig):
    from overparam.parameterizations import Squared

    from overparam.descent.solvers import min_l1_nonneg, min_l2

    out = memo(_c29b_experiment, ex)
    if "unsolved" in out:
        fig.add_subplot(1, 1, 1).text(0.5, 0.5, out["unsolved"], ha="center", wrap=True)
        return
    fig.set_size_inches(11, 4.8)
    X, y, a = ex["X"], ex["y"], float(ex["alpha"])
    q = X.shape[1]
    run = out["runs"][-1]  # the finest step's end; the first two runs recorded their trajectories
    traced = next(r for r in reversed(out["runs"]) if len(r.trajectory))
    bars = [(f"descent from α = {a:.3g}", run.theta, COLORS["induced"]),
            ("entropy argmin (the claim)", out["entropy"], COLORS["other"]),
            ("min-ℓ1 (θ ≥ 0)", min_l1_nonneg(X, y), COLORS["canonical"]),
            ("ℓ2-closest to α²·1", min_l2(X, y, np.full(q, a * a)), COLORS["reference"])]
    _bar_panel(fig.add_subplot(1, 2, 1), bars, "end point against the references")
    _trajectory_panel(fig.add_subplot(1, 2, 2), traced, Squared(q), X, y, traced.theta,
                      [("entropy argmin", out["entropy"], COLORS["other"])],
                      f"descent at η = {traced.lr:.2g}, in the plane of θ's two largest")
    dist = np.linalg.norm(run.theta - out["entropy"])
    verdict = (f"allowed {out['end']['bound']:.2g}" if "unsettled" not in out else f"undecided: {out['unsettled']}")
    fig.suptitle(f"C29b: w⊙w descent ends at the entropy projection of α²·1 (‖θ − θ_ent‖ = {dist:.2g}, {verdict})",
                 fontsize=10)


@claim("C29b", kind="open", section=GRADIENT_FIELDS,
       expected="survived",
       expected_because="the README's ci run: survived 12 problems (descent's end within the derived bound of the "
                         "mirror-descent limit).",
       statement="The squared map θᵢ = wᵢ² makes gradient descent a mirror descent: from w₀ = α·1 the gradient-flow "
                 "limit on an under-determined least-squares problem with a non-negative interpolant is "
                 "argmin Σ θᵢlog(θᵢ/α²) − θᵢ over {Xθ = y, θ ≥ 0} (the entropy projection of α²·1; the second "
                 "reading of C29).",
       strategy=st.tuples(bias_problems(True), positive_scales(1e-3, 10.0)).map(lambda t: {**t[0], "alpha": t[1]}),
       plot=plot_mirror_descent,
       # each example is two to five descent runs and one solver call
       settings={"max_examples": 12, "phases": PHASES},
       definitions="Problems as in C29; α ∈ [1e-3, 10]. The flow's limit is approximated by descent at η = 0.5/ρ, "
                   "η/2, η/4, … (as in C38), each until the loss is 1e-10 of its start, halving until the differences "
                   "Dₖ of successive end points contract (Dₖ/Dₖ₋₁ = r ≤ 3/4; at most five runs): two runs were not "
                   "enough, since at a small α the first halving can move the end point more than the step before "
                   "it (r = 3.9 at α = 0.018). 'Is the limit': ‖θ_finest − θ_ent‖ ≤ 2(Dₖ·r̄/(1 − r̄) + m) + s, the "
                   "geometric tail of the differences at r̄ = max(r, ½), m = ‖M Xᵀ(X M Xᵀ)⁻¹r‖ the first-order move "
                   "the flow θ̇ = −4θ⊙Xᵀr still makes from the final residual r (M = diag θ), and s the same for the "
                   "solver's θ_ent plus its stationarity error. A run the step budget stopped, or differences that "
                   "do not contract, leave the example undecided: m is a first-order estimate, and a coordinate "
                   "stalled near 0 (M ≈ 0 there) still has a move it does not see. Where the entropy solver fails "
                   "the example is undecided too.")
def squared_map_is_mirror_descent(ex):
    out = memo(_c29b_experiment, ex)
    if "unsolved" in out:
        note(out["unsolved"])
        undecided("the entropy solver fails on this problem")
    note(f"α={ex['alpha']:.3g}, η={out['eta']:.3g}: " + "; ".join(r.message for r in out["runs"]))
    if "unsettled" in out:
        undecided(out["unsettled"])
    end = out["end"]
    note(f"‖θ − θ_ent‖={end['dist']:.3g} at η/2^{len(end['runs']) - 1}; differences of the end points "
         + ", ".join(f"{d:.2g}" for d in end["diffs"]) + f" (last ratio {end['ratio']:.2f}): tail {end['tail']:.3g}, "
         f"remaining move {end['stop']:.3g}, solver {end['solver']:.3g}; ‖θ_ent‖={np.linalg.norm(out['entropy']):.3g}")
    event("descent converged")
    expect(end["dist"], "<=", end["bound"], "‖θ_descent − entropy argmin‖")


# --- C31: the inverse map θᵢ = 1/wᵢ -----------------------------------------------------------------------

def inverse_flow_limit(X, y, alpha, start) -> np.ndarray | None:
    r"""argmin Σᵢ 1/(2θᵢ²) + α³θᵢ subject to Xθ = y, θ > 0: where the flow of θ = 1/w from w₀ = α·1 ends.

    Along θ̇ = −θ⁴⊙Xᵀr, d(θ^{−3})/dt = 3Xᵀr, so θ^{−3} − α³ stays in range(Xᵀ): the stationarity of
    that potential (a mirror descent with mirror map −θ^{−3}). Solved by SLSQP from ``start``; None if
    the solve fails its KKT check (kkt_residual ≤ 1e-6).
    """
    from scipy.optimize import minimize

    from overparam.descent.solvers import kkt_residual

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


#: C31's scales α of the uniform start w₀ = α·1 (θ₀ = 1/α), log-uniform
_C31_ALPHAS = (0.3, 3.0)


def _c31_batch(rng, m):
    """m problems of C31 (each with its α): the LPs, then all runs as one batched descent, then the flow limits."""
    from overparam.descent.solvers import min_linf_nonneg

    problems = [draw_bias_problem(rng, alphas=_C31_ALPHAS) for _ in range(m)]
    linf = [min_linf_nonneg(pr["X"], pr["y"]) for pr in problems]
    runs = flow_run_batch("inverse", [(pr["X"], pr["y"]) for pr in problems], [pr["alpha"] for pr in problems],
                          [np.maximum(li, 1.0 / pr["alpha"]) for pr, li in zip(problems, linf)], steps=_STEPS)
    res = []
    for pr, li, run in zip(problems, linf, runs):
        out = {"linf": li, "run": run, "eta": run.eta, "theta0": np.full(pr["q"], 1.0 / pr["alpha"])}
        res.append((pr, out, _c31_decide(pr, out)))
    return res


def _c31_decide(pr, out):
    X, y, run = pr["X"], pr["y"], out["run"]
    why = _undecided_run(X, y, run, "inverse", pr["alpha"], out["theta0"], out["linf"])
    if why:
        return None, why
    v = float(np.max(out["linf"]))
    top, low = float(np.max(run.theta)), float(np.min(run.theta))
    return bool(low >= 0.0 and top <= (1 + _NEAR) * v), (f"‖θ‖∞ = {top:.4g} against min ‖θ‖∞ = {v:.4g} "
                                                        f"(≤ {1 + _NEAR:g}× it?), min θᵢ = {low:.3g}")


def plot_inverse_bias(ex, fig):
    from overparam.parameterizations import Inverse

    from overparam.descent.solvers import min_l1_nonneg

    ex, out, _ = _shown(memo(_c31_experiment, ex))
    fig.set_size_inches(11, 5.2)
    X, y = ex["X"], ex["y"]
    run, _ = flow_run(Inverse(X.shape[1]), "inverse", X, y, ex["alpha"], np.maximum(out["linf"], 1.0 / ex["alpha"]),
                      eta=out["eta"], steps=_STEPS)
    out = {**out, "l1": min_l1_nonneg(X, y), "flow": inverse_flow_limit(X, y, ex["alpha"], run.theta)}
    v = float(np.max(out["linf"]))
    top = float(np.max(run.theta))
    bars = [(f"descent from w₀ = {ex['alpha']:.3g}·1", run.theta, COLORS["induced"]),
            ("a min-ℓ∞ interpolant (θ ≥ 0)", out["linf"], COLORS["reference"]),
            ("min-ℓ1 (θ ≥ 0)", out["l1"], COLORS["canonical"])]
    if out["flow"] is not None:
        bars.append(("argmin Σ 1/(2θ²) + α³θ (the flow's limit)", out["flow"], COLORS["other"]))
    ax = fig.add_subplot(1, 2, 1)
    _bar_panel(ax, bars, "end point and references", legend_below=False)
    ax.axhline(v, color=COLORS["reference"], ls=":", lw=1, label="min ‖θ‖∞")
    ax.axhline((1 + _NEAR) * v, color=COLORS["violation"], ls="--", lw=1, label=f"{1 + _NEAR:g} × min ‖θ‖∞ (the bound)")
    i = int(np.argmax(run.theta))
    ax.set_ylim(min(0.0, float(np.min(run.theta))), 1.3 * max(top, (1 + _NEAR) * v))
    ax.annotate(f"‖θ‖∞ = {top:.3g}: decides", xy=(i - 0.3, top), xytext=(0.5, 0.93), textcoords="axes fraction",
                ha="center", va="top", fontsize=8, color=COLORS["induced"],
                arrowprops=dict(arrowstyle="->", color=COLORS["induced"]))
    _legend_below(ax)
    _trajectory_panel(fig.add_subplot(1, 2, 2), run, Inverse(X.shape[1]), X, y, run.theta,
                      [("min-ℓ∞", out["linf"], COLORS["reference"])], "descent in the plane of θ's two largest")
    fig.suptitle(f"C31: θ = 1/w: ‖θ‖∞ = {top:.3g} against min ‖θ‖∞ = {v:.3g} (near: ≤ {(1 + _NEAR) * v:.3g})",
                 fontsize=10)


_C31_RULE = RateRule("the end point is non-negative with ‖θ‖∞ ≤ 1.05·min{‖θ‖∞ : Xθ = y, θ ≥ 0}",
                     trial="decided problem", claimed=CLAIMED,
                     distribution=BIAS_DISTRIBUTION + f"; α log-uniform in [{_C31_ALPHAS[0]:g}, {_C31_ALPHAS[1]:g}]",
                     # a third to two fifths of the runs do not settle within the budget: room for them, drawn at once
                     draw_limit=3.0, overdraw=1.7)
_c31_experiment = _sampled(_C31_RULE, _c31_batch)


@claim("C31", kind="open", section=GRADIENT_FIELDS,
       expected="refuted",
       expected_because="under the design p₁ = 0.9 (at least 34 of 41 problems): the end point near the min-ℓ∞ "
                         "interpolant in 0 of 41 decided problems in a run; the limit is another interpolant (see the "
                         "definitions below).",
       statement="The inverse map θᵢ = 1/wᵢ biases gradient descent toward flat solutions: from a uniform "
                 "initialization w₀ = α·1 with α ∈ [0.3, 3] on an under-determined non-negative least-squares "
                 "problem, descent ends near the non-negative interpolant of minimum ℓ∞ norm — in nearly every "
                 "problem (\"biased toward\": in at least 90 % of random problems).",
       strategy=st.fixed_dictionaries({"seed": st.integers(0, 2**63 - 1)}), plot=plot_inverse_bias, rate=_C31_RULE,
       # one run: its problems' linear programs, then one descent each, all in one batch
       definitions="Problems as in C29; uniform start w₀ = α·1 (θ₀ = 1/α·1), α log-uniform in [0.3, 3]. The "
                   "post names no scale; the range is where descent settles on most problems: θ₀ = 1/α is then "
                   "within a factor 3 of the interpolants' entries (of order 1), while the inverse map's gain θ⁴ "
                   "makes a start far above them need a step small enough for θ₀⁴ and one far below them "
                   "crawl at θ₀⁴ (a factor 3 is already 81 in gain). Descent at η = 0.5/ρ "
                   "(ρ: the parametric Hessian's spectral radius at the start, or λ_max(XᵀX)·max θ⁴ at the larger "
                   "of θ₀ and a min-ℓ∞ interpolant), halved while it diverges, until the loss is 1e-10 of its start "
                   "within 20 000 steps, else undecided (a third to two fifths of the problems, so a run draws up to 3n: a coordinate whose gain θ⁴ "
                   "is tiny converges after 10⁵ steps or more; so the rate is over the problems whose descent "
                   "settles within the budget). The ℓ∞ minimiser is not unique, so values are compared: "
                   "'near' means θ ≥ 0 and ‖θ‖∞ ≤ 1.05·min{‖θ‖∞ : Xθ = y, θ ≥ 0} (LP). The flow's own limit, "
                   "argmin Σ 1/(2θᵢ²) + α³θᵢ over {Xθ = y} (θ⁻³ − α³ stays in range(Xᵀ) along the flow), is "
                   "drawn beside it.")
def inverse_map_flat_solutions(ex):
    return _report(memo(_c31_experiment, ex))
