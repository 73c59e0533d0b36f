"""Section "Further Reading": C34–C38."""

from theorems.testing import claim_tests

test_claim = claim_tests("Further Reading")
