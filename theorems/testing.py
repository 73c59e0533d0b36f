"""Thin pytest glue: a parametrized test per chapter, and per zoo member for general claims."""

from __future__ import annotations

import json

import pytest

from .listing import chapter
from .core import Claim, run_claim
from .records import result_to_dict

__all__ = ["claim_tests", "conformance_tests", "check_claim", "RESULT_KEY"]

#: key under which a test stores its Result in ``user_properties`` (travels with pytest-xdist)
RESULT_KEY = "overparam_result"


def check_claim(claim: Claim, request, param=None) -> None:
    """Run one claim, record its result on the test item, fail with the claim's sentence."""
    __tracebackhide__ = True
    if not claim.decided:
        pytest.skip(f"{claim.id} is pending: it has a statement but no property yet")
    result = run_claim(claim, param=param)
    request.node.user_properties.append((RESULT_KEY, json.dumps(result_to_dict(result))))
    if not claim.passing(result.status):
        pytest.fail(f"{result.message}\n{result.report}", pytrace=False)


def _params(claims):
    return [pytest.param(c, id=c.id, marks=pytest.mark.claim(c.id)) for c in claims]


def claim_tests(*sections: str):
    """A test parametrized over the claims of ``sections`` (ids as test ids: ``-k C13``)."""
    claims = [c for s in sections for c in chapter(s)]
    if not claims:
        raise ValueError(f"sections must name sections of the catalogue, but {sections} hold no claims")

    @pytest.mark.parametrize("claim", _params(claims))
    def test_claim(claim, request):
        check_claim(claim, request)

    return test_claim


def conformance_tests(families: dict, checks):
    """A test over (check × family): each check over the family's members of random sizes.

    ``families`` maps a family name to a strategy of its members (as
    :func:`parameterizations.family_strategies` does). The general claims need no such
    test: their own strategy ranges over every family of the zoo with random sizes.
    """
    cases = [pytest.param(c, name, id=f"{c.id}-{name}", marks=pytest.mark.claim(c.id))
             for name in families for c in checks]

    @pytest.mark.parametrize("claim,family", cases)
    def test_conformance(claim, family, request):
        __tracebackhide__ = True
        params = families[family]
        result = run_claim(claim, params=params)
        result.subject = f"{family} (random sizes)"
        request.node.user_properties.append((RESULT_KEY, json.dumps(result_to_dict(result))))
        if not claim.passing(result.status):
            pytest.fail(f"{result.message}\n{result.report}", pytrace=False)

    return test_conformance
