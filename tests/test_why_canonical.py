"""Section "Why the Canonical Gradient Is So Canonical": C24–C26."""

from theorems.testing import claim_tests

test_claim = claim_tests("Why the Canonical Gradient Is So Canonical")
