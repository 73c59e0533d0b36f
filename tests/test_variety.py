"""The claims of the post's section :data:`overparam.theorems.sections.VARIETY` (C09–C13)."""

from overparam.theorems.sections import VARIETY
from overparam.theorems.testing import claim_tests

test_claim = claim_tests(VARIETY)
