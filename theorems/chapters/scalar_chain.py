"""Section "Further Reading", C37: depth slows descent on the scalar chain θ = w₁⋯w_N (Shamir 2018).

Iterations to a fixed accuracy against the depth N, with a step size tuned to each run (the
sharpness where its gradient flow ends, exact for the chain), fitted by an exponential and a
power law. Decided by running descent, all starts of one depth together (:func:`batched_descent`),
and — a tendency over the random starts — by the rate of experiments that show the growth
(:mod:`overparam.theorems.rates`).
"""

from __future__ import annotations

import numpy as np
from hypothesis import note
from hypothesis import strategies as st

from ..experiments import REL_TOL, memo
from ..rates import CLAIMED, RateRule, sample_trials
from ..registry import claim
from ..sections import FURTHER_READING
from ..style import COLORS

__all__ = ["depth_slows_the_scalar_chain", "chain_limit_sharpness", "chain_limit_sharpness_batch", "chain_iterations",
           "growth_fit", "C37_DISTRIBUTION"]


#: depths, seeds per depth, the step budget and the chunk after which the median is looked at
_DEPTHS = np.arange(1, 13)
_SEEDS = 31
_BUDGET = 20_000
_CHUNK = 200
#: Student t quantile for a 95% two-sided interval with 12 − 2 degrees of freedom
_T_975_10 = 2.2281388519649385


def chain_limit_sharpness(w0, y: float) -> float:
    r"""The sharpness ∇²L at the end point of gradient flow on ½(w₁⋯w_N − y)² from w₀.

    The flow keeps every wᵢ² − wⱼ², so wᵢ² = w₀ᵢ² + δ along it; it ends where Π(w₀ᵢ² + δ) = y²
    (the root δ* > −min w₀ᵢ², unique since the product increases in δ), and there the Hessian is
    ∇f∇fᵀ with ‖∇f‖² = Σᵢ Π_{j≠i} wⱼ² = y² Σᵢ 1/(w₀ᵢ² + δ*).
    """
    from scipy.optimize import brentq

    a = np.asarray(w0, float) ** 2
    target2 = 2.0 * np.log(abs(y))

    def f(d):
        return float(np.sum(np.log(a + d))) - target2

    lo = -float(a.min())
    hi = 1.0
    while f(hi) < 0:
        hi *= 2.0
    x0 = lo + max(1e-12 * max(abs(lo), 1.0), 1e-300)
    while f(x0) > 0:  # never, unless the product is already above y² at δ ≈ −min a
        x0 = lo + (x0 - lo) / 2.0
    d = brentq(f, x0, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps)
    return float(y * y * np.sum(1.0 / (a + d)))


def chain_limit_sharpness_batch(W0, y) -> np.ndarray:
    """:func:`chain_limit_sharpness` of every row of W0 (targets ``y``, one or one per row), vectorized: the root
    δ* by bisection on the bracket (200 halvings, to the spacing of doubles) instead of one brentq a row."""
    a = np.asarray(W0, float) ** 2
    y = np.broadcast_to(np.asarray(y, float), (len(a),))
    target2 = 2.0 * np.log(np.abs(y))
    lo = -a.min(axis=1)
    hi = np.ones(len(a))
    with np.errstate(divide="ignore", invalid="ignore"):
        while True:
            low = np.sum(np.log(a + hi[:, None]), axis=1) < target2
            if not low.any():
                break
            hi[low] *= 2.0
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            below = np.sum(np.log(a + mid[:, None]), axis=1) < target2
            if np.array_equal(mid, lo) or np.array_equal(mid, hi):
                break
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    d = 0.5 * (lo + hi)
    return y * y * np.sum(1.0 / (a + d[:, None]), axis=1)


def chain_iterations(N: int, W0, y, lr, tol, budget: int = _BUDGET, chunk: int = _CHUNK,
                     need: int | None = None, groups=None) -> np.ndarray:
    """Iterations of descent on ½(w₁⋯w_N − y)² from each row of W0 until the loss is ≤ tol (inf: not within the budget).

    The rows run together (:func:`batched_descent` on ``DeepLinear(1, N)``), in chunks, each carrying on only
    the rows still running and still needed: a group (``groups``: a label per row; default one group) stops as
    soon as ``need`` of its rows have converged (default: all), which fixes its ``need`` smallest counts and so
    its median (a row still running would converge later than every converged one); its other rows stay inf.
    The rows of one batch descend independently, so a group's counts do not depend on the others. ``y`` and ``tol``
    may differ by row (one scalar or one per row). Continuing a chunk from its last iterate is the same descent
    (it has no memory); the divergence bound is the one of the first chunk, 1e12·max(½y², 1).
    """
    from overparam.parameterizations import DeepLinear
    from overparam.descent import batched_descent
    from overparam.descent.losses import StackedSquaredLoss

    W = np.array(W0, dtype=float)
    S = len(W)
    lr = np.broadcast_to(np.asarray(lr, float), (S,)).copy()
    yv = np.broadcast_to(np.asarray(y, float), (S,)).copy()
    # the tolerance of each row as a weight on its loss (loss/tol ≤ 1), its step scaled back by tol: the same descent
    tv = np.broadcast_to(np.asarray(tol, float), (S,)).copy()
    groups = np.zeros(S, dtype=int) if groups is None else np.asarray(groups)
    labels = np.unique(groups)
    need = S if need is None else need
    m = DeepLinear(d=1, N=int(N), width=1)
    its = np.full(S, np.inf)
    active = np.arange(S)
    done = 0

    def still_needed(rows):
        conv = np.isfinite(its)
        full = [g for g in labels if np.sum(conv[groups == g]) >= min(need, np.sum(groups == g))]
        return rows[~np.isin(groups[rows], full)]

    active = still_needed(active)
    while done < budget and len(active):
        n = min(chunk, budget - done)
        ya, ca = yv[active], 1.0 / tv[active]
        loss = StackedSquaredLoss(np.ones((len(active), 1, 1)), ya[:, None], ca)  # ½(θ − y_b)²/tol_b a row
        max_loss = 1e12 * np.maximum(0.5 * ya * ya, 1.0) * ca
        r = batched_descent(m, W[active], loss, lr=lr[active] * tv[active], steps=n, tol=1.0, loss_every=n,
                            max_loss=max_loss)
        conv = r.status == "converged"
        its[active[conv]] = done + r.steps[conv]
        W[active] = r.W
        active = still_needed(active[r.status == "budget"])
        done += n
    return its


def growth_fit(depths, iterations) -> dict:
    """Least-squares fits of log(iterations) against N (exponential) and against log N (power law).

    Returns the exponential fit's slope b, its standard error and 95% interval (Student t, n − 2
    degrees of freedom), and the residual sums of squares of both fits.
    """
    N = np.asarray(depths, float)
    with np.errstate(divide="ignore"):  # a median of 0 iterations gives −∞, and a fit of NaN: no growth shown
        Y = np.log(np.asarray(iterations, float))
    out = {}
    for name, x in (("exp", N), ("pow", np.log(N))):
        A = np.column_stack([np.ones_like(x), x])
        coef, *_ = np.linalg.lstsq(A, Y, rcond=None)
        res = Y - A @ coef
        out[name] = {"intercept": float(coef[0]), "slope": float(coef[1]), "rss": float(res @ res)}
        if name == "exp":
            s2 = float(res @ res) / (len(N) - 2)
            se = float(np.sqrt(s2 / np.sum((x - x.mean()) ** 2)))
            t = _T_975_10 if len(N) == 12 else _t975(len(N) - 2)
            out[name].update(se=se, lo=float(coef[1]) - t * se, hi=float(coef[1]) + t * se)
    return out


def _t975(dof: int) -> float:
    from scipy import stats

    return float(stats.t.ppf(0.975, dof))


def _chain_start(rng, init: str, shape) -> np.ndarray:
    if init == "normal":  # Xavier/LeCun normal for fan-in 1: N(0, 1)
        return rng.standard_normal(shape)
    return rng.uniform(-np.sqrt(3.0), np.sqrt(3.0), shape)  # Xavier uniform for fan-in = fan-out = 1: variance 1


C37_DISTRIBUTION = ("an experiment: init normal or uniform (½ each), c ~ U[0.25, 0.75], y = ±(log-uniform in "
                    "[0.5, 2]) (sign ½ each); 31 starts of each depth N = 1…12 drawn from that init")


def _experiments(rng, m: int) -> list[dict]:
    """m i.i.d. experiments of C37 from ``rng``: initialization, c, y and the seed of their starts."""
    out = []
    for _ in range(m):
        init = "normal" if rng.random() < 0.5 else "uniform"
        c = float(rng.uniform(0.25, 0.75))
        y = float((1.0 if rng.random() < 0.5 else -1.0) * np.exp(rng.uniform(np.log(0.5), np.log(2.0))))
        out.append({"init": init, "c": c, "y": y, "seed": int(rng.integers(2**32))})
    return out


def _run_experiments(exps: list[dict]) -> list[dict]:
    """Every experiment's medians and fits; the starts of all experiments at one depth run as one batch."""
    rngs = [np.random.default_rng(e["seed"]) for e in exps]
    per = [{"medians": [], "censored": [], "samples": []} for _ in exps]
    for N in _DEPTHS:
        W0 = np.concatenate([_chain_start(r, e["init"], (_SEEDS, int(N))) for r, e in zip(rngs, exps)])
        y = np.repeat([e["y"] for e in exps], _SEEDS)
        c = np.repeat([e["c"] for e in exps], _SEEDS)
        lam = chain_limit_sharpness_batch(W0, y)
        its = chain_iterations(int(N), W0, y, c / lam, REL_TOL * 0.5 * y * y, need=_SEEDS // 2 + 1,
                               groups=np.repeat(np.arange(len(exps)), _SEEDS))
        for i, o in enumerate(per):
            mine = its[i * _SEEDS:(i + 1) * _SEEDS]
            med = float(np.sort(mine)[_SEEDS // 2])
            o["censored"].append(not np.isfinite(med))
            o["medians"].append(min(med, float(_BUDGET)))
            o["samples"].append(mine)
    out = []
    for e, o in zip(exps, per):
        medians = np.array(o["medians"])
        fit = growth_fit(_DEPTHS, medians)
        out.append({**e, "medians": medians, "censored": np.array(o["censored"]), "samples": o["samples"],
                    "fit": fit,
                    "met": bool(np.isfinite(fit["exp"]["lo"]) and fit["exp"]["lo"] > 0.0
                                and fit["exp"]["rss"] <= fit["pow"]["rss"])})
    return out


def _c37_experiment(ex):
    """The run's experiments, drawn i.i.d. from its seed and run in batches."""
    done = []

    def batch(rng, m):
        res = _run_experiments(_experiments(rng, m))
        done.extend(res)
        return [r["met"] for r in res]

    count, _ = sample_trials(_C37_RULE, ex["seed"], batch)
    return {"count": count, "experiments": done}


def plot_depth_iterations(ex, fig):
    run = memo(_c37_experiment, ex)
    # the first experiment that missed the criterion, else the first
    out = next((e for e in run["experiments"] if not e["met"]), run["experiments"][0])
    med, fit = out["medians"], out["fit"]
    ax = fig.add_subplot(1, 1, 1)
    for N, its in zip(_DEPTHS, out["samples"]):
        fin = its[np.isfinite(its)]
        ax.scatter(np.full(len(fin), N) + np.linspace(-0.2, 0.2, len(fin)), fin, s=6, color=COLORS["neutral"],
                   alpha=0.6)
    ax.scatter([], [], s=6, color=COLORS["neutral"], label="seeds that converged (the rest: beyond the median)")
    ax.semilogy(_DEPTHS, med, "o", color=COLORS["induced"], ms=7, label="median iterations")
    xs = np.linspace(1, 12, 100)
    e, p = fit["exp"], fit["pow"]
    ax.semilogy(xs, np.exp(e["intercept"] + e["slope"] * xs), color=COLORS["reference"],
                label=f"exponential fit e^(bN): b = {e['slope']:.3f}, 95% [{e['lo']:.3f}, {e['hi']:.3f}] (must be "
                      f"above 0), RSS {e['rss']:.2f} (must be ≤ the power law's)")
    ax.semilogy(xs, np.exp(p["intercept"] + p["slope"] * np.log(xs)), ls="--", color=COLORS["other"],
                label=f"power-law fit N^c: c = {p['slope']:.2f}, RSS {p['rss']:.2f}")
    if np.any(out["censored"]):
        ax.axhline(_BUDGET, color=COLORS["violation"], ls=":", label="step budget (censored medians)")
    ax.set_xlabel("depth N")
    ax.set_ylabel("iterations to loss ≤ 1e-10·ℓ(0)")
    ax.set_xticks(_DEPTHS)
    c = run["count"]
    ax.set_title(f"C37: θ = w₁⋯w_N, {out['init']} init, y = {out['y']:.3g}, η = {out['c']:.2f}/sharpness at the "
                 f"limit\n(one experiment; {c.met} of {c.decided} showed the growth)", fontsize=9)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False)
    fig.set_size_inches(7.5, 6.4)


_C37_RULE = RateRule("the slope of log(median iterations) against N has a 95% interval above 0 and the exponential "
                     "model fits at least as well as a power law", trial="decided experiment", claimed=CLAIMED,
                     distribution=C37_DISTRIBUTION)


@claim("C37", kind="open", section=FURTHER_READING,
       expected="survived",
       expected_because="under the design p₁ = 0.9 (at least 34 of 41 experiments): the exponential growth met in "
                         "41 of 41 experiments in the ci run and in every fresh-seed run so far.",
       statement="Shamir 2018: depth can slow gradient descent — for the scalar chain θ = w₁w₂⋯w_N fitted to a "
                 "target y by descent on ½(θ − y)², under a standard random initialization (wᵢ i.i.d. of variance "
                 "1), the number of iterations needed to reach a fixed accuracy grows exponentially with N — in nearly every "
                 "experiment: in at least 90 % of random experiments.",
       strategy=st.fixed_dictionaries({"seed": st.integers(0, 2**63 - 1)}),
       plot=plot_depth_iterations, rate=_C37_RULE,
       # one run: its experiments, each 12 depths × 31 starts; the starts of all experiments at one depth are one batch
       definitions="Initialization: wᵢ i.i.d. N(0, 1) or uniform on [−√3, √3] (the Xavier/LeCun choices for "
                   "one-unit layers). Step size: each run uses η = c/λ*, c ∈ [0.25, 0.75], λ* the sharpness at the "
                   "end point of gradient flow from its own start (exact: the flow keeps wᵢ² − wⱼ²) — a step "
                   "tuned to the run, so slowness is not an artefact of a step that is too small for shallow "
                   "chains. 'Iterations': steps until the loss is ≤ 1e-10·ℓ(0) = 1e-10·y²/2; per depth "
                   "N = 1…12 the median over 31 seeded starts (a run not converged within 20 000 steps counts as "
                   "more; a median beyond the budget is censored at it, which only flattens the growth). "
                   "'Grows exponentially': the least-squares slope b of log(median) against N has a 95% "
                   "confidence interval (Student t, 10 degrees of freedom) above 0, and the exponential model "
                   "fits at least as well as a power law: RSS(log median ~ N) ≤ RSS(log median ~ log N). Experiments: "
                   "" + C37_DISTRIBUTION + "; in about one experiment in a hundred the power law fits the 12 "
                   "medians slightly better, which is why one experiment does not decide the claim and the rate "
                   "of experiments does.")
def depth_slows_the_scalar_chain(ex):
    run = memo(_c37_experiment, ex)
    for i, out in enumerate(run["experiments"]):
        e, p = out["fit"]["exp"], out["fit"]["pow"]
        note(f"experiment {i} ({out['init']}, c = {out['c']:.3f}, y = {out['y']:.3g}): median iterations "
             + ", ".join(f"{m:.0f}{'+' if c else ''}" for m, c in zip(out["medians"], out["censored"]))
             + f"; b = {e['slope']:.4f}, 95% [{e['lo']:.4f}, {e['hi']:.4f}], RSS {e['rss']:.3f} against the power "
               f"law's {p['rss']:.3f}: {'grows' if out['met'] else 'missed'}")
    return run["count"]
