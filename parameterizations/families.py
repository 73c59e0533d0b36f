"""The zoo: one instance of every family; the family table, random-size strategies and specs derive from it.

A new parameterization is one class (with ``family`` and ``instances``) and one line in :func:`zoo`.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from pathlib import Path

import numpy as np
from hypothesis import strategies as st

from .base import Parameterization
from .elementwise import Inverse, Polar, SignedSquared, Squared
from .linear import DeepLinear, Identity, MatrixFactorization, TwoLayerLinear
from .relu import ShallowReLU
from .smooth import ShallowSmooth

__all__ = ["zoo", "family_strategies", "from_spec", "load_model", "CLASSES"]


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
    """Rebuild a member of the zoo from its family name and :meth:`spec`; a model that names the
    ``module:object`` it came from (``spec["ref"]``, as ``--model`` sets it) is imported from there."""
    if isinstance(spec, dict) and spec.get("ref"):
        return load_model(spec["ref"])
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


def load_model(ref: str) -> Parameterization:
    """The parameterization ``module:object`` names (``object`` a dotted path; ``module`` a module that
    Python can import, or a file ``path/to/file.py``): an instance, or a function of no arguments that
    returns one. A model with a ``ref`` attribute (a :class:`JaxModel`) keeps ``ref``, so that a record
    of a result on it rebuilds it from there.
    """
    if not isinstance(ref, str) or ref.count(":") != 1 or not all(ref.split(":")):
        raise ValueError(f"model must be given as module:object, but got {ref!r:.80}")
    module_name, qualname = ref.split(":")
    try:
        if module_name.endswith(".py"):
            path = Path(module_name)
            spec = importlib.util.spec_from_file_location(path.stem, path)
            if spec is None or not path.is_file():
                raise FileNotFoundError(f"no file {module_name}")
            module = importlib.util.module_from_spec(spec)
            sys.modules.setdefault(path.stem, module)
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(module_name)
        obj = module
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except Exception as e:  # the user's module: any error it raises is an input error here
        raise ValueError(f"model {ref} could not be loaded ({type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''})") from None
    if callable(obj) and not isinstance(obj, Parameterization):
        try:
            obj = obj()
        except Exception as e:
            raise ValueError(f"model {ref} must be a parameterization or a function of no arguments that returns one, "
                             f"but calling it raised {type(e).__name__}: {e}") from None
    if not isinstance(obj, Parameterization):
        raise ValueError(f"model {ref} must be a parameterization (a JaxModel, say), but is {type(obj).__name__}")
    if hasattr(obj, "ref") and not obj.ref:
        obj.ref = ref
    return obj
