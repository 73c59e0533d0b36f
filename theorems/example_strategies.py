"""Strategies of examples for claims: dicts of named values drawn together.

An example is a dict so that it can be noted, saved as JSON, plotted and replayed:
``{"param": <Parameterization>, "w": array, "x": array, ...}``.
"""

from __future__ import annotations

from typing import Callable

from hypothesis import strategies as st

from overparam.parameterizations import DeepLinear, ShallowReLU, ShallowSmooth, TwoLayerLinear
from overparam.parameterizations.smooth import ACTIVATIONS

__all__ = ["examples", "for_param", "sized", "two_layer", "deep_linear", "relu", "smooth", "dims", "per_model",
           "MODEL_HELPERS"]


def per_model(build: Callable) -> Callable:
    """``build`` (model ↦ strategy) memoized by the model's family and spec.

    Inside a flatmap, a strategy built anew for every draw is validated anew, and
    Hypothesis then spends most of a claim's time (and of a shrink) there. A model
    is determined by its family and spec, so one strategy per model suffices.
    """
    cache: dict = {}

    def strategy_for(m):
        key = (m.family, repr(sorted(m.spec().items())))
        if key not in cache:
            cache[key] = build(m)
        return cache[key]

    return strategy_for


def dims(lo: int = 1, hi: int = 4) -> st.SearchStrategy:
    """Sizes in [lo, hi]."""
    return st.integers(lo, hi)


def sized(model=None, *, k=(1, 4), d=(1, 4), sizes=None, square: bool = True) -> st.SearchStrategy:
    """Models ``model(*size)`` (default :class:`TwoLayerLinear`), sizes (k, d) in the inclusive ranges given.

    With ``square``, about half the draws have k = d ≥ 2 (where the ranges allow it): there U is
    square, can be invertible or singular, and a formula with UUᵀ where UᵀU belongs is still
    well-shaped. Drawn uniformly, k = d ≥ 2 came up in 3 draws of 16, and a bug that shows only
    there was missed by some runs of 30 examples. ``sizes`` (a strategy of argument tuples for
    ``model``) replaces the (k, d) ranges.
    """
    model = TwoLayerLinear if model is None else model
    if sizes is None:
        sizes = st.tuples(st.integers(*k), st.integers(*d))
        lo, hi = max(2, k[0], d[0]), min(k[1], d[1])
        if square and lo <= hi:
            sizes = st.one_of(st.integers(lo, hi).map(lambda n: (n, n)), sizes)
    return sizes.map(lambda kd: model(*kd))


def two_layer(k=None, d=None, *, max_dim: int = 4) -> st.SearchStrategy:
    """Two-layer linear models; ``k``/``d`` fix a size or give a strategy of sizes."""
    k = dims(1, max_dim) if k is None else (st.just(k) if isinstance(k, int) else k)
    d = dims(1, max_dim) if d is None else (st.just(d) if isinstance(d, int) else d)
    return st.builds(TwoLayerLinear, k=k, d=d)


def deep_linear(*, max_dim: int = 3, depths=(2, 5)) -> st.SearchStrategy:
    """Deep linear networks with scalar output, N in ``depths`` (inclusive range)."""
    return st.builds(DeepLinear, d=dims(1, max_dim), N=st.integers(*depths), width=dims(1, max_dim))


def _units(max_dim: int, wide: bool) -> st.SearchStrategy:
    # (n, k): k ∈ 1…2·max_dim, or with ``wide`` k ≥ n (as many hidden units as inputs, or more)
    if not wide:
        return st.tuples(dims(1, max_dim), dims(1, 2 * max_dim))
    return dims(1, max_dim).flatmap(lambda n: st.tuples(st.just(n), st.integers(n, max(n, 2 * max_dim))))


def relu(*, max_dim: int = 4, wide: bool = False) -> st.SearchStrategy:
    """Shallow ReLU networks on n fixed random inputs; ``wide``: k ≥ n hidden units."""
    return st.builds(lambda nk, d, seed: ShallowReLU(n=nk[0], d=d, k=nk[1], seed=seed),
                     _units(max_dim, wide), dims(1, max_dim), st.integers(0, 2**16))


def smooth(*, max_dim: int = 4, wide: bool = False, activations=None) -> st.SearchStrategy:
    """Shallow networks with a smooth activation (default: every one of ``ACTIVATIONS``); ``wide``: k ≥ n."""
    names = sorted(ACTIVATIONS) if activations is None else list(activations)
    return st.builds(lambda nk, d, act, seed: ShallowSmooth(n=nk[0], d=d, k=nk[1], activation=act, seed=seed),
                     _units(max_dim, wide), dims(1, max_dim), st.sampled_from(names), st.integers(0, 2**16))


#: family → the helper of this module that draws its members with arguments (the other families:
#: ``CLASSES[family].instances(max_dim)``)
MODEL_HELPERS = {"two-layer": "two_layer", "deep-linear": "deep_linear", "relu": "relu", "smooth": "smooth"}


def for_param(param, **fields: Callable) -> st.SearchStrategy:
    """Examples for one parameterization: ``{"param": param, "w": a point, name: fields[name](param)}``.

    ``w`` defaults to ``param.points()``; pass ``w=`` to draw it otherwise.
    """
    spec = {"param": st.just(param)}
    if "w" not in fields:
        spec["w"] = param.points()
    spec.update({k: f(param) for k, f in fields.items()})
    return st.fixed_dictionaries(spec)


def _merged(build: Callable, fields: dict) -> Callable:
    def strategy_for(m):
        extra = st.fixed_dictionaries({k: f(m) for k, f in fields.items()})
        return st.tuples(build(m), extra).map(lambda t: {**t[0], **t[1]})

    return strategy_for


def examples(params: st.SearchStrategy, build: Callable | None = None, /, **fields: Callable) -> st.SearchStrategy:
    """Examples over a strategy of parameterizations: per model m, ``build(m)``, or :func:`for_param` (m, **fields).

    ``build`` (model ↦ strategy of example dicts, such as
    :func:`overparam.parameterizations.special_points.same_theta_pairs`) is for values drawn together
    (one transformed from another); ``fields`` for values drawn side by side, after it when
    both are given. The strategy of each model is built once (:func:`per_model`).
    """
    if build is None:
        return params.flatmap(per_model(lambda m: for_param(m, **fields)))
    return params.flatmap(per_model(_merged(build, fields) if fields else build))
