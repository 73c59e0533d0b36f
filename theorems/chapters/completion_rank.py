"""Section "Further Reading", C36: depth lowers the effective rank of matrix completions (Arora, Cohen, Hu & Luo 2019).

A few observed entries of a low-rank 6×6 matrix, fitted by descent on factorizations of depth 2
and 3 from a small initialization; the effective rank (Roy & Vetterli 2007) of the end points is
compared beyond the drift that stopping early leaves.
"""

from __future__ import annotations

import numpy as np
from hypothesis import event, note, target
from hypothesis import strategies as st

from descent import squared_loss, gradient_descent
from parameterizations.strategies import positive_scales

from ..core import expect
from ..experiments import PHASES_NO_SHRINK, memo
from ..registry import claim
from ..sections import FURTHER_READING
from ..style import COLORS

__all__ = ["depth_lowers_effective_rank", "effective_rank"]


_MC_SIZE = 6
_MC_OBSERVED = 14  # ≈ 40% of the 36 entries
_MC_LR = 0.5
_MC_STEPS = 15_000
#: the loss levels, relative to the start, at which the end point and the drift reference are taken
_MC_TOL, _MC_EARLIER = 1e-10, 1e-8


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


def _completion_run(N: int, ex):
    """Descent on ½Σ_observed (E_ij − M_ij)², E = W_N⋯W_1 (6×6, widths 6), W_j entries σ·N(0, 1).

    η = 0.5, halved while the run diverges. Two stages: to loss 1e-8·L₀, then on to 1e-10·L₀ — the
    drift of the effective rank between them bounds what is left to come.
    """
    from parameterizations import Identity, MatrixFactorization

    m = _MC_SIZE
    idx = ex["observed"]
    X = np.eye(m * m)[idx]
    loss = squared_loss(X, ex["M"].ravel()[idx])
    rng = np.random.default_rng([ex["seed"], N])
    if N == 1:
        param = Identity(m * m)
        w0 = ex["sigma"] * rng.standard_normal(m * m)
    else:
        param = MatrixFactorization(m, m, N, width=m)
        w0 = ex["sigma"] * rng.standard_normal(param.n_params)
    L0 = loss.value(param.psi(w0))
    lr = _MC_LR
    for _ in range(6):
        first = gradient_descent(param, w0, loss, lr=lr, steps=_MC_STEPS, tol=_MC_EARLIER * L0, loss_every=10)
        if not first.diverged:
            break
        lr /= 2
    second = gradient_descent(param, first.w, loss, lr=lr, steps=_MC_STEPS, tol=_MC_TOL * L0, loss_every=10)
    from descent import curvature

    E_a, E_b = first.theta.reshape(m, m), second.theta.reshape(m, m)
    return {"N": N, "lr": lr, "first": first, "second": second, "E": E_b, "erank": effective_rank(E_b),
            "drift": abs(effective_rank(E_b) - effective_rank(E_a)),
            "settled": first.converged and second.converged,
            "sharpness": curvature(param, second.w, loss, iters=30)}


def _c36_experiment(ex):
    return {N: _completion_run(N, ex) for N in (2, 3)}


def _c36_picture(ex):
    out = dict(memo(_c36_experiment, ex))
    out[1] = _completion_run(1, ex)
    return out


def plot_depth_rank(ex, fig):
    out = memo(_c36_picture, ex)
    ax = fig.add_subplot(1, 2, 1)
    Ns = sorted(out)
    er = [out[N]["erank"] for N in Ns]
    ax.errorbar(Ns, er, yerr=[out[N]["drift"] for N in Ns], fmt="o-", color=COLORS["induced"], capsize=4,
                label="effective rank of the completion (bar: last drift)")
    ax.axhline(effective_rank(ex["M"]), color=COLORS["reference"], ls="--",
               label=f"effective rank of M (rank {ex['rank']})")
    ax.set_xticks(Ns)
    ax.set_xlabel("depth N of the factorization (N = 1: descent on E itself)")
    ax.set_ylabel("effective rank exp H(σ/Σσ)")
    ax.set_title(f"σ = {ex['sigma']:.3g}, {_MC_OBSERVED} of 36 entries observed", fontsize=9)
    ax.legend(fontsize=7)
    ax2 = fig.add_subplot(1, 2, 2)
    colors = {1: COLORS["neutral"], 2: COLORS["canonical"], 3: COLORS["induced"]}
    for N in Ns:
        s = np.linalg.svd(out[N]["E"], compute_uv=False)
        ax2.semilogy(np.arange(1, len(s) + 1), np.maximum(s, 1e-18), "o-", color=colors[N], label=f"depth {N}")
    s = np.linalg.svd(ex["M"], compute_uv=False)
    ax2.semilogy(np.arange(1, len(s) + 1), np.maximum(s, 1e-18), "x--", color=COLORS["reference"], label="M")
    ax2.set_xlabel("index i")
    ax2.set_ylabel("singular value σᵢ")
    ax2.set_title("spectra of the completions", fontsize=9)
    ax2.legend(fontsize=7)
    fig.suptitle("C36: matrix completion from a small initialization, effective rank against depth")


@claim("C36", kind="open", section=FURTHER_READING,
       statement="Arora, Cohen, Hu & Luo 2019: deeper factorizations find lower-rank completions — fitting a few "
                 "observed entries of a low-rank matrix by gradient descent from a small initialization, a depth-3 "
                 "factorization W₃W₂W₁ ends at a matrix of lower effective rank than a depth-2 one W₂W₁.",
       strategy=st.builds(lambda rank, seed, sigma: {**_completion_problem(rank, seed), "sigma": sigma},
                          st.integers(1, 2), st.integers(0, 2**32 - 1), positive_scales(0.05, 0.1)),
       plot=plot_depth_rank,
       # each example is two descent runs of a few thousand steps
       settings={"max_examples": 10, "phases": PHASES_NO_SHRINK},
       definitions="M: 6×6 of rank 1 or 2 (product of Gaussian factors, spectral norm 1); 14 of its 36 entries "
                   "observed (seeded); loss ½Σ_observed (E_ij − M_ij)². Factorizations of widths 6, every entry of "
                   "every W_j drawn σ·N(0, 1) with the same σ ∈ [0.05, 0.1] for both depths ('small': the "
                   "end-to-end matrix starts at 3–11% of ‖M‖ at depth 2 and 0.4–3% at depth 3, medians in spectral "
                   "norm; smaller σ makes depth 3 too slow for the time budget). Descent at η = 0.5, halved while it "
                   "diverges (η times the Hessian's spectral radius at the end point is noted; 'edge of stability' "
                   "is an event if it reaches 2). 'Ends at': the loss reaches 1e-10 of its start (within 2×15 000 "
                   "steps; else undecided). 'Effective rank': exp of the entropy of σᵢ/Σσⱼ (Roy & Vetterli 2007). "
                   "'Lower' beyond the stopping error: erank₃ + d₃ < erank₂ − d₂, with d the change of the "
                   "effective rank between loss 1e-8 and 1e-10 of the start (in the final linear phase the "
                   "distance to the limit shrinks like √loss, so what remains after 1e-10 is about a ninth of d).")
def depth_lowers_effective_rank(ex):
    out = memo(_c36_experiment, ex)
    two, three = out[2], out[3]
    for N in (2, 3):
        r = out[N]
        note(f"depth {N}: η={r['lr']:g}, {r['first'].message} + {r['second'].message}; effective rank "
             f"{r['erank']:.4f} (drift {r['drift']:.2g}); η·ρ(∇²L) at the end = {r['lr'] * r['sharpness']:.3g}")
        if r["lr"] * r["sharpness"] >= 2:
            event("edge of stability: η·ρ ≥ 2 at the end point")
    if not (two["settled"] and three["settled"]):
        event("a run did not reach the loss 1e-10·L₀ within its budget (undecided)")
        return
    event(f"rank-{ex['rank']} target")
    target(three["erank"] - two["erank"], label="erank₃ − erank₂")
    expect(three["erank"] + three["drift"], "<", two["erank"] - two["drift"],
           "effective rank at depth 3 (plus its drift, against depth 2's minus its drift)")
