"""The terminal shows what the claims decided: under a finding its message, its example in compact form
and how to replay it; one line for a claim that holds or survived; a closing line that counts the
verdicts. The same summary ends ``python -m overparam.reports`` (tests/test_report_safety.py)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import numpy as np
import pytest

from overparam.reports import build, terminal
from overparam.theorems.core import Result

pytest_plugins = ["pytester"]

CONJECTURES = '''
from hypothesis import strategies as st
from overparam.theorems import claim, expect

NUMBERS = st.fixed_dictionaries({"n": st.integers(0, 10), "x": st.just(__import__("numpy").arange(40.0) / 3)})


@claim("Z01", kind="open", section="Mine", statement="Every n in [0, 10] is below 5 (false).", strategy=NUMBERS)
def below_five(ex):
    expect(ex["n"], "<", 5, "n")


@claim("Z02", kind="open", section="Mine", statement="Every n in [0, 10] is at most 10.", strategy=NUMBERS)
def at_most_ten(ex):
    expect(ex["n"], "<=", 10, "n")


@claim("Z03", kind="holds", section="Mine", statement="Every n in [0, 10] is at least 0.", strategy=NUMBERS)
def at_least_zero(ex):
    expect(ex["n"], ">=", 0, "n")


def test_ordinary():
    assert True
'''


def _run(pytester, *args):
    from overparam.theorems.listing import catalogue
    from overparam.theorems.registry import _REGISTRY

    # the catalogue is loaded first: a chapter first imported inside pytester's run would be dropped from
    # sys.modules after it, with its claims, while the package keeps it as imported
    catalogue()
    before = dict(_REGISTRY)
    pytester.makepyfile(test_mine=textwrap.dedent(CONJECTURES))
    try:
        return pytester.runpytest_inprocess("-p", "overparam.reports.pytest_plugin", "-p", "no:cacheprovider",
                                            "--hypothesis-seed=0", *args)
    finally:
        _REGISTRY.clear()
        _REGISTRY.update(before)


def _claims_section(text: str) -> list[str]:
    return text[text.index("= claims ("):].splitlines()[1:]


def test_a_refuted_conjecture_shows_its_message_example_and_how_to_replay_it(pytester):
    result = _run(pytester)
    result.assert_outcomes(passed=4)
    lines = _claims_section(result.stdout.str())
    z01 = next(i for i, line in enumerate(lines) if line.startswith("Z01"))
    under = lines[z01 + 1:z01 + 6]
    assert under[0].strip() == "n=5, but should be < 5 [Z01]", lines
    assert under[1].strip() == "counterexample:" and under[2].strip() == "n = 5", lines
    # 40 entries are cut to their first and last three, with the size, at four significant digits
    assert under[3].strip() == "x = (40) [0, 0.3333, 0.6667, ..., 12.33, 12.67, 13]", lines
    assert under[4].strip().startswith("rerun: python -m pytest test_mine.py::below_five") and \
        "--claims-report DIR" in under[4], lines
    # a claim that survived or holds is one line
    for cid in ("Z02", "Z03"):
        i = next(i for i, line in enumerate(lines) if line.startswith(cid))
        assert not lines[i + 1].startswith(" "), lines
    # the last line of the run counts the verdicts beside the tests
    last = result.stdout.str().strip().splitlines()[-1]
    assert re.search(r"4 passed, 3 claims: 1 refuted \(open\), 1 survived, 1 holds in", last), last


@pytest.mark.slow
def test_with_a_report_the_replay_command_names_the_record(pytester, monkeypatch):
    # in a process of its own (this checkout's code): building the report imports modules that
    # pytester's in-process run would drop from sys.modules afterwards
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[1]))
    pytester.makepyfile(test_mine=textwrap.dedent(CONJECTURES))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--hypothesis-seed=0", "--claims-report", "out",
                                           "--claims-report-fields", "none", "-k", "Z01")
    text = result.stdout.str()
    assert "replay: python -m overparam.reports replay out/Z01.json" in text, text + result.stderr.str()
    assert (pytester.path / "out" / "Z01.json").is_file()
    last = text.strip().splitlines()[-1]
    assert "1 claim: 1 refuted (open)" in last, last


def test_compact_values():
    assert terminal.compact_value(np.array([0.0, 1.0, -1.5, 1 / 3])) == "[0, 1, -1.5, 0.3333]"
    assert terminal.compact_value(np.arange(100.0)) == "(100) [0, 1, 2, ..., 97, 98, 99]"
    assert terminal.compact_value(np.eye(2)) == "(2×2) [[1, 0], [0, 1]]"
    assert terminal.compact_value(np.array([np.nan, np.inf])) == "[nan, inf]"
    assert terminal.compact_value(0.1 + 0.2) == "0.3" and terminal.compact_value(7) == "7"
    assert all(len(line) <= terminal.WIDTH for line in terminal.compact_example({"big": np.ones((40, 40))}))


def test_progress_columns_stay_aligned_and_counts_are_singular_or_plural():
    short = Result("C01", "holds", "holds", examples=100, seconds=1.5)
    long = Result("C31", "open", "refuted", examples=1, seconds=12.25,
                  rate={"rate": 0.0, "lo": 0.0, "hi": 0.24, "decided": 12, "undecided": 3})
    a, b = build.progress_line(short), build.progress_line(long)
    assert "1 example " in b and "1 examples" not in b and "100 examples" in a
    def seconds_end(line):
        return re.search(r"\d+\.\d\ds", line).end()

    assert seconds_end(a) == seconds_end(b)  # the seconds column ends at the same place, whatever the status
    assert a.index("example") == b.index("example")
    assert terminal.plural(1, "claim") == "1 claim" and terminal.plural(2, "process", "processes") == "2 processes"


def test_the_closing_count_orders_failures_first():
    rs = [Result("A", "open", "survived"), Result("B", "holds", "refuted"), Result("C", "open", "refuted"),
          Result("D", "holds", "error"), Result("E", "open", "survived")]
    assert terminal.decided(rs) == (5, "1 errored, 1 refuted (holds), 1 refuted (open), 2 survived")
