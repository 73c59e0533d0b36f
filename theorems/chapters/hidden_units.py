"""Section "A More General View", ghost saddles from hidden units: duplicate and dead units, wide ReLU nets (C20–C22).

A unit that copies another adds no column to the span of J (C20), a ReLU unit inactive on every
input has zero columns (C21): both make J rank-deficient and so create critical points that the
canonical loss does not have. Whether a wide random ReLU network escapes this at initialization
is C22 (the post's reading, as a rate against the width) and C22w (the worst case: every seed,
every width).
"""

from __future__ import annotations

import numpy as np
from hypothesis import event, note, target
from hypothesis import strategies as st

from overparam.parameterizations import ShallowReLU, TwoLayerLinear
from overparam.parameterizations.strategies import finite_vectors

from ..core import expect, expect_same
from ..rates import RateRule, one_sided_bounds, sample_trials
from ..example_strategies import examples, relu
from ..registry import claim
from ..sections import GENERAL_VIEW

__all__ = ["duplicate_unit_adds_no_columns", "dead_unit_has_zero_columns", "wide_relu_full_rank_rate",
           "wide_relu_full_row_rank", "unit_columns", "activation_groups", "full_row_rank", "WIDTH_MULTIPLES",
           "c22_problem", "c22_counts", "C22_DISTRIBUTION", "C22_BOUND"]


# --- C20, C21: duplicate and dead hidden units ------------------------------------------------


def unit_columns(m, j: int) -> np.ndarray:
    """The columns of J that belong to hidden unit j: its incoming weights (and bias) and its outgoing weight.

    Two-layer: row j of U (d columns) and v_j. Shallow ReLU: row j of A, b_j and a_j.
    """
    kd = m.k * m.d
    incoming = np.arange(j * m.d, (j + 1) * m.d)
    if isinstance(m, ShallowReLU):
        return np.concatenate([incoming, [kd + j, kd + m.k + j]])
    return np.concatenate([incoming, [kd + j]])


def _unit_pair(k: int):
    """Two distinct hidden units (source, target) of k ≥ 2."""
    return st.tuples(st.integers(0, k - 1), st.integers(0, k - 2)).map(
        lambda t: {"source": t[0], "target": t[1] + (t[1] >= t[0])})


def _with_pair(m):
    return st.tuples(st.just(m), m.points(), _unit_pair(m.k)).map(lambda t: {"param": t[0], "w": t[1], **t[2]})


def _rank(s, tol) -> int:
    return int(np.sum(s > tol))


@claim("C20", kind="holds", section=GENERAL_VIEW,
       statement="A hidden unit that copies another adds nothing to the column space of J: in the two-layer "
                 "linear model and in a shallow ReLU network (canonical space: the outputs on n fixed inputs), "
                 "after making unit t a copy of unit s, J's columns for t equal J's columns for s, so the rank "
                 "of J is that of J without t's columns.",
       definitions="Columns of a unit: its incoming weights (a row of U, or a row of A and its bias) and its "
                   "outgoing weight. Rank: the numerical rank as numpy.linalg.matrix_rank counts it "
                   "(singular values above σ₁·max(q, p)·eps), with the tolerance of the full J for both matrices.",
       strategy=examples(st.one_of(
           st.builds(TwoLayerLinear, k=st.integers(2, 4), d=st.integers(1, 4)),
           st.builds(ShallowReLU, n=st.integers(1, 4), d=st.integers(1, 4), k=st.integers(2, 8),
                     seed=st.integers(0, 2**16))), _with_pair),
       plot=lambda ex, fig: plot_unit_columns(ex, fig, "duplicate"))
def duplicate_unit_adds_no_columns(ex):
    m, s, t = ex["param"], ex["source"], ex["target"]
    w = m.duplicate_unit(ex["w"], s, t)
    J = np.asarray(m.jacobian(w))
    cs, ct = unit_columns(m, s), unit_columns(m, t)
    # the twin's columns are computed by the same formulas from the same numbers; a blocked matrix
    # product may round them differently: a product of depth 2 with d + 1 terms (Z = XAᵀ + b)
    expect_same(J[:, ct], J[:, cs], scale=float(np.linalg.norm(J[:, cs])), terms=m.d + 1, depth=2,
                 what="J's columns of the copy − J's columns of its twin")
    rest = np.delete(J, ct, axis=1)
    sv_full = np.linalg.svd(J, compute_uv=False)
    tol = (sv_full[0] if sv_full.size else 0.0) * max(J.shape) * np.finfo(float).eps
    r_full, r_rest = _rank(sv_full, tol), _rank(np.linalg.svd(rest, compute_uv=False), tol)
    event(f"{m.family}: rank J {'<' if r_full < m.n_canonical else '='} q")
    note(f"rank J = {r_full}, rank J without the copy's columns = {r_rest}, q = {m.n_canonical}")
    expect(r_full, "==", r_rest, "rank of J with the copy's columns")


@claim("C21", kind="holds", section=GENERAL_VIEW,
       statement="A ReLU unit that is inactive on every input has zero columns in J, for its incoming weights "
                 "and bias and for its outgoing weight alike: no first-order change of those weights changes "
                 "the network's outputs, and the parametric gradient Jᵀg is zero there for every g.",
       definitions="Inactive on every input: pre-activation A_j·x_i + b_j < 0 for every input x_i "
                   "(ShallowReLU.dead_unit sets b_j = −max_i A_j·x_i − 1).",
       strategy=examples(relu(), lambda m: st.fixed_dictionaries({
           "param": st.just(m), "w": m.points(), "j": st.integers(0, m.k - 1), "g": finite_vectors(m.n)})),
       plot=lambda ex, fig: plot_unit_columns(ex, fig, "dead"))
def dead_unit_has_zero_columns(ex):
    m, j, g = ex["param"], ex["j"], ex["g"]
    w = m.dead_unit(ex["w"], j)
    Z = m.preactivations(w)
    note(f"pre-activations of unit {j}: {np.array2string(Z[:, j], precision=3)}")
    expect(float(np.max(Z[:, j])), "<", 0, "max pre-activation of the dead unit")
    cols = unit_columns(m, j)
    # exact zeros: each entry is a product with D_ij = 0 or relu(Z_ij) = 0 (0·finite = 0 in IEEE)
    expect(float(np.max(np.abs(m.jacobian(w)[:, cols]))), "==", 0, "max |J entry| in the dead unit's columns")
    expect(float(np.max(np.abs(m.vjp(w, g)[cols]))), "==", 0, "max |(Jᵀg) entry| of the dead unit's weights")
    E = np.eye(m.n_params)
    expect(max(float(np.max(np.abs(m.jvp(w, E[c])))) for c in cols), "==", 0,
           "max |J·e| along the dead unit's weights")


def plot_unit_columns(ex, fig, which: str):
    """C20/C21: J as an image, the columns of the copied (or dead) unit and its twin outlined."""
    from matplotlib.patches import Rectangle

    from ..style import COLORS

    m = ex["param"]
    if which == "dead":
        w, units = m.dead_unit(ex["w"], ex["j"]), [(ex["j"], COLORS["violation"], f"dead unit {ex['j']}")]
    else:
        w = m.duplicate_unit(ex["w"], ex["source"], ex["target"])
        units = [(ex["source"], COLORS["canonical"], f"unit {ex['source']}"),
                 (ex["target"], COLORS["violation"], f"its copy, unit {ex['target']}")]
    J = np.asarray(m.jacobian(w))
    lim = float(np.max(np.abs(J))) or 1.0
    ax = fig.add_subplot()
    im = ax.imshow(J, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto", interpolation="nearest")
    fig.colorbar(im, ax=ax, label="J entry")
    q = J.shape[0]
    for j, color, label in units:
        for n_, c in enumerate(unit_columns(m, j)):
            ax.add_patch(Rectangle((c - 0.5, -0.5), 1, q, fill=False, ec=color, lw=2,
                                   label=label if n_ == 0 else None))
    ax.set_xlabel("parameter (column of J)")
    ax.set_ylabel("canonical coordinate (row of J)")
    ax.set_title(f"C{'21' if which == 'dead' else '20'}: J of {m.label}, the {which} unit's columns outlined")
    ax.legend(loc="upper right", fontsize="small")


# --- C22, C22w: wide random shallow ReLU networks and the rank of J --------------------------------------

#: the widths of C22, as multiples of the number of inputs n
WIDTH_MULTIPLES = (1, 2, 8, 32)


def _series(c: int) -> str:
    return "k = n" if c == 1 else f"k = {c}n"


def full_row_rank(m, w) -> tuple[bool, float]:
    """(σ_n(J) > σ₁(J)·max(n, p)·eps — the numerical rank of numpy.linalg.matrix_rank is n —, σ_n/σ₁)."""
    J = np.asarray(m.jacobian(w))
    s = np.linalg.svd(J, compute_uv=False)
    tol = s[0] * max(J.shape) * np.finfo(float).eps
    sn = float(s[m.n - 1])
    return bool(sn > tol), (sn / s[0] if s[0] > 0 else 0.0)


def activation_groups(m, w) -> tuple[int, int]:
    """(largest number of inputs sharing one activation pattern, number of inputs no unit is active on).

    Inputs with one pattern D have J rows (a⊙D ⊗ xᵢ, a⊙D, relu(zᵢ)) that are affine in xᵢ: at most
    d + 1 of them are independent, so a group larger than d + 1 forces rank J < n; an input on which
    no unit is active has a zero row.
    """
    D = m.preactivations(w) > 0
    _, counts = np.unique(D, axis=0, return_counts=True)
    return int(counts.max()), int(np.sum(~D.any(axis=1)))


#: C22's distribution of problems: sizes, inputs and the standard initialization, one width at a time
_C22_SIZES = {"n": (2, 8), "d": (2, 4)}
C22_DISTRIBUTION = ("n ~ U{2…8} inputs x ~ N(0, I_d), d ~ U{2…4}; k = c·n units; A ~ N(0, 1/d), b ~ N(0, 0.01), "
                    "a ~ N(0, 1/k); fresh inputs and weights in every problem, independent problems at every width")


def c22_problem(rng, c: int):
    """One problem of C22 at width multiple c: a ShallowReLU network of width c·n on fresh inputs, and a
    standard initialization, all drawn from ``rng``."""
    n = int(rng.integers(_C22_SIZES["n"][0], _C22_SIZES["n"][1] + 1))
    d = int(rng.integers(_C22_SIZES["d"][0], _C22_SIZES["d"][1] + 1))
    m = ShallowReLU(n=n, d=d, k=c * n, seed=int(rng.integers(2**32)))
    return m, m.sample(rng)


def c22_counts(seed: int) -> dict:
    """For every width multiple, the Count of full-row-rank J over C22's n i.i.d. problems and the problems' details
    ((n, d, σ_n/σ₁) each); each width draws from its own stream of ``seed``."""
    out = {}
    for c in WIDTH_MULTIPLES:
        def batch(rng, m, c=c):
            res = []
            for _ in range(m):
                net, w = c22_problem(rng, c)
                ok, ratio = full_row_rank(net, w)
                res.append((ok, (net.n, net.d, ratio)))
            return res

        out[_series(c)] = sample_trials(_C22_RULE, int(np.random.SeedSequence([seed, c]).generate_state(1)[0]),
                                        batch)
    return out


#: "we don't see this happening": rank-deficient J in at most 5% of initializations at the largest width
C22_BOUND = 0.05
_C22_RULE = RateRule("J (n×p) has full row rank n at a standard random initialization", series=_series(32),
                     bound=C22_BOUND, trial="random initialization", distribution=C22_DISTRIBUTION,
                     trend=tuple(_series(c) for c in WIDTH_MULTIPLES))


def plot_rank_against_width(ex, fig):
    """C22: the rate of rank-deficient J against width over the run's problems (one-sided Clopper–Pearson
    bounds, the design's bound at the largest width), and σ_n/σ₁ of every problem at every width."""
    from ..style import COLORS

    counts = c22_counts(ex["seed"])
    widths = [_series(c).removeprefix("k = ") for c in WIDTH_MULTIPLES]  # n, 2n, 8n, 32n: short ticks
    r = _C22_RULE
    ax = fig.add_subplot(1, 2, 1)
    for j, c in enumerate(WIDTH_MULTIPLES):
        cnt = counts[_series(c)][0]
        bad, draws = cnt.decided - cnt.met, cnt.decided
        lo, hi = one_sided_bounds(bad, draws, r.confidence)
        ax.errorbar([j], [bad / draws], yerr=[[bad / draws - lo], [hi - bad / draws]], fmt="o",
                    color=COLORS["violation"] if c == WIDTH_MULTIPLES[-1] else COLORS["canonical"], capsize=5,
                    label="rank-deficient share, 95% bounds" if j == 0 else None)
    ax.axhline(r.bound, color=COLORS["reference"], ls="--", label=f"bound {r.bound:g} at the largest width")
    ax.set_xticks(range(len(widths)), widths)
    ax.set_xlim(-0.5, len(widths) - 0.5)
    ax.set_ylim(-0.03, 1.0)
    ax.set_xlabel("width k")
    ax.set_ylabel(f"P(rank J < n), {r.n} problems a width")
    ax.set_title(f"survives at ≤ {r.n - r.cut} of {r.n} deficient at {widths[-1]}", fontsize=9)
    ax.legend(fontsize=7, loc="upper right")
    ax2 = fig.add_subplot(1, 2, 2)
    tiny = np.finfo(float).eps
    for j, c in enumerate(WIDTH_MULTIPLES):
        log = counts[_series(c)][1]
        ratios = np.array([max(det[2], tiny / 10) for _, det in log])
        ok = np.array([o for o, _ in log])
        xs = j + np.linspace(-0.3, 0.3, len(ratios))
        ax2.scatter(xs[ok], ratios[ok], s=10, color=COLORS["canonical"], label="full row rank" if j == 0 else None)
        ax2.scatter(xs[~ok], ratios[~ok], s=14, marker="x", color=COLORS["violation"],
                    label="rank-deficient" if j == 0 else None)
    ax2.set_xticks(range(len(widths)), widths)
    ax2.set_xlim(-0.5, len(widths) - 0.5)
    ax2.set_yscale("log")
    ax2.set_xlabel("width k")
    ax2.set_ylabel("σ_n(J)/σ₁(J)")
    ax2.set_title("every problem of the run", fontsize=9)
    ax2.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    fig.suptitle("C22: J of a random shallow ReLU network against its width", fontsize=10)


@claim("C22", kind="open", section=GENERAL_VIEW,
       expected="survived",
       expected_because="rank-deficient J is rare at k = 32n (0 of 100 draws in the README's earlier ci run): with "
                         "no miss in its n problems the upper bound is ≤ 0.05, and the miss rate at k = n "
                         "(a few problems in ten) is above, not below, the one at 32n.",
       statement="The post's reading (\"when the network is large enough and the initialization is good, we don't "
                 "see this happening\"): at a standard random initialization on inputs in general position (d ≥ 2), "
                 "the probability that a shallow ReLU network's J (its outputs on n inputs) is rank-deficient falls "
                 "as the width k grows and is near 0 at large widths — decided at k = n, 2n, 8n, 32n: J is "
                 "rank-deficient in at most 5 % of initializations at k = 32n (a 95 % upper bound ≤ 0.05), and not "
                 "more often at 32n than at k = n (a one-sided trend test).",
       definitions="Problems: " + C22_DISTRIBUTION + ". Full row rank: σ_n(J) > σ₁(J)·max(n, p)·eps, the numerical "
                   "rank of numpy.linalg.matrix_rank. 'We don't see this happening' is read as J rank-deficient in at "
                   "most 5 % of initializations at the largest width: a run survives when the one-sided 95 % "
                   "Clopper–Pearson upper bound of that rate is ≤ 0.05 and is refuted when the lower bound is above "
                   "0.05. 'Falls as the width grows': the rank-deficient rate at k = 32n is not above the one at "
                   "k = n (Fisher's exact test, one-sided, level 0.05); a rate that grows with the width refutes. "
                   "Fresh i.i.d. problems at every width; the rates at k = 2n and 8n are reported beside.",
       strategy=st.fixed_dictionaries({"seed": st.integers(0, 2**63 - 1)}),
       rate=_C22_RULE, plot=plot_rank_against_width)
def wide_relu_full_rank_rate(ex):
    out = {}
    for name, (count, log) in c22_counts(ex["seed"]).items():
        deficient = [(n, d, ratio) for ok, (n, d, ratio) in log if not ok]
        note(f"{name}: {count.met} of {count.decided} full row rank; rank-deficient (n, d, σ_n/σ₁): "
             + (", ".join(f"({n}, {d}, {r:.2g})" for n, d, r in deficient[:8]) or "none"))
        out[name] = count
    return out


def _wide_relu(t) -> dict:
    n, d, mult, seed, init = t
    m = ShallowReLU(n=n, d=d, k=mult * n, seed=seed)
    return {"param": m, "w": m.sample(init), "width_multiple": mult, "init_seed": init}


@claim("C22w", kind="open", section=GENERAL_VIEW,
       expected="refuted",
       expected_because="refuted in every run so far (ci, and 10 fresh-seed runs under quick), within its first "
                         "examples: small widths, and inputs no unit is active on, make J rank-deficient.",
       statement="The worst-case reading of C22: a shallow ReLU network has J of full row rank n on its n inputs at "
                 "every random initialization of every width k ≥ n (so no ghost critical points near there).",
       definitions="Width: k = c·n hidden units with c ∈ {1, …, 8}. Random initialization: ShallowReLU.sample — "
                   "A ~ N(0, 1/d), b ~ N(0, 0.01), a ~ N(0, 1/k) — at a drawn seed, inputs x₁…x_n ~ N(0, I_d) at "
                   "another; n ∈ [1, 8], d ∈ [1, 4]. Full row rank: σ_n(J) > σ₁(J)·max(n, p)·eps, the numerical "
                   "rank of numpy.linalg.matrix_rank; σ_n/σ₁ is reported. A search (target() steers to small "
                   "σ_n/σ₁) for one initialization where it fails; C22 asks how often it does.",
       known_failure="Small widths and inputs no unit is active on (likely at d = 1, k = n) make J rank-deficient.",
       strategy=st.tuples(st.integers(1, 8), st.integers(1, 4), st.integers(1, 8), st.integers(0, 2**16),
                          st.integers(0, 2**16)).map(_wide_relu),
       plot=lambda ex, fig: plot_wide_relu_spectrum(ex, fig))
def wide_relu_full_row_rank(ex):
    m, w = ex["param"], ex["w"]
    J = np.asarray(m.jacobian(w))
    s = np.linalg.svd(J, compute_uv=False)
    tol = s[0] * max(J.shape) * np.finfo(float).eps
    sn = float(s[m.n - 1])
    ratio = sn / s[0] if s[0] > 0 else 0.0
    group, dead = activation_groups(m, w)
    note(f"σ_n/σ₁ = {ratio:.3g}; largest group of inputs with one activation pattern: {group} (> d + 1 = "
         f"{m.d + 1} forces rank < n); inputs no unit is active on: {dead}")
    event(f"d={m.d}: " + ("full row rank" if sn > tol else "rank-deficient"))
    target(-np.log10(max(ratio, 1e-300)), label="−log₁₀(σₙ/σ₁)")
    expect(sn, ">", tol, "smallest singular value σₙ(J)", context=" (the numerical-rank tolerance σ₁(J)·max(n, p)·eps)")


def plot_wide_relu_spectrum(ex, fig):
    """C22w: singular values of J at the initialization against the rank tolerance, n marked; a zero
    singular value is drawn at the floor of the axis (marked), not below it."""
    from ..style import COLORS

    m, w = ex["param"], ex["w"]
    J = np.asarray(m.jacobian(w))
    s = np.linalg.svd(J, compute_uv=False)[: m.n]
    tol = s[0] * max(J.shape) * np.finfo(float).eps if s[0] > 0 else 0.0
    positive = s[s > 0]
    top = float(positive.max()) if positive.size else 1.0
    floor = min(tol if tol > 0 else top, float(positive.min()) if positive.size else top) / 100
    group, dead = activation_groups(m, w)
    ax = fig.add_subplot()
    idx = np.arange(1, s.size + 1)
    colors = [COLORS["canonical"] if x > tol else COLORS["violation"] for x in s]
    ax.bar(idx, np.maximum(s, floor), color=colors, bottom=0, label="σ_i(J), i ≤ n (pink: at or below tolerance)")
    zero = s == 0
    if np.any(zero):
        ax.plot(idx[zero], np.full(zero.sum(), floor * 1.5), "v", color=COLORS["violation"], ms=9,
                label="σ_i = 0 (drawn at the axis floor)")
    if tol > 0:
        ax.axhline(tol, color=COLORS["reference"], ls="--", label="rank tolerance σ₁·max(n, p)·eps")
    if not positive.size:
        ax.text(0.5, 0.5, "J = 0: every singular value is 0", ha="center", va="center", transform=ax.transAxes,
                color=COLORS["violation"])
    ax.set_yscale("log")
    ax.set_ylim(floor, top * 10)
    ax.set_xticks(idx)
    ax.set_xlabel(f"i (n = {m.n}: σ_n decides)")
    ax.set_ylabel("singular value")
    ax.set_title(f"C22w: J at a random init of {m.label}\nlargest group of inputs with one activation pattern: "
                 f"{group}; inputs no unit is active on: {dead}", fontsize=9)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), frameon=False)
