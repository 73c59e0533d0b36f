"""The README's catalogue table is generated from the catalogue and matches it, and its statuses match a run.

Each status in the table must be the verdict the catalogue expects of the claim (holds, witness found,
or an open claim's expected verdict), and each claim's own test fails when a run reaches another
verdict: so a table whose status no run reaches (C24 "error", C15 "refuted") fails here, and a run
that moves a verdict fails there.
"""

import sys
from pathlib import Path

import pytest

from overparam.theorems import catalogue, readme_table

README = Path(__file__).resolve().parents[1] / "README.md"

#: every status a row can show, longest first (a status cell starts with one)
STATUSES = ("witness found", "inconclusive", "no witness", "survived", "refuted", "pending", "not run", "holds",
            "error")


def verdict_of(cell: str) -> str:
    """The verdict a status cell shows (``survived: rate 1.00 [0.96, 1.00] of 100`` → ``survived``)."""
    for s in STATUSES:
        if cell.startswith(s):
            return s
    raise ValueError(f"cell must start with one of {STATUSES}, but got {cell!r}")


def test_readme_table_lists_every_claim_with_its_kind_statement_and_caught_bugs():
    table = readme_table.parse_block(README.read_text())
    want = readme_table.rows()
    assert [r[0] for r in table] == [r[0] for r in want], "README's table is stale: run `python -m overparam.theorems table --write README.md`"
    for got, exp in zip(table, want):
        assert got[1:3] == (exp[1].replace("|", "∣"), exp[2]), f"README row {got[0]} is stale"
        assert got[3] != "not run", f"README row {got[0]} has no status"
        assert got[5] == exp[5], f"README row {got[0]}: caught bugs {got[5]!r}, but the catalogue says {exp[5]!r}"
        # a tendency claim's threshold, design and distribution, as the catalogue states them
        assert got[6] == exp[6].replace("|", "∣"), f"README row {got[0]}: rate rule {got[6]!r}, not {exp[6]!r}"


def test_readme_statuses_are_the_verdicts_a_run_must_reach():
    claims = {c.id: c for c in catalogue()}
    for row in readme_table.parse_block(README.read_text()):
        c = claims[row[0]]
        if not c.decided:
            assert verdict_of(row[3]) == "pending", f"README row {c.id}: {row[3]!r} for a claim with no property"
            continue
        assert verdict_of(row[3]) == c.expected_verdict, (
            f"README row {c.id}: status {verdict_of(row[3])!r}, but a run must reach {c.expected_verdict!r} "
            f"(the claim's own test fails on any other): run `python -m overparam.theorems table --write README.md`")


def test_readme_passes_are_within_the_undecided_limit():
    from overparam.theorems.core import over_undecided_limit

    for row in readme_table.parse_block(README.read_text()):
        if verdict_of(row[3]) in ("holds", "survived") and "/" in row[4]:
            decided, undecided = (int(x) for x in row[4].split("/"))
            assert not over_undecided_limit(decided, undecided), (
                f"README row {row[0]}: {row[3]!r} with {undecided} of {decided + undecided} examples undecided")


@pytest.mark.parametrize("cell,verdict", [("holds (9 undecided)", "holds"), ("survived 15", "survived"),
                                          ("survived: rate 1.00 [0.96, 1.00] of 100", "survived"),
                                          ("witness found (2 undecided)", "witness found"), ("error", "error")])
def test_a_status_cell_is_read_as_its_verdict(cell, verdict):
    assert verdict_of(cell) == verdict


def test_a_readme_status_that_no_run_reaches_is_caught(tmp_path, monkeypatch):
    text = README.read_text()
    row = next(line for line in text.splitlines() if line.startswith("| C24 |"))
    cells = row.split("|")
    cells[4] = " error "
    monkeypatch.setattr(sys.modules[__name__], "README", tmp_path / "README.md")
    (tmp_path / "README.md").write_text(text.replace(row, "|".join(cells)))
    with pytest.raises(AssertionError, match="README row C24: status 'error', but a run must reach 'holds'"):
        test_readme_statuses_are_the_verdicts_a_run_must_reach()
