"""Section "Gradient Dynamics Between Spaces": C04–C08."""

from theorems.testing import claim_tests

test_claim = claim_tests("Gradient Dynamics Between Spaces")
