"""The layout shared by the shallow networks on n fixed inputs (ReLU and smooth activations).

w = (A, b, a) flattened: A ∈ R^{k×d} the incoming weights, b ∈ R^k the biases, a ∈ R^k the
outgoing weights; Z = XAᵀ + 1bᵀ (n×k) are the pre-activations on the inputs X (n×d).
"""

from __future__ import annotations

import numpy as np

from .base import Parameterization
from .validate import as_matrix, as_vector

__all__ = ["ShallowLayout"]


class ShallowLayout(Parameterization):
    """Packing, unpacking, pre-activations and the spec of a shallow network (n, d, k, X or its seed)."""

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
