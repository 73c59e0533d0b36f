"""Thin pytest glue: a parametrized test per chapter, per zoo member for general claims, and one
test per ``@claim``-decorated function of a test file (:func:`collect_claim`, the plugin's hook)."""

from __future__ import annotations

import inspect
import json

import pytest

from .listing import chapter
from .core import Claim, run_claim
from .records import result_to_dict

__all__ = ["claim_tests", "conformance_tests", "model_tests", "check_claim", "collect_claim", "RESULT_KEY"]

#: key under which a test stores its Result in ``user_properties`` (travels with pytest-xdist)
RESULT_KEY = "overparam_result"


def check_claim(claim: Claim, request, param=None) -> None:
    """Run one claim, record its result on the test item, fail with the claim's sentence."""
    __tracebackhide__ = True
    if not claim.decided:
        pytest.skip(f"{claim.id} is pending: it has a statement but no property yet")
    result = run_claim(claim, param=param)
    request.node.user_properties.append((RESULT_KEY, json.dumps(result_to_dict(result))))
    _fail_unless_passing(claim, result)


def _fail_unless_passing(claim: Claim, result) -> None:
    """Fail with the claim's sentence; an open claim whose verdict moved names both verdicts first."""
    __tracebackhide__ = True
    if not claim.passing(result.status):
        head = f"{result.disagreement}\n" if result.disagreement else ""
        pytest.fail(f"{head}{result.message}\n{result.report}", pytrace=False)


def collect_claim(collector, name: str, obj):
    """The test item of a ``@claim``-decorated function defined in the test file being collected, else None.

    A conjecture is then one decorated function in a file pytest collects (``test_*.py``): its
    test is named after the function, marked ``claim(id)``, matched by ``-k ID`` as by ``-k name``,
    and runs :func:`check_claim`. A function imported from elsewhere is left to its own file.
    """
    c = getattr(obj, "claim", None)
    if not (isinstance(collector, pytest.Module) and inspect.isfunction(obj) and isinstance(c, Claim)):
        return None
    if obj.__module__ != collector.obj.__name__:
        return None

    def run(request):
        __tracebackhide__ = True
        check_claim(c, request)

    run.__doc__ = c.statement
    item = pytest.Function.from_parent(collector, name=name, callobj=run)
    item.add_marker(pytest.mark.claim(c.id))
    item.extra_keyword_matches.add(c.id)
    return item


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
    :func:`overparam.parameterizations.family_strategies` does). The general claims need no such
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
        _fail_unless_passing(claim, result)

    return test_conformance


def model_tests(*models):
    """A test over (check × model): the interface checks J1–J2 and the general claims of the catalogue
    (those :func:`overparam.theorems.conformance.check_parameterization` runs) on each of ``models``
    — your own parameterizations, a :class:`overparam.parameterizations.jax_model.JaxModel` say.

    In a test file, ``test_general_claims = model_tests(model)``: test ids ``C16-<label>``, selected by
    ``-k C16`` as any claim, results in the claims summary and ``--claims-report``. A model with a
    ``warm()`` method (JAX) is compiled before its first check, so that no example pays a compilation.
    """
    from .conformance import general_checks

    if not models:
        raise ValueError("models must hold at least one parameterization, but got none")
    cases = [pytest.param(c, m, id=f"{c.id}-{m.label}", marks=pytest.mark.claim(c.id))
             for m in models for c in general_checks()]

    @pytest.mark.parametrize("claim,model", cases)
    def test_general_claim(claim, model, request):
        __tracebackhide__ = True
        if hasattr(model, "warm"):
            model.warm()
        check_claim(claim, request, param=model)

    return test_general_claim
