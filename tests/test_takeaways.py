"""Section "Take-Aways From the Linear Example": C14–C15."""

from theorems.testing import claim_tests

test_claim = claim_tests("Take-Aways From the Linear Example")
