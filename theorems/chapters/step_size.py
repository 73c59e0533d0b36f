"""Section "Take-Aways From the Linear Example", C15: the step size against the target's norm.

On a squared loss with one example (x, y), a step size that is safe for the canonical
parameterization whatever the target diverges on (U, v) once the target is large, and is fixed
by making it smaller. Decided by running descent (:mod:`overparam.descent`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from hypothesis import event, note, target
from hypothesis import strategies as st

from overparam.descent import Loss, canonical_descent, gradient_descent, squared_loss
from overparam.parameterizations import TwoLayerLinear
from overparam.parameterizations.numerics import roundoff
from overparam.parameterizations.strategies import inputs, positive_scales

from ..core import ClaimFailed, expect
from ..experiments import PHASES, REL_TOL, memo
from ..registry import claim
from ..sections import TAKEAWAYS
from ..style import COLORS

__all__ = ["step_size_against_target_norm"]


def _one_example_loss(x, y) -> Loss:
    """ℓ(θ) = ½(θᵀx − y)² on the single example (x, y)."""
    return squared_loss(np.asarray(x, float)[None, :], np.array([float(y)]))


#: "diverges": the engine reports "diverged" (loss above 1e12·max(L₀, 1), or not finite) within this budget
_DIVERGE_STEPS = 2000
#: the sequence of targets y·2^j goes on until η|y|‖x‖ reaches this, and has at least _TAIL + 1 entries; the last
#: _TAIL of them start at 8: at η|y|‖x‖ = 2 (no stable minimum) descent on (U, v) can stay bounded for the whole
#: budget without converging or diverging (k = d = 1, x = 0.5, η‖x‖²/2 = 0.0625, σ = 1 does)
_TOP = 64.0
#: the last _TAIL targets of the sequence must all diverge ("once large enough")
_TAIL = 4
#: halvings of η tried for the "small enough" part, and how many further halvings must converge too
_HALVINGS = 30
_CONFIRM = 2


def _c15_start(ex):
    m = ex["param"]
    return ex["sigma"] * np.random.default_rng(ex["seed"]).standard_normal(m.n_params)


def _canonical_budget(c: float) -> int:
    """Steps after which canonical descent must have converged.

    With one example the residual r = θᵀx − y obeys r ← (1 − η‖x‖²)r = (1 − 2c)r exactly, so the
    loss falls by (1 − 2c)² a step: ⌈log(1e-10)/(2 log|1 − 2c|)⌉ steps suffice; twice that plus
    10 absorbs the rounding of the iterates.
    """
    f = abs(1.0 - 2.0 * c)
    if f == 0.0:
        return 12
    return 2 * int(np.ceil(np.log(REL_TOL) / (2.0 * np.log(f)))) + 10


def _parametric_budget(rho: float, kappa: float) -> int:
    """Steps allowed to parametric descent for convergence at ρ = η|y|‖x‖ ≤ 1.

    Near the origin the unstable direction grows by 1 + η‖∇ℓ(0)‖ = 1 + ρ a step, so leaving a
    start of relative size κ = ‖W₀‖²‖x‖/|y| takes about |log κ|/ρ steps; near a minimum the residual
    contracts by at least 1 − ηs with s = ‖∇_W f‖² ≥ 2|y|‖x‖, so 10 decades of loss take about
    12/ρ steps. The budget is eight times their sum, plus 200.
    """
    return int(np.ceil(8.0 * (12.0 + abs(np.log(kappa))) / rho)) + 200


def _tolerance(L0: float, x, theta_scale: float, y: float) -> float:
    """1e-10·L₀, but never below the round-off floor of the residual θᵀx − y (squared, with margin 4)."""
    floor = roundoff(float(np.linalg.norm(x)) * theta_scale + abs(y), len(x))
    return max(REL_TOL * L0, 8.0 * floor * floor)


def _parametric_run(m, W0, x, y, lr, steps, **kw):
    loss = _one_example_loss(x, y)
    L0 = loss.value(m.psi(W0))
    tol = _tolerance(L0, x, float(np.linalg.norm(m.psi(np.abs(W0)))) + abs(y) / float(np.linalg.norm(x)), y)
    return gradient_descent(m, W0, loss, lr=lr, steps=steps, tol=tol, **kw)


def _c15_experiment(ex):
    """Everything C15 decides: canonical runs, the sequence of targets, the halvings of η."""
    m, x, eta, y = ex["param"], np.asarray(ex["x"], float), float(ex["lr"]), float(ex["y"])
    nx = float(np.linalg.norm(x))
    W0 = _c15_start(ex)
    theta0 = m.psi(W0)
    targets = [y]
    while len(targets) <= _TAIL or eta * abs(targets[-1]) * nx < _TOP:
        targets.append(2.0 * targets[-1])
    targets = np.array(targets)
    canonical = []
    for t in targets:
        loss = _one_example_loss(x, t)
        L0 = loss.value(theta0)
        tol = _tolerance(L0, x, float(np.linalg.norm(theta0)) + abs(t) / nx, t)
        canonical.append(canonical_descent(theta0, loss, lr=eta, steps=_canonical_budget(ex["c"]), tol=tol))
    parametric = [_parametric_run(m, W0, x, t, eta, _DIVERGE_STEPS, loss_every=1) for t in targets]
    diverged = np.array([r.status == "diverged" for r in parametric])
    # the threshold: the smallest target from which on every target of the sequence diverged
    j_star = len(targets)
    while j_star > 0 and diverged[j_star - 1]:
        j_star -= 1
    halvings = []
    if j_star < len(targets):
        t = targets[j_star]
        first = None
        for i in range(1, _HALVINGS + _CONFIRM + 1):
            if first is None and i > _HALVINGS:
                break
            lr = eta / 2.0 ** i
            rho = lr * abs(t) * nx
            kappa = max(float(np.sum(W0 * W0)) * nx / abs(t), 1e-300)
            budget = _parametric_budget(min(rho, 1.0), kappa)
            r = _parametric_run(m, W0, x, t, lr, budget, loss_every=1)
            halvings.append((i, lr, r))
            if first is None and r.converged:
                first = i
            if first is not None and i >= first + _CONFIRM:
                break
    return dict(W0=W0, targets=targets, canonical=canonical, parametric=parametric, diverged=diverged,
                j_star=j_star, halvings=halvings, nx=nx)


def _c15_sweep(ex):
    """For the picture: every target ±2^j/(η‖x‖), j = −4…8, with the example's η and start."""
    m, x, eta = ex["param"], np.asarray(ex["x"], float), float(ex["lr"])
    nx = float(np.linalg.norm(x))
    W0 = _c15_start(ex)
    theta0 = m.psi(W0)
    rhos = 2.0 ** np.arange(-4.0, 9.0)
    par, can = [], []
    for rho in rhos:
        t = np.sign(ex["y"]) * rho / (eta * nx)
        par.append(_parametric_run(m, W0, x, t, eta, _DIVERGE_STEPS, loss_every=_DIVERGE_STEPS).status)
        loss = _one_example_loss(x, t)
        tol = _tolerance(loss.value(theta0), x, float(np.linalg.norm(theta0)) + abs(t) / nx, t)
        can.append(canonical_descent(theta0, loss, lr=eta, steps=_canonical_budget(ex["c"]), tol=tol,
                                     loss_every=_DIVERGE_STEPS).converged)
    return {"rhos": rhos, "parametric": par, "canonical": can}


@lru_cache(maxsize=None)
def _c15_at(k: int, d: int) -> st.SearchStrategy:
    m = TwoLayerLinear(k, d)

    def build(x, c, seed, sigma, sign, log2_rho):
        nx2 = float(x @ x)
        eta = 2.0 * c / nx2
        y = sign * 2.0 ** log2_rho / (eta * np.sqrt(nx2))
        return {"param": m, "x": x, "c": c, "lr": eta, "seed": seed, "sigma": sigma, "y": y}

    return st.builds(build, inputs(d), st.floats(0.05, 0.95), st.integers(0, 2**32 - 1),
                     positive_scales(0.1, 1.0), st.sampled_from([1.0, -1.0]), st.floats(-4.0, 6.0))


def _c15_examples():
    return st.tuples(st.integers(1, 3), st.integers(1, 3)).flatmap(lambda t: _c15_at(*t))


def plot_step_size(ex, fig):
    out = memo(_c15_experiment, ex)
    eta, nx = float(ex["lr"]), out["nx"]
    fig.set_size_inches(11, 4.8)  # two panels with long axis labels: room for both
    ax = fig.add_subplot(1, 2, 1)
    j = min(out["j_star"], len(out["targets"]) - 1)
    t = out["targets"][j]
    can, par = out["canonical"][j], out["parametric"][j]
    ax.semilogy(can.loss_steps, np.maximum(can.losses, 1e-300), color=COLORS["canonical"],
                label=f"canonical, η = {eta:.3g}: {can.status}")
    ax.semilogy(par.loss_steps, np.maximum(par.losses, 1e-300), color=COLORS["violation"],
                label=f"(U, v), η = {eta:.3g}: {par.status}")
    conv = [(i, lr, r) for i, lr, r in out["halvings"] if r.converged]
    if conv:
        i, lr, r = conv[0]
        ax.semilogy(r.loss_steps, np.maximum(r.losses, 1e-300), color=COLORS["induced"],
                    label=f"(U, v), η/2^{i} = {lr:.3g}: {r.status}")
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlim(left=0)  # steps count from 0: no negative tick on the symlog axis
    ax.set_xlabel("step")
    ax.set_ylabel("loss ½(f(x) − y)²")
    ax.set_title(f"target y = {t:.3g} (η|y|‖x‖ = {eta * abs(t) * nx:.3g})", fontsize=9)
    ax.legend(fontsize=7)
    ax2 = fig.add_subplot(1, 2, 2)
    sweep = memo(_c15_sweep, ex)
    rhos = sweep["rhos"]
    colors = {"converged": COLORS["induced"], "budget": COLORS["neutral"], "diverged": COLORS["violation"]}
    for s_ in ("converged", "budget", "diverged"):
        sel = [i for i, z in enumerate(sweep["parametric"]) if z == s_]
        if sel:
            ax2.scatter(rhos[sel], np.ones(len(sel)), color=colors[s_], s=40,
                        label=f"(U, v): {s_}" + (" (bounded, no limit)" if s_ == "budget" else ""))
    ok = sweep["canonical"]
    ax2.scatter(rhos, np.zeros(len(rhos)), color=[COLORS["canonical"] if o else COLORS["violation"] for o in ok],
                s=40, marker="s", label="canonical: converged" if all(ok) else "canonical")
    ax2.axvline(1.0, color=COLORS["reference"], ls="--", label="η|y|‖x‖ = 1: no stable minimum beyond")
    ax2.set_xscale("log", base=2)
    ax2.set_yticks([0, 1])
    ax2.set_yticklabels(["canonical", "(U, v)"])
    ax2.set_ylim(-0.8, 2.4)
    ax2.set_xlabel("η|y|‖x‖\n(same η and start, targets ±2^j/(η‖x‖))")
    ax2.set_title("outcome per target norm", fontsize=9)
    ax2.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    fig.suptitle(f"C15: one step size, targets of growing norm ({ex['param'].label}, η‖x‖²/2 = {ex['c']:.2f})")


@claim("C15", kind="open", section=TAKEAWAYS,
       expected="survived",
       expected_because="survived in every run so far (ci, and 200 fresh-seed runs under quick): a fixed canonical step "
                         "converges at every target, the same parametric step diverges from a threshold target on and "
                         "converges again after halvings; a sign flipped in the two-layer gradient turns it refuted "
                         "(tests/test_verdicts.py).",
       statement="The step size against the target's norm, on a squared loss with one example (x, y): canonical "
                 "gradient descent with a fixed η < 2/‖x‖² converges whatever the target; gradient descent on "
                 "(U, v) from the same function with the same η diverges once the target's norm is large enough, "
                 "and converges for that target when η is made small enough.",
       strategy=_c15_examples(), plot=plot_step_size,
       # each example is some twenty descent runs (most of a few steps); 15 examples keep the claim near 1 s
       settings={"max_examples": 15, "phases": PHASES},
       definitions="η = 2c/‖x‖² with c ∈ [0.05, 0.95]; (U, v) starts at W₀ = σ·N(0, I), σ ∈ [0.1, 1], and canonical "
                   "descent at θ₀ = ψ(W₀). 'Converges': the loss falls to 1e-10 of its initial value (never below "
                   "the round-off floor of the residual) within the budget — canonical: twice the exact count "
                   "⌈log 1e-10 / (2 log|1 − 2c|)⌉ plus 10; parametric at ρ = η|y|‖x‖ ≤ 1: 8(12 + |log κ|)/ρ + 200 "
                   "steps, κ = ‖W₀‖²‖x‖/|y|. 'Diverges': the engine's status 'diverged' (loss above "
                   "1e12·max(L₀, 1) or not finite) within 2000 steps. 'Large enough': along y·2^j from the drawn "
                   "target until η|y|‖x‖ ≥ 64 (at least five targets), the last four all diverge (from 8 up: at "
                   "η|y|‖x‖ = 2 a run can stay bounded for the whole budget, neither converging nor diverging); the threshold "
                   "target is the smallest from which every later one diverges (every minimum has sharpness "
                   "‖∇_W f‖² ≥ 2|y|‖x‖, so none is stable once η|y|‖x‖ > 1). 'Small enough': halving η at the "
                   "threshold target, the first η that converges and the next two halvings all converge "
                   "(at most 30 halvings).")
def step_size_against_target_norm(ex):
    out = memo(_c15_experiment, ex)
    eta, nx, targets = float(ex["lr"]), out["nx"], out["targets"]
    target(float(np.log(abs(ex["y"]) / nx)), label="log ‖θ*‖ of the drawn target")
    for t, r in zip(targets, out["canonical"]):
        if not r.converged:
            raise ClaimFailed(f"canonical descent at y={t:.3g} ended '{r.status}' after {r.steps} steps with loss "
                              f"{r.loss:.3g}, but should converge (η‖x‖² = {2 * ex['c']:.3g} < 2)")
    status = [r.status for r in out["parametric"]]
    rhos = eta * np.abs(targets) * nx
    note("parametric outcomes along η|y|‖x‖: " + ", ".join(f"{r:.3g}:{s}" for r, s in zip(rhos, status)))
    tail = out["diverged"][-_TAIL:]
    expect(int(np.sum(tail)), "==", _TAIL, f"diverged runs among the last {_TAIL} targets (η|y|‖x‖ up to "
                                            f"{rhos[-1]:.3g})")
    j = out["j_star"]
    rho_star = rhos[j]
    event(f"divergence from η|y|‖x‖ ≈ {2.0 ** np.round(np.log2(rho_star)):g}")
    note(f"threshold target y={targets[j]:.3g}, η|y|‖x‖={rho_star:.3g}")
    conv = [(i, lr, r) for i, lr, r in out["halvings"] if r.converged]
    note("halvings: " + ", ".join(f"η/2^{i}:{r.status}({r.steps})" for i, lr, r in out["halvings"]))
    if not conv:
        raise ClaimFailed(f"no halving of η up to η/2^{_HALVINGS} converged at the threshold target y={targets[j]:.3g}")
    first = conv[0][0]
    tried = {i: r for i, lr, r in out["halvings"]}
    for i in range(first, first + _CONFIRM + 1):
        r = tried[i]
        if not r.converged:
            raise ClaimFailed(f"descent at η/2^{i} ended '{r.status}' at y={targets[j]:.3g} although η/2^{first} "
                              f"converged, but smaller steps should converge too")
    event(f"converges again from η/2^{first}")
