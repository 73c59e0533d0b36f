"""Hypothesis strategies that draw valid objects by construction.

Nothing here filters with ``assume``: an invertible matrix is built from two
orthogonal factors and bounded singular values, a non-zero scale from a sign and
a log-magnitude, a generic point of ψ's domain from the parameterization itself.

The factories that take sizes are memoized: inside a flatmap a strategy is otherwise built and
validated anew for every example, which Hypothesis spends more time on than on the draw.
"""

from __future__ import annotations

import functools

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .base import finite_vectors

__all__ = [
    "finite_vectors",
    "inputs",
    "orthogonal_matrices",
    "invertible_matrices",
    "MAX_COND",
    "permutations",
    "positive_scales",
    "nonzero_scales",
]


@functools.lru_cache(maxsize=None)
def inputs(d: int, *, bound: float = 2.0, nonzero: bool = True) -> st.SearchStrategy:
    """Inputs x ∈ R^d; with ``nonzero`` the first non-zero is forced by construction."""
    base = finite_vectors(d, bound)
    if not nonzero:
        return base

    def lift(t):
        x, i, s = t
        x = x.copy()
        # x ≠ 0 by construction: entry i gets magnitude ≥ 0.5
        x[i] = s * max(abs(x[i]), 0.5)
        return x

    return st.tuples(base, st.integers(0, d - 1), st.sampled_from([1.0, -1.0])).map(lift)


def _orthogonal_from(a: np.ndarray) -> np.ndarray:
    # the Q of a Householder QR is orthogonal whatever the input, zeros included;
    # fixing the signs of R's diagonal makes the map from a to Q deterministic
    q, r = np.linalg.qr(a)
    signs = np.where(np.diag(r) < 0, -1.0, 1.0)
    return q * signs


@functools.lru_cache(maxsize=None)
def orthogonal_matrices(k: int) -> st.SearchStrategy:
    """k×k orthogonal matrices (Q of the QR of a drawn matrix)."""
    return hnp.arrays(np.float64, (k, k), elements=st.floats(-1, 1, allow_subnormal=False)).map(
        _orthogonal_from
    )


#: the largest condition number :func:`invertible_matrices` draws up to (its ``max_cond``): beyond it the
#: computed P⁻¹ carries a relative error κ(P)·u above 10⁻¹⁰, and round-off bounds grow with it
MAX_COND = 1e6


@functools.lru_cache(maxsize=None)
def invertible_matrices(k: int, *, max_cond: float = 10.0, max_scale: float = 10.0) -> st.SearchStrategy:
    """Invertible k×k matrices P = c·Q₁ diag(s) Q₂ᵀ with κ(P) ≤ ``max_cond`` by construction.

    Args:
        k: the size.
        max_cond: the cap on the condition number, in [1, :data:`MAX_COND`] (default 10). The
            singular values are s_i = max_cond^{t_i} with t_i uniform in [0, 1] (log-uniform in
            [1, max_cond]), so κ(P) = max_cond^{max t − min t} spreads over the whole range; Q₁, Q₂ are
            Haar-distributed orthogonal matrices. A property refuted only by a P worse conditioned
            than the cap cannot be refuted here: raise it (up to 10⁶) for such claims.
        max_scale: P is multiplied by c ∈ [1/max_scale, max_scale], log-uniform (default 10).

    Q₁, s and Q₂ come from one drawn seed through numpy, not from drawn entries: Hypothesis draws
    the later numbers of a long example mostly as 0 (its arrays are mostly one repeated fill value),
    which made most P orthogonal and diagonal (κ < 1.01 in about three draws of four). The search
    shrinks the seed (toward some generic P) and c (toward 1).
    """
    max_cond = float(max_cond)
    if not 1.0 <= max_cond <= MAX_COND:
        raise ValueError(f"max_cond must be in [1, {MAX_COND:g}], but got {max_cond!r}")
    if not (np.isfinite(max_scale) and max_scale >= 1.0):
        raise ValueError(f"max_scale must be a finite number ≥ 1, but got {max_scale!r}")
    log_cap = float(np.log(max_cond))

    def build(seed: int, c: float) -> np.ndarray:
        rng = np.random.default_rng(seed)
        q1 = _orthogonal_from(rng.standard_normal((k, k)))
        q2 = _orthogonal_from(rng.standard_normal((k, k)))
        s = np.exp(rng.uniform(0.0, 1.0, k) * log_cap)
        return c * (q1 * s) @ q2.T

    return st.builds(build, st.integers(0, 2**32 - 1), positive_scales(1.0 / max_scale, max_scale))


@functools.lru_cache(maxsize=None)
def permutations(k: int) -> st.SearchStrategy:
    """Permutations of range(k) as integer arrays."""
    return st.permutations(list(range(k))).map(lambda p: np.array(p, dtype=int))


def positive_scales(lo: float = 1e-2, hi: float = 1e2) -> st.SearchStrategy:
    """c ∈ [lo, hi], log-uniform; shrinks toward c = 1 when the range contains it."""
    a, b = np.log(lo), np.log(hi)
    centre = min(max(0.0, a), b)
    return st.floats(a - centre, b - centre).map(lambda t: float(np.exp(t + centre)))


def nonzero_scales(lo: float = 1e-2, hi: float = 1e2) -> st.SearchStrategy:
    """c with |c| ∈ [lo, hi] and either sign."""
    return st.tuples(st.sampled_from([1.0, -1.0]), positive_scales(lo, hi)).map(lambda t: t[0] * t[1])
