"""Element-wise parameterizations of R^q: squared, signed squared, inverse, and polar (R²)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .validate import as_positive, as_real, as_vector
from .base import Parameterization, Symmetry, unit

__all__ = ["Squared", "SignedSquared", "Inverse", "Polar"]


class _Diagonal(Parameterization):
    """ψ acting entry by entry: J = diag(ψ′(w)), K = diag(ψ′(w)²)."""

    #: how w is laid out, and the sizes (the README's models table)
    LAYOUT = "w ∈ R^q, one entry per coordinate of θ (θ_i from w_i alone): p = q."

    def __init__(self, q: int = 2):
        q = as_positive("q", q, integer=True)
        super().__init__(q, q)

    def spec(self):
        return {"q": self._q}

    def _derivative(self, w):  # ψ′(w), entry by entry
        raise NotImplementedError

    def _jacobian(self, w):
        return np.diag(self._derivative(w))

    def _jvp(self, w, dw):
        return self._derivative(w) * dw

    def _vjp(self, w, g):
        return self._derivative(w) * g

    def _induced_step(self, w, g):
        return self._derivative(w) ** 2 * g

    def _psi_batch(self, W):
        return self._psi(W)  # entry by entry: the same expression on (B, q)

    def _vjp_batch(self, W, G):
        return self._derivative(W) * G

    def psi_scale(self, w):
        return float(np.linalg.norm(self.psi(w)))

    def uniform_initial(self, alpha):
        """w₀ = α·1."""
        return np.full(self._p, as_positive("alpha", alpha))

    @classmethod
    def instances(cls, max_dim=4):
        """q ∈ 1…max_dim."""
        return st.builds(cls, st.integers(1, max_dim))


class Squared(_Diagonal):
    r"""θ_i = w_i².  J = diag(2w),  K = diag(4w²) = diag(4θ).

    References: Woodworth et al. 2020; the post, section "Squared Parameterization".
    """

    family = "squared"

    def _psi(self, w):
        return w * w

    def _derivative(self, w):
        return 2 * w

    def symmetries(self):
        return [Symmetry("sign flips", hnp.arrays(np.float64, self._q, elements=st.sampled_from([1.0, -1.0])),
                         lambda w, s: self.check_w(w) * s)]


class SignedSquared(Parameterization):
    r"""θ = u⊙u − v⊙v with w = (u, v) ∈ R^{2q}.

    J = [diag(2u) | −diag(2v)],  K = diag(4(u² + v²)).
    References: Woodworth et al. 2020 (the "u⊙u − v⊙v" model).
    """

    #: how w is laid out, and the sizes (the README's models table)
    LAYOUT = "w = (u, then v), u, v ∈ R^q: p = 2q."

    family = "signed-squared"

    def __init__(self, q: int = 2):
        q = as_positive("q", q, integer=True)
        super().__init__(2 * q, q)
        # ∂θ/∂(u, v) = (2u, −2v) entry by entry: the vjp is (g, g)⊙(2, …, 2, −2, …, −2)⊙w, one product per
        # factor instead of one per block (the descent engines call it at every step)
        self._vjp_factor = np.concatenate([np.full(q, 2.0), np.full(q, -2.0)])

    def spec(self):
        return {"q": self._q}

    def unpack(self, w):
        """(u, v) views of a flat w."""
        w = np.asarray(w, float)
        return w[: self._q], w[self._q:]

    def _psi(self, w):
        u, v = self.unpack(w)
        return u * u - v * v

    def _jacobian(self, w):
        u, v = self.unpack(w)
        return np.hstack([np.diag(2 * u), np.diag(-2 * v)])

    def _jvp(self, w, dw):
        u, v = self.unpack(w)
        du, dv = self.unpack(dw)
        return 2 * (u * du - v * dv)

    def _vjp(self, w, g):
        return np.concatenate((g, g)) * self._vjp_factor * w

    def _induced_step(self, w, g):
        u, v = self.unpack(w)
        return 4 * (u * u + v * v) * g

    def _psi_batch(self, W):
        U, V = W[:, :self._q], W[:, self._q:]
        return U * U - V * V

    def _vjp_batch(self, W, G):
        return np.concatenate((G, G), axis=1) * self._vjp_factor * W

    def psi_scale(self, w):
        u, v = self.unpack(self.check_w(w))
        return float(np.linalg.norm(u * u + v * v))

    def symmetries(self):
        signs = hnp.arrays(np.float64, 2 * self._q, elements=st.sampled_from([1.0, -1.0]))
        return [Symmetry("sign flips", signs, lambda w, s: self.check_w(w) * s)]

    def uniform_initial(self, alpha) -> np.ndarray:
        """u₀ = v₀ = α·1 (θ₀ = 0), the initialization of Woodworth et al."""
        return np.full(self._p, as_positive("alpha", alpha))

    @classmethod
    def instances(cls, max_dim=4):
        """q ∈ 1…max_dim."""
        return st.builds(cls, st.integers(1, max_dim))


class Inverse(_Diagonal):
    r"""θ_i = 1/w_i on w_i ≠ 0.  J = diag(−1/w²),  K = diag(1/w⁴) = diag(θ⁴).

    References: the post, section "Inverse Parameterization".
    """

    family = "inverse"

    def _check_domain(self, w, name):
        if np.any(w == 0):
            i = int(np.flatnonzero(w == 0)[0])
            raise ValueError(f"{name} must have no zero entry for the inverse map, but entry {i} is 0")

    def _psi(self, w):
        return 1.0 / w

    def _derivative(self, w):
        return -1.0 / (w * w)

    def _vjp_batch(self, W, G):
        return -G / (W * W)

    def sample(self, rng=None, scale=1.0):
        scale = as_real("scale", scale)
        rng = np.random.default_rng(rng)
        return scale * rng.choice([-1.0, 1.0], self._p) * rng.uniform(0.5, 2.0, self._p)

    def points(self, *, extreme=False):
        """Entries ±10^t with |w_i| in [0.1, 10] (extreme: [1e-3, 1e3]), log-uniform: never 0."""
        lo, hi = (1e-3, 1e3) if extreme else (0.1, 10.0)
        mags = hnp.arrays(np.float64, self._p, elements=st.floats(np.log(lo), np.log(hi))).map(np.exp)
        signs = hnp.arrays(np.float64, self._p, elements=st.sampled_from([1.0, -1.0]))
        return st.tuples(signs, mags).map(lambda t: t[0] * t[1])

    def smooth_step(self, w, d):
        # ψ is smooth until the segment reaches a zero entry
        w, d = self.check_w(w), as_vector("d", d, self._p)
        d = unit(d)
        hit = -w / np.where(d == 0, np.inf, d)
        hit = hit[hit > 0]
        return float(hit.min()) if hit.size else np.inf

    def inverse(self, theta) -> np.ndarray:
        """w = 1/θ (θ without zero entries)."""
        return self.check_w(theta, "theta") ** -1.0


class Polar(Parameterization):
    r"""Polar coordinates of R²: w = (r, φ), θ = r(cos φ, sin φ).

    J = [[cos φ, −r sin φ], [sin φ, r cos φ]] = [û | r û⊥],
    K = ûûᵀ + r² û⊥û⊥ᵀ with û = (cos φ, sin φ), û⊥ = (−sin φ, cos φ).
    References: the post, section "Polar Parameterization".
    """

    #: how w is laid out, and the sizes (the README's models table)
    LAYOUT = "w = (r, φ): p = q = 2."

    family = "polar"

    def __init__(self):
        super().__init__(2, 2)

    def _psi(self, w):
        r, phi = w
        return np.array([r * np.cos(phi), r * np.sin(phi)])

    def _jacobian(self, w):
        r, phi = w
        c, s = np.cos(phi), np.sin(phi)
        return np.array([[c, -r * s], [s, r * c]])

    def _jvp(self, w, dw):
        r, phi = w
        c, s = np.cos(phi), np.sin(phi)
        return np.array([c * dw[0] - r * s * dw[1], s * dw[0] + r * c * dw[1]])

    def _vjp(self, w, g):
        r, phi = w
        c, s = np.cos(phi), np.sin(phi)
        return np.array([c * g[0] + s * g[1], r * (-s * g[0] + c * g[1])])

    def _psi_batch(self, W):
        return W[:, :1] * np.stack([np.cos(W[:, 1]), np.sin(W[:, 1])], axis=1)

    def _vjp_batch(self, W, G):
        c, s = np.cos(W[:, 1]), np.sin(W[:, 1])
        return np.stack([c * G[:, 0] + s * G[:, 1], W[:, 0] * (-s * G[:, 0] + c * G[:, 1])], axis=1)

    def psi_scale(self, w):
        # ψ = r(cos φ, sin φ) is evaluated at a w that is itself rounded (w + h·d, φ + 2πn):
        # an angle known to |φ|·u moves ψ by |r||φ|·u, so Σ_i |∂ψ/∂w_i||w_i| ≤ |r|(1 + |φ|)
        r, phi = self.check_w(w)
        return float(abs(r) * (1 + abs(phi)))

    def points(self, *, extreme=False):
        """(r, φ) with r log-uniform in [0.05, 5] (extreme: [1e-4, 1e4]) and φ ∈ [−π, π]."""
        lo, hi = (1e-4, 1e4) if extreme else (0.05, 5.0)
        r = st.floats(np.log(lo), np.log(hi)).map(np.exp)
        phi = st.floats(-np.pi, np.pi)
        return st.tuples(r, phi).map(lambda t: np.array(t, dtype=float))

    def sample(self, rng=None, scale=1.0):
        scale = as_real("scale", scale)
        rng = np.random.default_rng(rng)
        return np.array([scale * rng.uniform(0.2, 2.0), rng.uniform(-np.pi, np.pi)])

    @classmethod
    def instances(cls, max_dim=4):
        """The one member (p = q = 2)."""
        return st.just(cls())

    def symmetries(self):
        turns = st.integers(-3, 3)
        return [
            Symmetry("full turn", turns, lambda w, n: self.check_w(w) + np.array([0.0, 2 * np.pi * n])),
            Symmetry("negative radius", st.just(None),
                     lambda w, _: self.check_w(w) * np.array([-1.0, 1.0]) + np.array([0.0, np.pi])),
        ]
