"""Gradient-descent claims, decided by running descent: learning rates, escape, implicit bias, depth.

One module for the claims whose evidence is a descent run, each filed under the section of
the post it belongs to:

* C15 (Take-aways): a step size that is safe for the canonical parameterization whatever the
  target diverges on (U, v) once the target is large, and is fixed by making it smaller;
* C18b (A more general view): descent started next to the saddle (U, v) = (0, 0) leaves it;
* C37 (Further reading): depth slows descent on the scalar chain w₁⋯w_N exponentially (Shamir 2018);
* C38 (Further reading): Woodworth et al.'s Q_α interpolation between the ℓ1 and ℓ2 interpolants.

Every run uses the engines of :mod:`parameterizations.descent` and the reference solvers of
:mod:`theorems.solvers`. Each dynamics claim runs a handful of examples (each one is a full
descent experiment): see the ``settings`` of each entry.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from hypothesis import Phase, event, note, target
from hypothesis import strategies as st

from parameterizations import TwoLayerLinear
from parameterizations.descent import SquaredLoss, canonical_descent, gradient_descent
from parameterizations.numerics import roundoff
from parameterizations.strategies import inputs, positive_scales

from ..catalogue import claim
from ..core import ClaimFailed, expect
from ..style import COLORS
from .further_reading import SECTION as FURTHER_READING
from .general_view import SECTION as GENERAL_VIEW
from .takeaways import SECTION as TAKEAWAYS

__all__ = [
    "step_size_against_target_norm",
    "descent_escapes_the_origin",
    "escape_budget",
    "depth_slows_the_scalar_chain",
    "chain_limit_sharpness",
    "chain_iterations",
    "growth_fit",
    "woodworth_q_alpha",
    "l1_asymptotics",
    "small_alpha",
    "large_alpha",
    "remaining_move",
    "flow_limit_bound",
    "memo",
]


# --- shared helpers ------------------------------------------------------------------------------------

#: Hypothesis phases of every claim here: no "explain" phase, which reruns a failing example with its
#: parts varied about a hundred times — 40 s for one descent experiment, for a sentence the note()s give
_PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink)
#: ... and for the statistical experiments (C36, C37) no shrinking either: their examples are seeds, which
#: have no meaningful "smaller", and a shrink would rerun a 0.3 s experiment a hundred times
_PHASES_NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target)

_MEMO: dict = {}


def _freeze(v):
    if isinstance(v, np.ndarray):
        return ("array", v.shape, v.tobytes())
    if hasattr(v, "spec") and hasattr(v, "family"):
        return ("param", v.family, repr(sorted(v.spec().items())))
    return v


def memo(fn, ex: dict):
    """``fn(ex)``, computed once per example (the plot of an example reuses its claim's runs).

    The key is the function and the example's values (arrays by their bytes, parameterizations
    by family and spec). At most 64 results are kept.
    """
    key = (fn.__name__, tuple(sorted((k, _freeze(v)) for k, v in ex.items())))
    if key not in _MEMO:
        if len(_MEMO) >= 64:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = fn(ex)
    return _MEMO[key]


def _one_example_loss(x, y) -> SquaredLoss:
    """ℓ(θ) = ½(θᵀx − y)² on the single example (x, y)."""
    return SquaredLoss(np.asarray(x, float)[None, :], np.array([float(y)]))


# --- C15: the learning rate against the target's norm ---------------------------------------------------

#: "converges": the loss falls to this fraction of its initial value
_REL_TOL = 1e-10
#: "diverges": the engine reports "diverged" (loss above 1e12·max(L₀, 1), or not finite) within this budget
_DIVERGE_STEPS = 2000
#: the sequence of targets y·2^j goes on until η|y|‖x‖ reaches this, and has at least _TAIL + 1 entries
_TOP = 16.0
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
    return 2 * int(np.ceil(np.log(_REL_TOL) / (2.0 * np.log(f)))) + 10


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
    return max(_REL_TOL * L0, 8.0 * floor * floor)


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
    ax2.set_xlabel("η|y|‖x‖ (same η and start, targets ±2^j/(η‖x‖))")
    ax2.set_title("outcome per target norm", fontsize=9)
    ax2.legend(fontsize=6, loc="upper left")
    fig.suptitle(f"C15: one step size, targets of growing norm ({ex['param'].label}, η‖x‖²/2 = {ex['c']:.2f})")


@claim("C15", kind="open", section=TAKEAWAYS,
       statement="The step size against the target's norm, on a squared loss with one example (x, y): canonical "
                 "gradient descent with a fixed η < 2/‖x‖² converges whatever the target; gradient descent on "
                 "(U, v) from the same function with the same η diverges once the target's norm is large enough, "
                 "and converges for that target when η is made small enough.",
       strategy=_c15_examples(), plot=plot_step_size,
       # each example is some twenty descent runs (most of a few steps); 15 examples keep the claim near 1 s
       settings={"max_examples": 15, "phases": _PHASES},
       definitions="η = 2c/‖x‖² with c ∈ [0.05, 0.95]; (U, v) starts at W₀ = σ·N(0, I), σ ∈ [0.1, 1], and canonical "
                   "descent at θ₀ = ψ(W₀). 'Converges': the loss falls to 1e-10 of its initial value (never below "
                   "the round-off floor of the residual) within the budget — canonical: twice the exact count "
                   "⌈log 1e-10 / (2 log|1 − 2c|)⌉ plus 10; parametric at ρ = η|y|‖x‖ ≤ 1: 8(12 + |log κ|)/ρ + 200 "
                   "steps, κ = ‖W₀‖²‖x‖/|y|. 'Diverges': the engine's status 'diverged' (loss above "
                   "1e12·max(L₀, 1) or not finite) within 2000 steps. 'Large enough': along y·2^j from the drawn "
                   "target until η|y|‖x‖ ≥ 16 (at least five targets), the last four all diverge; the threshold "
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


# --- C18b: descent leaves the saddle at the origin ------------------------------------------------------

#: η‖g‖: the step size in units of the saddle's curvature ‖g‖ = ‖∇ℓ(0)‖
_ESCAPE_LR = 0.125


def _smoothness(loss) -> float:
    """L with ‖∇²ℓ‖ ≤ L everywhere: ‖X‖₂² (squared), ‖X‖₂²/4 (logistic)."""
    s = float(np.linalg.norm(loss.X, 2)) ** 2
    return s if loss.kind == "squared" else s / 4.0


def _unstable_fraction(m, u, g) -> float:
    """‖P u‖ for unit u, P the projection on the eigenspace of λ = −‖g‖ of the Hessian at (0, 0).

    That eigenspace is {(a ĝᵀ, −a)/√2 : a ∈ R^k} (the form 2 dvᵀdU g), so ‖P u‖ = ‖U_u ĝ − v_u‖/√2.
    """
    U, v = m.unpack(u)
    gh = g / np.linalg.norm(g)
    return float(np.linalg.norm(U @ gh - v)) / np.sqrt(2.0)


def escape_budget(eps: float, p_u: float) -> int:
    """Steps within which descent from ε·R·u must leave the saddle (η‖g‖ = 1/8, R = √(‖g‖/L)).

    The component of w along the unstable eigenspace grows by (1 + η‖g‖) a step from ε·R·p_u; at
    size ~R the loss has dropped by a fixed fraction of ‖g‖²/L. So log(1/(ε p_u))/log(1 + η‖g‖) steps
    for the linear phase, doubled, plus 64/(η‖g‖) for the non-linear one.
    """
    linear = np.log(1.0 / (eps * p_u)) / np.log1p(_ESCAPE_LR)
    return int(np.ceil(2.0 * max(linear, 0.0) + 64.0 / _ESCAPE_LR))


def _c18b_run(ex):
    from ..losses import Loss

    m = ex["param"]
    loss = Loss(ex["kind"], ex["X"], ex["y"])
    g = loss.grad(np.zeros(m.d))
    ng = float(np.linalg.norm(g))
    L = _smoothness(loss)
    out = {"loss": loss, "g": g, "ng": ng, "L": L, "l0": loss.value(np.zeros(m.d))}
    if ng == 0 or L == 0:
        return out
    margin = ng * ng / (4.0 * L)
    R = np.sqrt(ng / L)
    u = np.random.default_rng(ex["seed"]).standard_normal(m.n_params)
    u /= np.linalg.norm(u)
    p_u = _unstable_fraction(m, u, g)
    w0 = ex["eps"] * R * u
    eta = _ESCAPE_LR / ng
    steps = escape_budget(ex["eps"], p_u)
    wrapped = _WrappedLoss(loss, m.d)
    run = gradient_descent(m, w0, wrapped, lr=eta, steps=steps, tol=out["l0"] - margin, record_every=1)
    out.update(margin=margin, R=R, p_u=p_u, w0=w0, eta=eta, steps=steps, run=run)
    return out


class _WrappedLoss:
    """A :class:`theorems.losses.Loss` with the interface of the descent engines."""

    def __init__(self, loss, q):
        self.loss, self.n_canonical = loss, q

    def value(self, theta):
        return self.loss.value(theta)

    def grad(self, theta):
        return self.loss.grad(theta)

    def value_and_grad(self, theta):
        return self.loss.value(theta), self.loss.grad(theta)


@lru_cache(maxsize=None)
def _c18b_at(k: int, d: int) -> st.SearchStrategy:
    from ..losses import losses

    m = TwoLayerLinear(k, d)
    return st.builds(lambda L, seed, eps: {"param": m, "kind": L.kind, "X": L.X, "y": L.y, "seed": seed, "eps": eps},
                     losses(d), st.integers(0, 2**32 - 1), positive_scales(1e-8, 1e-2))


def _c18b_examples():
    return st.tuples(st.integers(1, 3), st.integers(1, 3)).flatmap(lambda t: _c18b_at(*t))


def plot_escape(ex, fig):
    out = memo(_c18b_run, ex)
    m = ex["param"]
    ax = fig.add_subplot(1, 2, 1)
    if "run" not in out:
        ax.text(0.5, 0.5, "∇ℓ(0) = 0: the origin is not a strict saddle here", ha="center", transform=ax.transAxes)
        return
    r = out["run"]
    ax.plot(r.loss_steps, r.losses, color=COLORS["induced"], label="L(w_t) = ℓ(U_tᵀv_t)")
    ax.axhline(out["l0"], color=COLORS["neutral"], lw=1, label="ℓ(0), the saddle's value")
    ax.axhline(out["l0"] - out["margin"], color=COLORS["reference"], ls="--", label="ℓ(0) − ‖g‖²/(4L)")
    ax.set_xlabel(f"step t (budget {out['steps']})")
    ax.set_ylabel("loss")
    ax.set_title(f"{m.label}, {ex['kind']} loss: below the margin after {r.steps} steps", fontsize=9)
    ax.legend(fontsize=7)
    ax2 = fig.add_subplot(1, 2, 2)
    nth = np.linalg.norm(r.trajectory, axis=1)
    ts = r.trajectory_steps
    ax2.semilogy(ts, np.maximum(nth, 1e-300), color=COLORS["theta"], label="‖θ_t‖ = ‖U_tᵀv_t‖")
    pred = out["p_u"] ** 2 * (ex["eps"] * out["R"]) ** 2 / 2.0 * (1 + _ESCAPE_LR) ** (2 * ts)
    ax2.semilogy(ts, pred, ls="--", color=COLORS["reference"],
                 label="linearised: ½(ε R ‖Pu‖)²(1 + η‖g‖)^(2t)")
    ax2.axhline(out["ng"] / out["L"], color=COLORS["neutral"], ls=":", label="‖g‖/L (scale of the drop)")
    ax2.set_ylim(max(float(np.min(nth[nth > 0])) / 10 if np.any(nth > 0) else 1e-300, 1e-300),
                 max(float(np.max(nth)), out["ng"] / out["L"]) * 10)
    ax2.set_xlabel("step t")
    ax2.set_ylabel("‖θ‖")
    ax2.set_title("growth along the unstable eigenspace", fontsize=9)
    ax2.legend(fontsize=7)
    fig.suptitle("C18b: descent started next to (U, v) = (0, 0) leaves the saddle")


@claim("C18b", kind="holds", section=GENERAL_VIEW,
       statement="Gradient descent started near the saddle (U, v) = (0, 0) of the two-layer loss, at a small random "
                 "perturbation of it, leaves it whenever g = ∇_θℓ(0) ≠ 0: within a step budget that grows like "
                 "log(1/size of the perturbation), the loss falls below ℓ(0) by ‖g‖²/(4L) (L the smoothness of ℓ).",
       strategy=_c18b_examples(), plot=plot_escape,
       # one descent run of a few hundred steps per example
       settings={"max_examples": 30, "phases": _PHASES},
       definitions="Losses: squared or logistic on 1–3 examples (theorems.losses); L = ‖X‖₂² (squared) or ‖X‖₂²/4 "
                   "(logistic) bounds ∇²ℓ, so inf ℓ ≤ ℓ(0) − ‖g‖²/(2L) and the margin ‖g‖²/(4L) is half of a drop "
                   "that is always available. Start: w₀ = ε·R·u, u a random unit vector (seeded), R = √(‖g‖/L), "
                   "ε ∈ [1e-8, 1e-2]. Step η = 1/(8‖g‖) (the Hessian at 0 has eigenvalues ±‖g‖ and 0). 'Leaves "
                   "within the budget': the loss reaches ℓ(0) − ‖g‖²/(4L) within 2·log(1/(ε‖Pu‖))/log(1 + η‖g‖) "
                   "+ 64/(η‖g‖) steps, P the projection on the eigenspace of −‖g‖ (the linear growth of that "
                   "component, doubled, plus the non-linear phase). Where the margin is below the round-off of "
                   "ℓ(0) the example is outside what double precision can decide.")
def descent_escapes_the_origin(ex):
    out = memo(_c18b_run, ex)
    if out["ng"] == 0 or out["L"] == 0:
        event("∇ℓ(0) = 0: no saddle to leave (outside the premise)")
        return
    loss = out["loss"]
    # round-off of ℓ at θ = 0 and along the run: terms of size ≤ evaluation_scale at the scale of the drop
    floor = roundoff(loss.evaluation_scale(4.0 * out["ng"] / out["L"]), loss.X.shape[0] + loss.X.shape[1], depth=2)
    if out["margin"] <= floor:
        event("margin below the round-off of ℓ(0): undecidable in double precision")
        return
    r = out["run"]
    event(f"{ex['kind']} loss")
    note(f"‖g‖={out['ng']:.3g}, L={out['L']:.3g}, margin={out['margin']:.3g}, ε={ex['eps']:.3g}, "
         f"‖Pu‖={out['p_u']:.3g}, "
         f"budget={out['steps']}, {r.message}")
    if r.status == "diverged":
        raise ClaimFailed(f"descent from the perturbed origin diverged at step {r.diverged_at} "
                          f"(η‖g‖ = {_ESCAPE_LR}), but should leave the saddle")
    expect(r.loss, "<=", out["l0"] - out["margin"],
           f"loss after {r.steps} of {out['steps']} steps (ℓ(0) = {out['l0']:.6g})")


# --- C37: depth and the iterations of the scalar chain θ = w₁⋯w_N (Shamir 2018) -------------------------

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


def chain_iterations(N: int, W0, y: float, lr, tol: float, budget: int = _BUDGET, chunk: int = _CHUNK,
                     need: int | None = None) -> np.ndarray:
    """Iterations of descent on ½(w₁⋯w_N − y)² from each row of W0 until the loss is ≤ tol (inf: not within the budget).

    The rows run together (:func:`batched_descent` on ``DeepLinear(1, N)``), in chunks; the run stops as
    soon as ``need`` rows have converged (default: all), which is enough to know their median.
    Continuing a chunk from its last iterate is the same descent (it has no memory); the divergence
    bound is the one of the first chunk, 1e12·max(½y², 1).
    """
    from parameterizations import DeepLinear
    from parameterizations.descent import batched_descent

    W = np.array(W0, dtype=float)
    S = len(W)
    lr = np.broadcast_to(np.asarray(lr, float), (S,)).copy()
    need = S if need is None else need
    m = DeepLinear(d=1, N=int(N), width=1)
    loss = SquaredLoss(np.ones((1, 1)), np.array([float(y)]))
    its = np.full(S, np.inf)
    active = np.arange(S)
    done = 0
    max_loss = 1e12 * max(0.5 * y * y, 1.0)
    while done < budget and np.sum(np.isfinite(its)) < need and len(active):
        n = min(chunk, budget - done)
        r = batched_descent(m, W[active], loss, lr=lr[active], steps=n, tol=tol, loss_every=n, max_loss=max_loss)
        conv = r.status == "converged"
        its[active[conv]] = done + r.steps[conv]
        W[active] = r.W
        active = active[r.status == "budget"]
        done += n
    return its


def growth_fit(depths, iterations) -> dict:
    """Least-squares fits of log(iterations) against N (exponential) and against log N (power law).

    Returns the exponential fit's slope b, its standard error and 95% interval (Student t, n − 2
    degrees of freedom), and the residual sums of squares of both fits.
    """
    N = np.asarray(depths, float)
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


def _c37_experiment(ex):
    rng = np.random.default_rng(ex["seed"])
    y, c = float(ex["y"]), float(ex["c"])
    tol = _REL_TOL * 0.5 * y * y
    medians, censored, samples = [], [], []
    for N in _DEPTHS:
        W0 = _chain_start(rng, ex["init"], (_SEEDS, int(N)))
        lam = np.array([chain_limit_sharpness(w, y) for w in W0])
        its = chain_iterations(int(N), W0, y, c / lam, tol, need=_SEEDS // 2 + 1)
        med = float(np.sort(its)[_SEEDS // 2])
        censored.append(not np.isfinite(med))
        medians.append(min(med, float(_BUDGET)))
        samples.append(its)
    medians = np.array(medians)
    return {"medians": medians, "censored": np.array(censored), "samples": samples,
            "fit": growth_fit(_DEPTHS, medians)}


def plot_depth_iterations(ex, fig):
    out = memo(_c37_experiment, ex)
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
                label=f"exponential fit e^(bN): b = {e['slope']:.3f} [{e['lo']:.3f}, {e['hi']:.3f}], "
                      f"RSS {e['rss']:.2f}")
    ax.semilogy(xs, np.exp(p["intercept"] + p["slope"] * np.log(xs)), ls="--", color=COLORS["other"],
                label=f"power-law fit N^c: c = {p['slope']:.2f}, RSS {p['rss']:.2f}")
    if np.any(out["censored"]):
        ax.axhline(_BUDGET, color=COLORS["violation"], ls=":", label="step budget (censored medians)")
    ax.set_xlabel("depth N")
    ax.set_ylabel("iterations to loss ≤ 1e-10·ℓ(0)")
    ax.set_xticks(_DEPTHS)
    ax.set_title(f"C37: θ = w₁⋯w_N, {ex['init']} init, y = {ex['y']:.3g}, η = {ex['c']:.2f}/sharpness at the limit",
                 fontsize=9)
    ax.legend(fontsize=7, loc="upper left")


@claim("C37", kind="open", section=FURTHER_READING,
       statement="Shamir 2018: depth can slow gradient descent — for the scalar chain θ = w₁w₂⋯w_N fitted to a "
                 "target y by descent on ½(θ − y)², under a standard random initialization (wᵢ i.i.d. of variance "
                 "1), the number of iterations needed to reach a fixed accuracy grows exponentially with N.",
       strategy=st.fixed_dictionaries({
           "init": st.sampled_from(["normal", "uniform"]), "seed": st.integers(0, 2**32 - 1),
           "c": st.floats(0.25, 0.75),
           "y": st.tuples(st.sampled_from([1.0, -1.0]), positive_scales(0.5, 2.0)).map(lambda t: t[0] * t[1])}),
       plot=plot_depth_iterations,
       # each example is 12 × 31 descent runs; 10 examples keep the claim near 3 s
       settings={"max_examples": 10, "phases": _PHASES_NO_SHRINK},
       definitions="Initialization: wᵢ i.i.d. N(0, 1) or uniform on [−√3, √3] (the Xavier/LeCun choices for "
                   "one-unit layers). Step size: each run uses η = c/λ*, c ∈ [0.25, 0.75], λ* the sharpness at the "
                   "end point of gradient flow from its own start (exact: the flow keeps wᵢ² − wⱼ²) — a step "
                   "tuned to the run, so slowness is not an artefact of a step that is too small for shallow "
                   "chains. 'Iterations': steps until the loss is ≤ 1e-10·ℓ(0) = 1e-10·y²/2; per depth "
                   "N = 1…12 the median over 31 seeded starts (a run not converged within 20 000 steps counts as "
                   "more; a median beyond the budget is censored at it, which only flattens the growth). "
                   "'Grows exponentially': the least-squares slope b of log(median) against N has a 95% "
                   "confidence interval (Student t, 10 degrees of freedom) above 0, and the exponential model "
                   "fits at least as well as a power law: RSS(log median ~ N) ≤ RSS(log median ~ log N).")
def depth_slows_the_scalar_chain(ex):
    out = memo(_c37_experiment, ex)
    fit = out["fit"]
    e, p = fit["exp"], fit["pow"]
    note("median iterations by depth: " + ", ".join(f"N={N}:{m:.0f}{'+' if c else ''}"
                                                     for N, m, c in zip(_DEPTHS, out["medians"], out["censored"])))
    note(f"exponential fit: b={e['slope']:.4f} ± {e['se']:.4f}, 95% [{e['lo']:.4f}, {e['hi']:.4f}], "
         f"RSS={e['rss']:.3f}; "
         f"power law: c={p['slope']:.3f}, RSS={p['rss']:.3f}")
    if np.any(out["censored"]):
        event("some medians censored at the step budget")
    event(f"{ex['init']} initialization")
    target(-e["lo"], label="lower end of the slope's interval, negated")
    expect(e["lo"], ">", 0.0, "lower end of the 95% interval of the slope of log(iterations) against N")
    expect(e["rss"], "<=", p["rss"], "RSS of the exponential fit (against the power law's)")


# --- implicit bias of element-wise maps: shared machinery (C29, C29b, C31, C38) -------------------------

#: step sizes of the two runs compared (Richardson): η = c/ρ and η/2, ρ the curvature bound below
_BIAS_C = 0.5
#: step budget of each implicit-bias run, and the most rows of history each keeps (for the pictures)
_BIAS_STEPS = 40_000
_RECORDS = 256


def _bias_problem(n: int, q: int, seed: int, nonneg: bool) -> dict:
    """A random under-determined problem y = Xθ*, θ* supported on n of the q coordinates (theorems.solvers).

    Support size n makes y a generic point of the cone (or span) of n columns, so the linear programs
    below have a non-degenerate vertex solution with probability one.
    """
    from ..solvers import random_problem

    p = random_problem(np.random.default_rng(seed), n, q, n, nonneg=nonneg)
    return {"n": n, "q": q, "seed": seed, "X": p.X, "y": p.y}


@lru_cache(maxsize=None)
def _bias_problems(nonneg: bool) -> st.SearchStrategy:
    return st.builds(lambda n, q, seed: _bias_problem(n, q, seed, nonneg),
                     st.integers(2, 3), st.integers(5, 8), st.integers(0, 2**32 - 1))


def _metric(kind: str, theta, alpha: float) -> np.ndarray:
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
    from parameterizations.descent import curvature

    lam = float(np.linalg.norm(X, 2)) ** 2
    gn = {"squared": 4.0 * float(np.max(np.abs(theta_end))),
          "signed": 4.0 * float(np.max(np.sqrt(4.0 * alpha ** 4 + theta_end ** 2))),
          "inverse": float(np.max(np.abs(theta_end))) ** 4}[kind]
    return max(curvature(param, w0, loss), gn * lam)


def _bias_runs(param, kind, X, y, alpha, theta_end):
    """Descent from the uniform start of scale α at η = c/ρ and at η/2; loss ≤ 1e-10·L₀ or the budget."""
    from parameterizations.descent import uniform_initial

    loss = SquaredLoss(X, y)
    w0 = uniform_initial(param, alpha)
    rho = _curvature_bound(param, kind, X, loss, w0, theta_end, alpha)
    eta = _BIAS_C / rho
    L0 = loss.value(param.psi(w0))
    for _ in range(6):  # a bound that proved too small: halve the step (at most five times)
        runs = [gradient_descent(param, w0, loss, lr=lr, steps=_BIAS_STEPS, tol=_REL_TOL * L0,
                                 record_every=1, max_records=_RECORDS) for lr in (eta, eta / 2)]
        if not any(r.diverged for r in runs):
            break
        eta /= 2
    return runs, eta


def flow_limit_bound(X, y, kind, alpha, coarse, fine, reference=None) -> dict:
    r"""How far the end of the flow may be from the finer of two descent runs, and from a reference.

    The end point θ_η of descent with step η is θ_flow + O(η) (a first-order method), so
    ‖θ_{η/2} − θ_flow‖ ≈ ‖θ_η − θ_{η/2}‖ (Richardson); a run that stopped at a residual r still has
    :func:`remaining_move` to go. The bound is twice their sum (twice: for the second-order terms),
    plus, for a reference computed by a solver, that solver's own remaining move and stationarity error.
    """
    M = _metric(kind, fine, alpha)
    rich = float(np.linalg.norm(coarse - fine))
    stop = remaining_move(X, y, fine, M)
    out = {"richardson": rich, "stop": stop, "bound": 2.0 * (rich + stop)}
    if reference is not None:
        from ..solvers import kkt_residual

        Mr = _metric(kind, reference, alpha)
        grad = _potential_grad(kind, reference, alpha)
        _, stat = kkt_residual(X, y, reference, grad)
        # a stationarity residual ε makes the reference the minimiser of the potential tilted by ε:
        # it moves by at most max(M)·‖ε‖, ‖ε‖ = stat·(‖∇f‖ + 1) as kkt_residual scales it
        out["solver"] = remaining_move(X, y, reference, Mr) + float(np.max(Mr)) * stat * (
            float(np.linalg.norm(grad)) + 1.0)
        out["bound"] += out["solver"]
    return out


def _potential_grad(kind, theta, alpha):
    """∇ of the potential whose constrained minimiser the flow reaches (entropy, Q_α)."""
    theta = np.asarray(theta, float)
    if kind == "squared":
        with np.errstate(divide="ignore"):
            return np.where(theta > 0, np.log(np.where(theta > 0, theta, 1.0) / alpha ** 2), 0.0)
    return np.arcsinh(theta / (2.0 * alpha ** 2))


# --- C38: Woodworth et al. 2020, the Q_α interpolation ---------------------------------------------------

#: "approaches": at the extreme scale of the sweep, distance ≤ 1% of the limit's norm
_LIMIT_NEAR = 0.01
#: the extreme scales are chosen where the asymptotic law predicts a distance of 1e-3 of that norm
_LIMIT_PREDICTED = 1e-3
#: sweeps go three scales beyond that point, a decade apart
_SWEEP = np.array([1.0, 10.0, 100.0])
#: α² below this is beyond what the dual solver of Q_α resolves (cosh overflows near 710)
_MIN_LOG_ALPHA2 = -550.0


def l1_asymptotics(X, y, beta_l1, nonneg: bool = False) -> dict | None:
    r"""The small-α law of argmin Q_α around the minimum-ℓ1 interpolant β₁ (support S, |S| = n).

    With λ the dual certificate (X_Sᵀλ = sign β₁,S) and ν₁ solving X_Sᵀν₁ = sign(β₁,S)·log|β₁,S|, the
    stationarity β = 2α² sinh(Xᵀν) with ν = log(1/α²)λ + ν₁ + o(1) gives, off the support,
    |βᵢ| ≈ exp(−ℓ·sᵢ + sign(aᵢ)·bᵢ), ℓ = log(1/α²), a = Xᵀλ, sᵢ = 1 − |aᵢ| (the slack), b = Xᵀν₁.
    With ``nonneg`` (the entropy of C29 and the non-negative ℓ1 problem) the same holds with
    θᵢ = α² exp((Xᵀν)ᵢ): X_Sᵀλ = 1, X_Sᵀν₁ = log β₁,S and the slack is sᵢ = 1 − aᵢ.
    Returns None when the vertex is degenerate (|S| ≠ n) or the certificate is not strict (some sᵢ ≤ 0).
    """
    from ..solvers import LP_TOL

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
    if -ell - 2.0 * np.log(_SWEEP[-1]) < _MIN_LOG_ALPHA2:
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


def _c38_experiment(ex):
    from parameterizations import SignedSquared

    from ..solvers import min_l1, min_l2, q_alpha_argmin

    X, y, alpha = ex["X"], ex["y"], float(ex["alpha"])
    q = X.shape[1]
    beta = q_alpha_argmin(X, y, alpha)
    runs, eta = _bias_runs(SignedSquared(q), "signed", X, y, alpha, beta)
    coarse, fine = runs[0].theta, runs[1].theta
    bound = flow_limit_bound(X, y, "signed", alpha, coarse, fine, reference=beta)
    b1, b2 = min_l1(X, y), min_l2(X, y)
    asym = l1_asymptotics(X, y, b1)
    a_small = small_alpha(asym, b1) if asym is not None else None
    a_large = large_alpha(b2)
    small = None if a_small is None else [(a, q_alpha_argmin(X, y, a)) for a in a_small / _SWEEP]
    large = [(a, q_alpha_argmin(X, y, a)) for a in a_large * _SWEEP]
    return dict(beta=beta, runs=runs, eta=eta, bound=bound, l1=b1, l2=b2, asym=asym, small=small, large=large,
                a_small=a_small, a_large=a_large)


def _c38_examples():
    return st.tuples(_bias_problems(False), positive_scales(1e-3, 1e2)).map(lambda t: {**t[0], "alpha": t[1]})


def plot_q_alpha_path(ex, fig):
    from ..solvers import q_alpha_argmin

    out = memo(_c38_experiment, ex)
    X, y = ex["X"], ex["y"]
    b1, b2 = out["l1"], out["l2"]
    lo = out["a_small"] / _SWEEP[-1] if out["a_small"] is not None else 1e-6
    hi = out["a_large"] * _SWEEP[-1]
    alphas = np.geomspace(lo, hi, 25)
    path = np.array([q_alpha_argmin(X, y, a) for a in alphas])
    ax = fig.add_subplot(1, 2, 1)
    for i in range(path.shape[1]):
        ax.semilogx(alphas, path[:, i], color=COLORS["neutral"], lw=1)
    ax.scatter(np.full(len(b1), lo), b1, marker="<", color=COLORS["canonical"], zorder=3, label="min-ℓ1 interpolant")
    ax.scatter(np.full(len(b2), hi), b2, marker=">", color=COLORS["reference"], zorder=3, label="min-ℓ2 interpolant")
    ax.scatter(np.full(len(out["runs"][1].theta), ex["alpha"]), out["runs"][1].theta, color=COLORS["induced"],
               zorder=4, label=f"descent from α = {ex['alpha']:.3g}")
    ax.set_xlabel("α (initial scale u₀ = v₀ = α·1)")
    ax.set_ylabel("entries of argmin Q_α")
    ax.set_title("the Q_α path", fontsize=9)
    ax.legend(fontsize=7)
    ax2 = fig.add_subplot(1, 2, 2)
    d1 = np.linalg.norm(path - b1, axis=1) / np.linalg.norm(b1)
    d2 = np.linalg.norm(path - b2, axis=1) / np.linalg.norm(b2)
    ax2.loglog(alphas, np.maximum(d1, 1e-17), color=COLORS["canonical"], label="‖β_α − β_ℓ1‖/‖β_ℓ1‖")
    ax2.loglog(alphas, np.maximum(d2, 1e-17), color=COLORS["reference"], label="‖β_α − β_ℓ2‖/‖β_ℓ2‖")
    ax2.axhline(_LIMIT_NEAR, color=COLORS["violation"], ls=":", label="1% (the criterion at the extreme α)")
    if out["small"] is not None:
        ax2.axvspan(out["small"][-1][0], out["small"][0][0], color=COLORS["canonical"], alpha=0.15)
    ax2.axvspan(out["large"][0][0], out["large"][-1][0], color=COLORS["reference"], alpha=0.15)
    ax2.set_xlabel("α")
    ax2.set_ylabel("relative distance")
    ax2.set_title("shaded: the sweeps of the criterion", fontsize=9)
    ax2.legend(fontsize=7)
    fig.suptitle(f"C38: θ = u⊙u − v⊙v (n = {ex['n']}, q = {ex['q']}) interpolates between ℓ1 and ℓ2")


@claim("C38", kind="holds", section=FURTHER_READING,
       statement="Woodworth et al. 2020: for θ = u⊙u − v⊙v started at u₀ = v₀ = α·1, gradient flow on an "
                 "under-determined least-squares problem ends at the interpolant minimizing "
                 "Q_α(θ) = α²Σ q(θᵢ/α²), q(z) = 2 − √(4 + z²) + z·arcsinh(z/2); as α → 0 this end point tends to "
                 "the minimum-ℓ1 interpolant and as α → ∞ to the minimum-ℓ2 one. (The section's other papers, "
                 "Jiang 2019 and Berner et al. 2019, motivate C20–C22.)",
       strategy=_c38_examples(), plot=plot_q_alpha_path,
       # each example is two descent runs and eight solver calls
       settings={"max_examples": 12, "phases": _PHASES},
       definitions="Problems: X (n×q, n ∈ {2, 3}, q ∈ 5…8) with N(0, 1/n) entries, y = Xθ*, θ* with n non-zero "
                   "entries of random sign (theorems.solvers.random_problem); α ∈ [1e-3, 1e2]. The flow's end is "
                   "approximated by descent at η = 0.5/ρ and η/2 (ρ: the parametric Hessian's spectral radius at "
                   "the start, or its Gauss–Newton part at argmin Q_α if larger), each until the loss is 1e-10 of "
                   "its start (or 40 000 steps). 'Ends at argmin Q_α': ‖θ_{η/2} − β_α‖ ≤ 2(‖θ_η − θ_{η/2}‖ + m) + "
                   "s — the Richardson estimate of the O(η) error, m = ‖M Xᵀ(X M Xᵀ)⁻¹r‖ the first-order move the "
                   "flow still makes from the residual r (M = diag √(4α⁴ + θ²)), s the same for the solver's "
                   "β_α plus its stationarity error. 'Tends to' (a finite criterion): along three scales a decade "
                   "apart, starting where the asymptotic law predicts a distance of 1e-3·‖limit‖ (small α: "
                   "off-support entries ≈ exp(−log(1/α²)·slack + b), slack of the ℓ1 dual certificate; large α: "
                   "the cubic term ‖β₂³‖/(24α⁴)), the distance to the limit decreases strictly and is ≤ 1% of the "
                   "limit's norm at the extreme scale. Where the certificate's slack needs α² < e^-550 the small-α "
                   "half is beyond double precision (event).")
def woodworth_q_alpha(ex):
    out = memo(_c38_experiment, ex)
    runs, bound, beta = out["runs"], out["bound"], out["beta"]
    fine = runs[1].theta
    dist = float(np.linalg.norm(fine - beta))
    note(f"α={ex['alpha']:.3g}, η={out['eta']:.3g}: runs {runs[0].message}; {runs[1].message}")
    note(f"‖θ − argmin Q_α‖={dist:.3g}; Richardson {bound['richardson']:.3g}, remaining move {bound['stop']:.3g}, "
         f"solver {bound['solver']:.3g}; relative to ‖β_α‖={np.linalg.norm(beta):.3g}")
    event("descent converged" if runs[1].converged else "descent stopped at the step budget")
    expect(dist, "<=", bound["bound"], "‖θ_descent − argmin Q_α‖")
    for name, sweep, limit in (("α → 0", out["small"], out["l1"]), ("α → ∞", out["large"], out["l2"])):
        if sweep is None:
            event("ℓ1 certificate's slack too small (or vertex degenerate): small-α half beyond double precision")
            continue
        d = np.array([np.linalg.norm(b - limit) for _, b in sweep]) / float(np.linalg.norm(limit))
        note(f"{name}: α = " + ", ".join(f"{a:.3g}" for a, _ in sweep) + "; relative distances "
             + ", ".join(f"{x:.3g}" for x in d))
        expect(float(np.min(-np.diff(d))), ">", 0.0, f"smallest decrease of the distance along the sweep {name}")
        expect(float(d[-1]), "<=", _LIMIT_NEAR, f"relative distance to the limit at the extreme α ({name})")
