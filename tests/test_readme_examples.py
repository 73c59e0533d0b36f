"""The README's toolkit examples run, as conjecture files, and give the verdicts the README states."""

from __future__ import annotations

from pathlib import Path

import pytest

from theorems.core import run_claim
from theorems.readme_examples import examples_in, load

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLES = examples_in(README.read_text(encoding="utf-8"))
#: a small derandomized budget without the example database: reproducible and hermetic; a refutation
#: gets 200 examples (twice the default profile), a claim that holds (or a thorough-only refutation) 30
RUN = {"max_examples": 30, "derandomize": True, "database": None}
REFUTE = dict(RUN, max_examples=200)


def test_the_readme_has_an_example_for_each_part_of_the_toolkit():
    assert [e.name for e in EXAMPLES] == ["models", "tolerances", "search", "shrinking"]


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_each_example_runs_and_gives_its_verdict(example):
    claims = load(example)
    assert claims, f"example {example.name} registers no claim"
    for c in claims:
        r = run_claim(c, overrides=REFUTE if example.verdict == "refuted" else RUN)
        if example.verdict == "holds":
            assert r.status == "holds", r.message
        elif example.verdict == "refuted":
            assert r.status == "refuted", r.message
        else:  # refuted under thorough (scripts/refute_thorough.py); the small budget only runs it
            assert r.status in ("refuted", "survived"), r.message
