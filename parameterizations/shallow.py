"""The layout shared by the shallow networks on n fixed inputs (ReLU and smooth activations).

w = (A, b, a) flattened: A ∈ R^{k×d} the incoming weights, b ∈ R^k the biases, a ∈ R^k the
outgoing weights; Z = XAᵀ + 1bᵀ (n×k) are the pre-activations on the inputs X (n×d).
"""

from __future__ import annotations

import numpy as np

from .base import Parameterization
from .validate import as_index, as_matrix, as_permutation, as_real, as_vector

__all__ = ["ShallowLayout"]


class ShallowLayout(Parameterization):
    """Packing, unpacking, pre-activations, the spec of a shallow network (n, d, k, X or its seed), a random
    point, and the transforms every activation preserves (permuting and duplicating units)."""

    #: how w is laid out, and the sizes (the README's models table)
    LAYOUT = ("w = (A row by row, then b, then a): A ∈ R^{k×d} the incoming weights, b ∈ R^k the biases, a ∈ "
              "R^k the outgoing weights, p = kd + 2k; d the inputs' dimension, k the hidden units, n the "
              "inputs (the rows of X, n×d), q = n.")

    def _spec_head(self) -> dict:
        """Entries of :meth:`spec` before the sizes (e.g. the activation)."""
        return {}

    def spec(self):
        s = {**self._spec_head(), "n": self.n, "d": self.d, "k": self.k}
        if self._X_given:
            s["X"] = self.X
        else:
            s["seed"] = self.seed
        return s

    def unpack(self, w):
        """(A, b, a) views of a flat w."""
        w = np.asarray(w, float)
        kd = self.k * self.d
        return w[:kd].reshape(self.k, self.d), w[kd:kd + self.k], w[kd + self.k:]

    def pack(self, A, b, a) -> np.ndarray:
        """The flat w of (A, b, a)."""
        return np.concatenate([as_matrix("A", A, (self.k, self.d)).ravel(),
                               as_vector("b", b, self.k), as_vector("a", a, self.k)])

    def preactivations(self, w) -> np.ndarray:
        """Z = XAᵀ + 1bᵀ (n×k)."""
        A, b, _ = self.unpack(self.check_w(w))
        return self.X @ A.T + b

    def sample(self, rng=None, scale=1.0):
        """A standard random initialization: A ~ N(0, 1/d), b ~ N(0, 0.01), a ~ N(0, 1/k), times ``scale``."""
        scale = as_real("scale", scale)
        rng = np.random.default_rng(rng)
        A = rng.standard_normal((self.k, self.d)) / np.sqrt(self.d)
        b = 0.1 * rng.standard_normal(self.k)
        a = rng.standard_normal(self.k) / np.sqrt(self.k)
        return scale * np.concatenate([A.ravel(), b, a])

    def permute(self, w, perm) -> np.ndarray:
        """Hidden units permuted."""
        perm = as_permutation("perm", perm, self.k)
        A, b, a = self.unpack(self.check_w(w))
        return np.concatenate([A[perm].ravel(), b[perm], a[perm]])

    def duplicate_unit(self, w, source: int, target: int) -> np.ndarray:
        """Unit ``target`` made a copy of unit ``source`` (A, b and a)."""
        source = as_index("source", source, self.k, f"a hidden unit in range({self.k})")
        target = as_index("target", target, self.k, f"a hidden unit in range({self.k})")
        A, b, a = (x.copy() for x in self.unpack(self.check_w(w)))
        A[target], b[target], a[target] = A[source], b[source], a[source]
        return np.concatenate([A.ravel(), b, a])
