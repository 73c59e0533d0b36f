"""The claims of the post's section :data:`theorems.sections.VARIETY` (C09–C13)."""

from theorems.sections import VARIETY
from theorems.testing import claim_tests

test_claim = claim_tests(VARIETY)
