r"""Rates with confidence intervals, and the rule that turns a rate into a verdict.

A tendency claim ("descent from a small α ends near the minimum-ℓ1 interpolant", "depth slows
the scalar chain") is not decided by its first counterexample but by the fraction of decided
trials that meet its criterion: k of n, the rate p̂ = k/n, and a confidence interval for the
true rate p. A :class:`RateRule` states the verdict: the claim *survives* when the interval's
lower bound is above ``holds_above``, is *refuted* when its upper bound is below
``refuted_below``, and is *inconclusive* otherwise (the interval straddles a threshold: more
trials are needed). A verdict is stable under a new seed when the true rate lies far from the
thresholds compared with the interval's width.

Intervals (two-sided, ``confidence`` 0.95 unless stated):

* Wilson's score interval: the p with |p̂ − p| ≤ z·√(p(1 − p)/n), z the normal quantile;
  closed form (p̂ + z²/2n ± z√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n). It never leaves [0, 1] and
  behaves well at k = 0 and k = n, where the Wald interval collapses to a point.
* Clopper–Pearson's exact interval, from the Beta quantiles
  [B(a/2; k, n − k + 1), B(1 − a/2; k + 1, n − k)], a = 1 − confidence: conservative (its
  coverage is at least the confidence for every p).

A *designed* rule decides with stated error rates instead, in one of two ways.

* A claimed rate (``claimed`` given). The claim's words assert a rate p₁ of problems that meet its criterion
  (:data:`CLAIMED`, 0.9, unless the claim says otherwise: "biased toward", "slows" describe nearly every
  problem); p₀ = p₁ − ``gap`` (0.2) is clearly short of it. :func:`design` finds the fewest decided problems n
  and the cut c such that P(met ≥ c | p₀) ≤ ``error`` and P(met < c | p₁) ≤ ``error`` (exact binomial tails;
  for 0.9/0.7, n = 41 and c = 34): once n problems are decided the claim survives when at least c met the
  criterion and is refuted otherwise.
* A bound on the rate of misses (``bound`` given, C22: "we don't see this happening"). The claim survives when
  the one-sided upper ``confidence`` Clopper–Pearson bound of the rate of problems that miss the criterion is
  at most ``bound``, and is refuted when the one-sided lower bound is above it; inconclusive otherwise. n is
  the fewest problems with which a run that sees no miss can survive (:func:`bound_design`, 59 for 0.05 at
  95 %), derived from the Beta quantile B(confidence; 1, n) = 1 − (1 − confidence)^{1/n}. With ``trend`` (a
  series in order of growth) the claim is also refuted when the miss rate grows along it: a one-sided
  Fisher exact test of the first series against the deciding (last) one at level ``error``
  (:func:`increase_p_value`).

An undecided problem (a run the step budget stopped, a solver that failed) is replaced by a fresh draw, up to
a stated limit (``draw_limit``·n draws, 2n unless the claim says otherwise): past that the claim is
inconclusive and the undecided count is shown. The problems are drawn i.i.d. from the distribution the rule
states, by numpy's Generator from one seed per run (:func:`sample_trials`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np

__all__ = ["Count", "RateRule", "wilson_interval", "clopper_pearson_interval", "interval", "rate_summary",
           "RATE_VERDICTS", "METHODS", "design", "bound_design", "one_sided_bounds", "cut_for", "error_rates",
           "sample_trials", "increase_p_value", "CLAIMED", "GAP", "ERROR"]

#: the rate p₁ a tendency claim's words assert unless the claim says otherwise; p₁ − GAP is clearly short of it,
#: and a designed rule calls each of the two wrongly in at most ERROR of the runs
CLAIMED = 0.9
GAP = 0.2
ERROR = 0.05

#: what a rule can conclude, as the runner's statuses of an open claim
RATE_VERDICTS = ("survived", "refuted", "inconclusive")
METHODS = ("wilson", "clopper-pearson")


@dataclass(frozen=True)
class Count:
    """Trials of one criterion: ``met`` of ``decided`` met it; ``undecided`` trials decided nothing."""

    met: int = 0
    decided: int = 0
    undecided: int = 0

    def __post_init__(self):
        for name in ("met", "decided", "undecided"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise ValueError(f"{name} must be a non-negative integer, but got {v!r}")
        if self.met > self.decided:
            raise ValueError(f"met must be at most decided = {self.decided}, but got {self.met}")

    def __add__(self, other: "Count") -> "Count":
        return Count(self.met + other.met, self.decided + other.decided, self.undecided + other.undecided)

    @classmethod
    def of(cls, outcome) -> "Count":
        """A Count from one trial's outcome (``True``: met, ``False``: not met, ``None``: undecided)
        or from a Count (returned as it is)."""
        if isinstance(outcome, Count):
            return outcome
        if outcome is None:
            return cls(0, 0, 1)
        if isinstance(outcome, bool):
            return cls(int(outcome), 1, 0)
        try:  # numpy booleans
            import numpy as np

            if isinstance(outcome, np.bool_):
                return cls(int(bool(outcome)), 1, 0)
        except ImportError:  # pragma: no cover
            pass
        raise ValueError(f"a trial's outcome must be True, False, None or a Count, but got {outcome!r}")

    @property
    def rate(self) -> float:
        """k/n, or NaN when nothing was decided."""
        return self.met / self.decided if self.decided else float("nan")


def _z(confidence: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + confidence / 2.0))


def _check(met: int, n: int, confidence: float) -> None:
    if not (isinstance(n, int) and n >= 0):
        raise ValueError(f"n must be a non-negative integer, but got {n!r}")
    if not (isinstance(met, int) and 0 <= met <= n):
        raise ValueError(f"met must be an integer in [0, n = {n}], but got {met!r}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), but got {confidence!r}")


def wilson_interval(met: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval for a binomial rate from ``met`` successes in ``n`` trials; (0, 1) when n = 0."""
    _check(met, n, confidence)
    if n == 0:
        return 0.0, 1.0
    z = _z(confidence)
    p = met / n
    den = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5 / den
    # at k = 0 and k = n the closed form gives 0 and 1 up to round-off: say so exactly
    lo = 0.0 if met == 0 else max(0.0, centre - half)
    hi = 1.0 if met == n else min(1.0, centre + half)
    return lo, hi


def clopper_pearson_interval(met: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact (Clopper–Pearson) interval from the Beta quantiles; (0, 1) when n = 0."""
    _check(met, n, confidence)
    if n == 0:
        return 0.0, 1.0
    from scipy.stats import beta

    a = 1.0 - confidence
    lo = 0.0 if met == 0 else float(beta.ppf(a / 2, met, n - met + 1))
    hi = 1.0 if met == n else float(beta.ppf(1 - a / 2, met + 1, n - met))
    return lo, hi


def interval(met: int, n: int, confidence: float = 0.95, method: str = "wilson") -> tuple[float, float]:
    """The interval of ``method`` (``wilson`` or ``clopper-pearson``)."""
    if method == "wilson":
        return wilson_interval(met, n, confidence)
    if method == "clopper-pearson":
        return clopper_pearson_interval(met, n, confidence)
    raise ValueError(f"method must be one of {METHODS}, but got {method!r}")


@lru_cache(maxsize=None)
def cut_for(n: int, short: float, error: float = ERROR) -> int:
    """The smallest cut c with P(Bin(n, short) ≥ c) ≤ error (n + 1 when even c = n is too likely)."""
    from scipy.stats import binom

    for c in range(n + 1):
        if binom.sf(c - 1, n, short) <= error:
            return c
    return n + 1


def error_rates(n: int, cut: int, claimed: float, short: float) -> tuple[float, float]:
    """(P(survived | rate short), P(refuted | rate claimed)) of "survives iff at least cut of n met", exactly."""
    from scipy.stats import binom

    return float(binom.sf(cut - 1, n, short)), float(binom.cdf(cut - 1, n, claimed))


@lru_cache(maxsize=None)
def design(claimed: float, short: float, error: float = ERROR) -> tuple[int, int]:
    """(n, cut): the fewest decided problems n, and the cut, with both error rates at most ``error``.

    Survived (at least ``cut`` of ``n`` met) at a true rate ``short`` and refuted at ``claimed``
    each happen in at most ``error`` of the runs. For n fixed the smallest admissible cut
    (:func:`cut_for`) minimizes the second error, so the search over n alone is exhaustive.
    """
    if not (0.0 <= short < claimed <= 1.0):
        raise ValueError(f"the rates must satisfy 0 ≤ short < claimed ≤ 1, but got short={short}, claimed={claimed}")
    if not 0.0 < error < 0.5:
        raise ValueError(f"error must be in (0, 0.5), but got {error!r}")
    for n in range(1, 10_000):
        c = cut_for(n, short, error)
        if c <= n and error_rates(n, c, claimed, short)[1] <= error:
            return n, c
    raise ValueError(f"no design below 10 000 problems tells {short} from {claimed} at error {error}")


def one_sided_bounds(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """(lower, upper) one-sided ``confidence`` Clopper–Pearson bounds of a binomial rate from k events in n
    trials: B(1 − confidence; k, n − k + 1) and B(confidence; k + 1, n − k); (0, 1) when n = 0."""
    _check(k, n, confidence)
    if n == 0:
        return 0.0, 1.0
    lo, hi = _clopper_pearson_one_sided(k, n, confidence)
    return float(lo), float(hi)


def _clopper_pearson_one_sided(k, n: int, confidence: float):
    """The bounds of :func:`one_sided_bounds` for miss counts ``k`` (a number or an array) of n ≥ 1 trials."""
    from scipy.stats import beta

    k = np.asarray(k)
    lo = np.where(k == 0, 0.0, beta.ppf(1 - confidence, np.maximum(k, 1), n - k + 1))
    hi = np.where(k == n, 1.0, beta.ppf(confidence, k + 1, np.maximum(n - k, 1)))
    return lo, hi


@lru_cache(maxsize=None)
def bound_design(bound: float, confidence: float = 0.95) -> tuple[int, int, int]:
    """(n, most misses that survive, fewest misses that refute) of a bound on a miss rate.

    n is the fewest trials whose one-sided upper bound at zero misses is at most ``bound``; a run survives with
    at most the second number of misses (upper bound ≤ bound) and is refuted with at least the third (lower
    bound > bound)."""
    if not 0.0 < bound < 1.0:
        raise ValueError(f"bound must be in (0, 1), but got {bound!r}")
    _check(0, 1, confidence)
    # at zero misses the upper bound is 1 − (1 − confidence)^(1/n): n from its logarithm, then checked
    # against the beta quantile itself on both sides (round-off in the logarithm moves it by one at most)
    n = max(1, math.ceil(math.log1p(-confidence) / math.log1p(-bound)) - 1)
    while one_sided_bounds(0, n, confidence)[1] > bound:
        n += 1
    # all n + 1 miss counts at once (one quantile call each way instead of 2(n + 1))
    k = np.arange(n + 1)
    lower, upper = _clopper_pearson_one_sided(k, n, confidence)
    keep = int(k[upper <= bound].max())
    refute = int(k[lower > bound].min())
    return n, keep, refute


def increase_p_value(first: "Count", last: "Count") -> float:
    """One-sided p-value (Fisher's exact test) that the rate of ``first`` exceeds the rate of ``last``:
    small when the criterion is met less often in ``last`` than in ``first`` (independent samples)."""
    from scipy.stats import fisher_exact

    if first.decided == 0 or last.decided == 0:
        return 1.0
    table = [[first.met, first.decided - first.met], [last.met, last.decided - last.met]]
    return float(fisher_exact(table, alternative="greater").pvalue)


def sample_trials(rule: "RateRule", seed: int, run_batch, limit: int | None = None) -> tuple[Count, list]:
    """n i.i.d. problems of ``rule``'s design, drawn from ``numpy.random.default_rng(seed)``, undecided ones replaced.

    ``run_batch(rng, m)`` draws m fresh problems from ``rng``, decides them together (one batched run) and
    returns one outcome each: ``True`` (met), ``False`` (missed) or ``None`` (undecided), or a pair
    (outcome, detail). Batches are drawn until ``rule.n`` problems are decided or ``limit`` (default
    ``rule.draws``) were drawn; each batch asks for ``rule.overdraw`` times the problems still needed. Returns the Count over the first n decided problems and the list of
    (outcome, detail) in draw order.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    n, limit = rule.n, rule.draws if limit is None else limit
    met = decided = undecided = 0
    log: list = []
    while decided < n and len(log) < limit:
        m = min(int(np.ceil((n - decided) * rule.overdraw)), limit - len(log))
        outs = list(run_batch(rng, m))
        if len(outs) != m:
            raise ValueError(f"run_batch must return {m} outcomes, but returned {len(outs)}")
        for o in outs:
            o, detail = o if isinstance(o, tuple) else (o, None)
            if o is not None and not isinstance(o, (bool, np.bool_)):
                raise ValueError(f"a problem's outcome must be True, False or None, but got {o!r}")
            log.append((None if o is None else bool(o), detail))
            if decided == n:  # past the n-th decided problem: drawn in this batch, not counted
                continue
            if o is None:
                undecided += 1
            else:
                decided += 1
                met += bool(o)
    return Count(met, decided, undecided), log


def _fraction(x: float) -> str:
    return {0.5: "½"}.get(x, f"{x:g}")


@dataclass(frozen=True)
class RateRule:
    """How a tendency claim is decided from the rate of its criterion.

    Attributes:
        criterion: what one trial must meet, in words ("the end point is within 5% of …").
        holds_above: the claim survives when the interval's lower bound is above this.
        refuted_below: the claim is refuted when the interval's upper bound is below this.
        series: the series of trials that decides, when a trial reports several (e.g. one per
            width); ``""`` when there is one.
        confidence: of the interval (two-sided; one-sided for a ``bound``).
        method: ``wilson`` or ``clopper-pearson``.
        trial: what one trial is, in words (default: "decided example").
        claimed: p₁, the rate of problems meeting the criterion that the claim's words assert (a designed rule:
            see the module's docstring); ``None``: not this design.
        gap: p₀ = p₁ − gap is a rate clearly short of the claim.
        bound: a designed rule on the rate of problems that *miss* the criterion: survived when its one-sided
            upper bound is at most ``bound``, refuted when its lower bound is above it; ``None``: not this design.
        error: the largest error rate of either kind.
        distribution: the distribution the problems are drawn from, in words.
        trend: a ``bound`` rule's series in order of growth (e.g. widths); the claim is refuted when the miss rate
            at the deciding (last) one is above the one at the first, by a one-sided test at level ``error``
            (:func:`increase_p_value`).
        draw_limit: a run draws at most draw_limit·n problems (n decided, the rest replacing undecided ones).
        overdraw: each batch draws this many times the problems still needed (a claim with many undecided
            problems decides in one batch; the problems past the first n decided are not counted).
    """

    criterion: str
    holds_above: float = 0.5
    refuted_below: float = 0.5
    series: str = ""
    confidence: float = 0.95
    method: str = "wilson"
    trial: str = "decided example"
    claimed: float | None = None
    gap: float = GAP
    bound: float | None = None
    error: float = ERROR
    distribution: str = ""
    trend: tuple = ()
    draw_limit: float = 2.0
    overdraw: float = 1.0

    def __post_init__(self):
        if not (0.0 <= self.refuted_below <= self.holds_above <= 1.0):
            raise ValueError(f"thresholds must satisfy 0 ≤ refuted_below ≤ holds_above ≤ 1, but got "
                             f"refuted_below={self.refuted_below}, holds_above={self.holds_above}")
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, but got {self.method!r}")
        if not 0.0 < self.confidence < 1.0:
            raise ValueError(f"confidence must be in (0, 1), but got {self.confidence!r}")
        if self.claimed is not None and self.bound is not None:
            raise ValueError(f"a rule has a claimed rate or a bound, not both, but got claimed={self.claimed}, "
                             f"bound={self.bound}")
        if self.trend and self.bound is None:
            raise ValueError(f"a trend needs a bound rule, but got trend={self.trend} with bound=None")
        if self.claimed is not None:
            if not (0.0 < self.gap and 0.0 <= self.claimed - self.gap and self.claimed <= 1.0):
                raise ValueError(f"claimed − gap and claimed must lie in [0, 1], but got claimed={self.claimed}, "
                                 f"gap={self.gap}")
            design(self.claimed, self.short, self.error)  # raises on a bad error rate
        if self.bound is not None:
            bound_design(self.bound, self.confidence)  # raises on a bad bound
        if self.designed and not (self.draw_limit >= 1.0 and self.overdraw >= 1.0):
            raise ValueError(f"draw_limit and overdraw must be at least 1, but got {self.draw_limit}, {self.overdraw}")

    @property
    def designed(self) -> bool:
        """Whether the rule decides by a design with stated error rates (``claimed`` or ``bound`` given)."""
        return self.claimed is not None or self.bound is not None

    @property
    def bounded(self) -> bool:
        """Whether the design bounds the rate of misses (``bound`` given)."""
        return self.bound is not None

    @property
    def short(self) -> float:
        """p₀ = p₁ − gap: a rate clearly short of the claim, survived in at most ``error`` of the runs."""
        return round(self.claimed - self.gap, 12)

    @property
    def n(self) -> int:
        """Decided problems a run needs (:func:`design`, :func:`bound_design`)."""
        if self.bounded:
            return bound_design(self.bound, self.confidence)[0]
        return design(self.claimed, self.short, self.error)[0]

    @property
    def cut(self) -> int:
        """The claim survives when at least this many of the n decided problems met the criterion."""
        if self.bounded:
            n, keep, _ = bound_design(self.bound, self.confidence)
            return n - keep
        return design(self.claimed, self.short, self.error)[1]

    @property
    def refute_misses(self) -> int:
        """A ``bound`` rule: the fewest misses of n that refute (the lower bound above ``bound``)."""
        return bound_design(self.bound, self.confidence)[2]

    @property
    def draws(self) -> int:
        """The most problems a run draws: n, and the rest of draw_limit·n to replace undecided ones."""
        import math

        return math.ceil(self.draw_limit * self.n)

    @property
    def errors(self) -> tuple[float, float]:
        """Both error rates of the design, exactly (binomial tails).

        A claimed rate: (P(survived | p₀), P(refuted | p₁)). A bound: (P(survived | miss rate = bound),
        P(refuted by the bound | miss rate = bound)), the worst cases of a miss rate above and below the bound.
        """
        if self.bounded:
            from scipy.stats import binom

            n, keep, refute = bound_design(self.bound, self.confidence)
            return float(binom.cdf(keep, n, self.bound)), float(binom.sf(refute - 1, n, self.bound))
        return error_rates(self.n, self.cut, self.claimed, self.short)

    def design_sentence(self) -> str:
        """The design in one line, for the README table and the result's message."""
        e_s, e_r = self.errors
        if self.bounded:
            out = (f"miss rate ≤ {self.bound:g}: {self.n} problems a series; survives iff ≤ {self.n - self.cut} "
                   f"missed (one-sided {self.confidence:.0%} upper bound ≤ {self.bound:g}), refuted at ≥ "
                   f"{self.refute_misses} (lower bound > {self.bound:g}); at a miss rate of {self.bound:g} "
                   f"P(survived) = {e_s:.3f}, P(refuted) = {e_r:.3f}")
            if self.trend:
                out += (f"; refuted too if the miss rate at {self.trend[-1]} is above the one at {self.trend[0]} "
                        f"(one-sided Fisher, level {self.error:g})")
        else:
            out = (f"p₁ = {self.claimed:g}, p₀ = {self.short:g}: survives iff ≥ {self.cut} of {self.n} met, refuted "
                   f"otherwise; P(survived ∣ p₀) = {e_s:.3f}, P(refuted ∣ p₁) = {e_r:.3f}")
        return out + f"; undecided redrawn up to {self.draws} draws, then inconclusive"

    def verdict(self, count: Count) -> tuple[str, float, float]:
        """(survived | refuted | inconclusive, lower bound, upper bound) for the deciding count: the bounds of
        the rate of meeting the criterion (a ``bound`` rule: the one-sided bounds of the rate of misses)."""
        if self.bounded:
            lo, hi = one_sided_bounds(count.decided - count.met, count.decided, self.confidence)
            if count.decided < self.n:
                return "inconclusive", lo, hi
            if hi <= self.bound:
                return "survived", lo, hi
            if lo > self.bound:
                return "refuted", lo, hi
            return "inconclusive", lo, hi
        lo, hi = interval(count.met, count.decided, self.confidence, self.method)
        if self.designed:
            if count.decided < self.n:  # too many undecided problems: the design's error rates do not apply
                return "inconclusive", lo, hi
            # more than n decided (counts pooled over examples): the cut of that many, error rates no larger
            cut = self.cut if count.decided == self.n else cut_for(count.decided, self.short, self.error)
            return ("survived" if count.met >= cut else "refuted"), lo, hi
        if lo > self.holds_above:
            return "survived", lo, hi
        if hi < self.refuted_below:
            return "refuted", lo, hi
        return "inconclusive", lo, hi

    def sentence(self) -> str:
        """The rule in words, for the claim's definitions."""
        name = {"wilson": "Wilson", "clopper-pearson": "exact Clopper–Pearson"}[self.method]
        where = f" in the series {self.series}" if self.series else ""
        redraw = "" if not self.designed else (
            f" An undecided problem is replaced by a new draw, at most {self.draws - self.n} times (a run draws at "
            f"most {self.draws}); past that the claim is inconclusive and the undecided count is shown.")
        if self.bounded:
            e_s, e_r = self.errors
            each = f" at each of {', '.join(self.trend)}" if self.trend else ""
            trend = ""
            if self.trend:
                trend = (f" It is also refuted when the miss rate grows with the series: a one-sided Fisher exact "
                         f"test of {self.trend[0]} against {self.trend[-1]} at level {self.error:g} rejects \"the "
                         f"rate at {self.trend[-1]} is not above the rate at {self.trend[0]}\" (a false refutation in "
                         f"at most {self.error:.0%} of runs where the rates are equal).")
            return (f"Verdict (a bound on the rate of misses): {self.n} {self.trial}s{each}, drawn i.i.d. "
                    f"({self.distribution}) from one seed per run; the claim is that the rate of problems missing "
                    f"the criterion — {self.criterion} — is at most {self.bound:g}{where}. It survives when the "
                    f"one-sided {self.confidence:.0%} Clopper–Pearson upper bound of that rate is at most "
                    f"{self.bound:g} (at most {self.n - self.cut} of {self.n} missed; {self.n} is the fewest problems "
                    f"with which a run that sees no miss can survive), is refuted when its lower bound is above "
                    f"{self.bound:g} (at least {self.refute_misses} missed), and is inconclusive otherwise: a true "
                    f"miss rate of {self.bound:g} survives in {e_s:.1%} of runs and is refuted in {e_r:.1%}."
                    f"{trend}{redraw}")
        if self.designed:
            e_s, e_r = self.errors
            return (f"Verdict (a claimed rate with stated error rates): the claim's words assert that at least "
                    f"p₁ = {self.claimed:.0%} of {self.trial}s meet the criterion — {self.criterion}; a rate of "
                    f"p₀ = {self.short:.0%} is clearly short of it. {self.n} {self.trial}s{where}, drawn i.i.d. "
                    f"({self.distribution}) from one seed per run: the claim survives if at least {self.cut} of the "
                    f"{self.n} met it and is refuted otherwise, so that a true rate of p₀ survives in {e_s:.1%} of "
                    f"runs and one of p₁ is refuted in {e_r:.1%} (exact binomial tails).{redraw}")
        return (f"Verdict (a rate): the fraction of {self.trial}s{where} that meet the criterion — "
                f"{self.criterion} — with its {self.confidence:.0%} {name} interval; the claim survives if the "
                f"interval's lower bound is above {_fraction(self.holds_above)}, is refuted if its upper bound is "
                f"below {_fraction(self.refuted_below)}, and is inconclusive otherwise. Undecided examples are "
                f"counted apart and replaced by new draws.")


def rate_summary(rule: RateRule, counts: dict[str, Count]) -> dict:
    """The JSON-ready summary of a run of a rate claim: every series with its rate and interval,
    the deciding series, the verdict and the rule's design."""
    series = {}
    for name, c in counts.items():
        lo, hi = interval(c.met, c.decided, rule.confidence, rule.method)
        series[name] = {**asdict(c), "rate": c.rate if c.decided else None, "lo": lo, "hi": hi}
        if rule.bounded:  # the one-sided bounds of the miss rate, which decide
            series[name]["miss_lo"], series[name]["miss_hi"] = one_sided_bounds(c.decided - c.met, c.decided,
                                                                                rule.confidence)
    deciding = counts.get(rule.series, Count())
    verdict, lo, hi = rule.verdict(deciding)
    extra = {}
    if rule.designed:
        e_s, e_r = rule.errors
        extra = {"n": rule.n, "cut": rule.cut, "errors": [e_s, e_r], "draws": rule.draws,
                 "distribution": rule.distribution, "design": rule.design_sentence()}
        if rule.bounded:
            extra.update(bound=rule.bound, refute_misses=rule.refute_misses, miss_lo=lo, miss_hi=hi)
            lo, hi = interval(deciding.met, deciding.decided, rule.confidence, rule.method)
        else:
            extra.update(claimed=rule.claimed, short=rule.short)
        if rule.trend:
            first = counts.get(rule.trend[0], Count())
            p = increase_p_value(first, deciding)
            extra["trend"] = {"first": rule.trend[0], "p": p, "level": rule.error}
            if p <= rule.error and first.decided >= rule.n and deciding.decided >= rule.n:
                verdict = "refuted"
    if rule.bounded:
        line = 1.0 - rule.bound
    elif rule.designed:
        line = rule.cut / rule.n
    return {**extra, "criterion": rule.criterion, "decides": rule.series, "verdict": verdict,
            "met": deciding.met, "decided": deciding.decided, "undecided": deciding.undecided,
            "rate": deciding.rate if deciding.decided else None, "lo": lo, "hi": hi,
            "holds_above": line if rule.designed else rule.holds_above,
            "refuted_below": line if rule.designed else rule.refuted_below,
            "confidence": rule.confidence, "method": rule.method, "series": series}
