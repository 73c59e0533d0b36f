"""The claims of the post's section :data:`theorems.sections.GRADIENT_FIELDS` (C27–C33)."""

from theorems.sections import GRADIENT_FIELDS
from theorems.testing import claim_tests

test_claim = claim_tests(GRADIENT_FIELDS)
