"""Strategies of special points of the zoo's families, built (never filtered) by construction.

Each strategy is registered with the families it draws for (:data:`SPECIAL_POINTS`), so that
the README's table of models (``python -m overparam.theorems models``) lists it beside them. Every one
takes a member ``m`` and returns a strategy of flat points w, or (:func:`same_theta_pairs`)
of dicts. Their numbers are integers on a grid (:func:`steerable_vectors`,
:func:`steerable_matrices`, :func:`steerable_invertible_matrices`), which ``target()`` can
climb, and they shrink toward simple non-degenerate points (θ = 0.5·e₁, P = I), not toward θ = 0, where a conjecture
about θ ≠ 0 says nothing.

* :func:`nonzero_theta_points` — ψ(w) = θ for a drawn θ ≠ 0;
* :func:`balanced_points` — two-layer: on the rescaling orbit, ‖U‖_F = ‖v‖ (θ ≠ 0);
  deep and factorized: ``balanced_point(E)`` (W_{j+1}ᵀW_{j+1} = W_jW_jᵀ) for a drawn E ≠ 0 of rank one;
* :func:`same_theta_pairs` — (w, P, w₂) with w₂ = (PU, P⁻ᵀv) (or P between two layers), one θ,
  κ(P) up to ``max_cond``; ``balanced=True`` balances both;
* :func:`polar_points` — r in a range (below or above 1);
* :func:`degenerate_points` — J below its generic rank: the origin; two-layer: v = 0 and U of rank < d;
* :func:`duplicated_unit_points` — a hidden unit made a copy of another;
* :func:`dead_unit_points` — a ReLU unit inactive on every input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = [
    "SpecialPoints",
    "SPECIAL_POINTS",
    "special_points_for",
    "nonzero_theta_points",
    "balanced_points",
    "same_theta_pairs",
    "polar_points",
    "degenerate_points",
    "duplicated_unit_points",
    "dead_unit_points",
    "DEFAULT_MAX_COND",
    "steerable_vectors",
    "steerable_matrices",
    "steerable_invertible_matrices",
    "GRID_STEPS",
]

#: grid steps per unit of ``bound`` in :func:`steerable_vectors`
GRID_STEPS = 2**12


#: the default cap on κ(P) of :func:`same_theta_pairs`: the cosine of two balanced
#: parameterizations' steps goes below 0.8 only for κ(P) ≳ 34, and toward its infimum 7/9 as κ → ∞
DEFAULT_MAX_COND = 1e6


@dataclass(frozen=True)
class SpecialPoints:
    """A registered strategy: ``function(m, **options)``, the families it serves, one line on what it draws."""

    name: str
    families: tuple[str, ...]
    summary: str
    function: Callable


#: every strategy of this module, in the order of the table
SPECIAL_POINTS: list[SpecialPoints] = []


def _special(*families: str, summary: str):
    def deco(fn):
        SPECIAL_POINTS.append(SpecialPoints(fn.__name__, families, summary, fn))
        return fn

    return deco


def special_points_for(family: str) -> list[SpecialPoints]:
    """The registered strategies that draw points of ``family``."""
    return [s for s in SPECIAL_POINTS if family in s.families]


def _family(m, allowed: tuple[str, ...], name: str) -> str:
    family = getattr(m, "family", type(m).__name__)
    if family not in allowed:
        raise ValueError(f"m must be a member of a family in {list(allowed)} for {name}, but got {family!r}")
    return family


def _grid(shape) -> st.SearchStrategy:
    return hnp.arrays(np.int64, shape, elements=st.integers(-GRID_STEPS, GRID_STEPS))


def steerable_vectors(n: int, bound: float = 2.0, *, nonzero: bool = False) -> st.SearchStrategy:
    """Vectors in [−bound, bound]ⁿ on a grid of ``GRID_STEPS`` steps per ``bound``, drawn as integers.

    Why integers: ``target()`` hill-climbs by adding ±1, ±2, ±4, … to one drawn number at a
    time, which walks an integer grid but throws a float in [−2, 2] out of its range (or,
    unbounded, by whole units). Every entry shrinks toward 0. ``nonzero``: one entry (drawn)
    has magnitude ≥ bound/4 by construction, so that the vector is never 0.
    """
    base = _grid(n).map(lambda a: bound * a.astype(float) / GRID_STEPS)
    if not nonzero:
        return base

    def lift(t):
        x, i, sign = t
        x = x.copy()
        x[i] = sign * max(abs(x[i]), bound / 4)
        return x

    return st.tuples(base, st.integers(0, n - 1), st.sampled_from([1.0, -1.0])).map(lift)


def steerable_matrices(rows: int, cols: int, bound: float = 2.0) -> st.SearchStrategy:
    """rows×cols matrices with entries as :func:`steerable_vectors` draws them."""
    return _grid((rows, cols)).map(lambda a: bound * a.astype(float) / GRID_STEPS)


def _rotation(k: int, angles: np.ndarray) -> np.ndarray:
    # the product of the Givens rotations G(i, j, α_ij), i < j, in a fixed order: every rotation of R^k
    Q = np.eye(k)
    for (i, j), a in zip(((i, j) for i in range(k) for j in range(i + 1, k)), angles):
        G = np.eye(k)
        G[i, i] = G[j, j] = np.cos(a)
        G[i, j], G[j, i] = -np.sin(a), np.sin(a)
        Q = Q @ G
    return Q


def steerable_invertible_matrices(k: int, *, max_cond: float = DEFAULT_MAX_COND,
                                  max_scale: float = 10.0) -> st.SearchStrategy:
    """Invertible P = c·Q₁ diag(±s) Q₂ᵀ with κ(P) ≤ ``max_cond``, every number on an integer grid.

    Q₁, Q₂: products of Givens rotations, angles πt; sᵢ = max_cond^{|tᵢ|}, c = max_scale^{t}; each t
    on a grid of [−1, 1] (``GRID_STEPS`` steps a side): singular values log-uniform in [1, max_cond]. The same matrices as
    :func:`overparam.parameterizations.strategies.invertible_matrices` draws, but drawn so that
    ``target()`` can climb them (see :func:`steerable_vectors`): the orientation and the
    condition number of P are what a claim about P steers. Shrinks toward P = I.
    """
    if not (max_cond >= 1 and np.isfinite(max_cond)):
        raise ValueError(f"max_cond must be a finite number ≥ 1, but got {max_cond!r}")
    # every number an integer i ∈ [−GRID_STEPS, GRID_STEPS] (0 where the shrinker heads) read as t = i/GRID_STEPS
    ts = lambda n: _grid(n).map(lambda a: a.astype(float) / GRID_STEPS)  # noqa: E731
    n_angles = k * (k - 1) // 2

    def build(a1, t, signs, a2, u):
        s = max_cond ** np.abs(t) * signs
        return max_scale ** u[0] * (_rotation(k, np.pi * a1) * s) @ _rotation(k, np.pi * a2).T

    return st.builds(build, ts(n_angles), ts(k), hnp.arrays(np.float64, k, elements=st.sampled_from([1.0, -1.0])),
                     ts(n_angles), ts(1))


def _two_layer_with_theta(m, theta, v, U0) -> np.ndarray:
    # U = U0 + v(θ − U0ᵀv)ᵀ/‖v‖² gives Uᵀv = U0ᵀv + θ − U0ᵀv = θ exactly in exact arithmetic
    U = U0 + np.outer(v, theta - U0.T @ v) / (v @ v)
    return np.concatenate([U.ravel(), v])


def _balance_two_layer(m, w) -> np.ndarray:
    # (cU, v/c) with c² = ‖v‖/‖U‖_F: ‖cU‖_F = ‖v/c‖ = √(‖U‖_F‖v‖)
    U, v = m.unpack(w)
    nu, nv = float(np.linalg.norm(U)), float(np.linalg.norm(v))
    return m.rescale(w, np.sqrt(nv / nu)) if nu > 0 and nv > 0 else w


def _rank_one(m_out: int, n_in: int) -> st.SearchStrategy:
    # E = a bᵀ with a, b ≠ 0 by construction (an entry of each of magnitude ≥ 0.5)
    return st.tuples(steerable_vectors(m_out, nonzero=True), steerable_vectors(n_in, nonzero=True)).map(
        lambda t: np.outer(*t))


@_special("identity", "two-layer", "deep-linear", "factorization", "polar",
          summary="ψ(w) = θ for a drawn θ ≠ 0 (shrinks toward θ = 0.5·e₁, not 0)")
def nonzero_theta_points(m) -> st.SearchStrategy:
    """Points w with θ = ψ(w) ≠ 0 by construction; shrinks toward θ with one entry 0.5, not toward θ = 0.

    Entries are drawn by :func:`steerable_vectors`, so that ``target()`` can climb them.
    """
    family = _family(m, ("identity", "two-layer", "deep-linear", "factorization", "polar"), "nonzero_theta_points")
    if family == "identity":
        return steerable_vectors(m.n_params, nonzero=True)
    if family == "polar":
        return m.points()
    if family == "two-layer":
        return st.builds(lambda theta, v, U0: _two_layer_with_theta(m, theta, v, U0),
                         steerable_vectors(m.d, nonzero=True), steerable_vectors(m.k, nonzero=True),
                         steerable_matrices(m.k, m.d))
    return balanced_points(m)


@_special("two-layer", "deep-linear", "factorization",
          summary="balanced, θ ≠ 0: two-layer ‖U‖_F = ‖v‖ (rescaling orbit); deep, factorized "
                  "W_{j+1}ᵀW_{j+1} = W_jW_jᵀ (`balanced_point`)")
def balanced_points(m, *, seed: st.SearchStrategy | None = None) -> st.SearchStrategy:
    """Balanced points with θ ≠ 0.

    Two-layer: a point of :func:`nonzero_theta_points` moved along its rescaling orbit to
    ‖U‖_F = ‖v‖ (θ unchanged). Deep and factorized: ``m.balanced_point(E)`` for E = a bᵀ,
    a, b ≠ 0, its hidden unit vectors drawn from ``seed`` (an integer strategy; default 0…2¹⁶).
    """
    family = _family(m, ("two-layer", "deep-linear", "factorization"), "balanced_points")
    if family == "two-layer":
        return nonzero_theta_points(m).map(lambda w: _balance_two_layer(m, w))
    seeds = st.integers(0, 2**16) if seed is None else seed
    return st.builds(lambda E, s: m.balanced_point(E, rng=s), _rank_one(m.m, m.n), seeds)


@_special("two-layer", "deep-linear", "factorization",
          summary="{w, P, w2}: two parameterizations of one θ through P, 1 ≤ κ(P) ≤ max_cond (default 1e6); "
                  "balanced=True (two-layer) balances both")
def same_theta_pairs(m, *, max_cond: float = DEFAULT_MAX_COND, balanced: bool = False,
                     extreme: bool = False) -> st.SearchStrategy:
    """Dicts ``{"param": m, "w": w, "P": P, "w2": w2}``: two parameterizations of one θ.

    Two-layer: w2 = (PU, P⁻ᵀv); deep and factorized: P between the first two layers. P is
    drawn by :func:`steerable_invertible_matrices` with κ(P) ≤ ``max_cond`` (singular values
    log-uniform), so that a claim about the pair can steer P's orientation and condition number.
    ``balanced``: w is a balanced point and w2 is moved along its own rescaling orbit to
    ‖PU‖_F = ‖P⁻ᵀv‖ (two-layer only; θ unchanged). ``extreme`` draws w at scales 1e-6…1e6.
    """
    family = _family(m, ("two-layer", "deep-linear", "factorization"), "same_theta_pairs")
    if balanced and family != "two-layer":
        raise ValueError(f"balanced must be False for {family}: only the two-layer model has a balancing rescaling "
                         f"here, but got balanced=True")
    k = m.k if family == "two-layer" else m.dims[1]
    if family != "two-layer" and m.N < 2:
        raise ValueError(f"m must have N ≥ 2 layers for a P between two of them, but got N={m.N}")
    points = balanced_points(m) if balanced else m.points(extreme=extreme)

    def pair(w, P):
        w2 = m.transform(w, P)
        if balanced:
            w2 = _balance_two_layer(m, w2)
        return {"param": m, "w": w, "P": P, "w2": w2}

    return st.builds(pair, points, steerable_invertible_matrices(k, max_cond=max_cond))


@_special("polar", summary="r in radius=(lo, hi): below 1 (default (0.05, 1)) or above it, e.g. (1, 20)")
def polar_points(m, *, radius: tuple[float, float] = (0.05, 1.0)) -> st.SearchStrategy:
    """w = (r, φ) with r log-uniform in ``radius`` (both ends > 0) and φ ∈ [−π, π]."""
    _family(m, ("polar",), "polar_points")
    lo, hi = radius
    if not (0 < lo < hi < np.inf):
        raise ValueError(f"radius must be (lo, hi) with 0 < lo < hi < ∞, but got {radius!r}")
    return st.tuples(st.floats(np.log(lo), np.log(hi)).map(np.exp), st.floats(-np.pi, np.pi)).map(
        lambda t: np.array(t, dtype=float))


@_special("two-layer", "deep-linear", "factorization", "relu",
          summary="J below its generic rank: the origin (J = 0); two-layer: v = 0 and U of rank r < d (rank J = r)")
def degenerate_points(m) -> st.SearchStrategy:
    """Points where J has lower rank than at a generic point: the origin (J = 0 there, every entry of J
    being a product with a weight), and for the two-layer model v = 0 with U of rank r < d, where
    J = [v ⊗ I | Uᵀ] = [0 | Uᵀ] has rank r (with v ≠ 0 its first block alone has rank d)."""
    _family(m, ("two-layer", "deep-linear", "factorization", "relu"), "degenerate_points")
    options = [st.just(m.origin())]
    if getattr(m, "family", "") == "two-layer":
        def lower_rank_u(w, r):
            U = m.rank_deficient(w, r)[: m.k * m.d]
            return np.concatenate([U, np.zeros(m.k)])

        options.append(st.builds(lower_rank_u, m.points(), st.integers(0, min(m.k, m.d) - 1)))
    return st.one_of(*options)


@_special("two-layer", "relu", "smooth", summary="a hidden unit made a copy of another (source ≠ target)")
def duplicated_unit_points(m) -> st.SearchStrategy:
    """Points with hidden unit ``target`` a copy of unit ``source ≠ target`` (incoming weights, bias and
    outgoing weight): the copy's columns of J repeat its twin's, so it adds nothing to J's column space."""
    _family(m, ("two-layer", "relu", "smooth"), "duplicated_unit_points")
    if m.k < 2:
        raise ValueError(f"m must have k ≥ 2 hidden units to duplicate one, but got k = {m.k}")
    # target drawn among the k − 1 units other than source
    return st.builds(lambda w, s, t: m.duplicate_unit(w, s, t + (t >= s)), m.points(),
                     st.integers(0, m.k - 1), st.integers(0, m.k - 2))


@_special("relu", summary="a dead unit: inactive on every input")
def dead_unit_points(m) -> st.SearchStrategy:
    """ReLU points with unit j (drawn) dead on every input: its columns of J vanish."""
    _family(m, ("relu",), "dead_unit_points")
    return st.builds(lambda w, j: m.dead_unit(w, j), m.points(), st.integers(0, m.k - 1))
