"""The claims of the post's section :data:`theorems.sections.TAKEAWAYS` (C14–C15)."""

from theorems.sections import TAKEAWAYS
from theorems.testing import claim_tests

test_claim = claim_tests(TAKEAWAYS)
