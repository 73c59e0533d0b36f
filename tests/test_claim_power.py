"""The power of the claims: every planted library bug turns the claims it names red.

For each pair (bug, claim) of :mod:`overparam.theorems.power`, the claim runs with the bug planted (a
patched attribute of the library, restored afterwards) with a fresh seed and the budget of plain
``pytest`` (``quick``), without the example database and without shrinking (only detection
matters): a holds or open claim must be refuted, an exists claim must find no witness — and, so
that "no witness" means the check rejected false witnesses rather than that the search was too
short, the same search without the bug must find one. Every holds claim must catch at least one
planted bug and every exists claim reject at least one, unless it is labelled a consistency check.

Fresh seeds, so that what one seed happens to draw does not stand for the power over all of them;
a verdict that does not depend on the seed all the same: a run that misses is repeated, up to
:data:`RUNS` runs, and the pair fails only if every run missed. ``scripts/power_hunt.py`` measures
each pair's share of missed runs p over fresh seeds (the README's table: every pair caught in at
least 19 of 20 runs); a pair then fails a test with probability p^RUNS, at most 0.05⁵ ≈ 3·10⁻⁷ at
the bar, and a pair caught in 20 of 20 has p ≤ 0.14 (95 % upper bound), p⁵ ≤ 6·10⁻⁵. A repeat costs
a run only where a run missed, so the usual cost is one run per pair.
"""

from __future__ import annotations

import html

import pytest
from hypothesis import Phase

from overparam.parameterizations import TwoLayerLinear
from overparam.theorems import catalogue, get, run_claim
from overparam.theorems.core import claim_budget
from overparam.theorems.profiles import QUICK_EXAMPLES
from overparam.theorems.power import (CONSISTENCY_CHECKS, ROBUST_WITNESSES, catches, caught_by, kind_label, planted_bugs,
                                      power_label)

#: examples per run (per family for a general claim): each planted bug shows on most examples; the
#: quick profile (what pytest runs by default) gives a holds claim this budget
BUDGET = QUICK_EXAMPLES

#: claims whose witnesses are rare among the examples they draw: the budget that finds one
WITNESS_BUDGET = {"C13": 300, "C25": 100, "C33": 100}

#: claims whose examples are runs of descent or solvers: the share of their own budget quick gives them
OWN_BUDGET = {"C18b", "C38"}

#: runs of a pair with fresh seeds before it fails (see the module's docstring)
RUNS = 5

BUGS = planted_bugs()


def _overrides(cid: str) -> dict:
    claim = get(cid)
    n = WITNESS_BUDGET.get(cid, BUDGET)
    out = {"database": None, "derandomize": False, "phases": (Phase.explicit, Phase.generate)}
    if cid not in OWN_BUDGET:
        out["max_examples"] = n
    else:  # the budget the quick profile gives it
        out["max_examples"] = claim_budget(claim, QUICK_EXAMPLES)
    return out


#: pairs whose run is too costly for plain pytest, and why (they run under -m slow)
SLOW_PAIRS = {
    ("signed squared vjp: v-block sign", "C38"):
        "with θ held at 0 no descent settles: every example runs three descents to their 40 000-step budget "
        "(about 5 s of CPU each) before the undecided limit turns C38 red",
}

CASES = [pytest.param(bug, cid, id=f"{cid}-{bug.id}",
                      marks=[pytest.mark.slow] if (bug.id, cid) in SLOW_PAIRS else [])
         for bug in BUGS for cid in bug.caught_by]


@pytest.mark.parametrize("bug,cid", CASES)
def test_planted_bug_turns_the_claim_red(bug, cid):
    claim = get(cid)
    missed = []
    for _ in range(RUNS):
        r = bug.run(claim, _overrides(cid))
        if catches(claim, r):  # refuted, no witness, or turned red by the undecided limit
            return
        missed.append(f"{r.status}: {r.message}")
    pytest.fail(f"{cid} with '{bug.id}' planted, {RUNS} runs with fresh seeds, none caught it: " + " | ".join(missed))


EXISTS = sorted({cid for bug in BUGS for cid in bug.caught_by if get(cid).kind == "exists"})


@pytest.mark.parametrize("cid", EXISTS)
def test_the_same_search_finds_a_witness_without_the_bug(cid):
    messages = []
    for _ in range(RUNS):
        r = run_claim(get(cid), overrides=_overrides(cid))
        if r.status == "witness found":
            return
        messages.append(r.message)
    pytest.fail(f"{RUNS} runs with fresh seeds found no witness for {cid}: " + " | ".join(messages))


def test_the_library_is_restored_after_a_planted_bug():
    before = TwoLayerLinear.__dict__["_vjp"]
    bug = next(b for b in BUGS if b.id.startswith("two-layer vjp"))
    with pytest.raises(RuntimeError), bug.applied():
        assert TwoLayerLinear.__dict__["_vjp"] is not before
        raise RuntimeError("leave the block")
    assert TwoLayerLinear.__dict__["_vjp"] is before
    assert "induced_step" in TwoLayerLinear.__dict__  # the fast path, not a generic one left behind


def test_every_holds_and_exists_claim_catches_a_planted_bug_or_is_a_consistency_check():
    weak = [c.id for c in catalogue() if c.decided and c.kind in ("holds", "exists")
            and not caught_by(c.id) and c.id not in CONSISTENCY_CHECKS and c.id not in ROBUST_WITNESSES]
    assert not weak, f"claims no planted bug turns red, and not labelled consistency checks: {weak}"


def test_every_planted_bug_is_caught_by_a_claim_of_the_catalogue():
    ids = {c.id for c in catalogue()}
    for bug in BUGS:
        assert bug.caught_by, f"{bug.id} is caught by no claim"
        assert set(bug.caught_by) <= ids, f"{bug.id} names claims not in the catalogue"


def test_the_labels_the_report_shows():
    assert kind_label(get("C17")) == "consistency check"
    assert kind_label(get("C24")) == "holds"
    assert power_label(get("C17")).startswith("—")
    assert int(power_label(get("C24"))) == len(caught_by("C24")) >= 2


def test_the_report_shows_the_power_of_each_claim():
    from overparam.reports.entries import Entry
    from overparam.reports.html import claim_page
    from overparam.reports.index import index_page
    from overparam.reports.summary import row
    from overparam.theorems.core import Result

    entries = {cid: Entry(Result(cid, get(cid).kind, "holds", 100), get(cid), page=f"{cid}.html")
               for cid in ("C17", "C24")}
    rows = {cid: row(e, []) for cid, e in entries.items()}
    assert rows["C24"]["caught_bugs"] == len(caught_by("C24")) and rows["C24"]["kind_label"] == "holds"
    assert rows["C17"]["caught_bugs"] == 0 and rows["C17"]["kind_label"] == "consistency check"
    page = claim_page(entries["C24"], "C24", replay_path="C24.json")
    assert "Power." in page and all(html.escape(b.id) in page for b in caught_by("C24"))
    assert "Consistency check." in claim_page(entries["C17"], "C17", replay_path="C17.json")
    run = {"date": "2025", "commit": "x", "seconds": 1.0, "source": "test"}
    index = index_page({"claims": list(rows.values()), "run": run, "figures": [],
                        "counts": {"holds": 2}})
    assert "<th>caught bugs</th>" in index and ">consistency check<" in index


def test_a_planted_bug_leaves_no_memoized_result_behind():
    from overparam.theorems.experiments import _MEMO, memo

    bug = next(b for b in BUGS if b.kind == "wrong argmin")
    with bug.applied():
        memo(lambda ex: "computed with the bug", {"x": 1})
        assert _MEMO
    assert not _MEMO


def test_a_bug_reaches_the_families_of_the_classes_it_patches():
    from overparam.parameterizations import CLASSES

    by_id = {b.id: b for b in BUGS}
    assert by_id["signed squared induced step: u² − v²"].families() == ["signed-squared"]
    assert by_id["two-layer vjp: U-block ×2"].families() == ["two-layer"]
    # the factorization's code is the deep linear network's too (a subclass)
    assert set(by_id["factorization induced step: ‖A₁‖² dropped where m = 1"].families()) == {"deep-linear",
                                                                                              "factorization"}
    # a loss or the descent loop: every family
    assert by_id["logistic gradient: wrong branch for y·xᵀθ < 0"].families() == list(CLASSES)
    assert by_id["every vjp: sign flipped (gradient ascent)"].families() == list(CLASSES)
