"""The conformance suite: the interface checks J1 (products) and J2 (derivative) on every
family of the zoo, at random sizes and at ordinary and extreme scales."""

from overparam.parameterizations import family_strategies
from overparam.theorems.conformance import interface_checks
from overparam.theorems.testing import conformance_tests

test_conformance = conformance_tests(family_strategies(4), interface_checks())
