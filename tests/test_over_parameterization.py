"""The claims of the post's section :data:`theorems.sections.OVER_PARAMETERIZATION` (C01–C03)."""

from theorems.sections import OVER_PARAMETERIZATION
from theorems.testing import claim_tests

test_claim = claim_tests(OVER_PARAMETERIZATION)
