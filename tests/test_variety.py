"""Section "A Variety of Parametric Gradients": C09–C13."""

from theorems.testing import claim_tests

test_claim = claim_tests("A Variety of Parametric Gradients")
