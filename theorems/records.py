"""Lossless JSON for examples and results, so that a counterexample can be replayed.

Arrays keep dtype, shape and every bit (JSON floats are written with Python's
shortest round-trip repr); a parameterization is stored as its family and spec, and
a dataclass (a drawn loss, say) field by field with the import path of its class.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np

from .core import Result

__all__ = ["to_jsonable", "from_jsonable", "dump_result", "load_result", "result_to_dict", "result_from_dict"]


def to_jsonable(x):
    """Python/numpy values to JSON-friendly ones, reversibly (see :func:`from_jsonable`)."""
    from overparam.parameterizations import CLASSES, Parameterization

    if isinstance(x, Parameterization):
        spec = x.spec()
        if x.family not in CLASSES and not spec.get("ref"):  # nothing rebuilds it: kept as text (lossy)
            return {"__repr__": repr(x)}
        return {"__param__": x.family, "spec": to_jsonable(spec)}
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        cls = type(x)
        fields = {f.name: to_jsonable(getattr(x, f.name)) for f in dataclasses.fields(x) if f.init}
        return {"__dataclass__": f"{cls.__module__}:{cls.__qualname__}", "fields": fields}
    if isinstance(x, np.ndarray):
        return {"__ndarray__": x.tolist(), "dtype": str(x.dtype), "shape": list(x.shape)}
    if isinstance(x, (np.floating,)):
        return float(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.bool_,)):
        return bool(x)
    if isinstance(x, dict):
        return {str(k): to_jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_jsonable(v) for v in x]
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    return {"__repr__": repr(x)}


def from_jsonable(x):
    """The inverse of :func:`to_jsonable`."""
    from overparam.parameterizations import from_spec

    if isinstance(x, dict):
        if "__ndarray__" in x:
            return np.array(x["__ndarray__"], dtype=x["dtype"]).reshape(x["shape"])
        if "__dataclass__" in x and set(x) == {"__dataclass__", "fields"}:
            return _import(x["__dataclass__"])(**{k: from_jsonable(v) for k, v in x["fields"].items()})
        if "__param__" in x:
            return from_spec(x["__param__"], from_jsonable(x["spec"]))
        if "__repr__" in x:
            return x["__repr__"]
        return {k: from_jsonable(v) for k, v in x.items()}
    if isinstance(x, list):
        return [from_jsonable(v) for v in x]
    return x


#: classes that moved since records were first written: old "module:qualname" → new
_MOVED = {"theorems.losses:Loss": "overparam.descent.losses:Loss"}

#: the folders that records written before the one namespace named at top level
_FOLDERS = ("parameterizations", "descent", "theorems", "reports")


def current_name(ref: str) -> str:
    """``ref`` ("module:qualname") under today's names: moved classes, and the ``overparam.`` prefix."""
    ref = _MOVED.get(ref, ref)
    return f"overparam.{ref}" if ref.split(".", 1)[0].split(":", 1)[0] in _FOLDERS else ref


def _import(ref: str):
    module, _, qualname = current_name(ref).partition(":")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def result_to_dict(r: Result) -> dict:
    """The result as JSON-ready data; ``violation`` only when the failure named one."""
    d = asdict(dataclasses.replace(r, example=None, typical=None))
    d["example"] = to_jsonable(r.example) if r.example is not None else None
    d["typical"] = to_jsonable(r.typical) if r.typical is not None else None
    if d["violation"] is None:
        del d["violation"]
    return d


def result_from_dict(d: dict) -> Result:
    d = dict(d)
    d["example"] = from_jsonable(d["example"]) if d.get("example") is not None else None
    d["typical"] = from_jsonable(d["typical"]) if d.get("typical") is not None else None
    return Result(**d)


def dump_result(r: Result, path) -> Path:
    path = Path(path)
    path.write_text(json.dumps(result_to_dict(r), indent=1, allow_nan=True))
    return path


def load_result(path) -> Result:
    return result_from_dict(json.loads(Path(path).read_text()))
