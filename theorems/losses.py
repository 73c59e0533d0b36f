"""Convex canonical losses ℓ(θ) with exact gradients, drawn for the general claims."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp  # noqa: F401

from parameterizations.base import finite_vectors

__all__ = ["Loss", "losses", "squared_loss", "logistic_loss"]


@dataclass(frozen=True)
class Loss:
    """ℓ(θ) on data (X, y): ``kind`` is "squared" (½‖Xθ − y‖²) or "logistic" (Σ log(1 + e^{−yᵢ xᵢᵀθ}))."""

    kind: str
    X: np.ndarray
    y: np.ndarray

    def value(self, theta) -> float:
        z = self.X @ theta
        if self.kind == "squared":
            r = z - self.y
            return 0.5 * float(r @ r)
        return float(np.sum(np.logaddexp(0.0, -self.y * z)))

    def grad(self, theta) -> np.ndarray:
        z = self.X @ theta
        if self.kind == "squared":
            return self.X.T @ (z - self.y)
        s = -self.y / (1.0 + np.exp(self.y * z))  # derivative of log(1 + e^{−yz}) in z
        return self.X.T @ s

    def evaluation_scale(self, S: float) -> float:
        """A bound on the terms summed to evaluate ℓ at any θ whose own terms are of size ≤ S.

        Squared: each residual rᵢ = xᵢᵀθ − yᵢ is a sum of terms ≤ ‖xᵢ‖S + |yᵢ|, and ℓ sums
        their halves squared. Logistic: log(1 + e^{−z}) ≤ log 2 + |z| with |zᵢ| ≤ ‖xᵢ‖S.
        """
        rows = np.linalg.norm(self.X, axis=1) * float(S)
        if self.kind == "squared":
            return float(0.5 * np.sum((rows + np.abs(self.y)) ** 2))
        return float(np.sum(np.log(2.0) + rows))

    def hessian(self, theta) -> np.ndarray:
        if self.kind == "squared":
            return self.X.T @ self.X
        z = self.X @ theta
        p = 1.0 / (1.0 + np.exp(-self.y * z))
        return (self.X.T * (p * (1 - p))) @ self.X


def squared_loss(X, y) -> Loss:
    return Loss("squared", np.asarray(X, float), np.asarray(y, float))


def logistic_loss(X, y) -> Loss:
    return Loss("logistic", np.asarray(X, float), np.sign(np.asarray(y, float)) + (np.asarray(y) == 0))


def losses(q: int, n_max: int = 3) -> st.SearchStrategy:
    """A squared or logistic loss on n ≤ ``n_max`` examples in R^q."""
    # entries 0 or of magnitude ≥ MIN_MAGNITUDE, as every drawn vector ("well-scaled")
    return st.integers(1, n_max).flatmap(lambda n: st.builds(
        lambda kind, X, y: squared_loss(X.reshape(n, q), y) if kind == "squared" else logistic_loss(X.reshape(n, q), y),
        st.sampled_from(["squared", "logistic"]),
        finite_vectors(n * q),
        finite_vectors(n)))
