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
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["Count", "RateRule", "wilson_interval", "clopper_pearson_interval", "interval", "rate_summary",
           "RATE_VERDICTS", "METHODS"]

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
        confidence: of the two-sided interval.
        method: ``wilson`` or ``clopper-pearson``.
        trial: what one trial is, in words (default: "decided example").
    """

    criterion: str
    holds_above: float = 0.5
    refuted_below: float = 0.5
    series: str = ""
    confidence: float = 0.95
    method: str = "wilson"
    trial: str = "decided example"

    def __post_init__(self):
        if not (0.0 <= self.refuted_below <= self.holds_above <= 1.0):
            raise ValueError(f"thresholds must satisfy 0 ≤ refuted_below ≤ holds_above ≤ 1, but got "
                             f"refuted_below={self.refuted_below}, holds_above={self.holds_above}")
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, but got {self.method!r}")
        if not 0.0 < self.confidence < 1.0:
            raise ValueError(f"confidence must be in (0, 1), but got {self.confidence!r}")

    def verdict(self, count: Count) -> tuple[str, float, float]:
        """(survived | refuted | inconclusive, lower bound, upper bound) for the deciding count."""
        lo, hi = interval(count.met, count.decided, self.confidence, self.method)
        if lo > self.holds_above:
            return "survived", lo, hi
        if hi < self.refuted_below:
            return "refuted", lo, hi
        return "inconclusive", lo, hi

    def sentence(self) -> str:
        """The rule in words, for the claim's definitions."""
        name = {"wilson": "Wilson", "clopper-pearson": "exact Clopper–Pearson"}[self.method]
        where = f" in the series {self.series}" if self.series else ""
        return (f"Verdict (a rate): the fraction of {self.trial}s{where} that meet the criterion — "
                f"{self.criterion} — with its {self.confidence:.0%} {name} interval; the claim survives if the "
                f"interval's lower bound is above {_fraction(self.holds_above)}, is refuted if its upper bound is "
                f"below {_fraction(self.refuted_below)}, and is inconclusive otherwise. Undecided examples are "
                f"counted apart and replaced by new draws.")


def rate_summary(rule: RateRule, counts: dict[str, Count]) -> dict:
    """The JSON-ready summary of a run of a rate claim: every series with its rate and interval,
    the deciding series, the verdict and the rule's thresholds."""
    series = {}
    for name, c in counts.items():
        lo, hi = interval(c.met, c.decided, rule.confidence, rule.method)
        series[name] = {**asdict(c), "rate": c.rate if c.decided else None, "lo": lo, "hi": hi}
    deciding = counts.get(rule.series, Count())
    verdict, lo, hi = rule.verdict(deciding)
    return {"criterion": rule.criterion, "decides": rule.series, "verdict": verdict,
            "met": deciding.met, "decided": deciding.decided, "undecided": deciding.undecided,
            "rate": deciding.rate if deciding.decided else None, "lo": lo, "hi": hi,
            "holds_above": rule.holds_above, "refuted_below": rule.refuted_below,
            "confidence": rule.confidence, "method": rule.method, "series": series}
