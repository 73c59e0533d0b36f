"""The claims of the post's section :data:`theorems.sections.FURTHER_READING` (C34–C38)."""

from theorems.sections import FURTHER_READING
from theorems.testing import claim_tests

test_claim = claim_tests(FURTHER_READING)
