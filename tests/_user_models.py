"""Models as a user would write them, outside the zoo: no ``smooth_step`` hint, no zoo helpers.

``UserReLU`` is a correct shallow ReLU network (outputs on n fixed inputs) whose ψ has
kinks where a pre-activation is 0; Hypothesis draws such points often (zeros shrink
well). ``UserReLUWrongBias`` forgets the outgoing weight a_j in the bias columns of J,
consistently in J and in the products, so only the derivative check can see it.
"""

from __future__ import annotations

import numpy as np

from overparam.parameterizations import Parameterization

__all__ = ["UserReLU", "UserReLUWrongBias", "UserAbs"]


class UserReLU(Parameterization):
    """θ_i = Σ_j a_j relu(A_j·x_i + b_j); w = (vec A, b, a); relu′(0) taken as 0."""

    family = "user-relu"
    depth = 2

    def __init__(self, n=3, d=2, k=3, seed=0):
        self.n, self.d, self.k = n, d, k
        self.X = np.random.default_rng(seed).standard_normal((n, d))
        super().__init__(k * d + 2 * k, n)

    def spec(self):
        return {"n": self.n, "d": self.d, "k": self.k}

    def _split(self, w):
        kd = self.k * self.d
        return w[:kd].reshape(self.k, self.d), w[kd:kd + self.k], w[kd + self.k:]

    def _bias_factor(self, a):
        return a

    def _psi(self, w):
        A, b, a = self._split(w)
        return np.maximum(self.X @ A.T + b, 0) @ a

    def _jacobian(self, w):
        A, b, a = self._split(w)
        Z = self.X @ A.T + b
        D = (Z > 0).astype(float)
        JA = ((D * a)[:, :, None] * self.X[:, None, :]).reshape(self.n, -1)
        return np.hstack([JA, D * self._bias_factor(a), np.maximum(Z, 0)])

    def _jvp(self, w, dw):
        return self._jacobian(w) @ dw

    def _vjp(self, w, g):
        return self._jacobian(w).T @ g


class UserReLUWrongBias(UserReLU):
    """∂θ_i/∂b_j written as D_ij instead of a_j·D_ij (J, jvp and vjp agree with each other)."""

    def _bias_factor(self, a):
        return np.ones_like(a)


class UserAbs(Parameterization):
    """θ = |w| entry-wise with J = diag(sign w): correct wherever w has no zero entry."""

    family = "user-abs"

    def __init__(self, q=3):
        super().__init__(q, q)

    def _psi(self, w):
        return np.abs(w)

    def _jacobian(self, w):
        return np.diag(np.sign(w))

    def _jvp(self, w, dw):
        return np.sign(w) * dw

    def _vjp(self, w, g):
        return np.sign(w) * g
