"""Section "Over-Parameterization": C01–C03."""

from theorems.testing import claim_tests

test_claim = claim_tests("Over-Parameterization")
