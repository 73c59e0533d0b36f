"""Tendency claims decided by a design with stated error rates (theorems.rates), drawn from a seed of each run,
and the batched pieces their problems run on (descent.batched.compacted_descent, StackedSquaredLoss,
flow_limits.flow_run_batch, solvers.min_l2_nonneg)."""

import numpy as np
import pytest
from scipy.stats import binom, norm

from overparam.theorems import get, run_claim
from overparam.theorems.core import Claim, run_seed
from overparam.theorems.rates import (
    CLAIMED,
    ERROR,
    GAP,
    Count,
    RateRule,
    bound_design,
    design,
    error_rates,
    increase_p_value,
    rate_summary,
    sample_trials,
)

#: the tendency claims: the rate p₁ their statements claim, or C22's bound on its rate of misses
TENDENCY = {"C22": None, "C29": CLAIMED, "C29c": CLAIMED, "C31": CLAIMED, "C36": CLAIMED, "C37": CLAIMED}
C22_BOUND = 0.05

#: simulated runs per rate, and the flake probability a simulation test may have: the tolerance on a measured
#: error rate is the normal quantile of that probability times the binomial standard deviation of the measure
SIMULATIONS = 200_000
FLAKE = 1e-9


def test_the_design_of_0_9_against_0_7_is_the_one_claims_md_states():
    # claims.md: "For 0.9/0.7 that is n = 41, survived iff at least 34 met"
    assert (CLAIMED, GAP) == (0.9, 0.2)
    assert design(0.9, 0.7) == (41, 34)
    # and n is the smallest: with 40 problems no cut keeps both errors at 5%
    assert all(max(error_rates(40, c, 0.9, 0.7)) > 0.05 for c in range(41))


def test_the_bound_design_needs_59_problems_to_survive_with_no_miss():
    # one-sided Clopper–Pearson at 0 events is 1 − 0.05^(1/n): at most 0.05 from n = log 0.05 / log 0.95 = 58.4 on
    n, keep, refute = bound_design(0.05)
    assert n == int(np.ceil(np.log(0.05) / np.log(0.95))) == 59 and keep == 0
    # refuted at the fewest misses whose lower bound is above 0.05: P(Bin(59, 0.05) ≥ that) ≤ 5%, one fewer is not
    assert binom.sf(refute - 1, n, 0.05) <= 0.05 and refute == 7
    rule = RateRule("full rank", bound=0.05)
    assert [rule.verdict(Count(n - m, n))[0] for m in (0, 1, 6, 7, n)] == [
        "survived", "inconclusive", "inconclusive", "refuted", "refuted"]
    assert rule.verdict(Count(n - 1, n - 1, 5))[0] == "inconclusive"  # fewer than n decided


@pytest.mark.parametrize("cid", sorted(TENDENCY))
def test_every_tendency_claim_states_its_rate_distribution_and_error_rates(cid):
    rule = get(cid).rate
    assert rule.designed and rule.distribution and rule.distribution in get(cid).definitions + rule.sentence()
    e_s, e_r = rule.errors
    assert e_s <= ERROR and e_r <= ERROR
    assert f"up to {rule.draws} draws" in rule.design_sentence() and f"at most {rule.draws})" in rule.sentence()
    if TENDENCY[cid] is None:
        assert rule.bound == C22_BOUND and rule.trend and "at most 5 %" in get(cid).statement
        assert e_s == pytest.approx(binom.pmf(0, rule.n, C22_BOUND))
        return
    assert rule.claimed == TENDENCY[cid] and rule.gap == GAP and rule.short == pytest.approx(TENDENCY[cid] - GAP)
    assert f"at least {TENDENCY[cid]:.0%}".replace("%", " %") in get(cid).statement
    assert e_s == pytest.approx(binom.sf(rule.cut - 1, rule.n, rule.short))
    assert e_r == pytest.approx(binom.cdf(rule.cut - 1, rule.n, rule.claimed))


def _tolerance(p: float) -> float:
    """What a measured rate of true value p may differ by in SIMULATIONS runs with probability FLAKE."""
    return float(norm.isf(FLAKE) * np.sqrt(max(p, ERROR) * (1 - max(p, ERROR)) / SIMULATIONS))


def test_the_error_rates_hold_in_a_simulation_of_bernoulli_trials():
    rule = RateRule("c", claimed=CLAIMED, trial="problem")
    rng = np.random.default_rng(20261207)
    for p, wrong, exact in ((rule.short, "survived", rule.errors[0]), (rule.claimed, "refuted", rule.errors[1])):
        met = (rng.random((SIMULATIONS, rule.n)) < p).sum(axis=1)
        is_wrong = np.array([rule.verdict(Count(k, rule.n))[0] == wrong for k in range(rule.n + 1)])
        measured = float(np.mean(is_wrong[met]))
        assert measured <= ERROR + _tolerance(ERROR), f"at rate {p}: called {wrong} in {measured:.4f} of runs"
        assert abs(measured - exact) <= _tolerance(exact)


def test_the_bound_rules_error_rates_hold_in_a_simulation_of_bernoulli_trials():
    # misses at the bound: survived and refuted each in at most 5% of runs; no misses: never refuted; the trend
    # test refutes two equal rates in at most 5% of runs
    rule = RateRule("c", bound=C22_BOUND, series="last", trend=("first", "last"))
    n = rule.n
    rng = np.random.default_rng(20261208)
    verdicts = np.array([rule.verdict(Count(n - m, n))[0] for m in range(n + 1)])
    misses = (rng.random((SIMULATIONS, n)) < C22_BOUND).sum(axis=1)
    for wrong, exact in (("survived", rule.errors[0]), ("refuted", rule.errors[1])):
        measured = float(np.mean(verdicts[misses] == wrong))
        assert measured <= ERROR + _tolerance(ERROR), f"at the bound: called {wrong} in {measured:.4f} of runs"
        assert abs(measured - exact) <= _tolerance(exact)
    assert "refuted" not in verdicts[:rule.refute_misses]
    for p in (0.05, 0.3):
        m = (rng.random((2, SIMULATIONS // 20, n)) < p).sum(axis=2)
        pv = {}
        for a, b in set(zip(m[0], m[1])):
            pv[a, b] = increase_p_value(Count(n - int(a), n), Count(n - int(b), n))
        measured = float(np.mean([pv[a, b] <= ERROR for a, b in zip(m[0], m[1])]))
        assert measured <= ERROR + _tolerance(ERROR) * np.sqrt(20), f"equal rates {p}: trend refutes {measured:.4f}"


def test_a_rate_short_of_the_claim_would_survive_too_often_under_the_old_rule():
    # what the design replaces: 12 trials and an interval above 0.5 call a true rate of 0.7 survived in a
    # quarter of runs; the design calls it survived in at most 5%
    old = RateRule("c", holds_above=0.5, refuted_below=0.5)
    p_old = sum(binom.pmf(k, 12, 0.7) for k in range(13) if old.verdict(Count(k, 12))[0] == "survived")
    assert p_old > 0.2
    new = RateRule("c", claimed=CLAIMED)
    assert binom.sf(new.cut - 1, new.n, 0.7) <= ERROR


def test_sample_trials_counts_the_first_n_decided_and_replaces_undecided_up_to_the_limit():
    rule = RateRule("c", claimed=CLAIMED, trial="problem")

    def bernoulli(p_met, p_undecided):
        def batch(rng, m):
            u = rng.random(m)
            return [None if x < p_undecided else bool(rng.random() < p_met) for x in u]
        return batch

    c, log = sample_trials(rule, 1, bernoulli(0.9, 0.3))
    assert c.decided == rule.n and c.undecided == sum(o is None for o, _ in log[:c.decided + c.undecided])
    # the same seed, the same problems; another seed, others
    assert sample_trials(rule, 1, bernoulli(0.9, 0.3))[1] == log
    assert sample_trials(rule, 2, bernoulli(0.9, 0.3))[1] != log
    # all undecided: the run stops at its limit, and the rule calls it inconclusive
    c, log = sample_trials(rule, 1, bernoulli(0.9, 1.0))
    assert len(log) == rule.draws == 2 * rule.n and c == Count(0, 0, rule.draws)
    assert rule.verdict(c)[0] == "inconclusive"
    with pytest.raises(ValueError, match="must return"):
        sample_trials(rule, 1, lambda rng, m: [True])


def test_an_overdrawn_batch_counts_only_up_to_the_nth_decided_problem():
    rule = RateRule("c", claimed=CLAIMED, overdraw=2.0)
    outs = [None, True, False] * 40
    c, log = sample_trials(rule, 0, lambda rng, m: outs[:m])
    assert len(log) == 2 * rule.n
    # decided problems alternate met, missed, each after an undecided one: ⌈n/2⌉ met, and as many undecided
    # drawn before the n-th decided
    half = (rule.n + 1) // 2
    assert c == Count(half, rule.n, half)


def test_the_trend_test_refutes_a_miss_rate_that_grows_with_the_width():
    rule = RateRule("full rank", series="last", bound=C22_BOUND, trend=("first", "last"))
    n = rule.n
    flat = rate_summary(rule, {"first": Count(n, n), "last": Count(n, n)})
    assert flat["verdict"] == "survived" and flat["trend"]["p"] == 1.0 and flat["miss_hi"] <= C22_BOUND
    # rank-deficient more often at the largest width than at the smallest: the bound cannot decide 5 misses
    # (bounds [0.034, 0.17]), the trend test does
    grows = rate_summary(rule, {"first": Count(n, n), "last": Count(n - 5, n)})
    assert rule.verdict(Count(n - 5, n))[0] == "inconclusive"
    assert grows["verdict"] == "refuted" and grows["trend"]["p"] <= ERROR
    # 3 misses against none: neither the bound nor the trend decides
    assert rate_summary(rule, {"first": Count(n, n), "last": Count(n - 3, n)})["verdict"] == "inconclusive"
    # a miss rate that falls with the width, none at the largest: survived
    falls = rate_summary(rule, {"first": Count(n - 20, n), "last": Count(n, n)})
    assert falls["verdict"] == "survived" and falls["trend"]["p"] == 1.0
    assert increase_p_value(Count(16, 16), Count(11, 16)) < 0.05 < increase_p_value(Count(16, 16), Count(14, 16))


def test_bad_designs_are_one_line_value_errors():
    with pytest.raises(ValueError, match="claimed − gap and claimed must lie in"):
        RateRule("c", claimed=0.1)
    with pytest.raises(ValueError, match="the rates must satisfy"):
        design(0.5, 0.6)
    with pytest.raises(ValueError, match="draw_limit and overdraw"):
        RateRule("c", claimed=CLAIMED, draw_limit=0.5)
    with pytest.raises(ValueError, match="bound must be in"):
        RateRule("c", bound=1.5)
    with pytest.raises(ValueError, match="a claimed rate or a bound, not both"):
        RateRule("c", claimed=CLAIMED, bound=0.05)
    with pytest.raises(ValueError, match="a trend needs a bound rule"):
        RateRule("c", claimed=CLAIMED, trend=("a", "b"))


def _bernoulli_claim(p: float) -> Claim:
    rule = RateRule("a coin shows heads", claimed=CLAIMED, trial="problem", distribution="Bernoulli(p)")

    def check(ex):
        return sample_trials(rule, ex["seed"], lambda rng, m: list(rng.random(m) < p))[0]

    import hypothesis.strategies as st

    return Claim("X1", "open", "coins", "test", check=check, strategy=st.just({"seed": 0}), rate=rule)


def test_the_runner_draws_a_fresh_seed_each_run_and_one_fixed_seed_under_derandomize():
    claim = _bernoulli_claim(0.995)  # refuted with probability P(Bin(41, 0.005) ≥ 8) < 1e-9
    # fresh unless derandomized (the ci profile, which CI's pytest loads, is)
    seeds = {run_seed(claim, {"derandomize": False}) for _ in range(5)}
    assert len(seeds) == 5
    assert run_seed(claim, {"derandomize": True}) == run_seed(claim, {"derandomize": True})
    r = run_claim(claim, overrides={"database": None})
    assert r.status == "survived" and r.examples == 1 and r.example["seed"] != 0
    assert "problems i.i.d.: Bernoulli(p)" in r.message and "p₁ = 0.9, p₀ = 0.7" in r.message
    assert r.status_label.startswith("survived: ") and f"≥ {claim.rate.cut} of {claim.rate.n}" in r.status_label
    assert run_claim(_bernoulli_claim(0.4), overrides={"database": None}).status == "refuted"


def test_compacted_descent_is_the_batched_descent():
    from overparam.descent import batched_descent
    from overparam.descent.batched import compacted_descent
    from overparam.descent.losses import StackedSquaredLoss
    from overparam.parameterizations import Squared

    rng = np.random.default_rng(3)
    X = rng.standard_normal((6, 2, 5))
    y = np.einsum("bnq,bq->bn", X, rng.uniform(0.5, 1.5, (6, 5)))
    loss = StackedSquaredLoss(X, y)
    W0 = np.full((6, 5), 0.3)
    lr = rng.uniform(0.02, 0.05, 6)
    one = batched_descent(Squared(5), W0, loss, lr=lr, steps=3000, tol=1e-8)
    W, Theta, status, steps = compacted_descent(Squared(5), W0, loss, lr=lr, steps=3000, tol=1e-8, chunk=70)
    assert list(status) == list(one.status) and list(steps) == list(one.steps)
    np.testing.assert_allclose(Theta, one.Theta, rtol=1e-12, atol=1e-15)


def test_stacked_squared_loss_is_each_rows_squared_loss():
    from overparam.descent import squared_loss
    from overparam.descent.losses import StackedSquaredLoss

    rng = np.random.default_rng(4)
    X, y, c = rng.standard_normal((3, 2, 4)), rng.standard_normal((3, 2)), rng.uniform(0.5, 2, 3)
    Theta = rng.standard_normal((3, 4))
    vals, grads = StackedSquaredLoss(X, y, c).value_and_grad_batch(Theta)
    for b in range(3):
        v, g = squared_loss(X[b], y[b]).value_and_grad(Theta[b])
        assert vals[b] == pytest.approx(c[b] * v, rel=1e-13)
        np.testing.assert_allclose(grads[b], c[b] * g, rtol=1e-13)
    with pytest.raises(ValueError, match="y must be a finite array of shape"):
        StackedSquaredLoss(X, y[:, :1])


def test_flow_run_batch_ends_where_each_single_run_ends():
    from overparam.parameterizations import Inverse, Squared
    from overparam.theorems import flow_limits as F

    rng = np.random.default_rng(5)
    problems = [F.draw_bias_problem(rng, alphas=(0.3, 3.0)) for _ in range(3)]
    ends = [np.full(p["q"], 1.0) for p in problems]
    for kind, cls in (("squared", Squared), ("inverse", Inverse)):
        runs = F.flow_run_batch(kind, [(p["X"], p["y"]) for p in problems], [p["alpha"] for p in problems], ends,
                                steps=1500)
        for p, e, r in zip(problems, ends, runs):
            single, eta = F.flow_run(cls(p["q"]), kind, p["X"], p["y"], p["alpha"], e, steps=1500)
            assert r.status == single.status and r.steps == single.steps and r.eta == eta
            np.testing.assert_allclose(r.theta, single.theta, rtol=1e-9, atol=1e-12)


def test_min_l2_nonneg_is_the_nearest_non_negative_interpolant():
    from scipy.optimize import minimize

    from overparam.descent.solvers import min_l2, min_l2_nonneg, random_problem

    rng = np.random.default_rng(6)
    signs = 0
    for _ in range(8):
        p = random_problem(rng, 2, 6, 2)
        t0 = np.full(6, float(rng.uniform(4, 25)))
        t = min_l2_nonneg(p.X, p.y, t0)
        free = min_l2(p.X, p.y, t0)
        signs += bool(free.min() < 0)
        ref = minimize(lambda z: 0.5 * np.sum((z - t0) ** 2), np.maximum(free, 0), jac=lambda z: z - t0,
                       constraints=[{"type": "eq", "fun": lambda z: p.X @ z - p.y, "jac": lambda z: p.X}],
                       bounds=[(0, None)] * 6, method="SLSQP", options={"ftol": 1e-15, "maxiter": 1000})
        assert t.min() >= 0 and np.linalg.norm(p.X @ t - p.y) <= 1e-9 * np.linalg.norm(p.y)
        assert np.linalg.norm(t - ref.x) <= 1e-6 * np.linalg.norm(t - t0)
        if free.min() >= 0:
            np.testing.assert_allclose(t, free, rtol=1e-9, atol=1e-9)
    assert signs  # the sign constraint matters on some of these problems
    with pytest.raises(ValueError, match="infeasible"):
        min_l2_nonneg(np.array([[1.0, 1.0]]), np.array([-1.0]))


def test_chain_sharpness_in_a_batch_is_the_scalar_one():
    from overparam.theorems.chapters import scalar_chain as S

    rng = np.random.default_rng(7)
    for N in (1, 3, 12):
        W = rng.standard_normal((20, N))
        y = rng.choice([-1.0, 1.0], 20) * np.exp(rng.uniform(-0.7, 0.7, 20))
        want = [S.chain_limit_sharpness(w, yy) for w, yy in zip(W, y)]
        np.testing.assert_allclose(S.chain_limit_sharpness_batch(W, y), want, rtol=1e-12)


def _tendency_cases():
    from overparam.theorems.power import tendency_bugs

    return [pytest.param(bug, cid, want, id=f"{cid}-{bug.id}") for bug, verdicts in tendency_bugs()
            for cid, want in verdicts.items()]


@pytest.mark.parametrize("bug,cid,want", _tendency_cases())
def test_a_planted_bug_moves_the_tendency_claims_verdict(bug, cid, want):
    # the run's seed as under ci (fixed), the budget every profile gives a designed claim (one run of n problems)
    with bug.applied():
        r = run_claim(get(cid), overrides={"database": None, "derandomize": True})
    assert r.status == want, f"{cid} with '{bug.id}' planted: {r.status}: {r.message}"


def test_every_tendency_claim_has_a_bug_that_moves_its_verdict():
    from overparam.theorems.power import TENDENCY_VERDICTS

    moved = {cid for verdicts in TENDENCY_VERDICTS.values() for cid in verdicts}
    assert moved == set(TENDENCY)
