"""The zoo: one instance of each parameterization, random-size strategies, and specs."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .base import Parameterization
from .elementwise import Inverse, Polar, SignedSquared, Squared
from .linear import DeepLinear, Identity, MatrixFactorization, TwoLayerLinear
from .relu import ShallowReLU
from .smooth import ACTIVATIONS, ShallowSmooth

__all__ = ["zoo", "family_strategies", "from_spec", "CLASSES"]

#: family name → class
CLASSES: dict[str, type[Parameterization]] = {
    c.family: c
    for c in (Identity, TwoLayerLinear, DeepLinear, Squared, SignedSquared, Inverse, Polar,
              ShallowReLU, MatrixFactorization, ShallowSmooth)
}


def zoo() -> list[Parameterization]:
    """One instance of every family, with small default sizes."""
    return [
        Identity(2),
        TwoLayerLinear(k=3, d=2),
        DeepLinear(d=2, N=3),
        Squared(2),
        SignedSquared(2),
        Inverse(2),
        Polar(),
        ShallowReLU(n=4, d=2, k=6),
        MatrixFactorization(m=2, n=3, N=3, width=2),
        ShallowSmooth(n=4, d=2, k=3, activation="tanh"),
    ]


def family_strategies(max_dim: int = 4) -> dict[str, st.SearchStrategy]:
    """family name → strategy of instances with sizes between 1 and ``max_dim``."""
    dim = st.integers(1, max_dim)
    depth = st.integers(2, 4)
    return {
        "identity": st.builds(Identity, dim),
        "two-layer": st.builds(TwoLayerLinear, k=dim, d=dim),
        "deep-linear": st.builds(DeepLinear, d=dim, N=depth, width=dim),
        "squared": st.builds(Squared, dim),
        "signed-squared": st.builds(SignedSquared, dim),
        "inverse": st.builds(Inverse, dim),
        "polar": st.just(Polar()),
        "relu": st.builds(ShallowReLU, n=dim, d=dim, k=st.integers(1, 2 * max_dim), seed=st.integers(0, 2**16)),
        "factorization": st.builds(MatrixFactorization, m=dim, n=dim, N=depth, width=dim),
        "smooth": st.builds(ShallowSmooth, n=dim, d=dim, k=st.integers(1, 2 * max_dim),
                            activation=st.sampled_from(sorted(ACTIVATIONS)), seed=st.integers(0, 2**16)),
    }


def from_spec(family: str, spec: dict) -> Parameterization:
    """Rebuild a member of the zoo from its family name and :meth:`spec`."""
    if family not in CLASSES:
        raise ValueError(f"family must be one of {sorted(CLASSES)}, but got {family!r}")
    kwargs = {k: (np.asarray(v) if isinstance(v, list) and k == "X" else v) for k, v in spec.items()}
    return CLASSES[family](**kwargs)
