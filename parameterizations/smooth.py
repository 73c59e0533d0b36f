"""A shallow network with a smooth activation, seen through its outputs on n fixed inputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from hypothesis import strategies as st
from scipy.special import expit

from .validate import as_matrix, as_positive, as_vector
from .shallow import ShallowLayout
from .base import Symmetry, unit
from .numerics import gamma
from .strategies import permutations

__all__ = ["ShallowSmooth", "Activation", "ACTIVATIONS"]


@dataclass(frozen=True)
class Activation:
    """σ, its derivative σ′, and ``derivative_max(z, δ)`` = max of σ′ on [z − δ, z + δ].

    The last bounds how far a rounding error δ of z moves σ(z): |σ(z + t) − σ(z)| ≤
    derivative_max(z, δ)·|t| for |t| ≤ δ. In a saturated tail σ′ is tiny, and so is the
    effect of rounding z there. ``odd``: σ(−z) = −σ(z), so that flipping the sign of a
    unit's weights preserves f. ``bend``: L = sup |σ″/σ′|, the rate at which log σ′ can
    change (σ′ ∝ e^{−L|z|} in the tails), which sets the step a Taylor test starts from
    (:meth:`ShallowSmooth.curvature_step`).
    """

    name: str
    sigma: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    derivative_max: Callable[[np.ndarray, np.ndarray], np.ndarray]
    odd: bool
    bend: float


def _sech2(z):
    # sech²z = 4e^{−2|z|}/(1 + e^{−2|z|})²: no overflow, and full relative accuracy where
    # 1 − tanh²z would cancel (|z| ≳ 1)
    e = np.exp(-2.0 * np.abs(z))
    return 4.0 * e / (1.0 + e) ** 2


def _softplus(z):
    # log(1 + e^z) = max(z, 0) + log1p(e^{−|z|}): no overflow for large z
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def _sigmoid_derivative(z):
    return expit(z) * expit(-z)


def _even_peaked(derivative):
    # σ′ even and decreasing in |z| (tanh, sigmoid): its max on [z − δ, z + δ] is at the point nearest 0
    return lambda z, delta: derivative(np.maximum(np.abs(z) - delta, 0.0))


#: name → activation. tanh: σ′ = sech², σ″/σ′ = −2 tanh z, so L = 2. softplus: σ = log(1 + eᶻ),
#: σ′ = s the logistic function (increasing, so its max on an interval is at the right end),
#: σ″/σ′ = 1 − s, L = 1. sigmoid: σ = 1/(1 + e⁻ᶻ), σ′ = σ(z)σ(−z) ≤ 1/4, σ″/σ′ = 1 − 2σ, L = 1.
ACTIVATIONS: dict[str, Activation] = {
    a.name: a for a in (
        Activation("tanh", np.tanh, _sech2, _even_peaked(_sech2), True, 2.0),
        Activation("softplus", _softplus, expit, lambda z, delta: expit(z + delta), False, 1.0),
        Activation("sigmoid", expit, _sigmoid_derivative, _even_peaked(_sigmoid_derivative), False, 1.0),
    )
}


class ShallowSmooth(ShallowLayout):
    r"""f(x) = Σ_j a_j σ(A_j·x + b_j), k hidden units, σ smooth, observed on inputs x_1…x_n.

    The canonical space is the outputs on the inputs: θ_i = f(x_i), φ(x_i) = e_i, q = n,
    exactly as for :class:`overparam.parameterizations.ShallowReLU`, whose kinks σ = tanh,
    softplus or sigmoid replace by a smooth bend, so that ψ is C^∞ everywhere.
    w = (vec A, b, a), A ∈ R^{k×d} row by row, b, a ∈ R^k; p = kd + 2k.
    With Z = XAᵀ + 1bᵀ (n×k), H = σ(Z), S = σ′(Z):

    ψ(w) = H a,  ∂θ_i/∂A_{jl} = a_j S_{ij} x_{il},  ∂θ_i/∂b_j = a_j S_{ij},  ∂θ_i/∂a_j = H_{ij}.

    The products never build J: J·dw = ((X dAᵀ + 1dbᵀ) ∘ S) a + H da, Jᵀg = (diag(a)(S∘g)ᵀX,
    a ∘ (S∘g)ᵀ1, Hᵀg), and K g = ((G (S∘g)) ∘ S) a² + H Hᵀg with G = XXᵀ + 11ᵀ (n×n), where
    (S∘g)_{ij} = S_{ij} g_i and a² is taken entry-wise.
    """

    family = "smooth"
    depth = 2

    @classmethod
    def instances(cls, max_dim=4):
        """n, d ∈ 1…max_dim, k ∈ 1…2·max_dim, σ ∈ {sigmoid, softplus, tanh}, inputs X from a seed."""
        dim = st.integers(1, max_dim)
        return st.builds(cls, n=dim, d=dim, k=st.integers(1, 2 * max_dim),
                         activation=st.sampled_from(sorted(ACTIVATIONS)), seed=st.integers(0, 2**16))

    def __init__(self, n: int = 4, d: int = 2, k: int = 3, activation: str = "tanh", seed: int = 0, X=None):
        if not isinstance(activation, str) or activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, but got {activation!r:.60}")
        self.activation = activation
        self._act = ACTIVATIONS[activation]
        self.n = as_positive("n", n, integer=True)
        self.d = as_positive("d", d, integer=True)
        self.k = as_positive("k", k, integer=True)
        self.seed = as_positive("seed", seed, integer=True, minimum=0, strict=False)
        self._X_given = X is not None
        if X is None:
            X = np.random.default_rng(self.seed).standard_normal((self.n, self.d))
        self.X = as_matrix("X", X, (self.n, self.d))
        self._G = self.X @ self.X.T + 1.0  # the Gram matrix of the inputs with a constant feature (the bias)
        super().__init__(self.k * self.d + 2 * self.k, self.n)

    def _spec_head(self) -> dict:
        return {"activation": self.activation}

    def _parts(self, w):
        A, b, a = self.unpack(w)
        Z = self.X @ A.T + b
        return a, self._act.sigma(Z), self._act.derivative(Z)

    def _psi(self, w):
        a, H, _ = self._parts(w)
        return H @ a

    def psi_scale(self, w) -> float:
        """‖(M ∘ T + |σ(Z)|)|a|‖ with T = |X||A|ᵀ + 1|b|ᵀ, the terms of Z, and M the max of σ′
        within Z's round-off band δ = γ_{d+1}T: Z's rounding carried through σ, σ's own rounding
        (relative to |σ(Z)|), and the sum over the units weighted by a.

        Every rounding of ψ's evaluation is bounded by γ times this. The band is local: in a
        saturated tail (σ′ ≈ 0) rounding Z barely moves σ(Z), and a global Lipschitz
        constant there would bury the remainder of a Taylor test under a floor it never meets.
        The default ‖ψ‖ + ‖J‖_F‖w‖/2 is kept as a lower bound, as every member does: a Taylor
        test of a composite (C17's ½‖X(ψ − θ*)‖²) whose remainder passes a zero crossing
        just above a floor that much lower reads the bend as a low order.
        """
        w = self.check_w(w)
        A, b, a = self.unpack(w)
        Z = self.X @ A.T + b
        T = np.abs(self.X) @ np.abs(A).T + np.abs(b)
        M = self._act.derivative_max(Z, gamma(self.d + 1) * T)
        return max(super().psi_scale(w), float(np.linalg.norm((M * T + np.abs(self._act.sigma(Z))) @ np.abs(a))))

    def curvature_step(self, w, d) -> float:
        """1/(L·max|c_ij|), c = X dAᵀ + 1dbᵀ for the unit direction d: the step that moves no
        pre-activation of a unit in use (a_j or da_j ≠ 0) by more than 1/L, L the activation's ``bend``.

        Why: in a saturated tail σ′ ∝ e^{−L|z|}, and the Taylor remainder of σ(z + hc) deeper into
        it is (σ′(z)/L)·f(τ) with τ = L|c|h and f(τ) = e^{−τ} − 1 + τ: quadratic for τ ≪ 1 but
        linear for τ ≫ 1 (the tail is flat). Over a halving f shows the order log₂(f(τ)/f(τ/2)),
        which is ≥ 1.79 for τ ≤ 1 and falls below the threshold 1.5 at τ ≈ 3; a test whose steps
        start past the bend reads a correct J as wrong whenever the quadratic regime lies under
        round-off. Toward the centre, or where the unit is not saturated, the remainder grows
        faster than h² or bends no sooner.
        """
        w, d = self.check_w(w), unit(as_vector("d", d, self._p))
        dA, db, da = self.unpack(d)
        _, _, a = self.unpack(w)
        c = np.abs(self.X @ dA.T + db)[:, (a != 0) | (da != 0)]
        top = float(c.max()) if c.size else 0.0
        return 1.0 / (self._act.bend * top) if top > 0 else np.inf

    def _jacobian(self, w):
        a, H, S = self._parts(w)
        Sa = S * a  # n×k
        JA = (Sa[:, :, None] * self.X[:, None, :]).reshape(self.n, self.k * self.d)
        return np.hstack([JA, Sa, H])

    def _jvp(self, w, dw):
        a, H, S = self._parts(w)
        dA, db, da = self.unpack(dw)
        return ((self.X @ dA.T + db) * S) @ a + H @ da

    def _vjp(self, w, g):
        a, H, S = self._parts(w)
        Sg = S * g[:, None]  # n×k
        dA = a[:, None] * (Sg.T @ self.X)
        return np.concatenate([dA.ravel(), a * Sg.sum(axis=0), H.T @ g])

    def _induced_step(self, w, g):
        a, H, S = self._parts(w)
        return ((self._G @ (S * g[:, None])) * S) @ (a * a) + H @ (H.T @ g)

    def features(self, x) -> np.ndarray:
        """φ(x_i) = e_i for an input x equal to a row of X."""
        x = np.asarray(x, float)
        hits = np.flatnonzero(np.all(self.X == x, axis=1)) if x.shape == (self.d,) else []
        if len(hits) == 0:
            raise ValueError(f"x must be one of the {self.n} fixed inputs (rows of X), but got {x!r:.80}")
        return np.eye(self.n)[hits[0]]

    # function-preserving transforms
    def flip_units(self, w, s) -> np.ndarray:
        """(s_j A_j, s_j b_j, s_j a_j) for signs s_j = ±1: preserves f when σ is odd (tanh)."""
        if not self._act.odd:
            raise ValueError(f"activation must be odd for a sign flip of units, but {self.activation} is not")
        s = as_vector("s", s, self.k)
        if np.any(np.abs(s) != 1):
            i = int(np.flatnonzero(np.abs(s) != 1)[0])
            raise ValueError(f"s must have entries ±1, but entry {i} is {s[i]}")
        A, b, a = self.unpack(self.check_w(w))
        return np.concatenate([(s[:, None] * A).ravel(), s * b, s * a])

    def symmetries(self):
        syms = [Symmetry("permutation", permutations(self.k), self.permute)]
        if self._act.odd:
            signs = st.lists(st.sampled_from([1.0, -1.0]), min_size=self.k, max_size=self.k).map(np.array)
            syms.append(Symmetry("sign flip of units", signs, self.flip_units))
        return syms

    # degenerate points
    def origin(self) -> np.ndarray:
        """All weights zero: ψ = 0, and J = [0, 0, σ(0)·1ᵀ] has rank ≤ 1 (0 for tanh)."""
        return np.zeros(self._p)

