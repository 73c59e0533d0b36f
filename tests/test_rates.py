"""Rates and their intervals (theorems.rates), and how the runner decides a tendency claim and counts
undecided examples (theorems.core)."""

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st

from overparam.theorems.core import Claim, Result, expect, run_claim, scaled_budget, undecided
from overparam.theorems.rates import Count, RateRule, clopper_pearson_interval, interval, wilson_interval


def _binomial_coverage(interval_fn, n, p, confidence=0.95):
    """The exact coverage of an interval at the true rate p: Σ over k of P(k) where the interval holds p."""
    from scipy.stats import binom

    ks = np.arange(n + 1)
    hit = np.array([lo <= p <= hi for lo, hi in (interval_fn(int(k), n, confidence) for k in ks)])
    return float(binom.pmf(ks, n, p)[hit].sum())


def test_wilson_interval_matches_its_closed_form_and_the_textbook_values():
    # Wilson 1927 / Newcombe 1998, table I: 81 of 263 → [0.2553, 0.3662]; 0 of 10 → [0, 0.2775]
    lo, hi = wilson_interval(81, 263)
    assert lo == pytest.approx(0.2553, abs=1e-4) and hi == pytest.approx(0.3662, abs=1e-4)
    assert wilson_interval(0, 10) == (0.0, pytest.approx(0.2775, abs=1e-4))
    assert wilson_interval(10, 10) == (pytest.approx(0.7225, abs=1e-4), 1.0)
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_clopper_pearson_matches_the_textbook_values_and_contains_wilson_at_the_ends():
    # Newcombe 1998, table I (exact): 81 of 263 → [0.2527, 0.3676]; 0 of 10 → [0, 0.3085]
    lo, hi = clopper_pearson_interval(81, 263)
    assert lo == pytest.approx(0.2527, abs=1e-4) and hi == pytest.approx(0.3676, abs=1e-4)
    assert clopper_pearson_interval(0, 10)[1] == pytest.approx(0.3085, abs=1e-4)
    assert interval(3, 10, method="clopper-pearson") == clopper_pearson_interval(3, 10)


@pytest.mark.parametrize("p", [0.05, 0.3, 0.5, 0.9])
def test_exact_interval_covers_at_least_its_confidence(p):
    assert _binomial_coverage(clopper_pearson_interval, 40, p) >= 0.95
    # Wilson's covers close to it on average (not at every p): well above a Wald-like collapse
    assert _binomial_coverage(wilson_interval, 40, p) >= 0.9


def test_bad_arguments_are_one_line_value_errors():
    with pytest.raises(ValueError, match="met must be an integer in"):
        wilson_interval(5, 3)
    with pytest.raises(ValueError, match="confidence must be in"):
        wilson_interval(1, 3, confidence=1.5)
    with pytest.raises(ValueError, match="thresholds must satisfy"):
        RateRule("x", holds_above=0.4, refuted_below=0.6)
    with pytest.raises(ValueError, match="method must be one of"):
        interval(1, 2, method="wald")
    with pytest.raises(ValueError, match="met must be at most decided"):
        Count(3, 2)


def test_the_rule_survives_refutes_or_leaves_it_open():
    rule = RateRule("c", holds_above=0.5, refuted_below=0.5)
    assert rule.verdict(Count(10, 10))[0] == "survived"
    assert rule.verdict(Count(0, 10))[0] == "refuted"
    assert rule.verdict(Count(5, 10))[0] == "inconclusive"
    assert rule.verdict(Count(0, 0))[0] == "inconclusive"  # nothing decided: nothing concluded
    strict = RateRule("c", holds_above=0.9, refuted_below=0.5)
    assert strict.verdict(Count(10, 10))[0] == "inconclusive"  # 10 of 10: lower bound 0.72
    assert strict.verdict(Count(40, 40))[0] == "survived"
    assert "lower bound is above 0.9" in strict.sentence() and "below ½" in strict.sentence()


def test_counts_add_and_come_from_outcomes():
    assert Count.of(True) + Count.of(False) + Count.of(None) == Count(1, 2, 1)
    assert Count.of(np.bool_(True)) == Count(1, 1, 0)
    with pytest.raises(ValueError, match="outcome must be"):
        Count.of(0.5)


# --- the runner -------------------------------------------------------------------------------------------

_INTS = st.fixed_dictionaries({"i": st.integers(0, 999)})


def _planted(kind, check, rate=None, **kw):
    return Claim("T90", kind, "a planted claim", "tests", check=check, strategy=_INTS, rate=rate, **kw)


def test_undecided_examples_are_counted_apart_and_replaced():
    def check(ex):
        if ex["i"] % 4 == 0:
            undecided("a multiple of 4")
        expect(ex["i"] % 4, "!=", 0, "i mod 4")

    r = run_claim(_planted("holds", check), overrides={"max_examples": 40, "database": None})
    assert r.status == "holds" and r.examples == 40  # 40 decided: the undecided ones were replaced
    assert r.undecided > 0 and r.undecided_reasons == {"a multiple of 4": r.undecided}
    assert r.status_label == f"holds ({r.undecided} undecided)"
    assert "decided nothing" in r.message


def test_an_undecided_example_is_not_a_pass_of_an_open_claim():
    r = run_claim(_planted("open", lambda ex: undecided("never decides")),
                  overrides={"max_examples": 10, "database": None})
    assert r.status == "error" and "no example decided T90: all" in r.message  # nothing decided: no verdict


def test_a_tendency_claim_is_decided_by_its_rate_and_keeps_a_miss():
    rule = RateRule("i is not a multiple of 10", holds_above=0.5, refuted_below=0.5)

    def mostly(ex):
        expect(ex["i"] % 10, "!=", 0, "i mod 10")

    r = run_claim(_planted("open", mostly, rate=rule), overrides={"max_examples": 60, "database": None})
    assert r.status == "survived" and r.rate["decided"] == 60 and r.rate["lo"] > 0.5
    assert r.status_label.startswith("survived: rate ")
    refuted = run_claim(_planted("open", lambda ex: expect(ex["i"], "<", 0, "i"), rate=rule),
                        overrides={"max_examples": 30, "database": None})
    assert refuted.status == "refuted" and refuted.rate["met"] == 0 and refuted.rate["hi"] < 0.5
    assert refuted.example is not None and refuted.violation is not None  # the first miss, with its quantity
    assert "0 of 30 decided examples met the criterion" in refuted.message


def test_a_tendency_claim_may_report_several_series_and_is_decided_by_one():
    rule = RateRule("full", series="wide", holds_above=0.8, refuted_below=0.8)
    r = run_claim(_planted("open", lambda ex: {"narrow": ex["i"] % 2 == 0, "wide": True}, rate=rule),
                  overrides={"max_examples": 40, "database": None})
    assert r.status == "survived" and set(r.rate["series"]) == {"narrow", "wide"}
    assert r.rate["series"]["wide"]["met"] == 40 and r.rate["series"]["narrow"]["decided"] == 40


def test_rate_is_only_for_open_claims():
    with pytest.raises(ValueError, match="rate must be given to open claims only"):
        _planted("holds", lambda ex: None, rate=RateRule("x"))


def test_a_claims_own_budget_scales_with_the_profile():
    assert scaled_budget(10, 100) == 10 and scaled_budget(10, 2000) == 200 and scaled_budget(1, 10) == 1
    from overparam.theorems.profiles import load_profile

    calls = []
    c = _planted("holds", lambda ex: (calls.append(1), expect(1, ">", 0, "one")), settings={"max_examples": 5})
    before = load_profile()
    settings.register_profile("overparam-test-triple", settings(), max_examples=300)  # 3× the default's budget
    settings.load_profile("overparam-test-triple")
    try:
        run_claim(c, overrides={"database": None})
    finally:
        settings.load_profile(before)
    assert len(calls) == 15


def test_quick_shortens_holds_claims_without_a_budget_of_their_own_only_and_larger_profiles_scale_every_budget():
    from overparam.theorems.core import claim_budget
    from overparam.theorems.profiles import QUICK_EXAMPLES

    holds, holds_own = _planted("holds", lambda ex: None), _planted("holds", lambda ex: None, settings={"max_examples": 12})
    searches = [_planted("exists", lambda ex: None), _planted("open", lambda ex: None),
                _planted("open", lambda ex: None, rate=RateRule("x"))]
    own_search = _planted("open", lambda ex: None, settings={"max_examples": 12})
    # an experiment with a budget of its own keeps it: the undecided limit needs more than a handful of examples
    assert claim_budget(holds, QUICK_EXAMPLES) == QUICK_EXAMPLES and claim_budget(holds_own, QUICK_EXAMPLES) == 12
    # a search's or a rate's verdict must not depend on the profile: the reference budget, or its own
    assert [claim_budget(c, QUICK_EXAMPLES) for c in searches] == [100, 100, 100]
    assert claim_budget(own_search, QUICK_EXAMPLES) == 12
    assert [claim_budget(c, 2000) for c in (holds, holds_own, *searches, own_search)] == [2000, 240, 2000, 2000, 2000, 240]
    assert [claim_budget(c, 100) for c in (holds, holds_own, *searches, own_search)] == [100, 12, 100, 100, 100, 12]


def test_results_with_rates_and_undecided_counts_round_trip(tmp_path):
    from overparam.theorems.records import dump_result, load_result

    r = Result("T91", "open", "survived", 12, undecided=3, undecided_reasons={"x": 3},
               rate={"rate": 1.0, "lo": 0.76, "hi": 1.0, "decided": 12, "undecided": 3})
    back = load_result(dump_result(r, tmp_path / "r.json"))
    assert back.undecided == 3 and back.rate == r.rate and back.status_label == r.status_label
    assert back.status_label == "survived: rate 1.00 [0.76, 1.00] of 12 (3 undecided)"


def _narrow_and_wide(ex):
    """A planted tendency claim with two series; the deciding one ("wide") misses on every example."""
    return {"narrow": True, "wide": ex["i"] < 0}


def _undecidable(ex):
    undecided("planted: decides nothing")


def test_replay_knows_a_tendency_claims_miss_and_an_undecided_example(tmp_path):
    from overparam.reports import records, replay

    c = _planted("open", _narrow_and_wide, rate=RateRule("wide", series="wide"))
    r = run_claim(c, overrides={"max_examples": 10, "database": None})
    assert r.status == "refuted" and r.example is not None and r.shown == "the first example that missed the criterion"
    rec = records.load_record(records.save_record(records.make_record(r, c), tmp_path / "T90.json"))
    rep = replay.replay(rec, claim=c)
    assert rep.failed and "misses the criterion of T90 at wide" in rep.message
    u = _planted("open", _undecidable)
    kept = Result("T90", "open", "survived", 1, 0.0, "kept", {"i": 3})
    rec = records.load_record(records.save_record(records.make_record(kept, u), tmp_path / "T90u.json"))
    rep = replay.replay(rec, claim=u)
    assert rep.outcome == "undecided" and not rep.failed and "planted: decides nothing" in rep.message
