"""Section "A More General View": C16–C23."""

from theorems.testing import claim_tests

test_claim = claim_tests("A More General View")
