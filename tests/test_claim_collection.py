"""One conjecture = one ``@claim`` function: the plugin collects it from a test file as a test of its own."""

from __future__ import annotations

import textwrap

pytest_plugins = ["pytester"]

CONJECTURES = '''
from hypothesis import strategies as st
from overparam.theorems import claim, expect
from helpers import imported_claim  # defined elsewhere: its own file's test, not this one's

NUMBERS = st.fixed_dictionaries({"n": st.integers(0, 10)})


@claim("Y01", kind="holds", section="Collected", statement="Every n in [0, 10] is at most 10.", strategy=NUMBERS)
def at_most_ten(ex):
    expect(ex["n"], "<=", 10, "n")


@claim("Y02", kind="holds", section="Collected", statement="Every n in [0, 10] is below 5 (false).",
       strategy=NUMBERS)
def below_five(ex):
    expect(ex["n"], "<", 5, "n")


def test_an_ordinary_test_beside_them():
    assert imported_claim.claim.id == "Y03"
'''

HELPERS = '''
from hypothesis import strategies as st
from overparam.theorems import claim

@claim("Y03", kind="holds", section="Collected", statement="Anything.", strategy=st.just({}))
def imported_claim(ex):
    pass
'''


def _run(pytester, *args):
    # in this process (pytester restores sys.modules); the registry is restored after, so that the
    # claims do not stay in this session's catalogue
    from overparam.theorems.registry import _REGISTRY

    before = dict(_REGISTRY)
    pytester.makepyfile(test_conjectures=textwrap.dedent(CONJECTURES), helpers=textwrap.dedent(HELPERS))
    pytester.syspathinsert()
    try:
        return pytester.runpytest_inprocess("-p", "overparam.reports.pytest_plugin", "-p", "no:cacheprovider", "-v",
                                            "--hypothesis-seed=0", *args)
    finally:
        _REGISTRY.clear()
        _REGISTRY.update(before)


def test_each_claim_function_is_a_test_named_after_it_and_selected_by_its_id(pytester):
    # -k names ids only: the ordinary test is deselected, the two claims are selected by id
    result = _run(pytester, "-k", "Y01 or Y02")
    result.assert_outcomes(passed=1, failed=1, deselected=1)
    result.stdout.fnmatch_lines(["*test_conjectures.py::at_most_ten PASSED*",
                                 "*test_conjectures.py::below_five FAILED*"])
    text = result.stdout.str()
    assert "n=5, but should be < 5 [Y02]" in text, text
    summary = text[text.index("= claims ("):]
    assert "Y01" in summary and "Y02" in summary and "Y03" not in summary, summary
