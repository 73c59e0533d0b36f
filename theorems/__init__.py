"""The claims catalogue: one entry per claim, the single source of truth.

``catalogue()`` lists the entries in id order; ``run_claim`` decides one with
Hypothesis; ``check_parameterization`` (:mod:`overparam.theorems.conformance`) runs the general
claims on any object that implements the parameterization interface.

Layout (imports point down this list, never up):

* :mod:`overparam.theorems.listing` — ``catalogue``, ``get``, ``chapter``: imports the chapters and lists
  the registry;
* :mod:`overparam.theorems.chapters` — the built-in claims, one module per group of claims; no chapter
  imports another;
* what the chapters share: :mod:`overparam.theorems.registry` (``@claim``, ``pending``),
  :mod:`overparam.theorems.sections` (the post's section titles), :mod:`overparam.theorems.examples` (strategies of
  examples), :mod:`overparam.theorems.geometry` (angles, planes, the round-off of a step),
  :mod:`overparam.theorems.style` (colours, drawing helpers), :mod:`overparam.theorems.experiments` and
  :mod:`overparam.theorems.flow_limits` (the descent claims' conventions; where gradient flow ends);
  descent itself, the losses and the reference solvers are the package :mod:`overparam.descent`;
* :mod:`overparam.theorems.core` — ``Claim``, ``Result``, ``expect``, ``run_claim``; :mod:`overparam.theorems.inequalities`
  (``expect_le``/``expect_ge``: a derived round-off band, and ``target()`` toward the bound); :mod:`overparam.theorems.records`,
  :mod:`overparam.theorems.profiles`, :mod:`overparam.theorems.testing` (pytest glue), :mod:`overparam.theorems.readme_table`.
"""

from .core import Claim, ClaimFailed, Result, compare, expect, expect_close, require, run_claim, skip_clause, undecided
from .inequalities import expect_ge, expect_le
from .listing import catalogue, chapter, get
from .registry import claim, pending
from .profiles import register_profiles

register_profiles()

__all__ = [
    "Claim",
    "ClaimFailed",
    "Result",
    "catalogue",
    "chapter",
    "claim",
    "compare",
    "expect",
    "expect_close",
    "expect_ge",
    "expect_le",
    "get",
    "pending",
    "require",
    "run_claim",
    "skip_clause",
    "undecided",
]
