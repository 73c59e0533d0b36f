"""Section "A More General View", C18b: descent started next to the saddle (U, v) = (0, 0) leaves it.

The Hessian of the two-layer loss at the origin has eigenvalues ±‖∇ℓ(0)‖ (C18); descent from a
small random perturbation grows along the unstable eigenspace and leaves within a budget that
grows like log(1/size of the perturbation). Decided by running descent.
"""

from __future__ import annotations


import numpy as np
from hypothesis import event, note
from hypothesis import strategies as st

from overparam.descent import gradient_descent
from overparam.parameterizations import TwoLayerLinear
from overparam.parameterizations.numerics import roundoff
from overparam.parameterizations.strategies import positive_scales

from ..core import ClaimFailed, expect, undecided
from ..experiments import PHASES, memo
from ..registry import claim
from ..sections import GENERAL_VIEW
from ..style import COLORS

__all__ = ["descent_escapes_the_origin", "escape_budget"]


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
    from overparam.descent.losses import Loss

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
    run = gradient_descent(m, w0, loss, lr=eta, steps=steps, tol=out["l0"] - margin, record_every=1)
    out.update(margin=margin, R=R, p_u=p_u, w0=w0, eta=eta, steps=steps, run=run)
    return out


def _c18b_at(k: int, d: int) -> st.SearchStrategy:
    from overparam.descent.losses import losses

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
       settings={"max_examples": 30, "phases": PHASES},
       definitions="Losses: squared or logistic on 1–3 examples (descent.losses); L = ‖X‖₂² (squared) or ‖X‖₂²/4 "
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
        undecided("∇ℓ(0) = 0: no saddle to leave (outside the premise)")
    loss = out["loss"]
    # round-off of ℓ at θ = 0 and along the run: terms of size ≤ evaluation_scale at the scale of the drop
    floor = roundoff(loss.evaluation_scale(4.0 * out["ng"] / out["L"]), loss.X.shape[0] + loss.X.shape[1], depth=2)
    if out["margin"] <= floor:
        undecided("margin below the round-off of ℓ(0): undecidable in double precision")
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
