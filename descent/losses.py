r"""Losses on the canonical space: one protocol for the descent engines and for the claims.

A canonical loss ℓ: R^q → R is a :class:`CanonicalLoss`: ``n_canonical`` (q), ``value(θ)``,
``grad(θ)`` = ∂ℓ/∂θ, ``value_and_grad(θ)``, ``value_and_grad_batch(Θ)`` (row by row over Θ of
shape (B, q)) and ``hessian(θ)`` = ∇²ℓ(θ) (q×q). Two kinds implement it:

* :class:`Loss` — a loss on data (X, y), X of shape (n, q):

      squared   ℓ(θ) = ½‖Xθ − y‖²,                ∇ℓ = Xᵀ(Xθ − y),   ∇²ℓ = XᵀX;
      logistic  ℓ(θ) = Σᵢ log(1 + e^{−yᵢ xᵢᵀθ}),   ∇ℓ = Xᵀs with sᵢ = −yᵢ/(1 + e^{yᵢxᵢᵀθ}),
                ∇²ℓ = Xᵀ diag(pᵢ(1 − pᵢ)) X with pᵢ = 1/(1 + e^{−yᵢxᵢᵀθ}).

  A frozen dataclass (kind, X, y), so that a record stores it field by field.
  :func:`squared_loss` and :func:`logistic_loss` build one; :func:`losses` draws one.
* :class:`FunctionLoss` — any ℓ given by callables θ ↦ ℓ(θ) and θ ↦ ∂ℓ/∂θ.
"""

from __future__ import annotations

import abc
import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np
from hypothesis import strategies as st

from overparam.parameterizations.validate import as_matrix, as_positive, as_vector, describe_array
from overparam.parameterizations.strategies import finite_vectors

__all__ = ["CanonicalLoss", "Loss", "FunctionLoss", "StackedSquaredLoss", "KINDS", "squared_loss", "logistic_loss",
           "losses"]

#: the data losses :class:`Loss` knows
KINDS = ("squared", "logistic")


class CanonicalLoss(abc.ABC):
    """The protocol of a loss ℓ on R^q; ``value_and_grad_batch`` and ``hessian`` have defaults."""

    @property
    @abc.abstractmethod
    def n_canonical(self) -> int:
        """q, the dimension of the canonical space ℓ acts on."""

    @abc.abstractmethod
    def value(self, theta) -> float:
        """ℓ(θ)."""

    @abc.abstractmethod
    def grad(self, theta) -> np.ndarray:
        """∂ℓ/∂θ, shape (q,)."""

    def value_and_grad(self, theta):
        """(ℓ(θ), ∂ℓ/∂θ)."""
        return self.value(theta), self.grad(theta)

    def value_and_grad_batch(self, Theta):
        """Row-wise (ℓ, ∇ℓ) for Θ of shape (B, q): shapes (B,) and (B, q). Default: row by row."""
        vals = np.empty(len(Theta))
        grads = np.empty_like(Theta)
        for b, th in enumerate(Theta):
            vals[b], grads[b] = self.value_and_grad(th)
        return vals, grads

    def hessian(self, theta) -> np.ndarray:
        """∇²ℓ(θ), q×q."""
        raise ValueError(f"{self!r} has no Hessian; give it one (FunctionLoss(..., hessian=θ ↦ ∇²ℓ(θ)))")


@dataclass(frozen=True)
class Loss(CanonicalLoss):
    """ℓ(θ) on data (X, y): ``kind`` is "squared" (½‖Xθ − y‖²) or "logistic" (Σ log(1 + e^{−yᵢ xᵢᵀθ}))."""

    kind: str
    X: np.ndarray
    y: np.ndarray

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, but got {self.kind!r}")
        X = as_matrix("X", self.X, (None, None))
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(f"X must have at least one row and one column, but got shape {X.shape}")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", as_vector("y", self.y, X.shape[0]))

    @property
    def n_canonical(self) -> int:
        """q, the number of columns of X."""
        return self.X.shape[1]

    @property
    def n_samples(self) -> int:
        """n, the number of rows of X."""
        return self.X.shape[0]

    def value(self, theta) -> float:
        z = self.X @ theta
        if self.kind == "squared":
            r = z - self.y
            return 0.5 * float(r @ r)
        return float(np.sum(np.logaddexp(0.0, -self.y * z)))

    def grad(self, theta) -> np.ndarray:
        return self.value_and_grad(theta)[1]

    def value_and_grad(self, theta):
        """(ℓ(θ), ∇ℓ(θ)) sharing Xθ (ndarray.dot: cheaper than @ on these small operands, at every step)."""
        z = self.X.dot(theta)
        if self.kind == "squared":
            r = z - self.y
            return 0.5 * float(r.dot(r)), r.dot(self.X)
        s = -self.y / (1.0 + np.exp(self.y * z))  # derivative of log(1 + e^{−yz}) in z
        return float(np.sum(np.logaddexp(0.0, -self.y * z))), s @ self.X

    def value_and_grad_batch(self, Theta):
        """Row-wise (ℓ, ∇ℓ) for Θ of shape (B, q), as two matrix products."""
        Z = Theta @ self.X.T
        if self.kind == "squared":
            R = Z - self.y
            return 0.5 * np.einsum("bi,bi->b", R, R), R @ self.X
        S = -self.y / (1.0 + np.exp(self.y * Z))
        return np.sum(np.logaddexp(0.0, -self.y * Z), axis=1), S @ self.X

    def hessian(self, theta) -> np.ndarray:
        if self.kind == "squared":
            return self.X.T @ self.X
        z = self.X @ theta
        p = 1.0 / (1.0 + np.exp(-self.y * z))
        return (self.X.T * (p * (1 - p))) @ self.X

    def evaluation_scale(self, S: float) -> float:
        """A bound on the terms summed to evaluate ℓ at any θ whose own terms are of size ≤ S.

        Squared: each residual rᵢ = xᵢᵀθ − yᵢ is a sum of terms ≤ ‖xᵢ‖S + |yᵢ|, and ℓ sums
        their halves squared. Logistic: log(1 + e^{−z}) ≤ log 2 + |z| with |zᵢ| ≤ ‖xᵢ‖S.
        """
        rows = np.linalg.norm(self.X, axis=1) * float(S)
        if self.kind == "squared":
            return float(0.5 * np.sum((rows + np.abs(self.y)) ** 2))
        return float(np.sum(np.log(2.0) + rows))


def squared_loss(X, y) -> Loss:
    """½‖Xθ − y‖² on data X (n×q), y (n)."""
    return Loss("squared", X, y)


def logistic_loss(X, y) -> Loss:
    """Σᵢ log(1 + e^{−yᵢ xᵢᵀθ}) with labels sign(yᵢ) (a label 0 counts as +1)."""
    return Loss("logistic", X, np.sign(np.asarray(y, float)) + (np.asarray(y) == 0))


def losses(q: int, n_max: int = 3) -> st.SearchStrategy:
    """A squared or logistic loss on n ≤ ``n_max`` examples in R^q."""
    # entries 0 or of magnitude ≥ MIN_MAGNITUDE, as every drawn vector ("well-scaled")
    return st.integers(1, n_max).flatmap(functools.partial(_losses_of_size, q))


@functools.lru_cache(maxsize=None)
def _losses_of_size(q: int, n: int) -> st.SearchStrategy:
    """The losses on exactly n examples, built once per size (a flatmap would rebuild it per draw)."""
    return st.builds(
        lambda kind, X, y: squared_loss(X.reshape(n, q), y) if kind == "squared" else logistic_loss(X.reshape(n, q), y),
        st.sampled_from(list(KINDS)),
        finite_vectors(n * q),
        finite_vectors(n))


class FunctionLoss(CanonicalLoss):
    r"""A canonical loss from callables: ``value(θ) -> float``, ``grad(θ) -> (q,)``.

    Args:
        value: θ ↦ ℓ(θ).
        grad: θ ↦ ∂ℓ/∂θ, an array of shape (q,).
        q: the canonical dimension (checked against the parameterization).
        vectorized: the callables also accept Θ of shape (B, q) and return (B,) and (B, q);
            otherwise the batched engine calls them row by row.
        hessian: optional θ ↦ ∇²ℓ(θ) (q×q); not needed by the descent engines.
    """

    def __init__(self, value: Callable, grad: Callable, q: int, *, vectorized: bool = False,
                 hessian: Callable | None = None, name: str = "canonical loss"):
        for nm, f in (("value", value), ("grad", grad)):
            if not callable(f):
                raise ValueError(f"{nm} must be callable θ ↦ …, but got {describe_array(f)}")
        if hessian is not None and not callable(hessian):
            raise ValueError(f"hessian must be callable θ ↦ q×q matrix or None, but got {describe_array(hessian)}")
        self._value, self._grad, self._hessian = value, grad, hessian
        self._q = as_positive("q", q, integer=True)
        self.vectorized = bool(vectorized)
        self.name = str(name)

    @property
    def n_canonical(self) -> int:
        return self._q

    def value(self, theta) -> float:
        return float(self._value(theta))

    def grad(self, theta) -> np.ndarray:
        return np.asarray(self._grad(theta), dtype=float)

    def value_and_grad_batch(self, Theta):
        if self.vectorized:
            return (np.asarray(self._value(Theta), dtype=float).reshape(len(Theta)),
                    np.asarray(self._grad(Theta), dtype=float).reshape(Theta.shape))
        return super().value_and_grad_batch(Theta)

    def hessian(self, theta) -> np.ndarray:
        if self._hessian is None:
            return super().hessian(theta)
        return as_matrix("hessian(theta)", self._hessian(theta), (self._q, self._q))

    def __repr__(self):
        return f"<FunctionLoss {self.name!r} q={self._q}>"


class StackedSquaredLoss(CanonicalLoss):
    r"""B least-squares problems for the batched engine, one for each row of Θ:
    ℓ_b(θ) = c_b·½‖X_b θ − y_b‖², ∇ℓ_b = c_b·X_bᵀ(X_b θ − y_b).

    Args:
        X: (B, n, q) — problems of fewer equations or unknowns are padded with zero rows and columns (a zero
            column leaves its coordinate's gradient 0, a zero row with y = 0 adds nothing).
        y: (B, n).
        weight: (B,) the factors c_b (default 1): c_b = 1/(tol_b) turns one shared tolerance into each row's own.

    Only the batched protocol is defined: a single θ has no problem of its own.
    """

    vectorized = True

    def __init__(self, X, y, weight=None):
        X = np.asarray(X, dtype=float)
        if X.ndim != 3 or not np.all(np.isfinite(X)):
            raise ValueError(f"X must be a finite (B, n, q) array, but got {describe_array(X)}")
        y = np.asarray(y, dtype=float)
        if y.shape != X.shape[:2] or not np.all(np.isfinite(y)):
            raise ValueError(f"y must be a finite array of shape {X.shape[:2]}, but got {describe_array(y)}")
        c = np.ones(len(X)) if weight is None else np.asarray(weight, dtype=float)
        if c.shape != (len(X),) or not np.all(np.isfinite(c) & (c > 0)):
            raise ValueError(f"weight must be {len(X)} positive finite factors, but got {describe_array(c)}")
        self.X, self.y, self.weight = X, y, c
        self.name = "stacked least squares"

    @property
    def n_canonical(self) -> int:
        return self.X.shape[2]

    def rows(self, idx) -> "StackedSquaredLoss":
        """The problems of the rows ``idx`` (in that order)."""
        return StackedSquaredLoss(self.X[idx], self.y[idx], self.weight[idx])

    def value(self, theta) -> float:
        raise ValueError("a StackedSquaredLoss has one problem a row: call value_and_grad_batch(Θ) with Θ of shape "
                         f"({len(self.X)}, {self.n_canonical})")

    grad = value

    def value_and_grad(self, theta):
        return self.value(theta)

    def value_and_grad_batch(self, Theta):
        R = np.einsum("bnq,bq->bn", self.X, Theta) - self.y
        return 0.5 * self.weight * np.einsum("bn,bn->b", R, R), self.weight[:, None] * np.einsum("bnq,bn->bq", self.X, R)
