"""The claims of the post's section :data:`theorems.sections.CANONICAL` (C24–C26)."""

from theorems.sections import CANONICAL
from theorems.testing import claim_tests

test_claim = claim_tests(CANONICAL)
