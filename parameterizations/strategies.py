"""Hypothesis strategies that draw valid objects by construction.

Nothing here filters with ``assume``: an invertible matrix is built from two
orthogonal factors and bounded singular values, a non-zero scale from a sign and
a log-magnitude, a generic point of ψ's domain from the parameterization itself.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .base import finite_vectors

__all__ = [
    "finite_vectors",
    "inputs",
    "orthogonal_matrices",
    "invertible_matrices",
    "permutations",
    "positive_scales",
    "nonzero_scales",
]


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


def orthogonal_matrices(k: int) -> st.SearchStrategy:
    """k×k orthogonal matrices (Q of the QR of a drawn matrix)."""
    return hnp.arrays(np.float64, (k, k), elements=st.floats(-1, 1, allow_subnormal=False)).map(
        _orthogonal_from
    )


def invertible_matrices(k: int, *, max_cond: float = 10.0, max_scale: float = 10.0) -> st.SearchStrategy:
    """Invertible k×k matrices P = c·Q₁ diag(s) Q₂ᵀ with s ∈ [1, max_cond], c ∈ [1/max_scale, max_scale].

    The condition number is at most ``max_cond`` by construction.
    """
    sv = hnp.arrays(np.float64, k, elements=st.floats(1.0, max_cond))
    return st.builds(
        lambda q1, s, q2, c: c * (q1 * s) @ q2.T,
        orthogonal_matrices(k),
        sv,
        orthogonal_matrices(k),
        positive_scales(1.0 / max_scale, max_scale),
    )


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
