"""The claims of the post's section :data:`overparam.theorems.sections.TAKEAWAYS` (C14–C15)."""

from overparam.theorems.sections import TAKEAWAYS
from overparam.theorems.testing import claim_tests

test_claim = claim_tests(TAKEAWAYS)
