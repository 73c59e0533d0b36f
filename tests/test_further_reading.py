"""The claims of the post's section :data:`overparam.theorems.sections.FURTHER_READING` (C34–C38)."""

from overparam.theorems.sections import FURTHER_READING
from overparam.theorems.testing import claim_tests

test_claim = claim_tests(FURTHER_READING)
