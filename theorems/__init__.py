"""The claims catalogue: one entry per claim, the single source of truth.

``catalogue()`` lists the entries in id order; ``run_claim`` decides one with
Hypothesis; ``check_parameterization`` runs the general claims on any object that
implements the parameterization interface.
"""

from .core import Claim, ClaimFailed, Result, expect, expect_close, run_claim
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
    "expect",
    "expect_close",
    "get",
    "pending",
    "run_claim",
]
