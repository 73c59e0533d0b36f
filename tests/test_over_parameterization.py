"""The claims of the post's section :data:`overparam.theorems.sections.OVER_PARAMETERIZATION` (C01–C03)."""

from overparam.theorems.sections import OVER_PARAMETERIZATION
from overparam.theorems.testing import claim_tests

test_claim = claim_tests(OVER_PARAMETERIZATION)
