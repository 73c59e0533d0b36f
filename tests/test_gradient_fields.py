"""Section "Exploring Parameterizations and Gradient Fields": C27–C33."""

from theorems.testing import claim_tests

test_claim = claim_tests("Exploring Parameterizations and Gradient Fields")
