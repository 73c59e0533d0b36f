"""The claims of the post's section :data:`overparam.theorems.sections.GENERAL_VIEW` (C16–C23)."""

from overparam.theorems.sections import GENERAL_VIEW
from overparam.theorems.testing import claim_tests

test_claim = claim_tests(GENERAL_VIEW)
