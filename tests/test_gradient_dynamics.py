"""The claims of the post's section :data:`overparam.theorems.sections.GRADIENT_DYNAMICS` (C04–C08)."""

from overparam.theorems.sections import GRADIENT_DYNAMICS
from overparam.theorems.testing import claim_tests

test_claim = claim_tests(GRADIENT_DYNAMICS)
