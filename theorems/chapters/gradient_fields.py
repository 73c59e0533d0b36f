"""Section "Exploring Parameterizations and Gradient Fields": C27–C33.

Each parameterization of θ ∈ R^q turns the canonical gradient field g into the
induced field K(w)g, K = J Jᵀ. For the element-wise maps K is diagonal and its
entries Kᵢᵢ ("the gain of coordinate i") say which coordinates move fast.
C29, C29b and C31 (where gradient descent ends), filed under this section, are in
:mod:`overparam.theorems.chapters.elementwise_bias`.
"""

from __future__ import annotations

import numpy as np
from hypothesis import event, note, target
from hypothesis import strategies as st

from overparam.parameterizations import Identity, Inverse, Polar, Squared, TwoLayerLinear
from overparam.parameterizations.numerics import roundoff
from overparam.parameterizations.strategies import finite_vectors, inputs, positive_scales

from ..core import expect, expect_same, undecided
from ..example_strategies import examples
from ..geometry import reparameterization_mismatch
from ..registry import claim
from ..sections import GRADIENT_FIELDS
from ..style import COLORS
from ..notation import sub, vector

__all__ = [
    "identity_is_canonical",
    "squared_gains_grow_with_weights",
    "inverse_gains_shrink_with_theta",
    "inverse_gains_shrink_with_w",
    "polar_turns_steps",
    "deep_linear_fields_depend_on_P",
]


# --- helpers -----------------------------------------------------------------------------------------

#: the grid of canonical gradients on which induced fields are compared and drawn: 16 unit directions
#: (K g is linear in g, so directions are all a field at fixed θ has)
_GRID = np.stack([np.cos(np.arange(16) * np.pi / 8), np.sin(np.arange(16) * np.pi / 8)])


def _ordered_pairs(key: np.ndarray, terms: int):
    """Pairs (i, j) with |keyᵢ| > |keyⱼ| by more than round-off can blur in a gain built from ``terms`` factors.

    A gain that is a product of ``terms`` factors of |key| is computed with a relative error of about
    (terms + 1)·u; pairs whose magnitudes differ by less than ``roundoff(|keyᵢ| + |keyⱼ|, terms)`` may
    have tied gains in floating point, and are left out. For the others |keyᵢ|/|keyⱼ| − 1 > 4γ_{terms+1},
    so the exact gains differ by a relative factor above 4·terms·γ_{terms+1}: more than twice the error
    of the two computed gains together.
    """
    a = np.abs(np.asarray(key, float))
    out = []
    for i in range(a.size):
        for j in range(a.size):
            if a[i] - a[j] > roundoff(a[i] + a[j], terms):
                out.append((i, j))
    return out


def _gain_plot(fig, key, gains, *, xlabel, curve, curve_label, pair, pair_label, pair_color, title):
    """Gains Kᵢᵢ against |keyᵢ| on log-log axes, the exact law as a curve, one pair highlighted."""
    ax = fig.add_subplot(1, 1, 1)
    a = np.abs(np.asarray(key, float))
    pos = (a > 0) & (gains > 0)
    if pos.any():
        lo, hi = a[pos].min(), a[pos].max()
        xs = np.geomspace(lo / 2, hi * 2, 200)
        ax.plot(xs, curve(xs), color=COLORS["neutral"], lw=1.5, label=curve_label)
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.scatter(a[pos], gains[pos], color=COLORS["induced"], zorder=3, label="gains Kᵢᵢ")
    # one label for points that coincide on the plot (equal |keyᵢ| draw one dot): "0, 2" rather than
    # two labels printed on each other
    groups: list[list[int]] = []
    for i in sorted(np.flatnonzero(pos), key=lambda i: (a[i], gains[i])):
        last = groups[-1][0] if groups else None
        if last is not None and abs(np.log(a[i] / a[last])) < 0.03 and abs(np.log(gains[i] / gains[last])) < 0.03:
            groups[-1].append(i)
        else:
            groups.append([i])
    for g in groups:
        ax.annotate(" " + ", ".join(str(i) for i in sorted(g)), (a[g[0]], gains[g[0]]), color=COLORS["text"],
                    fontsize=8)
    if pair is not None:
        i, j = pair
        ax.plot([a[i], a[j]], [gains[i], gains[j]], color=pair_color, lw=3, marker="o", ms=9, zorder=4,
                label=pair_label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("gain Kᵢᵢ")
    ax.set_title(title)
    ax.legend(loc="best", fontsize=8)


def _arrow(ax, start, vec, color, label, ls="-", lw=2.0):
    ax.annotate("", xy=start + vec, xytext=start,
                arrowprops=dict(arrowstyle="-|>", color=color, lw=lw, ls=ls, shrinkA=0, shrinkB=0))
    ax.plot([], [], color=color, ls=ls, lw=lw, label=label)


# --- C27 ---------------------------------------------------------------------------------------------

def plot_identity(ex, fig):
    m, w, g = ex["param"], ex["w"], ex["g"]
    z = m.induced_step(w, g)
    ax = fig.add_subplot(1, 1, 1)
    idx = np.arange(g.size)
    ax.bar(idx - 0.2, g, 0.4, color=COLORS["canonical"], label="canonical gradient g")
    ax.bar(idx + 0.2, z, 0.4, color=COLORS["induced"], label="induced step K g")
    ax.axhline(0, color=COLORS["neutral"], lw=0.8)
    ax.set_xticks(idx)
    ax.set_xlabel("coordinate i")
    ax.set_ylabel("component")
    ax.set_title("Identity parameterization: K = I, the induced step is g itself")
    ax.legend(fontsize=8)


@claim("C27", kind="holds", section=GRADIENT_FIELDS,
       statement="The identity parameterization θ = w has J = K = I: its induced field is the canonical "
                 "field itself, and a parametric step of any size η moves θ by exactly −ηg.",
       strategy=examples(st.builds(Identity, st.integers(1, 4)), g=lambda m: finite_vectors(m.n_canonical),
                         eta=lambda m: positive_scales(1e-3, 1e3)),
       plot=plot_identity)
def identity_is_canonical(ex):
    m, w, g, eta = ex["param"], ex["w"], ex["g"], ex["eta"]
    q = m.n_canonical
    expect_same(m.kernel(w), np.eye(q), scale=float(np.sqrt(q)), terms=q, what="K − I")
    expect_same(m.induced_step(w, g), g, scale=float(np.linalg.norm(g)), terms=q, what="K g − g")
    # ψ is linear: the finite step has no η² term; the round-off is that of w − ηg
    moved = m.psi(w - eta * m.vjp(w, g)) - m.psi(w)
    expect_same(moved, -eta * g, scale=float(np.linalg.norm(w) + eta * np.linalg.norm(g)), terms=1,
                 what="ψ(w − ηJᵀg) − ψ(w) + ηg")


def _gain(i: int, j: int, x, name: str) -> str:
    """The quantity of a gain comparison in words: ``with |θ₀| = 1 > |θ₁| = 0.37, the larger one's gain K₀₀``."""
    return (f"with |{name}{sub(i)}| = {abs(x[i]):.3g} > |{name}{sub(j)}| = {abs(x[j]):.3g}, "
            f"the larger one's gain K{sub(i)}{sub(i)}")


def _other_gain(j: int) -> str:
    """What the gain is compared with: the other coordinate's gain."""
    return f", the smaller one's gain K{sub(j)}{sub(j)}"


# --- C28 ---------------------------------------------------------------------------------------------

def _closest_pair(key, gains, terms):
    pairs = _ordered_pairs(key, terms)
    if not pairs:
        return None
    return min(pairs, key=lambda p: gains[p[0]] / gains[p[1]] if gains[p[1]] > 0 else np.inf)


def plot_squared(ex, fig):
    m, w = ex["param"], ex["w"]
    K = np.diag(m.kernel(w))
    _gain_plot(fig, w, K, xlabel="|wᵢ|", curve=lambda x: 4 * x ** 2, curve_label="4w² = 4θ",
               pair=_closest_pair(w, K, 2), pair_label="closest ordered pair (still Kᵢᵢ > Kⱼⱼ)",
               pair_color=COLORS["reference"], title="Squared θᵢ = wᵢ²: the gain grows as 4wᵢ²")


@claim("C28", kind="holds", section=GRADIENT_FIELDS,
       statement="For the squared map θᵢ = wᵢ², K = diag(4wᵢ²) = diag(4θᵢ): the gain of each coordinate is "
                 "proportional to its own value (Kᵢᵢ/θᵢ = 4), so a coordinate with a larger |wᵢ| always moves "
                 "faster than one with a smaller |wⱼ|.",
       strategy=examples(st.builds(Squared, st.integers(2, 6)), w=lambda m: m.points(extreme=True),
                         g=lambda m: finite_vectors(m.n_canonical)),
       plot=plot_squared,
       definitions="'Larger weights get larger steps': for every pair i, j with |wᵢ| > |wⱼ| (by more than "
                   "round-off, roundoff(|wᵢ|+|wⱼ|, 2)), the gain Kᵢᵢ > Kⱼⱼ strictly. 'Proportionally': "
                   "Kᵢᵢ/θᵢ = 4 for every θᵢ ≠ 0, to round-off.")
def squared_gains_grow_with_weights(ex):
    m, w, g = ex["param"], ex["w"], ex["g"]
    K = m.kernel(w)
    theta = m.psi(w)
    four_w2 = 4 * w * w
    # K = J Jᵀ with J = diag(2w): every entry one product, scale ‖4w²‖
    expect_same(K, np.diag(four_w2), scale=float(np.linalg.norm(four_w2)), terms=2, what="K − diag(4w²)")
    expect_same(np.diag(K), 4 * theta, scale=float(np.linalg.norm(four_w2)), terms=2, what="diag K − 4θ")
    expect_same(m.induced_step(w, g), 4 * theta * g, scale=float(np.linalg.norm(four_w2 * g)), terms=3,
                 what="K g − 4θ⊙g")
    gains = np.diag(K)
    for i in np.flatnonzero(theta):
        # Kᵢᵢ/θᵢ: one division on top of the two products
        expect(abs(gains[i] / theta[i] - 4), "<=", roundoff(4.0, 3), f"|K{sub(i)}{sub(i)}/θ{sub(i)} − 4|")
    pairs = _ordered_pairs(w, 2)
    event(f"{len(pairs)} ordered pairs" if pairs else "no ordered pair (all |wᵢ| equal or zero)")
    for i, j in pairs:
        expect(gains[i], ">", gains[j], _gain(i, j, w, "w"), context=_other_gain(j))


# --- C30a / C30b -------------------------------------------------------------------------------------

def _inverse_strategy():
    return examples(st.builds(Inverse, st.integers(2, 4)), w=lambda m: m.points(extreme=True))


def _first_violation(key, gains, terms):
    """The first ordered pair (by |key|) whose gains are NOT in decreasing order, or None."""
    for i, j in _ordered_pairs(key, terms):
        if not gains[i] < gains[j]:
            return (i, j)
    return None


def plot_inverse_theta(ex, fig):
    m, w = ex["param"], ex["w"]
    theta, K = m.psi(w), np.diag(m.kernel(w))
    bad = _first_violation(theta, K, 4)
    _gain_plot(fig, theta, K, xlabel="|θᵢ| = 1/|wᵢ|", curve=lambda x: x ** 4, curve_label="θ⁴ (= 1/w⁴)",
               pair=bad, pair_label="|θᵢ| > |θⱼ| yet Kᵢᵢ > Kⱼⱼ", pair_color=COLORS["violation"],
               title="Inverse θᵢ = 1/wᵢ: larger |θᵢ| get LARGER gains")


def plot_inverse_w(ex, fig):
    m, w = ex["param"], ex["w"]
    K = np.diag(m.kernel(w))
    pairs = _ordered_pairs(w, 4)
    pair = max(pairs, key=lambda p: K[p[0]] / K[p[1]]) if pairs else None
    _gain_plot(fig, w, K, xlabel="|wᵢ|", curve=lambda x: x ** -4.0, curve_label="1/w⁴",
               pair=pair, pair_label="closest ordered pair (still Kᵢᵢ < Kⱼⱼ)", pair_color=COLORS["reference"],
               title="Inverse θᵢ = 1/wᵢ: larger |wᵢ| get smaller gains")


_INVERSE_GAINS = "K = diag(1/wᵢ⁴) = diag(θᵢ⁴)"


@claim("C30a", kind="open", section=GRADIENT_FIELDS,
       expected="refuted",
       expected_because="refuted in every run so far (ci, and 200 fresh-seed runs under quick), within its first decided "
                         "examples: a coordinate with the larger |θᵢ| that does not get the larger gain.",
       statement="The inverse map θᵢ = 1/wᵢ, read in θ as the post words it: a coordinate with a larger |θᵢ| "
                 "gets a smaller gain than one with a smaller |θⱼ|.",
       strategy=_inverse_strategy(), plot=plot_inverse_theta,
       definitions="'Larger θᵢ get smaller steps': for every pair i, j with |θᵢ| > |θⱼ| (by more than round-off, "
                   "roundoff(|θᵢ|+|θⱼ|, 4)), the gain Kᵢᵢ < Kⱼⱼ strictly, with the gains the diagonal of "
                   "K = J Jᵀ at w. Since " + _INVERSE_GAINS + ", the exact gains increase with |θᵢ|.")
def inverse_gains_shrink_with_theta(ex):
    m, w = ex["param"], ex["w"]
    theta = m.psi(w)
    gains = np.diag(m.kernel(w))
    note(f"θ={np.array2string(theta, precision=4)}, gains={np.array2string(gains, precision=4)}, "
         f"θ⁴={np.array2string(theta ** 4, precision=4)}")
    pairs = _ordered_pairs(theta, 4)
    if not pairs:
        undecided("no ordered pair: all |θᵢ| equal to round-off (outside the premise)")
    event(f"{len(pairs)} ordered pairs")
    for i, j in pairs:
        expect(gains[i], "<", gains[j], _gain(i, j, theta, "θ"), context=_other_gain(j))


@claim("C30b", kind="holds", section=GRADIENT_FIELDS,
       statement="The inverse map θᵢ = 1/wᵢ, read in w: J = diag(−1/wᵢ²), so K = diag(1/wᵢ⁴) = diag(θᵢ⁴) exactly "
                 "and the induced step is K g = g/w⁴ (entry-wise); hence a coordinate with a larger |wᵢ| (a smaller "
                 "|θᵢ|) always gets a smaller gain than one with a smaller |wⱼ|.",
       strategy=examples(st.builds(Inverse, st.integers(2, 4)), w=lambda m: m.points(extreme=True),
                         g=lambda m: finite_vectors(m.n_canonical)),
       plot=plot_inverse_w,
       definitions="The identity: K = J Jᵀ from the library's Jacobian equals diag(1/w⁴) and its diagonal equals "
                   "θ⁴ = ψ(w)⁴, and induced_step(w, g) equals g/w⁴, each to round-off (a few roundings per entry: "
                   "the inversion, the square, the product). 'Larger |wᵢ| get smaller steps': for every pair i, j "
                   "with |wᵢ| > |wⱼ| by more than round-off (roundoff(|wᵢ|+|wⱼ|, 4)), Kᵢᵢ < Kⱼⱼ strictly — what the "
                   "identity implies, checked on the computed gains. The reading in θ, as the post words it, is C30a.")
def inverse_gains_shrink_with_w(ex):
    m, w, g = ex["param"], ex["w"], ex["g"]
    K = m.kernel(w)
    theta = m.psi(w)
    gains = np.diag(K)
    inv4 = 1.0 / w ** 4
    # the class squares −1/(w·w) (three roundings), 1/w⁴ and θ⁴ take two or three more:
    # each gain carries a relative error of a few units, two chained operations (inversion, power)
    expect_same(K, np.diag(inv4), scale=float(np.linalg.norm(inv4)), terms=4, depth=2, what="K − diag(1/w⁴)")
    expect_same(gains, theta ** 4, scale=float(np.linalg.norm(inv4)), terms=4, depth=2, what="diag K − θ⁴")
    # K g = J(Jᵀg): two products by −1/w² (each with its own rounding) against g/w⁴
    expect_same(m.induced_step(w, g), g * inv4, scale=float(np.linalg.norm(g * inv4)), terms=4, depth=2,
                 what="K g − g/w⁴")
    pairs = _ordered_pairs(w, 4)
    event(f"{len(pairs)} ordered pairs" if pairs else "no ordered pair (all |wᵢ| equal)")
    for i, j in pairs:
        expect(gains[i], "<", gains[j], _gain(i, j, w, "w"), context=_other_gain(j))


# --- C32 ---------------------------------------------------------------------------------------------

def _radii():
    """|r| log-uniform in [1e-3, 1e3] with either sign; it shrinks to, and often is, r = ±1 exactly."""
    return st.tuples(st.sampled_from([1.0, -1.0]), positive_scales(1e-3, 1e3)).map(lambda t: t[0] * t[1])


def _polar_frame(m, w):
    """û = θ/‖θ‖ and û⊥ (û turned by +90°)."""
    theta = m.psi(w)
    u = theta / np.linalg.norm(theta)
    return u, np.array([-u[1], u[0]])


def plot_polar(ex, fig):
    m, w, g = ex["param"], ex["w"], ex["g"]
    r = float(w[0])
    u, up = _polar_frame(m, w)
    K = m.kernel(w)
    z = m.induced_step(w, g)
    ax = fig.add_subplot(1, 1, 1)
    t = np.linspace(0, 2 * np.pi, 200)
    circle = np.stack([np.cos(t), np.sin(t)])
    ell = K @ circle
    s = max(1.0, float(np.abs(ell).max()))
    ax.plot(circle[0], circle[1], color=COLORS["neutral"], lw=1, label="unit gradients")
    ax.plot(ell[0] / s, ell[1] / s, color=COLORS["induced"], lw=1, ls=":", label=f"K·(unit circle) / {s:.3g}")
    # how the field turns each direction: an arc outside the circle from the angle of g to that of K g
    for gk in _GRID.T:
        zk = K @ gk
        a0 = float(np.arctan2(gk[1], gk[0]))
        turn = float(np.arctan2(gk[0] * zk[1] - gk[1] * zk[0], gk @ zk))
        arc = a0 + np.linspace(0, turn, 20)
        ax.plot(1.12 * np.cos(arc), 1.12 * np.sin(arc), color=COLORS["induced"], lw=0.9)
        ax.annotate("", xy=(1.12 * np.cos(arc[-1]), 1.12 * np.sin(arc[-1])),
                    xytext=(1.12 * np.cos(arc[-2]), 1.12 * np.sin(arc[-2])),
                    arrowprops=dict(arrowstyle="->", color=COLORS["induced"], lw=0.9))
    ax.plot([], [], color=COLORS["induced"], lw=0.9, label="turn from g to K g (16 directions)")
    o = np.zeros(2)
    ng = float(np.linalg.norm(g))
    _arrow(ax, o, 1.2 * u, COLORS["theta"], "û = θ/‖θ‖", lw=1.5)
    _arrow(ax, o, 1.2 * up, COLORS["text"], "û⊥", lw=1.5)
    if ng > 0:
        _arrow(ax, o, g / ng, COLORS["canonical"], "g (unit)")
        nz = float(np.linalg.norm(z))
        if nz > 0:
            _arrow(ax, o, z / nz, COLORS["induced"], "K g (unit)", ls="--")
            ax.text(1.03, 0.02, f"|cos(Kg, û)| = {abs(u @ z) / nz:.3f}\n|cos(g, û)| = {abs(u @ g) / ng:.3f}\n"
                    f"|cos(Kg, û⊥)| = {abs(up @ z) / nz:.3f}\n|cos(g, û⊥)| = {abs(up @ g) / ng:.3f}",
                    transform=ax.transAxes, fontsize=8, color=COLORS["text"])
    ax.set_aspect("equal")
    ax.set_xlim(-1.5, 1.5)
    ax.set_ylim(-1.5, 1.5)
    ax.set_xlabel("θ₁ direction")
    ax.set_ylabel("θ₂ direction")
    turn = "toward û" if abs(r) < 1 else ("toward û⊥" if abs(r) > 1 else "none (K = I)")
    ax.set_title(f"Polar, r = {r:.3g}: K = ûûᵀ + r²û⊥û⊥ᵀ, turn {turn}", fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=7)
    fig.subplots_adjust(left=0.1, right=0.62)


@claim("C32", kind="holds", section=GRADIENT_FIELDS,
       statement="Polar coordinates θ = r(cos φ, sin φ) give K = ûûᵀ + r²û⊥û⊥ᵀ with û = θ/‖θ‖: ‖K − I‖ = |r² − 1|, "
                 "so |r| = 1 gives the canonical field; for |r| < 1 the induced step K g is at least as aligned "
                 "with θ's own direction as g is (|cos(Kg, û)| ≥ |cos(g, û)|), and for |r| > 1 at least as "
                 "aligned with the orthogonal direction (|cos(Kg, û⊥)| ≥ |cos(g, û⊥)|).",
       strategy=st.fixed_dictionaries({
           "param": st.just(Polar()),
           "w": st.tuples(_radii(), st.floats(-np.pi, np.pi)).map(lambda t: np.array(t, dtype=float)),
           "g": inputs(2)}),
       plot=plot_polar,
       definitions="With a = ûᵀg, b = û⊥ᵀg: Kg = aû + r²bû⊥ and cos²(Kg, û) − cos²(g, û) = "
                   "a²b²(1 − r⁴)/((a² + b²)(a² + r⁴b²)), whose sign is that of 1 − |r|. The inequalities are "
                   "checked without division: |ûᵀKg|·‖g‖ − |ûᵀg|·‖Kg‖ ≥ −roundoff((1 + r²)‖g‖², 2, depth 3), "
                   "and the same with û⊥.")
def polar_turns_steps(ex):
    m, w, g = ex["param"], ex["w"], ex["g"]
    r = float(w[0])
    r2 = r * r
    u, up = _polar_frame(m, w)
    K = m.kernel(w)
    want = np.outer(u, u) + r2 * np.outer(up, up)
    # K from J Jᵀ (two-term sums of products of size ≤ 1 + r²); û from ψ(w) adds a division
    expect_same(K, want, scale=1 + r2, terms=2, depth=2, what="K − (ûûᵀ + r²û⊥û⊥ᵀ)")
    gap = float(np.linalg.norm(K - np.eye(2), 2))
    expect(abs(gap - abs(r2 - 1)), "<=", roundoff(1 + r2, 2, depth=2), "|‖K − I‖ − |r² − 1||")
    if abs(r) == 1:
        event("|r| = 1: the canonical field")
        expect_same(m.induced_step(w, g), g, scale=2 * float(np.linalg.norm(g)), terms=2, depth=2,
                     what="K g − g at |r| = 1")
    ng = float(np.linalg.norm(g))
    if ng == 0:
        undecided("g = 0")
    z = m.induced_step(w, g)
    nz = float(np.linalg.norm(z))
    a, b = float(u @ g), float(up @ g)
    # the decomposition Kg = aû + r²bû⊥, to the round-off of a 2×2 product
    expect_same(z, a * u + r2 * b * up, scale=(1 + r2) * ng, terms=2, depth=3, what="K g − (aû + r²bû⊥)")
    tol = roundoff((1 + r2) * ng * ng, 2, depth=3)
    along = abs(float(u @ z)) * ng - abs(a) * nz     # ‖g‖‖Kg‖·(|cos(Kg, û)| − |cos(g, û)|)
    across = abs(float(up @ z)) * ng - abs(b) * nz   # ‖g‖‖Kg‖·(|cos(Kg, û⊥)| − |cos(g, û⊥)|)
    note(f"r={r:.4g}, a=ûᵀg={a:.4g}, b=û⊥ᵀg={b:.4g}, along={along:.3g}, across={across:.3g}, tol={tol:.3g}")
    if abs(r) < 1:
        event("|r| < 1: turns toward û")
        target(-along / (ng * max(nz, 1e-300)), label="-(|cos(Kg,û)| − |cos(g,û)|)")
        expect(along, ">=", -tol, "‖g‖‖Kg‖(|cos(Kg,û)| − |cos(g,û)|)")
    elif abs(r) > 1:
        event("|r| > 1: turns toward û⊥")
        target(-across / (ng * max(nz, 1e-300)), label="-(|cos(Kg,û⊥)| − |cos(g,û⊥)|)")
        expect(across, ">=", -tol, "‖g‖‖Kg‖(|cos(Kg,û⊥)| − |cos(g,û⊥)|)")


# --- C33 ---------------------------------------------------------------------------------------------

#: two fields "differ" when, at some g of the grid, their induced steps are more than this apart in angle
ANGLE_THRESHOLD_DEG = 45.0


def _rotation(a: float) -> np.ndarray:
    return np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])


def _invertible_2x2() -> st.SearchStrategy:
    """P = R(α)·diag(s₁, s₂)·R(β), s ∈ [0.1, 10] log-uniform: every invertible 2×2 matrix with det > 0.

    Four numbers instead of the ten of ``invertible_matrices`` keep the witness search and its
    shrinking fast; they shrink to P = I. (The induced field depends on PᵀP and ‖P⁻ᵀθ‖ only, so R(α)
    never matters; it is drawn so that P is a general matrix, not a symmetric one.)
    """
    return st.builds(lambda s1, s2, a, b: _rotation(a) @ np.diag([s1, s2]) @ _rotation(b),
                     positive_scales(0.1, 10.0), positive_scales(0.1, 10.0),
                     st.floats(-np.pi, np.pi), st.floats(-np.pi, np.pi))


def _deep_fields(ex):
    """(w₁, w₂, Z₁, Z₂): the points (P₁, P₁⁻ᵀθ), (P₂, P₂⁻ᵀθ) and their induced steps on the grid (columns)."""
    m, theta = ex["param"], ex["theta"]
    w0 = m.pack(np.eye(2), theta)
    w1, w2 = m.transform(w0, ex["P1"]), m.transform(w0, ex["P2"])
    Z1 = np.stack([m.induced_step(w1, g) for g in _GRID.T], axis=1)
    Z2 = np.stack([m.induced_step(w2, g) for g in _GRID.T], axis=1)
    return w1, w2, Z1, Z2


def _angles_deg(Z1, Z2):
    c = np.sum(Z1 * Z2, axis=0) / (np.linalg.norm(Z1, axis=0) * np.linalg.norm(Z2, axis=0))
    return np.degrees(np.arccos(np.clip(c, -1.0, 1.0)))


def plot_deep_fields(ex, fig):
    m, theta = ex["param"], ex["theta"]
    w1, w2, Zg1, Zg2 = _deep_fields(ex)
    ax = fig.add_subplot(1, 1, 1)
    xs = np.linspace(-1, 1, 7)
    G = np.array([[x, y] for x in xs for y in xs]).T
    ang = _angles_deg(Zg1, Zg2)
    k = int(np.argmax(ang))
    gk = _GRID[:, k]
    for wi, Zg, color, name in ((w1, Zg1, COLORS["induced"], "K(P₁) g"), (w2, Zg2, COLORS["other"], "K(P₂) g")):
        Z = np.stack([m.induced_step(wi, g) for g in G.T], 1)
        s = 0.28 / max(float(np.linalg.norm(Z, axis=0).max()), 1e-300)  # each field scaled to its own largest arrow
        ax.quiver(G[0], G[1], s * Z[0], s * Z[1], color=color, angles="xy", scale_units="xy", scale=1, width=0.004,
                  label=f"{name} (arrows start at g, ×{s:.2g})")
        zk = Zg[:, k] / np.linalg.norm(Zg[:, k])
        ax.annotate("", xy=gk + 0.45 * zk, xytext=gk,
                    arrowprops=dict(arrowstyle="-|>", color=color, lw=2.5, shrinkA=0, shrinkB=0))
    ax.plot(*gk, "o", ms=9, mfc="none", color=COLORS["violation"],
            label=f"g = ({gk[0]:.2f}, {gk[1]:.2f}): steps {ang[k]:.0f}° apart")
    nt = float(np.linalg.norm(theta))
    if nt > 0:
        _arrow(ax, np.zeros(2), 0.9 * theta / nt, COLORS["theta"], "θ (the same for both, unit)", lw=2.5)
    ax.set_aspect("equal")
    ax.set_xlim(-1.4, 1.4)
    ax.set_ylim(-1.4, 1.4)
    ax.set_xlabel("g₁")
    ax.set_ylabel("g₂")
    ax.set_title("U = I, θ = v: one θ, two choices of P, two induced fields", fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=7)
    fig.subplots_adjust(left=0.1, right=0.58)


@claim("C33", kind="exists", section=GRADIENT_FIELDS,
       statement="In the two-layer model with k = d = 2 and U = I (so θ = v), the points (P, P⁻ᵀθ) for different "
                 "invertible P all represent the same θ but can induce clearly different fields: some P₁, P₂ "
                 f"give induced steps more than {ANGLE_THRESHOLD_DEG:.0f}° apart at some canonical gradient g.",
       strategy=st.fixed_dictionaries({
           "param": st.just(TwoLayerLinear(2, 2)),
           "theta": inputs(2),
           "P1": _invertible_2x2(),
           "P2": _invertible_2x2()}),
       plot=plot_deep_fields,
       definitions=f"The fields are compared on 16 unit gradients g = (cos kπ/8, sin kπ/8); a witness has an angle "
                   f"above {ANGLE_THRESHOLD_DEG:.0f}° between K(P₁)g and K(P₂)g at one of them, far above round-off, "
                   f"and both points checked: ψ(P, P⁻ᵀθ) = θ within C09's round-off bound and the model's induced "
                   f"steps equal (PᵀP + ‖P⁻ᵀθ‖²I)g, written with P and θ, within C10's.")
def deep_linear_fields_depend_on_P(ex):
    m, theta = ex["param"], ex["theta"]
    w1, w2, Z1, Z2 = _deep_fields(ex)
    ang = _angles_deg(Z1, Z2)
    k = int(np.argmax(ang))
    target(float(ang[k]), label="largest angle between the two fields (degrees)")
    note(f"angles on the grid: {np.array2string(ang, precision=1)}")
    if ang[k] > ANGLE_THRESHOLD_DEG:
        g = _GRID[:, k]
        # both points represent θ and both steps at g are their formula (PᵀP + ‖P⁻ᵀθ‖²I)g (U = I), each
        # to its round-off (C09's and C10's bounds): a wrong transform or induced step is no witness
        w0 = m.pack(np.eye(2), theta)
        for name, P in (("P₁", ex["P1"]), ("P₂", ex["P2"])):
            bad = reparameterization_mismatch(m, w0, P, g)
            if bad is not None:
                note(f"{name}: {bad[0]}")
                event("rejected: not a reparameterization of the same θ with its induced step")
                return None
        return (f"at g=({g[0]:.3f}, {g[1]:.3f}) the induced steps are {ang[k]:.1f}° apart "
                f"(K(P₁)g = {vector(Z1[:, k])}, K(P₂)g = {vector(Z2[:, k])})")
    return None
