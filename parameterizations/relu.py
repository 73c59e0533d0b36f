"""A shallow ReLU network seen through its outputs on n fixed inputs."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .validate import as_index, as_matrix, as_positive, as_vector
from .shallow import ShallowLayout
from .base import Symmetry, unit
from .strategies import permutations, positive_scales

__all__ = ["ShallowReLU"]


class ShallowReLU(ShallowLayout):
    r"""f(x) = Σ_j a_j relu(A_j·x + b_j) with k hidden units, observed on inputs x_1…x_n.

    The canonical space is the outputs on the inputs: θ_i = f(x_i), φ(x_i) = e_i, q = n.
    w = (vec A, b, a), A ∈ R^{k×d} row by row, b, a ∈ R^k; p = kd + 2k.
    With Z = XAᵀ + 1bᵀ (n×k), H = relu(Z), D = 1[Z > 0]:

    ∂θ_i/∂A_{jl} = a_j D_{ij} x_{il},  ∂θ_i/∂b_j = a_j D_{ij},  ∂θ_i/∂a_j = H_{ij}.

    At a kink (Z_{ij} = 0) the derivative of relu is taken as 0. References: the
    post, section "The Formation of Ghost Saddle Points"; Berner et al. 2019.
    """

    family = "relu"
    depth = 2

    def __init__(self, n: int = 4, d: int = 2, k: int = 6, seed: int = 0, X=None):
        self.n = as_positive("n", n, integer=True)
        self.d = as_positive("d", d, integer=True)
        self.k = as_positive("k", k, integer=True)
        self.seed = as_positive("seed", seed, integer=True, minimum=0, strict=False)
        if X is None:
            X = np.random.default_rng(self.seed).standard_normal((self.n, self.d))
            self._X_given = False
        else:
            self._X_given = True
        self.X = as_matrix("X", X, (self.n, self.d))
        super().__init__(self.k * self.d + 2 * self.k, self.n)

    @classmethod
    def instances(cls, max_dim=4):
        """n, d ∈ 1…max_dim, k ∈ 1…2·max_dim, inputs X from a seed."""
        dim = st.integers(1, max_dim)
        return st.builds(cls, n=dim, d=dim, k=st.integers(1, 2 * max_dim), seed=st.integers(0, 2**16))

    def _parts(self, w):
        A, b, a = self.unpack(w)
        Z = self.X @ A.T + b
        return A, b, a, np.maximum(Z, 0.0), (Z > 0).astype(float)

    def _psi(self, w):
        _, _, a, H, _ = self._parts(w)
        return H @ a

    def psi_scale(self, w) -> float:
        """‖(|X||A|ᵀ + 1|b|ᵀ)|a|‖: the terms of Z = XAᵀ + 1bᵀ, carried through relu (1-Lipschitz) and a.

        Every unit counts, active or not: a pre-activation rounded across zero changes
        ψ by at most its own round-off. The default bound ‖ψ‖ + ‖J‖_F‖w‖/2 sees only
        the active units' terms.
        """
        w = self.check_w(w)
        A, b, a = self.unpack(w)
        terms = (np.abs(self.X) @ np.abs(A).T + np.abs(b)) @ np.abs(a)
        return max(super().psi_scale(w), float(np.linalg.norm(terms)))

    def _jacobian(self, w):
        _, _, a, H, D = self._parts(w)
        Da = D * a  # n×k
        JA = (Da[:, :, None] * self.X[:, None, :]).reshape(self.n, self.k * self.d)
        return np.hstack([JA, Da, H])

    def _jvp(self, w, dw):
        _, _, a, H, D = self._parts(w)
        dA, db, da = self.unpack(dw)
        return ((self.X @ dA.T + db) * D) @ a + H @ da

    def _vjp(self, w, g):
        _, _, a, H, D = self._parts(w)
        Dg = D * g[:, None]  # n×k
        dA = a[:, None] * (Dg.T @ self.X)
        return np.concatenate([dA.ravel(), a * Dg.sum(axis=0), H.T @ g])

    def features(self, x) -> np.ndarray:
        """φ(x_i) = e_i for an input x equal to a row of X."""
        x = np.asarray(x, float)
        hits = np.flatnonzero(np.all(self.X == x, axis=1)) if x.shape == (self.d,) else []
        if len(hits) == 0:
            raise ValueError(f"x must be one of the {self.n} fixed inputs (rows of X), but got {x!r:.80}")
        return np.eye(self.n)[hits[0]]

    def smooth_step(self, w, d):
        # ψ is smooth until a pre-activation crosses zero along w + t·d/‖d‖
        w, d = self.check_w(w), as_vector("d", d, self._p)
        d = unit(d)
        Z = self.preactivations(w)
        dA, db, _ = self.unpack(d)
        dZ = self.X @ dA.T + db
        if np.any((Z == 0) & (dZ != 0)):
            return 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            t = -Z / dZ
        t = t[np.isfinite(t) & (t > 0)]
        return float(t.min()) if t.size else np.inf

    # function-preserving transforms
    def rescale_units(self, w, c) -> np.ndarray:
        """(c_j A_j, c_j b_j, a_j / c_j) for c_j > 0: relu is positively homogeneous."""
        c = as_vector("c", c, self.k)
        if np.any(c <= 0):
            raise ValueError(f"c must be positive, but entry {int(np.flatnonzero(c <= 0)[0])} is {c[c <= 0][0]}")
        A, b, a = self.unpack(self.check_w(w))
        return np.concatenate([(c[:, None] * A).ravel(), c * b, a / c])

    def symmetries(self):
        return [
            Symmetry("permutation", permutations(self.k), self.permute),
            Symmetry("positive per-unit rescaling", st.lists(positive_scales(), min_size=self.k,
                                                               max_size=self.k).map(np.array), self.rescale_units),
        ]

    # degenerate points
    def origin(self) -> np.ndarray:
        """All weights zero."""
        return np.zeros(self._p)

    def dead_unit(self, w, j: int) -> np.ndarray:
        """Unit j made inactive on every input: b_j set below −max_i A_j·x_i (A_j and a_j kept).

        b_j = −(2·max_i |A_j·x_i| + 1): the margin grows with the pre-activations, so
        that their round-off (relative) cannot lift any of them back to 0.
        """
        j = as_index("j", j, self.k, f"a hidden unit in range({self.k})")
        A, b, a = (x.copy() for x in self.unpack(self.check_w(w)))
        b[j] = -(2.0 * float(np.max(np.abs(self.X @ A[j]))) + 1.0)
        return np.concatenate([A.ravel(), b, a])

