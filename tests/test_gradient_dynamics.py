"""The claims of the post's section :data:`theorems.sections.GRADIENT_DYNAMICS` (C04–C08)."""

from theorems.sections import GRADIENT_DYNAMICS
from theorems.testing import claim_tests

test_claim = claim_tests(GRADIENT_DYNAMICS)
