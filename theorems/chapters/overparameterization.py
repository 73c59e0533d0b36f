"""Section "Over-Parameterization": the two-layer model's symmetries and its bilinear ψ."""

from __future__ import annotations

import numpy as np
from hypothesis import event, note
from hypothesis import strategies as st

from overparam.parameterizations.strategies import nonzero_scales, permutations

from ..core import expect, expect_same
from ..example_strategies import examples, two_layer
from ..registry import claim
from ..sections import OVER_PARAMETERIZATION
from ..style import COLORS

__all__ = ["permutation_invariance", "rescaling_invariance", "bilinear_not_linear"]


def _bars(ax, series, title):
    """Grouped bars of equally long vectors (one group per coordinate of θ)."""
    n = len(series)
    for i, (label, values, color) in enumerate(series):
        idx = np.arange(len(values))
        ax.bar(idx + (i - (n - 1) / 2) * 0.8 / n, values, width=0.8 / n, label=label, color=color)
    ax.axhline(0, color=COLORS["neutral"], lw=0.8)
    ax.set_xticks(np.arange(len(series[0][1])))
    ax.set_xlabel("coordinate i of θ")
    ax.set_ylabel("θᵢ")
    ax.set_title(title)
    ax.legend(fontsize=8)


def plot_permutation(ex, fig):
    m, w, perm = ex["param"], ex["w"], ex["perm"]
    ax = fig.add_subplot(1, 2, 1)
    U, v = m.unpack(w)
    ax.imshow(np.column_stack([U, v]), cmap="coolwarm", aspect="auto")
    order = ", ".join(str(int(i)) for i in perm)
    ax.set_title(f"[U | v]; rows are hidden units, permuted to ({order})")
    ax.set_xlabel("input coordinate (last column: v)")
    ax.set_ylabel("hidden unit")
    _bars(fig.add_subplot(1, 2, 2), [("ψ(U, v)", m.psi(w), COLORS["canonical"]),
                                     ("ψ(permuted)", m.psi(m.permute(w, perm)), COLORS["induced"])],
          f"C01: the same θ ({m.label})")


def plot_rescaling(ex, fig):
    m, w, c = ex["param"], ex["w"], ex["c"]
    ax = fig.add_subplot(1, 2, 1)
    cs = np.geomspace(1e-3, 1e3, 61)
    U, v = m.unpack(w)
    ax.loglog(cs, cs * np.linalg.norm(U), color=COLORS["canonical"], label="‖cU‖")
    ax.loglog(cs, np.linalg.norm(v) / cs, color=COLORS["induced"], label="‖v/c‖")
    ax.axvline(abs(c), color=COLORS["neutral"], ls="--", label=f"|c| = {abs(c):.3g}")
    ax.set_xlabel("|c|")
    ax.set_ylabel("norm")
    ax.set_title("the weights change…")
    ax.legend(fontsize=8)
    _bars(fig.add_subplot(1, 2, 2), [("ψ(U, v)", m.psi(w), COLORS["canonical"]),
                                     ("ψ(cU, v/c)", m.psi(m.rescale(w, c)), COLORS["induced"])],
          "…θ does not (C02)")


def plot_bilinear(ex, fig):
    m, w1, w2 = ex["param"], ex["w"], ex["w2"]
    (U1, v1), (U2, v2) = m.unpack(w1), m.unpack(w2)
    _bars(fig.add_subplot(1, 1, 1), [
        ("ψ(W₁ + W₂)", m.psi(w1 + w2), COLORS["canonical"]),
        ("ψ(W₁) + ψ(W₂)", m.psi(w1) + m.psi(w2), COLORS["induced"]),
        ("U₁ᵀv₂ + U₂ᵀv₁ (the difference)", U1.T @ v2 + U2.T @ v1, COLORS["other"]),
    ], f"C03: ψ is bilinear, not linear ({m.label})")


def _abs_scale(m, w) -> float:
    """‖|U|ᵀ|v|‖: the size of the terms summed in θ = Uᵀv."""
    U, v = m.unpack(w)
    return float(np.linalg.norm(np.abs(U).T @ np.abs(v)))


@claim("C01", kind="holds", section=OVER_PARAMETERIZATION,
       statement="Applying one permutation to the rows of U and to the entries of v leaves θ = Uᵀv unchanged.",
       strategy=examples(two_layer(), perm=lambda m: permutations(m.k)), plot=plot_permutation)
def permutation_invariance(ex):
    m, w, perm = ex["param"], ex["w"], ex["perm"]
    event(f"k={m.k}")
    expect_same(m.psi(m.permute(w, perm)), m.psi(w), scale=_abs_scale(m, w), terms=m.k,
                 what="ψ(permuted W) − ψ(W)")


@claim("C02", kind="holds", section=OVER_PARAMETERIZATION,
       statement="Scaling U by c ≠ 0 and v by 1/c leaves θ unchanged.",
       strategy=examples(two_layer(), c=lambda m: nonzero_scales(1e-3, 1e3)), plot=plot_rescaling)
def rescaling_invariance(ex):
    m, w, c = ex["param"], ex["w"], ex["c"]
    # each product (cU_i)(v_i/c) carries two extra roundings
    expect_same(m.psi(m.rescale(w, c)), m.psi(w), scale=_abs_scale(m, w), terms=m.k + 2,
                 what="ψ(cU, v/c) − ψ(U, v)")


@claim("C03", kind="holds", section=OVER_PARAMETERIZATION,
       statement="ψ(U, v) = Uᵀv is bilinear — linear in U for fixed v and in v for fixed U — but not "
                 "linear: ψ(W₁ + W₂) − ψ(W₁) − ψ(W₂) = U₁ᵀv₂ + U₂ᵀv₁, so every W with ψ(W) ≠ 0 has "
                 "ψ(2W) = 4ψ(W) ≠ 2ψ(W).",
       strategy=two_layer().flatmap(lambda m: st.fixed_dictionaries({
           "param": st.just(m), "w": m.points(), "w2": m.points(),
           "a": st.floats(-3, 3), "b": st.floats(-3, 3)})), plot=plot_bilinear)
def bilinear_not_linear(ex):
    m, w1, w2, a, b = ex["param"], ex["w"], ex["w2"], ex["a"], ex["b"]
    (U1, v1), (U2, v2) = m.unpack(w1), m.unpack(w2)
    k = m.k
    nU1, nU2, nv1, nv2 = (float(np.linalg.norm(x)) for x in (U1, U2, v1, v2))
    # linear in U for fixed v
    expect_same(m.psi(m.pack(a * U1 + b * U2, v1)), a * m.psi(m.pack(U1, v1)) + b * m.psi(m.pack(U2, v1)),
                 scale=(abs(a) * nU1 + abs(b) * nU2) * nv1, terms=k + 2, what="ψ(aU₁+bU₂, v) − aψ(U₁,v) − bψ(U₂,v)")
    # linear in v for fixed U
    expect_same(m.psi(m.pack(U1, a * v1 + b * v2)), a * m.psi(m.pack(U1, v1)) + b * m.psi(m.pack(U1, v2)),
                 scale=nU1 * (abs(a) * nv1 + abs(b) * nv2), terms=k + 2, what="ψ(U, av₁+bv₂) − aψ(U,v₁) − bψ(U,v₂)")
    # the defect of additivity is exactly the cross terms
    cross = U1.T @ v2 + U2.T @ v1
    expect_same(m.psi(w1 + w2) - m.psi(w1) - m.psi(w2), cross, scale=(nU1 + nU2) * (nv1 + nv2), terms=k + 2,
                 what="ψ(W₁+W₂) − ψ(W₁) − ψ(W₂) − (U₁ᵀv₂ + U₂ᵀv₁)")
    theta = m.psi(w1)
    nt = float(np.linalg.norm(theta))
    if nt > 0:
        event("ψ(W) ≠ 0: a pair (W, W) on which ψ is not additive")
        gap = float(np.linalg.norm(m.psi(2 * w1) - 2 * theta))
        note(f"‖ψ(2W) − 2ψ(W)‖ = {gap:.3g}, ‖ψ(W)‖ = {nt:.3g}")
        # exactly 2‖θ‖; round-off cannot make it vanish
        expect(gap, ">", 0, "‖ψ(2W) − 2ψ(W)‖")
