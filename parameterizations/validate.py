"""Input checks shared by every parameterization and by the descent engines.

Each check raises ``ValueError`` whose message names the argument, says what was
expected and what came, so that bad input never surfaces as a deep numpy
traceback or as a silent NaN.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["as_vector", "as_matrix", "as_positive", "as_real", "as_index", "as_permutation", "check_result",
           "describe_array"]


def describe_array(x) -> str:
    """A short description of what was passed: shape and dtype, or the type."""
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    if isinstance(x, np.generic):  # a numpy scalar: its value, not its repr np.float64(…)
        return f"{type(x).__name__} {x.item()!r:.60}"
    return f"{type(x).__name__} {x!r:.60}"


def _all_finite(a: np.ndarray) -> bool:
    # One BLAS pass: a NaN or inf anywhere makes the dot product non-finite.
    # A finite dot product proves every entry finite; a non-finite one may be
    # an overflow of large finite entries, so confirm entry by entry. (math.isfinite
    # of a Python float, not np.isfinite of a numpy scalar: ~1 µs less a call.)
    # Measured against the alternatives for 10⁶ entries (one thread): this dot
    # ~175 µs, np.isfinite(a).all() ~185, a sum as gemv with a vector of ones
    # ~210; only a.max() is faster (~155) and it misses −inf.
    if a.size == 0:
        return True
    flat = a.reshape(-1)
    if math.isfinite(float(flat @ flat)):  # (not ndarray.dot, which warns on an overflow)
        return True
    return bool(np.isfinite(flat).all())


def _first_bad(a: np.ndarray) -> str:
    flat = a.reshape(-1)
    i = int(np.flatnonzero(~np.isfinite(flat))[0])
    where = tuple(int(t) for t in np.unravel_index(i, a.shape)) if a.ndim > 1 else i
    return f"entry {where} is {flat[i]}"


def _as_float_array(name: str, x) -> np.ndarray:
    if np.iscomplexobj(x):  # np.asarray(z, dtype=float) would drop the imaginary part with a warning
        raise ValueError(f"{name} must be an array of real numbers, but got {describe_array(np.asarray(x))}")
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be an array of real numbers, but got {describe_array(x)} ({exc})"
        ) from None
    return a


def as_vector(name: str, x, size: int, *, finite: bool = True) -> np.ndarray:
    """``x`` as a finite float vector of length ``size``.

    A 1-element or (size,)-shaped input is accepted; a column or row matrix is not
    (silently flattening a (q, 1) gradient has hidden real bugs). ``finite=False``
    leaves the finite check to the caller, who must then make it another way
    (TwoLayerLinear.induced_step folds it into its products).
    """
    a = _as_float_array(name, x)
    if a.shape != (size,):
        raise ValueError(
            f"{name} must be a vector of shape ({size},), but got {describe_array(np.asarray(x))}"
        )
    if finite and not _all_finite(a):
        raise ValueError(f"{name} must be finite, but {_first_bad(a)}")
    return a


def as_matrix(name: str, x, shape: tuple[int | None, int | None]) -> np.ndarray:
    """``x`` as a finite float matrix; ``None`` in ``shape`` accepts any length."""
    a = _as_float_array(name, x)
    if a.ndim != 2 or any(s is not None and s != t for s, t in zip(shape, a.shape)):
        rows, cols = shape
        want = (f"a {rows}×{cols} matrix" if rows is not None and cols is not None
                else f"a matrix with {cols} columns" if cols is not None
                else f"a matrix with {rows} rows" if rows is not None else "a matrix")
        raise ValueError(f"{name} must be {want}, but got {describe_array(np.asarray(x))}")
    if not _all_finite(a):
        raise ValueError(f"{name} must be finite, but {_first_bad(a)}")
    return a


def _finite_float(name: str, x) -> float:
    try:
        x = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, but got {describe_array(x)}") from None
    if not np.isfinite(x):
        raise ValueError(f"{name} must be finite, but got {x}")
    return x


def as_positive(name: str, x, *, integer: bool = False, minimum: float = 0.0, strict: bool = True):
    """A scalar size or scale: finite, above ``minimum`` (strictly unless ``strict=False``)."""
    if integer:
        if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
            raise ValueError(f"{name} must be an integer, but got {describe_array(x)}")
        x = int(x)
    else:
        x = _finite_float(name, x)
    if x < minimum or (strict and x == minimum):
        rel = ">" if strict else "≥"
        raise ValueError(f"{name} must be {rel} {minimum:g}, but got {x}")
    return x


def as_real(name: str, x, *, nonzero: bool = False) -> float:
    """A finite real scalar (non-zero if ``nonzero``)."""
    if isinstance(x, (bool, np.bool_)) or np.iscomplexobj(x) or np.ndim(x) != 0:
        raise ValueError(f"{name} must be a real number, but got {describe_array(x)}")
    x = _finite_float(name, x)
    if nonzero and x == 0:
        raise ValueError(f"{name} must be non-zero, but got 0")
    return x


def as_index(name: str, i, n: int, expected: str | None = None) -> int:
    """An integer in range(n); ``expected`` says what it indexes, for the message."""
    expected = expected or f"an integer in range({n})"
    if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)):
        raise ValueError(f"{name} must be {expected}, but got {describe_array(i)}")
    if not 0 <= int(i) < n:
        raise ValueError(f"{name} must be {expected}, but got {i}")
    return int(i)


def as_permutation(name: str, perm, k: int) -> np.ndarray:
    """``perm`` as an integer array holding each of 0, …, k−1 once."""
    a = np.asarray(perm)
    # only integers (or integral floats) can be a permutation; sorting mixed objects would raise TypeError
    if a.shape != (k,) or a.dtype.kind not in "iuf" or not np.array_equal(np.sort(a), np.arange(k)):
        raise ValueError(f"{name} must be a permutation of range({k}), but got {describe_array(perm)}")
    return a.astype(int)


def check_result(what: str, r: np.ndarray, **args: np.ndarray) -> np.ndarray:
    """``r`` if it is finite; else a ``ValueError`` that names ``what`` and the (finite) arguments.

    Finite input can still overflow (two-layer weights of 1e200, an inverse of
    1e-200, 0·inf in a product): that is reported here instead of returning inf or NaN.
    """
    if _all_finite(r):
        return r
    ranges = ", ".join(
        f"|{k}_i| from {np.abs(v).min():.3g} to {np.abs(v).max():.3g}" if v.size else f"{k} empty"
        for k, v in args.items()
    )
    raise ValueError(f"{what} must be finite, but {_first_bad(r)}: the arguments ({ranges}) are outside "
                     f"the range where it can be evaluated in float64")
