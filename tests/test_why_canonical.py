"""The claims of the post's section :data:`overparam.theorems.sections.CANONICAL` (C24–C26)."""

from overparam.theorems.sections import CANONICAL
from overparam.theorems.testing import claim_tests

test_claim = claim_tests(CANONICAL)
