"""The conjecture author's API: one import, one table in the README, nothing else public.

``overparam.theorems.__all__`` is the API; the README's table (between ``<!-- public-api:start -->``
and ``<!-- public-api:end -->``) must name exactly those names, each once, so that neither can go
stale without this test failing; and the package offers no other public name but its submodules.
"""

from __future__ import annotations

import re
import types
from pathlib import Path

import numpy as np
import pytest

import overparam.theorems as api
from overparam.parameterizations import CLASSES, zoo

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- public-api:start -->", "<!-- public-api:end -->"


def table_names(text: str) -> list[str]:
    """The names in the first column of the README's public-API table, in order."""
    if START not in text or END not in text:
        raise ValueError(f"the README must contain the markers {START!r} and {END!r}, but does not")
    block = text.split(START, 1)[1].split(END, 1)[0]
    rows = [line for line in block.strip().splitlines()[2:] if line.startswith("|")]
    names = []
    for row in rows:
        first = row.split(" | ", 1)[0].lstrip("| ")
        names += [n for n in re.findall(r"`([^`]+)`", first) if n.isidentifier()]
    return names


def test_the_readme_table_names_exactly_the_public_api():
    names = table_names(README.read_text(encoding="utf-8"))
    twice = sorted({n for n in names if names.count(n) > 1})
    assert not twice, f"the public-API table names these more than once: {twice}"
    assert set(names) == set(api.__all__), (f"missing from the table: {sorted(set(api.__all__) - set(names))}; "
                                            f"in the table but not in __all__: {sorted(set(names) - set(api.__all__))}")


def test_the_table_check_sees_a_missing_or_extra_name():
    text = README.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `undecided` |"))
    assert "undecided" not in table_names(text.replace(row + "\n", ""))
    extra = text.replace(row, row + "\n| `not_an_api_name` | x | y |")
    assert "not_an_api_name" in table_names(extra)


def test_the_package_has_no_public_name_beside_its_api_and_submodules():
    public = {n for n in dir(api) if not n.startswith("_") and not isinstance(getattr(api, n), types.ModuleType)}
    assert public == set(api.__all__), f"public but not in __all__: {sorted(public - set(api.__all__))}"
    for name in api.__all__:
        assert not isinstance(getattr(api, name), types.ModuleType), f"{name} is a module, not an API name"


def test_examples_is_the_function_and_its_module_is_named_apart():
    # the function must not be shadowed by (or shadow) a submodule of the same name
    import overparam.theorems.example_strategies as strategies

    assert api.examples is strategies.examples and callable(api.examples)


@pytest.mark.parametrize("member", zoo(), ids=[m.family for m in zoo()])
def test_the_layout_the_models_table_states_is_the_one_unpack_reads(member):
    # w = 0, 1, 2, …: each block of the layout holds the next entries, matrices row by row
    cls = type(member)
    assert "p =" in cls.LAYOUT or "q =" in cls.LAYOUT, f"{cls.__name__}.LAYOUT states no size"
    if not hasattr(member, "unpack"):
        return
    w = np.arange(member.n_params, dtype=float)
    parts = member.unpack(w)
    flat = np.concatenate([np.asarray(p).ravel() for p in parts])  # ravel: row by row
    assert np.array_equal(flat, w), f"{member.label}: unpack does not read w block by block, row by row"
    if member.family in ("relu", "smooth"):
        A, b, a = parts
        assert A.shape == (member.k, member.d) and b.shape == a.shape == (member.k,)
        assert member.preactivations(w).shape == (member.n, member.k)
        assert member.n_canonical == member.n and member.X.shape == (member.n, member.d)
    if member.family == "two-layer":
        U, v = parts
        assert U.shape == (member.k, member.d) and v.shape == (member.k,) and member.n_canonical == member.d


def test_every_family_states_its_layout():
    assert all(getattr(cls, "LAYOUT", "") for cls in CLASSES.values())
