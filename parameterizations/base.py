"""The interface every parameterization implements.

A parameterization is a smooth (or piecewise smooth) map ψ: R^p → R^q from the
parameters w to the canonical parameters θ, in a canonical space where the model
is linear, f(x) = θᵀφ(x). Its Jacobian J(w) = ∂θ/∂w is q×p; the post writes the
transpose (p×q), this project uses q×p throughout.

Subclasses implement the private ``_psi``, ``_jacobian``, ``_jvp``, ``_vjp`` (and,
where a closed form is cheaper, ``_induced_step``, and the row-wise ``_psi_batch``,
``_vjp_batch`` on arrays of shape (B, p)) on validated input; the public methods check
their input once and raise ``ValueError`` on bad input. A family of the zoo also says
how to draw its members at random sizes (the classmethod ``instances``).
"""

from __future__ import annotations

import abc
import functools
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .validate import as_matrix, as_real, as_vector, check_result

__all__ = ["Parameterization", "Symmetry", "finite_vectors", "unit", "MIN_MAGNITUDE"]


@dataclass(frozen=True)
class Symmetry:
    """A function-preserving transform: ψ(apply(w, a)) = ψ(w) for every a drawn from ``argument``."""

    name: str
    argument: st.SearchStrategy = field(repr=False)
    apply: Callable[[np.ndarray, Any], np.ndarray] = field(repr=False)


def unit(d) -> np.ndarray:
    """d/‖d‖, scaled by its largest entry first so that tiny vectors do not underflow to 0."""
    d = np.asarray(d, float)
    m = float(np.max(np.abs(d))) if d.size else 0.0
    if m == 0:
        raise ValueError("d must be a non-zero direction, but it is zero")
    d = d / m
    return d / np.linalg.norm(d)


#: entries of drawn vectors are 0 or at least this large in magnitude ("well-scaled"):
#: a product of ten of them stays far above the underflow threshold, so that no
#: property fails because 1e-200 · 1e-200 rounds to 0
MIN_MAGNITUDE = 1e-4


def _flush(x: float) -> float:
    return 0.0 if abs(x) < MIN_MAGNITUDE else x


@functools.lru_cache(maxsize=None)
def finite_vectors(n: int, bound: float = 2.0, *, extreme: bool = False) -> st.SearchStrategy:
    """Flat float vectors of length n with entries 0 or of magnitude in [MIN_MAGNITUDE, bound].

    With ``extreme=True`` the whole vector is multiplied by 10**e, e ∈ [-6, 6], so
    that very small and very large weights are drawn too.

    Memoized: a strategy drawn inside a flatmap is otherwise built and validated anew for every
    example, which took about half of a general claim's time.
    """
    elems = st.floats(-bound, bound, allow_nan=False, allow_infinity=False, allow_subnormal=False).map(_flush)
    base = hnp.arrays(np.float64, n, elements=elems)
    if not extreme:
        return base
    return st.tuples(base, st.integers(-6, 6)).map(lambda t: t[0] * 10.0 ** t[1])


class Parameterization(abc.ABC):
    """ψ: R^p → R^q with exact Jacobian J = ∂θ/∂w (q×p) and matrix-free products.

    Public names: ``n_params`` (p), ``n_canonical`` (q), ``psi``, ``jacobian``,
    ``jvp`` (J·dw), ``vjp`` (Jᵀ·dθ), ``induced_step`` (J Jᵀ g), ``kernel`` (K = J Jᵀ),
    ``psi_batch``/``vjp_batch`` (row by row over B points), ``unchecked_maps`` (for engines),
    ``features`` (φ), ``psi_scale``/``jacobian_scale`` (for round-off bounds), ``smooth_step``/
    ``curvature_step`` (where a Taylor test's steps may start), ``sample``,
    ``points`` (a Hypothesis strategy of valid w), ``uniform_initial``, ``symmetries``
    (function-preserving transforms), ``label``, ``spec`` and ``instances`` (random sizes).
    """

    #: family name, as used by :func:`overparam.parameterizations.zoo` and in messages
    family: str = "parameterization"
    #: number of chained products in ψ (sets round-off bounds; 1 for element-wise maps)
    depth: int = 1

    def __init__(self, n_params: int, n_canonical: int):
        self._p = int(n_params)
        self._q = int(n_canonical)

    # --- sizes and names -------------------------------------------------------
    @property
    def n_params(self) -> int:
        """p, the number of parameters."""
        return self._p

    @property
    def n_canonical(self) -> int:
        """q, the dimension of the canonical space."""
        return self._q

    def spec(self) -> dict:
        """Constructor arguments that rebuild this object (JSON-friendly but for arrays)."""
        return {}

    @property
    def label(self) -> str:
        """Family and sizes, e.g. ``two-layer k=3 d=2``."""
        args = " ".join(f"{k}={v}" for k, v in self.spec().items() if np.isscalar(v))
        return f"{self.family} {args}".strip()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.label}: p={self.n_params}, q={self.n_canonical}>"

    # --- validation --------------------------------------------------------------
    def check_w(self, w, name: str = "w") -> np.ndarray:
        """``w`` as a validated flat vector of length p inside ψ's domain."""
        w = as_vector(name, w, self._p)
        self._check_domain(w, name)
        return w

    def _check_domain(self, w: np.ndarray, name: str) -> None:
        """Raise ``ValueError`` if ``w`` is outside ψ's domain (default: all of R^p)."""

    # --- the map and its derivative ------------------------------------------
    # Each public product checks its input once and its result once: finite input
    # can still overflow (1e200 squared, 1/1e-200), and that is a ValueError too.
    def psi(self, w) -> np.ndarray:
        """θ = ψ(w) ∈ R^q."""
        w = self.check_w(w)
        return check_result("psi(w)", self._psi(w), w=w)

    def jacobian(self, w) -> np.ndarray:
        """J(w) = ∂θ/∂w as a q×p matrix (the post writes its transpose, p×q)."""
        w = self.check_w(w)
        return check_result("jacobian(w)", self._jacobian(w), w=w)

    def jvp(self, w, dw) -> np.ndarray:
        """J(w)·dw ∈ R^q, without building J."""
        w, dw = self.check_w(w), as_vector("dw", dw, self._p)
        return check_result("jvp(w, dw)", self._jvp(w, dw), w=w, dw=dw)

    def vjp(self, w, dtheta) -> np.ndarray:
        """J(w)ᵀ·dθ ∈ R^p, without building J."""
        w, dtheta = self.check_w(w), as_vector("dtheta", dtheta, self._q)
        return check_result("vjp(w, dtheta)", self._vjp(w, dtheta), w=w, dtheta=dtheta)

    def induced_step(self, w, g) -> np.ndarray:
        """K g = J Jᵀ g: the first-order change of θ per unit step along −Jᵀg."""
        w, g = self.check_w(w), as_vector("g", g, self._q)
        return check_result("induced_step(w, g)", self._induced_step(w, g), w=w, g=g)

    # --- batches: B points as the rows of W (B, p) ---------------------------------
    def psi_batch(self, W) -> np.ndarray:
        """Θ with rows Θ_b = ψ(W_b), shape (B, q)."""
        W = self._check_batch("W", W)
        return check_result("psi_batch(W)", self._psi_batch(W), W=W)

    def vjp_batch(self, W, G) -> np.ndarray:
        """Rows J(W_b)ᵀG_b, shape (B, p), for W (B, p) and G (B, q)."""
        W = self._check_batch("W", W)
        G = as_matrix("G", G, (len(W), self._q))
        return check_result("vjp_batch(W, G)", self._vjp_batch(W, G), W=W, G=G)

    def unchecked_maps(self, batched: bool = False):
        """(ψ, (w, g) ↦ J(w)ᵀg) without input checks; ``batched``: their row-wise forms on (B, p) arrays.

        For an engine that validates its starting point once and then iterates: it must
        catch a non-finite or out-of-domain iterate itself (the descent engines do).
        """
        return (self._psi_batch, self._vjp_batch) if batched else (self._psi, self._vjp)

    def _check_batch(self, name: str, W) -> np.ndarray:
        W = as_matrix(name, W, (None, self._p))
        for b, w in enumerate(W):
            self._check_domain(w, f"{name}[{b}]")
        return W

    def kernel(self, w) -> np.ndarray:
        """K(w) = J Jᵀ (q×q, positive semi-definite)."""
        J = self.jacobian(w)
        return J @ J.T

    def features(self, x) -> np.ndarray:
        """φ(x) ∈ R^q, so that f(x) = ψ(w)ᵀφ(x). Default: x itself (a linear model)."""
        return as_vector("x", x, self._q)

    def output(self, w, x) -> float:
        """f(x) = ψ(w)ᵀφ(x)."""
        return float(self.psi(w) @ self.features(x))

    def smooth_step(self, w, d) -> float:
        """Largest t such that ψ is smooth on the segment w + [0, t)·d/‖d‖ (∞ if smooth)."""
        self.check_w(w)
        as_vector("d", d, self._p)
        return np.inf

    def curvature_step(self, w, d) -> float:
        """A step along d/‖d‖ up to which ψ's first-order Taylor remainder is governed by its
        second-order term, where ψ has such a scale of its own (a saturating activation bends
        within a few units of its argument); a Taylor test starts no farther. Default ∞: ψ is
        polynomial and the test's steps follow ‖w‖.
        """
        self.check_w(w)
        as_vector("d", d, self._p)
        return np.inf

    def psi_scale(self, w) -> float:
        """Magnitude of the terms summed to evaluate ψ(w), for round-off bounds.

        Default: ‖ψ(w)‖ + ‖J‖_F‖w‖/depth, which bounds Σ|terms| for multilinear maps.
        """
        w = self.check_w(w)
        return float(np.linalg.norm(self._psi(w)) + np.linalg.norm(self._jacobian(w)) * np.linalg.norm(w) / self.depth)

    def jacobian_scale(self, w, J) -> float:
        """A bound on Σ|terms| summed in the entries of J = J(w), for round-off bounds.

        Default ‖J‖_F: enough when every entry of J is a single product. A product chain
        overrides it (see :meth:`MatrixFactorization.jacobian_scale`).
        """
        return float(np.linalg.norm(J))

    # --- points -------------------------------------------------------------------
    def sample(self, rng: np.random.Generator | int | None = None, scale: float = 1.0) -> np.ndarray:
        """A generic valid point, entries of order ``scale``."""
        scale = as_real("scale", scale)
        rng = np.random.default_rng(rng)
        return scale * rng.standard_normal(self._p)

    def points(self, *, extreme: bool = False) -> st.SearchStrategy:
        """Entries 0 or of magnitude in [1e-4, 2] (extreme: the vector times 10^e, e ∈ −6…6)."""
        return finite_vectors(self._p, extreme=extreme)

    def uniform_initial(self, alpha) -> np.ndarray:
        """w₀ with every entry α > 0: the uniform initialization of scale α of an element-wise map."""
        raise ValueError(f"param must be an element-wise map with a uniform initialization, but got {self!r}")

    def symmetries(self) -> list[Symmetry]:
        """Function-preserving transforms of this parameterization (none by default)."""
        return []

    @classmethod
    def instances(cls, max_dim: int = 4) -> st.SearchStrategy:
        """Members of this family with every size between 1 and ``max_dim`` (depths 2 to 4)."""
        raise NotImplementedError(f"{cls.__name__} must define instances(max_dim) to be drawn at random sizes")

    # --- defaults in terms of the primitives ---------------------------------
    @abc.abstractmethod
    def _psi(self, w: np.ndarray) -> np.ndarray: ...

    @abc.abstractmethod
    def _jacobian(self, w: np.ndarray) -> np.ndarray: ...

    @abc.abstractmethod
    def _jvp(self, w: np.ndarray, dw: np.ndarray) -> np.ndarray: ...

    @abc.abstractmethod
    def _vjp(self, w: np.ndarray, dtheta: np.ndarray) -> np.ndarray: ...

    def _induced_step(self, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        return self._jvp(w, self._vjp(w, g))

    def _psi_batch(self, W: np.ndarray) -> np.ndarray:
        if len(W) == 0:
            return np.empty((0, self._q))
        return np.stack([self._psi(w) for w in W])

    def _vjp_batch(self, W: np.ndarray, G: np.ndarray) -> np.ndarray:
        if len(W) == 0:
            return np.empty((0, self._p))
        return np.stack([self._vjp(w, g) for w, g in zip(W, G)])
