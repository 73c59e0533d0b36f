"""The zoo: one instance of every family; the family table, random-size strategies and specs derive from it.

A new parameterization is one class (with ``family`` and ``instances``) and one line in :func:`zoo`.
"""

from __future__ import annotations

import inspect

import numpy as np
from hypothesis import strategies as st

from .base import Parameterization
from .elementwise import Inverse, Polar, SignedSquared, Squared
from .linear import DeepLinear, Identity, MatrixFactorization, TwoLayerLinear
from .relu import ShallowReLU
from .smooth import ShallowSmooth

__all__ = ["zoo", "family_strategies", "from_spec", "CLASSES"]


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


#: family name → class, in the order of the zoo
CLASSES: dict[str, type[Parameterization]] = {type(m).family: type(m) for m in zoo()}


def family_strategies(max_dim: int = 4) -> dict[str, st.SearchStrategy]:
    """family name → strategy of instances with sizes between 1 and ``max_dim`` (each class's ``instances``)."""
    return {family: cls.instances(max_dim) for family, cls in CLASSES.items()}


def from_spec(family: str, spec: dict) -> Parameterization:
    """Rebuild a member of the zoo from its family name and :meth:`spec`."""
    if family not in CLASSES:
        raise ValueError(f"family must be one of {sorted(CLASSES)}, but got {family!r}")
    cls = CLASSES[family]
    # the constructor's TypeError for an unknown keyword would not name what it accepts
    known = [n for n in inspect.signature(cls.__init__).parameters if n != "self"]
    unknown = sorted(set(spec) - set(known))
    if unknown:
        s = "s" if len(unknown) > 1 else ""
        raise ValueError(f"spec must hold arguments of {cls.__name__} ({', '.join(known)}), but got the unknown "
                         f"argument{s} {', '.join(map(repr, unknown))}")
    kwargs = {k: (np.asarray(v) if isinstance(v, list) and k == "X" else v) for k, v in spec.items()}
    return cls(**kwargs)
