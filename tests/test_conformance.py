"""The conformance suite: interface checks and general claims on every member of the zoo."""

from parameterizations import zoo
from theorems.conformance import interface_checks
from theorems.testing import conformance_tests

test_conformance = conformance_tests(zoo(), interface_checks())
