"""The claims catalogue: one entry per claim, the single source of truth; and the conjecture author's API.

This package's names (``__all__``) are the whole API a conjecture uses, in one import: ``claim``
and ``undecided``; ``expect``, ``expect_le``, ``expect_ge``, ``expect_close``; the strategies of
examples, models, values and special points; the round-off bands; ``run_claim``,
``check_parameterization``, ``catalogue`` and ``get``. The README's table "The public API" lists
exactly these (tests/test_public_api.py). Everything else lives in the submodules below, the
project's own.

Layout (imports point down this list, never up):

* :mod:`overparam.theorems.listing` — ``catalogue``, ``get``, ``chapter``: imports the chapters and lists
  the registry;
* :mod:`overparam.theorems.chapters` — the built-in claims, one module per group of claims; no chapter
  imports another;
* what the chapters share: :mod:`overparam.theorems.registry` (``@claim``, ``pending``),
  :mod:`overparam.theorems.sections` (the post's section titles), :mod:`overparam.theorems.example_strategies` (strategies of
  examples), :mod:`overparam.theorems.geometry` (angles, planes, the round-off of a step),
  :mod:`overparam.theorems.notation` (how messages write vectors, indices and powers),
  :mod:`overparam.theorems.style` (colours, drawing helpers), :mod:`overparam.theorems.experiments` and
  :mod:`overparam.theorems.flow_limits` (the descent claims' conventions; where gradient flow ends);
  descent itself, the losses and the reference solvers are the package :mod:`overparam.descent`;
* :mod:`overparam.theorems.core` — ``Claim``, ``Result``, ``expect``, ``expect_same``, ``undecided``, ``run_claim``;
  :mod:`overparam.theorems.inequalities` (``expect_le``/``expect_ge``/``expect_close``: a derived round-off band,
  and ``target()`` toward the bound or the gap); :mod:`overparam.theorems.records`,
  :mod:`overparam.theorems.profiles`, :mod:`overparam.theorems.testing` (pytest glue), :mod:`overparam.theorems.readme_table`.
"""

from overparam.parameterizations import (DeepLinear, Identity, Inverse, MatrixFactorization, Polar, ShallowReLU,
                                        ShallowSmooth, SignedSquared, Squared, TwoLayerLinear, family_strategies)
from overparam.parameterizations.numerics import (cosine_band, eigenvalue_band, inner_product_band, kernel_band,
                                                  norm_band, product_band, ratio_band, spectral_norm_band, step_band,
                                                  sum_of_products_band, theta_band, value_band)
from overparam.parameterizations.special_points import (balanced_points, dead_unit_points, degenerate_points,
                                                        nonzero_theta_points, polar_points, same_theta_pairs,
                                                        steerable_invertible_matrices, steerable_matrices,
                                                        steerable_vectors)
from overparam.parameterizations.strategies import inputs, invertible_matrices, nonzero_scales, positive_scales

from .core import ClaimFailed, compare, expect, require, run_claim, skip_clause, undecided
from .example_strategies import deep_linear, examples, for_param, relu, smooth, two_layer
from .inequalities import expect_close, expect_ge, expect_le
from .listing import catalogue, get
from .registry import claim
from .conformance import check_parameterization
from .profiles import register_profiles as _register_profiles

_register_profiles()

#: the conjecture author's API, every name of it in one place: the README's table "The public API"
#: lists exactly these (tests/test_public_api.py); everything else lives in the submodules
__all__ = [
    # state a claim
    "claim", "undecided", "skip_clause",
    # compare
    "expect", "expect_le", "expect_ge", "expect_close", "require", "compare", "ClaimFailed",
    # draw examples and models
    "examples", "for_param", "two_layer", "deep_linear", "relu", "smooth", "family_strategies",
    "Identity", "TwoLayerLinear", "DeepLinear", "MatrixFactorization", "Squared", "SignedSquared", "Inverse",
    "Polar", "ShallowReLU", "ShallowSmooth",
    # values and special points
    "inputs", "invertible_matrices", "positive_scales", "nonzero_scales",
    "nonzero_theta_points", "balanced_points", "same_theta_pairs", "polar_points", "degenerate_points",
    "dead_unit_points", "steerable_vectors", "steerable_matrices", "steerable_invertible_matrices",
    # round-off bands
    "value_band", "product_band", "eigenvalue_band", "kernel_band", "step_band", "theta_band", "norm_band",
    "cosine_band", "ratio_band", "inner_product_band", "sum_of_products_band", "spectral_norm_band",
    # run and look up claims
    "run_claim", "check_parameterization", "catalogue", "get",
]
