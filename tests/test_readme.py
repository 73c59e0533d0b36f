"""The README's catalogue table is generated from the catalogue and matches it."""

from pathlib import Path

from overparam.theorems import readme_table

README = Path(__file__).resolve().parents[1] / "README.md"


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
