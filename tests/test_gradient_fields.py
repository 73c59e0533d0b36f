"""The claims of the post's section :data:`overparam.theorems.sections.GRADIENT_FIELDS` (C27–C33)."""

from overparam.theorems.sections import GRADIENT_FIELDS
from overparam.theorems.testing import claim_tests

test_claim = claim_tests(GRADIENT_FIELDS)
