"""Maps ψ from parameters w to canonical parameters θ, with exact Jacobians — only the maps.

Notation: w ∈ R^p, θ = ψ(w) ∈ R^q, J(w) = ∂θ/∂w ∈ R^{q×p} (the transpose of the
post's p×q), K = J Jᵀ, and "the induced step" K g for a canonical gradient g.

Modules:

* :mod:`overparam.parameterizations.base` — the interface :class:`Parameterization`: ψ, J, the
  matrix-free ``jvp``/``vjp``/``induced_step``, their row-wise forms on B points
  (``psi_batch``/``vjp_batch``), round-off scales, points and symmetries.
* :mod:`overparam.parameterizations.linear`, :mod:`overparam.parameterizations.elementwise`,
  :mod:`overparam.parameterizations.relu` — the families: identity, two-layer, deep linear, matrix
  factorization; squared, signed squared, inverse, polar; a shallow ReLU network.
* :mod:`overparam.parameterizations.families` — the zoo (one instance per family) and what derives
  from it: the family table, random-size strategies, rebuilding from a spec.
* :mod:`overparam.parameterizations.strategies` — Hypothesis strategies valid by construction
  (inputs, orthogonal and invertible matrices, permutations, scales).
* :mod:`overparam.parameterizations.special_points` — strategies of special points per family (θ ≠ 0,
  balanced, two parameterizations of one θ, polar radii, degenerate points, dead units) and
  vectors on an integer grid that ``target()`` can climb.
* :mod:`overparam.parameterizations.numerics` — every tolerance, derived from round-off bounds, and the
  bands of derived quantities (eigenvalues, products, norms, cosines, ratios).
* :mod:`overparam.parameterizations.jax_model` (needs the extra ``.[jax]``; imported by nobody here) —
  :class:`JaxModel`, any JAX function as a parameterization; :mod:`overparam.parameterizations.jax_zoo` —
  the shipped JAX examples and a JAX twin of every family.
* :mod:`overparam.parameterizations.validate` — the input checks: one-line ``ValueError`` naming the
  argument, what was expected and what came.

Gradient descent through these maps lives one floor up, in :mod:`overparam.descent`. This package
imports neither it nor anything about claims.
"""

from . import strategies
from .base import Parameterization, Symmetry
from .elementwise import Inverse, Polar, SignedSquared, Squared
from .families import CLASSES, family_strategies, from_spec, zoo
from .linear import DeepLinear, Identity, MatrixFactorization, TwoLayerLinear
from .relu import ShallowReLU
from .smooth import ShallowSmooth

__all__ = [
    "Parameterization",
    "Symmetry",
    "Identity",
    "TwoLayerLinear",
    "DeepLinear",
    "MatrixFactorization",
    "Squared",
    "SignedSquared",
    "Inverse",
    "Polar",
    "ShallowReLU",
    "ShallowSmooth",
    "zoo",
    "family_strategies",
    "from_spec",
    "CLASSES",
    "strategies",
]
