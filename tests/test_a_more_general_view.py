"""The claims of the post's section :data:`theorems.sections.GENERAL_VIEW` (C16–C23)."""

from theorems.sections import GENERAL_VIEW
from theorems.testing import claim_tests

test_claim = claim_tests(GENERAL_VIEW)
