"""Section "Further Reading", C36: depth lowers the effective rank of matrix completions (Arora, Cohen, Hu & Luo 2019).

A few observed entries of a low-rank 6×6 matrix, fitted by descent on factorizations of depth 2
and 3 from a small initialization; the effective rank (Roy & Vetterli 2007) of the end points is
compared per problem over several initializations (medians), and the claim is decided by the
rate of problems where depth 3 ends lower (:mod:`overparam.theorems.rates`). Every run of one depth — all
problems, all initializations — is one batched descent (:func:`overparam.descent.batched_descent`).
"""

from __future__ import annotations

import numpy as np
from hypothesis import note
from hypothesis import strategies as st

from overparam.descent import batched
from overparam.descent.losses import FunctionLoss

from ..experiments import memo
from ..rates import CLAIMED, RateRule, sample_trials
from ..registry import claim
from ..sections import FURTHER_READING
from ..style import COLORS

__all__ = ["depth_lowers_effective_rank", "effective_rank", "completion_panel"]


_MC_SIZE = 6
_MC_OBSERVED = 14  # ≈ 40% of the 36 entries
_MC_LR = 0.5
#: initializations per problem and depth
_INITS = 5
#: the loss levels, relative to the start, at which the drift reference and the end point are taken, and the
#: step budget of each stage: depth 3 from σ ≈ 1e-2 leaves the origin in a few hundred steps, but its last
#: decades of loss are slow (some problems take 2·10⁴ steps from 1e-4 to 1e-6 of L₀); a run that does not
#: reach the end point within the budget is left out
_MC_EARLIER, _MC_TOL = 1e-3, 1e-4
_MC_STEPS = (6_000, 4_000)
#: a problem is decided when at least this many of its initializations ended, at both depths
_MIN_RUNS = 3


def effective_rank(E) -> float:
    """exp of the Shannon entropy of the normalized singular values σᵢ/Σσⱼ (Roy & Vetterli 2007).

    1 for a rank-one matrix, r for r equal singular values; 0 for the zero matrix (no spectrum).
    """
    s = np.linalg.svd(np.asarray(E, float), compute_uv=False)
    total = float(s.sum())
    if total == 0:
        return 0.0
    p = s / total
    p = p[p > 0]
    return float(np.exp(-np.sum(p * np.log(p))))


def _completion_problem(rank: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    m = _MC_SIZE
    M = rng.standard_normal((m, rank)) @ rng.standard_normal((rank, m))
    M /= np.linalg.norm(M, 2)
    idx = np.sort(rng.choice(m * m, size=_MC_OBSERVED, replace=False))
    return {"rank": rank, "seed": seed, "M": M, "observed": idx}


#: the scale σ of each problem's initializations, log-uniform in this range
_SIGMAS = (5e-3, 2e-2)
C36_DISTRIBUTION = ("M 6×6 of rank r ~ U{1, 2} (Gaussian factors, spectral norm 1), 14 of its 36 entries observed "
                    "uniformly; initialization scale σ log-uniform in [5e-3, 2e-2], 5 initializations a depth")


def _problems(rng, m: int) -> list[dict]:
    """m i.i.d. problems of C36 from ``rng``: rank, matrix, observed entries, σ and the seed of the initializations."""
    out = []
    for _ in range(m):
        pr = _completion_problem(int(rng.integers(1, 3)), int(rng.integers(2**32)))
        pr["sigma"] = float(np.exp(rng.uniform(np.log(_SIGMAS[0]), np.log(_SIGMAS[1]))))
        pr["init_seed"] = int(rng.integers(2**32))
        out.append(pr)
    return out


def _masks(problems, inits: int):
    """(mask, target) of every row, rows grouped by problem (``inits`` rows each)."""
    q = _MC_SIZE * _MC_SIZE
    mask = np.zeros((len(problems) * inits, q))
    T = np.zeros_like(mask)
    for i, pr in enumerate(problems):
        rows = slice(i * inits, (i + 1) * inits)
        mask[rows, pr["observed"]] = 1.0
        T[rows] = pr["M"].ravel()
    return mask, T


def _masked_loss(problems, inits: int, weight=None) -> FunctionLoss:
    """c_b·½Σ_observed (E_ij − M_ij)² of each row's problem, rows grouped by problem (``inits`` rows each),
    vectorized; ``weight`` (B,) gives c_b (default 1)."""
    mask, T = _masks(problems, inits)
    return _row_loss(mask, T, np.ones(len(mask)) if weight is None else np.asarray(weight, float))


def _row_loss(mask, T, c) -> FunctionLoss:
    """c_b·½Σ_i mask_bi (Θ_bi − T_bi)², vectorized over the rows b."""
    q = mask.shape[1]

    def value(Theta):
        R = mask * (Theta - T)
        return 0.5 * c * np.einsum("bi,bi->b", R, R)

    return FunctionLoss(value, lambda Theta: (c[:, None] * mask) * (Theta - T), q, vectorized=True,
                        name="masked completion")


def _depth_runs(N: int, problems) -> dict:
    """Descent on every problem from ``_INITS`` initializations (entries σ·N(0, 1), σ the problem's, widths 6) at
    depth N, batched: to loss 1e-3·L₀ (the drift reference), then on to 1e-4·L₀. A row is 'ended' when it reached
    the second level."""
    from overparam.parameterizations import MatrixFactorization

    m = _MC_SIZE
    param = MatrixFactorization(m, m, N, width=m)
    W0 = np.concatenate([pr["sigma"] * np.random.default_rng([pr["init_seed"], N]).standard_normal(
        (_INITS, param.n_params)) for pr in problems])
    L0 = _masked_loss(problems, _INITS).value_and_grad_batch(param.psi_batch(W0))[0]
    # each row's loss divided by its L₀ and its step multiplied by L₀: the same descent, with one relative tolerance
    mask, T = _masks(problems, _INITS)
    c, lr = 1.0 / L0, _MC_LR * L0
    loss = _MaskedRows(mask, T, c)
    W1, Theta1, _, steps1 = batched.compacted_descent(param, W0, loss, lr=lr, steps=_MC_STEPS[0], tol=_MC_EARLIER)
    W2, Theta2, status, steps2 = batched.compacted_descent(param, W1, loss, lr=lr, steps=_MC_STEPS[1], tol=_MC_TOL)
    ended = status == "converged"
    er_a = np.array([effective_rank(t.reshape(m, m)) for t in Theta1])
    er_b = np.array([effective_rank(t.reshape(m, m)) for t in Theta2])
    shape = (len(problems), _INITS)
    return {"erank": er_b.reshape(shape), "drift": np.abs(er_b - er_a).reshape(shape),
            "ended": ended.reshape(shape), "steps": (steps1 + steps2).reshape(shape),
            "E": Theta2.reshape(shape + (m, m))}


class _MaskedRows:
    """The masked losses of a batch's rows, for :func:`compacted_descent` (which asks for those of the rows still running)."""

    def __init__(self, mask, T, c):
        self.mask, self.T, self.c = mask, T, c

    def rows(self, idx) -> FunctionLoss:
        return _row_loss(self.mask[idx], self.T[idx], self.c[idx])


def _decide(problems) -> dict:
    """Both depths on every problem (two batched descents each), and each problem's verdict."""
    runs = {N: _depth_runs(N, problems) for N in (2, 3)}
    verdicts = []
    for i in range(len(problems)):
        ended = [runs[N]["ended"][i] for N in (2, 3)]
        if min(int(e.sum()) for e in ended) < _MIN_RUNS:
            verdicts.append("too few runs ended")
            continue
        med = {N: float(np.median(runs[N]["erank"][i][runs[N]["ended"][i]])) for N in (2, 3)}
        d = {N: float(np.max(runs[N]["drift"][i][runs[N]["ended"][i]])) for N in (2, 3)}
        if med[3] + d[3] < med[2] - d[2]:
            met = True
        elif med[3] - d[3] >= med[2] + d[2]:
            met = False
        else:  # the two medians are closer than the stopping error: the end points do not tell
            verdicts.append("within the drift")
            continue
        verdicts.append({"median": med, "drift": d, "met": met})
    return {"problems": problems, "runs": runs, "verdicts": verdicts}


def _c36_experiment(ex) -> dict:
    """The run's problems, drawn i.i.d. from its seed and decided in batches (undecided ones replaced)."""
    batches = []

    def batch(rng, m):
        out = _decide(_problems(rng, m))
        batches.append(out)
        return [None if not isinstance(v, dict) else (v["met"]) for v in out["verdicts"]]

    count, _ = sample_trials(_C36_RULE, ex["seed"], batch)
    runs = {N: {k: np.concatenate([b["runs"][N][k] for b in batches]) for k in batches[0]["runs"][N]} for N in (2, 3)}
    return {"count": count, "problems": [p for b in batches for p in b["problems"]], "runs": runs,
            "verdicts": [v for b in batches for v in b["verdicts"]]}


def completion_panel(ex) -> dict:
    """The run's outcome: the Count of problems where depth 3 ended lower, and the per-problem medians."""
    return _memo_c36(ex)


def _memo_c36(ex):
    return memo(_c36_experiment, ex)


def plot_depth_rank(ex, fig, result=None):
    """C36: this example's problems (effective rank at each depth, per initialization) and the spectra of one;
    the counts of the example beside those of the run the verdict was decided from (``result.rate``)."""
    out = completion_panel(ex)
    fig.set_size_inches(11, 4.8)
    ax = fig.add_subplot(1, 2, 1)
    runs = out["runs"]
    for i, v in enumerate(out["verdicts"]):
        for N, dx, color in ((2, -0.15, COLORS["canonical"]), (3, 0.15, COLORS["induced"])):
            r = runs[N]
            e = r["ended"][i]
            ax.scatter(np.full(e.sum(), i + dx), r["erank"][i][e], s=10, color=color, alpha=0.6)
            if (~e).any():
                ax.scatter(np.full((~e).sum(), i + dx), r["erank"][i][~e], s=14, marker="x", color=COLORS["neutral"])
        if isinstance(v, dict):
            ax.plot([i - 0.3, i], [v["median"][2]] * 2, color=COLORS["canonical"], lw=2)
            ax.plot([i, i + 0.3], [v["median"][3]] * 2, color=COLORS["induced"], lw=2)
            ax.annotate("✓" if v["met"] else "✗", (i, max(v["median"].values()) + 0.05), ha="center", fontsize=9,
                        color=COLORS["canonical"] if v["met"] else COLORS["violation"])
        else:
            ax.annotate(f"undecided: {v}", (i, 1.0), ha="center", va="bottom", fontsize=6, rotation=90,
                        color=COLORS["neutral"])
    ax.scatter([], [], s=10, color=COLORS["canonical"], label="depth 2, each initialization (bar: median)")
    ax.scatter([], [], s=10, color=COLORS["induced"], label="depth 3, each initialization (bar: median)")
    ax.scatter([], [], s=14, marker="x", color=COLORS["neutral"], label="run that did not reach 1e-4·L₀ (left out)")
    ax.set_xticks(range(len(out["problems"])), [f"{p['rank']}" for p in out["problems"]])
    ax.set_xlabel("problem (its target's rank)")
    ax.set_ylabel("effective rank exp H(σ/Σσ)")
    c = out["count"]
    ax.set_title(f"this example: depth 3 ends lower on {c.met} of its {c.decided} decided problems (✓)", fontsize=9)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), frameon=False)
    ax2 = fig.add_subplot(1, 2, 2)
    i = next((k for k, v in enumerate(out["verdicts"]) if isinstance(v, dict) and not v["met"]), 0)
    for N, color in ((2, COLORS["canonical"]), (3, COLORS["induced"])):
        for j in range(_INITS):
            s = np.linalg.svd(runs[N]["E"][i, j], compute_uv=False)
            ax2.semilogy(np.arange(1, len(s) + 1), np.maximum(s, 1e-18), "o-", color=color, alpha=0.5, ms=3,
                         label=f"depth {N}" if j == 0 else None)
    s = np.linalg.svd(out["problems"][i]["M"], compute_uv=False)
    ax2.semilogy(np.arange(1, len(s) + 1), np.maximum(s, 1e-18), "x--", color=COLORS["reference"], label="M")
    ax2.set_xlabel("index i")
    ax2.set_ylabel("singular value σᵢ")
    ax2.set_title(f"spectra of the completions of problem {i}", fontsize=9)
    ax2.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, frameon=False)
    run = ""
    if result is not None and result.rate is not None:  # the numbers the verdict was decided from
        r = result.rate
        run = (f"\nthe run: {r['met']} of {r['decided']} decided problems over its {result.examples} "
               f"example{'s' if result.examples != 1 else ''}")
    fig.suptitle(f"C36: matrix completion from small initializations, effective rank against depth (seed "
                 f"{ex['seed']}){run}", fontsize=10)


_C36_RULE = RateRule("the median effective rank over the initializations is lower at depth 3 than at depth 2, "
                     "beyond the drift", trial="decided problem", claimed=CLAIMED, distribution=C36_DISTRIBUTION)


@claim("C36", kind="open", section=FURTHER_READING,
       expected="survived",
       expected_because="under the design p₁ = 0.9 (at least 34 of 41 problems): depth 3 ended lower in 41 of 41 "
                         "problems in the ci run and in every fresh-seed run so far, a rate far above p₁.",
       statement="Arora, Cohen, Hu & Luo 2019: deeper factorizations find lower-rank completions — fitting a few "
                 "observed entries of a low-rank matrix by gradient descent from a small initialization, a depth-3 "
                 "factorization W₃W₂W₁ ends at a matrix of lower effective rank than a depth-2 one W₂W₁ — in nearly "
                 "every problem: in at least 90 % of random problems.",
       strategy=st.fixed_dictionaries({"seed": st.integers(0, 2**63 - 1)}),
       plot=plot_depth_rank, rate=_C36_RULE,
       # one run: its problems × 5 initializations × 2 depths, two batched descents a depth
       definitions="Problems: M 6×6 of rank 1 or 2 (product of Gaussian factors, spectral norm 1), 14 of its 36 "
                   "entries observed; loss ½Σ_observed (E_ij − M_ij)²; the problems i.i.d. from the run's seed. "
                   "Factorizations of widths 6, every entry of every W_j drawn σ·N(0, 1) with the problem's σ, "
                   "log-uniform in [5e-3, 2e-2], for both depths, 5 initializations per problem and depth (σ = 1e-3 would leave depth 3 on its "
                   "plateau at the origin for about 10⁴ steps at η = 0.5). Descent at η = 0.5 to loss 1e-3·L₀ "
                   "(within 6 000 steps), then on to the end point at 1e-4·L₀ (4 000 more); a run that does not reach "
                   "it is left out, and a problem with fewer than 3 of 5 runs left at either depth is undecided. 'Effective "
                   "rank': exp of the entropy of σᵢ/Σσⱼ (Roy & Vetterli 2007). Per problem, 'depth 3 ends lower': "
                   "median erank₃ + d₃ < median erank₂ − d₂, medians over the initializations, d the largest change "
                   "of the effective rank between loss 1e-3 and 1e-4 of the start (in the final linear phase the "
                   "distance to the limit shrinks like √loss, so what remains after 1e-4 is about half of d); "
                   "'not lower': median erank₃ − d₃ ≥ median erank₂ + d₂; a problem whose medians are closer than "
                   "their drifts is undecided, the stopping error cannot tell them apart. The end point is 1e-4 and "
                   "not 1e-10 of L₀ because depth 3's last decades take 10⁴ steps and more on some problems, while "
                   "the gaps between the depths are mostly 0.1–1.6 and the drifts far smaller.")
def depth_lowers_effective_rank(ex):
    out = completion_panel(ex)
    for i, (p, v) in enumerate(zip(out["problems"], out["verdicts"])):
        ended = {N: int(out["runs"][N]["ended"][i].sum()) for N in (2, 3)}
        if not isinstance(v, dict):
            note(f"problem {i} (rank {p['rank']}, seed {p['seed']}): undecided ({v}), runs ended {ended}")
        else:
            note(f"problem {i} (rank {p['rank']}, seed {p['seed']}): median erank₂ {v['median'][2]:.4f} "
                 f"(drift {v['drift'][2]:.2g}), erank₃ {v['median'][3]:.4f} (drift {v['drift'][3]:.2g}), runs ended "
                 f"{ended}: {'lower' if v['met'] else 'not lower'}")
    return out["count"]
