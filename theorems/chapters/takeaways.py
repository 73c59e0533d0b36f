"""Section "Take-Aways From the Linear Example": C14.

Balance between the layers: along the orbit (cU, v/c) of one θ the induced step is
c²UᵀUx + c⁻²‖v‖²x, unbounded at both ends with its smallest norm at a finite c (C14). The
learning rate against the target's norm (C15, this section too) is in :mod:`overparam.theorems.chapters.step_size`.
"""

from __future__ import annotations

import numpy as np
from hypothesis import event, note
from scipy.optimize import minimize_scalar

from overparam.parameterizations.numerics import roundoff
from overparam.parameterizations.strategies import inputs

from ..core import expect, undecided
from ..example_strategies import examples, sized
from ..geometry import step_scale
from ..registry import claim
from ..sections import TAKEAWAYS
from ..style import COLORS

__all__ = ["balance_along_the_orbit"]


# --- C14 --------------------------------------------------------------------------------

#: how many doublings of c the orbit is followed on each side of the minimiser
_DOUBLINGS = 8

#: xtol of Brent's method in scipy.optimize.minimize_scalar (its default), and its floor
_BRENT_XTOL = 1.48e-8
_BRENT_MINTOL = 1.0e-11


def _orbit_norm(m, w, x, tau) -> float:
    """‖induced step‖ at (cU, v/c), c = e^τ, from the model."""
    return float(np.linalg.norm(m.induced_step(m.rescale(w, float(np.exp(tau))), x)))


def _orbit_data(ex):
    """The closed form of the orbit: ‖z(c)‖² = c⁴‖a‖² + 2‖v‖²‖Ux‖² + c⁻⁴B², a = UᵀUx, B = ‖v‖²‖x‖.

    With s = c⁴ this is s‖a‖² + 2‖v‖²‖Ux‖² + B²/s = N* + (√s‖a‖ − B/√s)², so the minimum
    N* = 2‖a‖B + 2‖v‖²‖Ux‖² is at c*⁴ = B/‖a‖, and in τ = log c
    ‖z‖² = N* + 4‖a‖B sinh²(2(τ − τ*)).
    """
    m, w, x = ex["param"], np.asarray(ex["w"], float), np.asarray(ex["x"], float)
    U, v = m.unpack(w)
    Ux = U @ x
    a = U.T @ Ux
    na = float(np.linalg.norm(a))
    vv = float(v @ v)
    B = vv * float(np.linalg.norm(x))
    uxx = float(Ux @ Ux)
    ok = na > 0 and B > 0
    tau_star = 0.25 * (np.log(B) - np.log(na)) if ok else np.nan
    n_star = 2 * na * B + 2 * vv * uxx
    return m, w, x, U, v, a, na, B, uxx, vv, ok, tau_star, n_star


def _closed_norm2(c, na, B, vv, uxx) -> float:
    c = float(c)
    return c ** 4 * na * na + 2 * vv * uxx + B * B / c ** 4


def _orbit_tol(m, U, v, x, c) -> float:
    """Round-off of ‖z(c)‖² computed two ways, bounded by the squared scale of z's terms.

    S(c) = ‖c²|U|ᵀ|U||x| + c⁻²‖v‖²|x|‖ bounds ‖z‖, every term of the closed form and their
    errors' magnitudes; four chained products of at most k + d + 2 terms.
    """
    s = step_scale(c * U, v / c, x)
    return roundoff(s * s, m.k + m.d + 2, depth=4)


def _minimise(m, w, x):
    res = minimize_scalar(lambda t: np.log(_orbit_norm(m, w, x, t)), bracket=(-1.0, 1.0),
                          options={"xtol": _BRENT_XTOL})
    return float(res.x), res


def plot_balance(ex, fig):
    m, w, x, U, v, a, na, B, uxx, vv, ok, tau_star, n_star = _orbit_data(ex)
    ax = fig.add_subplot(1, 1, 1)
    centre = tau_star if ok else 0.0
    taus = np.linspace(centre - 4.0, centre + 4.0, 81)
    norms = np.array([_orbit_norm(m, w, x, t) for t in taus])
    cs = np.exp(taus)
    tiny = 1e-300
    ax.semilogy(taus, np.maximum(norms, tiny), "o", ms=3, color=COLORS["induced"],
                label="‖induced step‖ at (cU, v/c), model")
    closed = np.sqrt([_closed_norm2(c, na, B, vv, uxx) for c in cs])
    ax.semilogy(taus, np.maximum(closed, tiny), color=COLORS["reference"],
                label="√(c⁴‖UᵀUx‖² + 2‖v‖²‖Ux‖² + c⁻⁴‖v‖⁴‖x‖²)")
    if na > 0:
        ax.semilogy(taus, cs ** 2 * na, ls="--", color=COLORS["neutral"], label="c²‖UᵀUx‖ (lower bound)")
    if B > 0:
        ax.semilogy(taus, B / cs ** 2, ls=":", color=COLORS["neutral"], label="c⁻²‖v‖²‖x‖ (lower bound)")
    ax.axhline(float(np.linalg.norm(x)), color=COLORS["canonical"], lw=1, label="‖x‖, the canonical step")
    if ok:
        tau_num, _ = _minimise(m, w, x)
        ax.axvline(tau_star, color=COLORS["other"], lw=1.5,
                   label=f"closed form: c*⁴ = ‖v‖²‖x‖/‖UᵀUx‖, log c* = {tau_star:.3g}")
        ax.axvline(tau_num, color=COLORS["violation"], ls="--", lw=1,
                   label=f"numerical minimiser, log c = {tau_num:.3g}")
    shown = np.append(norms[norms > 0], float(np.linalg.norm(x)))
    ax.set_ylim(max(float(np.min(shown)) / 3, tiny), float(np.max(shown)) * 3)
    ax.set_xlabel("log c  (natural log; the orbit (cU, v/c) of one θ)")
    ax.set_ylabel("norm")
    if ok:
        ax.set_title(f"C14: the balanced point of the orbit has the smallest step ({m.label})")
    else:
        ax.set_title(f"C14 ({m.label}): v = 0 or Ux = 0 — one side stays bounded (outside the premise)")
    ax.legend(loc="upper center", fontsize=7)


@claim("C14", kind="holds", section=TAKEAWAYS,
       statement="Balance between the layers: along the orbit (cU, v/c), c > 0, of one θ, the induced step "
                 "c²UᵀUx + c⁻²‖v‖²x has a norm that grows without bound as c → 0 and as c → ∞ (when Ux ≠ 0 "
                 "and v ≠ 0) and is smallest at the finite c with c⁴ = ‖v‖²‖x‖/‖UᵀUx‖. And the gradient "
                 "satisfies ‖∇_W f‖² = ‖v‖²‖x‖² + ‖Ux‖² ≥ ‖v‖²‖x‖²: a large v alone makes it large.",
       strategy=examples(sized(), w=lambda m: m.points(extreme=True), x=lambda m: inputs(m.d)),
       plot=plot_balance,
       definitions="The norm is the model's induced step at rescale(W, c). 'Grows without bound', decided "
                   "finitely: on c = 2^(j₀ ± j), j = 1…8, with 2^j₀ the nearest power of two to the "
                   "numerical minimiser, ‖z‖ increases strictly at every doubling away from the minimum (from a c "
                   "on one side of c* to the next c further out), "
                   "and everywhere ‖z(c)‖ ≥ c²‖UᵀUx‖ and ≥ c⁻²‖v‖²‖x‖ (exact lower bounds, since the two "
                   "parts have inner product ‖v‖²‖Ux‖² ≥ 0, which → ∞); moreover ‖z(c)‖² equals "
                   "c⁴‖UᵀUx‖² + 2‖v‖²‖Ux‖² + c⁻⁴‖v‖⁴‖x‖² to round-off at every c of the sequence. 'Minimum "
                   "at a finite c': Brent's method (scipy minimize_scalar, xtol 1.48e-8) on log c ↦ log‖z‖ "
                   "converges to a finite log c within 4·(xtol·|log c| + 10⁻¹¹) plus the round-off "
                   "band ½·asinh(√(r/(2‖UᵀUx‖‖v‖²‖x‖))) of log c* = ¼·log(‖v‖²‖x‖/‖UᵀUx‖) (r the "
                   "round-off of ‖z‖² there). ‖∇_W f‖² (the model's vjp) equals ‖v‖²‖x‖² + ‖Ux‖² to round-off. "
                   "The premise Ux ≠ 0 is decided above the round-off of Ux. Weights of scale 10⁻⁶…10⁶.")
def balance_along_the_orbit(ex):
    m, w, x, U, v, a, na, B, uxx, vv, ok, tau_star, n_star = _orbit_data(ex)
    # ‖∇_W f‖² = ‖v‖²‖x‖² + ‖Ux‖² (the model's gradient J(W)ᵀx = (v xᵀ, Ux)), to round-off
    grad = m.vjp(w, x)
    g2 = float(grad @ grad)
    nv, nx = float(np.sqrt(vv)), float(np.linalg.norm(x))
    ux_abs = float(np.linalg.norm(np.abs(U) @ np.abs(x)))
    gtol = roundoff((nv * nx) ** 2 + ux_abs ** 2, m.k + m.d, depth=3)
    expect(abs(g2 - (vv * nx * nx + uxx)), "<=", gtol, "|‖∇_W f‖² − (‖v‖²‖x‖² + ‖Ux‖²)|")
    # Ux ≠ 0 is the premise: decided above the round-off of Ux itself (a Ux that is 0 in exact
    # arithmetic comes out of cancellation as a few units of round-off, and the orbit's c* then
    # leaves double precision's range)
    if not ok or np.sqrt(uxx) <= roundoff(ux_abs, m.d, computations=1) or not (vv > 0):
        undecided("Ux = 0 (to round-off) or v = 0: one side of the orbit stays bounded (outside the premise)")
    event("Ux ≠ 0 and v ≠ 0")
    # the model's orbit is the closed form's before it is searched (a wrong induced step would send
    # the minimiser anywhere, out of double precision's range too)
    z1 = float(np.linalg.norm(m.induced_step(w, x)))
    expect(abs(z1 * z1 - _closed_norm2(1.0, na, B, vv, uxx)), "<=", _orbit_tol(m, U, v, x, 1.0),
           "|‖z‖² − closed form| at c=1")
    tau_num, res = _minimise(m, w, x)
    expect(tau_num, "!=", np.inf, "numerical minimiser log c")
    j0 = int(np.round(tau_num / np.log(2.0)))
    cs = 2.0 ** (j0 + np.arange(-_DOUBLINGS, _DOUBLINGS + 1))  # powers of two: rescaling is exact
    norms = np.array([float(np.linalg.norm(m.induced_step(m.rescale(w, c), x))) for c in cs])
    note(f"log c* = {tau_star:.6g}, numerical {tau_num:.6g}; ‖z‖ on c = 2^({j0}±j): "
         f"{np.array2string(norms, precision=3)}")
    for c, nz in zip(cs, norms):
        tol = _orbit_tol(m, U, v, x, c)
        expect(abs(nz * nz - _closed_norm2(c, na, B, vv, uxx)), "<=", tol,
               f"|‖z‖² − closed form| at c={c:.3g}")
        # the exact lower bounds, which grow without bound at either end
        expect(nz * nz, ">=", max(c ** 4 * na * na, B * B / c ** 4) - tol, f"‖z‖² at c={c:.3g}")
    # away from the minimum: from each c on one side of c* to the next doubling further out. A
    # pair that straddles c* is not "away": its two norms can be equal (c and 2c symmetric about
    # c* in log c), and round-off then decides the sign of their difference. On one side, a
    # doubling raises ‖z‖² by 4‖UᵀUx‖‖v‖²‖x‖(sinh²(2(δ + log 2)) − sinh²(2δ)) ≥ 14‖UᵀUx‖B, more than
    # three times ‖z(c*)‖² (since ‖UᵀUx‖B ≥ ‖v‖²‖Ux‖²), far above round-off.
    taus = np.log(cs)
    up = norms[taus >= tau_star]
    down = norms[taus <= tau_star][::-1]
    for side, seq in (("c → ∞", up), ("c → 0", down)):
        if seq.size >= 2:
            expect(float(np.min(np.diff(seq))), ">", 0, f"smallest increase of ‖z‖ per doubling toward {side}")
    # the minimiser: Brent's bracket width plus the round-off band around τ*
    tol_star = _orbit_tol(m, U, v, x, float(np.exp(tau_star)))
    band = 0.5 * float(np.arcsinh(np.sqrt(tol_star / (2 * na * B))))
    brent = 4 * (_BRENT_XTOL * abs(tau_num) + _BRENT_MINTOL)
    note(f"|log c − log c*| = {abs(tau_num - tau_star):.3g}, Brent {brent:.2g} + round-off band {band:.2g}")
    expect(abs(tau_num - tau_star), "<=", brent + band, "|numerical log c − log c*|")


# --- C15 (written later, elsewhere) -----------------------------------------------------
