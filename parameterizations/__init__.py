"""Maps ψ from parameters w to canonical parameters θ, with exact Jacobians.

Notation: w ∈ R^p, θ = ψ(w) ∈ R^q, J(w) = ∂θ/∂w ∈ R^{q×p} (the transpose of the
post's p×q), K = J Jᵀ, and "the induced step" K g for a canonical gradient g.
This package knows nothing of claims.
"""

from . import strategies
from .base import Parameterization, Symmetry
from .elementwise import Inverse, Polar, SignedSquared, Squared
from .linear import DeepLinear, Identity, MatrixFactorization, TwoLayerLinear
from .relu import ShallowReLU
from .smooth import ShallowSmooth
from .zoo import CLASSES, family_strategies, from_spec, zoo

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
