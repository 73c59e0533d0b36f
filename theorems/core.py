"""Claims, their results, and the runner that decides them with Hypothesis.

A claim is a plain function of one drawn *example* (a dict of named values) plus
the data that says what it is: id, kind, statement, section, and the strategy that
draws examples. The function states the property with :func:`expect`:

* kind ``holds``: every example must pass; a failure is shrunk and reported.
* kind ``exists``: the function returns a truthy description when the example is
  a witness; the runner raises on it, so Hypothesis searches for, shrinks and
  keeps the smallest witness it finds.
* kind ``open``: as ``holds``, but the verdict (refuted, or survived N examples)
  is a finding, not a failure of the suite. An open claim with a :class:`overparam.theorems.rates.RateRule`
  (a *tendency* claim) is decided by the rate of its criterion over the examples instead: each
  example that fails is counted, not reported, and the rule turns the rate's confidence interval
  into survived, refuted or inconclusive.

An example that cannot decide the claim (a run that did not settle, a solver that failed, a point
outside the claim's premise) calls :func:`undecided`: it is counted apart, never as a pass, and
Hypothesis draws a replacement. A check of several clauses that cannot decide one of them calls
:func:`skip_clause` and goes on with the others: the example then ends undecided, with that reason,
unless another clause refuted it. An example of a holds or open claim is decided only by a
comparison: every :func:`expect`, :func:`expect_close`, :func:`require` and :func:`compare` is
counted, and an example that returns without one is an error of the suite (a path of the check that
forgot to decide, :class:`DecidedNothing`). At most :data:`UNDECIDED_LIMIT` of a claim's examples may
be undecided: beyond it a holds claim is an error of the suite and an open claim inconclusive.

A claim's own example budget is written for the ``default`` profile's 100 examples and scales with
larger profiles (:func:`claim_budget`).
"""

from __future__ import annotations

import dataclasses
import io
import json
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Literal

import numpy as np
from hypothesis import HealthCheck, Phase, assume, currently_in_test_context, event, given, note, settings
from hypothesis import strategies as st
from hypothesis.errors import FailedHealthCheck, Unsatisfiable
from hypothesis.reporting import with_reporter

from .rates import Count, RateRule, rate_summary
from .profiles import claim_search

__all__ = [
    "Claim",
    "Result",
    "run_seed",
    "ClaimFailed",
    "Undecided",
    "undecided",
    "skip_clause",
    "DecidedNothing",
    "require",
    "compare",
    "UNDECIDED_LIMIT",
    "over_undecided_limit",
    "Violation",
    "expect",
    "expect_same",
    "degenerate_example",
    "TYPICAL_SAMPLE",
    "run_claim",
    "per_family",
    "run_family",
    "merge_families",
    "claim_sort_key",
    "name_the_claim",
    "outcomes_of",
    "shorten",
    "scaled_budget",
    "NOT_DIFFERENTIABLE",
    "KINK_REASON",
    "claim_budget",
    "KINDS",
    "STATUS_PASSING",
    "passing_status",
    "REFERENCE_EXAMPLES",
]

Kind = Literal["holds", "exists", "open"]
KINDS = ("holds", "exists", "open")

#: statuses that keep the suite green, per kind; any other status but ``pending`` (no verdict yet) fails it
STATUS_PASSING = {
    "holds": {"holds"},
    "exists": {"witness found"},
    "open": {"refuted", "survived", "inconclusive"},
}

#: the largest share of a claim's examples (decided + undecided) that may be undecided (kinks of ψ, set
#: aside by a rule of their own, are not counted). Beyond it the
#: decided examples are a minority selected by what the library computed (a descent that did not settle,
#: a solver that failed, a point the library refused): a library bug can hide there. A holds claim is then
#: an error of the suite and an open claim inconclusive (a counterexample found still refutes), with the
#: reasons counted; an exists claim is judged by its verified witness alone
UNDECIDED_LIMIT = 0.5


def over_undecided_limit(decided: int, undecided: int) -> bool:
    """Whether ``undecided`` of ``decided + undecided`` examples exceed :data:`UNDECIDED_LIMIT`."""
    total = decided + undecided
    return total > 0 and undecided > UNDECIDED_LIMIT * total


#: the example budget a claim's own ``max_examples`` is written for: the ``default`` profile's
REFERENCE_EXAMPLES = 100


def passing_status(kind: str, status: str, expected: str = "") -> bool:
    """Whether ``status`` keeps the suite green for a claim of ``kind`` (an open claim with an
    ``expected`` verdict: that one only)."""
    if kind == "open" and expected:
        return status == expected
    return status in STATUS_PASSING.get(kind, ())


def scaled_budget(own: int, profile_examples: int) -> int:
    """A claim's own example budget under a profile: ``own × profile_examples / 100``, rounded, at least 1.

    A claim whose examples are expensive (a descent experiment each) sets a small budget for the
    ``default`` profile's 100; ``thorough`` (2,000) then runs 20 times as many, ``ci`` (100) as many.
    """
    return max(1, round(own * profile_examples / REFERENCE_EXAMPLES))


def claim_budget(claim: Claim, profile_examples: int) -> int:
    """The examples ``claim`` runs under a profile of ``profile_examples`` a property.

    A larger profile than the reference (100) scales every budget (:func:`scaled_budget` for a
    claim's own). A smaller one (``quick``) shortens only a holds claim that is not a rate and has no
    budget of its own: a true statement holds at any budget, and the power a budget buys is tested at
    ``quick``'s (tests/test_claim_power.py). A search (exists, open) and a rate keep the reference's
    budget (or their own), so that their verdicts do not depend on the profile. So does a holds claim
    with a budget of its own (C18b, C38: a few costly experiments, some of them undecided): shortened
    to a handful of examples, the undecided limit decided on too few of them (C38 under ``quick``, 4
    examples: an error with 5 of 8 undecided, in about 1 run of 20).
    """
    own = claim.settings.get("max_examples")
    if profile_examples > REFERENCE_EXAMPLES or (claim.kind == "holds" and claim.rate is None and own is None):
        return profile_examples if own is None else scaled_budget(int(own), profile_examples)
    return REFERENCE_EXAMPLES if own is None else int(own)


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at the last word boundary before ``limit`` characters, ending in "…"."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:  # a word boundary not too far back; else cut inside the (long) word
        cut = cut[:space]
    return cut.rstrip(" ,;:—–-(") + "…"


def claim_sort_key(cid: str):
    """The order of claim ids: by prefix, then number, then suffix (C2 < C10 < C18 < C18b < C19)."""
    m = re.fullmatch(r"([A-Za-z]+)(\d+)([a-z]*)", cid)
    return (m.group(1), int(m.group(2)), m.group(3)) if m else (cid, 0, "")

_OPS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    ">=": (lambda a, b: a >= b, "≥"),
    ">": (lambda a, b: a > b, ">"),
    "<=": (lambda a, b: a <= b, "≤"),
    "<": (lambda a, b: a < b, "<"),
    "==": (lambda a, b: a == b, "="),
    "!=": (lambda a, b: a != b, "≠"),
}

#: how the sentence says each relation: "should be ≥ 0", but "should equal 0" (not "should be = 0")
_SHOULD = {"≥": "be ≥", ">": "be >", "≤": "be ≤", "<": "be <", "=": "equal", "≠": "differ from"}


def _sentence(what: str, value, sym: str, bound, *, tail: str = "", context: str = "", member=None) -> str:
    """The one pattern of a failure's message: ``cos=-0.3, but should be ≥ 0 (tail) context [member]``.

    ``tail`` (what the comparison allowed, such as a round-off band) follows the bound; ``context``
    follows with a space, unless it opens with punctuation (``: the search found …``); ``member``
    (a parameterization) closes it as ``[its label]``, as the runner's ``[claim id, example]`` does.
    """
    should = _SHOULD.get(sym, f"be {sym}")
    if isinstance(value, (float, int, np.floating, np.integer)) and not np.isfinite(float(value)):
        head = f"{what}={float(value)} is not finite, but should {should} {_fmt(bound)}"
    else:
        head = f"{what}={_fmt(value, bound)}, but should {should} {_fmt(bound, value)}"
    if tail:
        head += f" {tail}"
    context = " ".join(str(context).split())
    if context:
        head += context if context[0] in ",;:." else f" {context}"
    return head + (f" [{member.label}]" if member is not None else "")


@dataclass(frozen=True)
class Violation:
    """The quantity that decided a failure: ``what`` was ``value``, but should be ``op bound``.

    ``op`` is the symbol the message prints (≥, >, ≤, <, =, ≠); ``value`` is NaN or ±inf
    when the quantity was not finite. ``band`` is the round-off band the comparison allowed
    (:func:`overparam.theorems.expect_le`), ``None`` when it compared exactly.
    """

    what: str
    value: float
    op: str
    bound: float
    band: float | None = None


class ClaimFailed(AssertionError):
    """A claim's property failed on an example; the message is a full sentence.

    Raised by :func:`expect` with the violated quantity as fields (``what``, ``value``,
    ``op``, ``bound``, together :attr:`violation`); a check that raises it with only a
    message leaves them ``None``.
    """

    def __init__(self, message: str, *, what: str | None = None, value=None, op: str | None = None,
                 bound=None, band=None):
        super().__init__(message)
        self.what, self.value, self.op, self.bound, self.band = what, value, op, bound, band

    @property
    def violation(self) -> Violation | None:
        """The fields as one :class:`Violation`, when they are numbers."""
        try:
            return Violation(str(self.what), float(self.value), str(self.op), float(self.bound),
                             None if self.band is None else float(self.band))
        except (TypeError, ValueError):
            return None


#: what a derivative check returns where ψ is not differentiable (a kink: its one-sided derivatives
#: differ): the runner counts the example as undecided, for :data:`KINK_REASON`
NOT_DIFFERENTIABLE = "not differentiable here"
KINK_REASON = "ψ is not differentiable at the drawn point along the drawn direction (a kink)"


class Undecided(Exception):
    """Raised by :func:`undecided`: this example cannot decide the claim; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def undecided(reason: str):
    """Declare the current example undecided and stop its check: it is neither a pass nor a failure.

    The runner counts it (with ``reason``) apart from the decided examples, records it as a Hypothesis
    ``event`` and rejects it (``assume(False)``), so Hypothesis draws a replacement. Outside the runner
    (a direct call, a replay) the :class:`Undecided` raised here propagates.
    """
    raise Undecided(reason)


class DecidedNothing(Exception):
    """An example of a holds or open claim returned without a comparison and without calling
    :func:`undecided`: a path of its check that decides nothing. An error of the suite, not a pass."""


#: the example being checked: comparisons made and clauses skipped (reset by the runner per example)
_EXAMPLE: dict[str, Any] = {"comparisons": 0, "skipped": []}


def _compared() -> None:
    _EXAMPLE["comparisons"] += 1


def skip_clause(reason: str) -> None:
    """One clause of a multi-clause check cannot be decided on this example (``reason`` says why); the
    check goes on with the others. Unless another clause refutes the claim, the runner counts the
    example as undecided with this reason: a skipped clause never counts as a pass."""
    _EXAMPLE["skipped"].append(reason)


def require(ok, message: str, *, what: str | None = None, value=None, op: str | None = None, bound=None) -> None:
    """Fail the current claim with ``message`` (a full sentence) unless ``ok``; a comparison decided
    elsewhere (an order test's verdict, a search's result), counted as :func:`expect` is."""
    __tracebackhide__ = True
    _compared()
    if not ok:
        raise ClaimFailed(message, what=what, value=value, op=op, bound=bound)


def compare(value, op: str, bound) -> bool:
    """Whether ``value op bound``, counted as a comparison of the example: for a check that branches
    on a comparison and decides by the branch it takes (each branch agreeing with the claim)."""
    if op not in _OPS:
        raise ValueError(f"op must be one of {list(_OPS)}, but got {op!r}")
    _compared()
    return bool(_OPS[op][0](value, bound))


class _Witness(Exception):
    """Raised by the runner when an ``exists`` claim's function accepts an example."""


def _fmt(x, other=None) -> str:
    """x with 3 significant digits, or as many as it takes to tell it from ``other``."""
    if not isinstance(x, (float, int, np.floating, np.integer)) or isinstance(x, bool):
        return str(x)
    x = float(x)
    for digits in (3, 6, 10, 17):
        s = f"{x:.{digits}g}"
        if other is None or not isinstance(other, (float, int, np.floating, np.integer)) \
                or s != f"{float(other):.{digits}g}":
            return s
    return s


def expect(value, op: str, bound, what: str, *, context: str = "", member=None) -> None:
    """Fail the current claim (or test) unless ``value op bound``; ``op`` is one of ``>= > <= < == !=``.

    The message follows one pattern (:func:`_sentence`): ``cos=-0.3, but should be ≥ 0 [C24, two-layer k=3 d=2]``
    (``==``: ``should equal 0``); the runner appends the bracket with the claim id and the example's
    label. ``context`` follows the bound after a space; ``member`` (a parameterization) closes it as
    ``[its label]``.
    The :class:`ClaimFailed` raised carries ``what``, ``value``, ``op`` and ``bound``.
    """
    __tracebackhide__ = True
    if op not in _OPS:
        raise ValueError(f"op must be one of {list(_OPS)}, but got {op!r}")
    _compared()
    test, sym = _OPS[op]
    v = float(value) if np.ndim(value) == 0 else value
    if (np.ndim(v) == 0 and not np.isfinite(v)) or not test(v, bound):
        raise ClaimFailed(_sentence(what, v, sym, bound, context=context, member=member),
                          what=what, value=v, op=sym, bound=bound)


@dataclass
class Claim:
    """One entry of the catalogue.

    Attributes:
        id: ``C01`` … ``C38`` (``C30a``/``C30b`` for two readings).
        kind: ``holds``, ``exists`` or ``open``.
        statement: the claim in the project's words, one or two sentences.
        section: the post's section, or the cited paper.
        check: ``check(example)``; raises :class:`ClaimFailed` (holds/open) or returns a
            truthy description of a witness (exists). ``None``: not yet decided.
        strategy: draws examples (dicts); for a ``general`` claim, a function from a
            parameterization to such a strategy.
        general: runs over every member of the zoo and in :func:`check_parameterization`.
        settings: overrides of the active Hypothesis profile for this claim (e.g. a
            dynamics claim's smaller example budget).
        plot: ``plot(example, fig)`` draws the picture for the claim's page; a plot with a ``result``
            parameter is called ``plot(example, fig, result=result)`` with the run's :class:`Result`
            (to draw the numbers its verdict was decided from).
        definitions: for open claims, what "near", "converges", … mean here.
        known_failure: why a refutation is expected (data, not a skip).
        rate: for a tendency claim (kind open), the rule that decides it from the rate of its
            criterion over the examples (:class:`overparam.theorems.rates.RateRule`); the check then
            states the criterion of one example (failing it counts a miss) or returns the
            outcomes of its trials (see :func:`run_claim`).
        expected: for an open claim of the catalogue, the verdict its runs have found (refuted,
            survived or inconclusive): a run that finds another fails the suite, naming both — a
            finding that moved is news. Changing it is a deliberate edit, with ``expected_because``.
            A user's own conjecture has none: whatever its run finds is the finding.
        expected_because: why the expected verdict is what it is (the evidence, or the edit's reason).
        consistency: for a claim no library bug can reach (its statement is algebra that holds
            whatever the library computes), why: it is run and reported, but not counted as a test
            of the library.
    """

    id: str
    kind: Kind
    statement: str
    section: str
    check: Callable[[dict], Any] | None = None
    strategy: Any = None
    general: bool = False
    settings: dict = field(default_factory=dict)
    plot: Callable | None = None
    definitions: str = ""
    known_failure: str = ""
    name: str = ""
    rate: RateRule | None = None
    expected: str = ""
    expected_because: str = ""
    consistency: str = ""
    _zoo_strategy: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, but got {self.kind!r} [{self.id}]")
        if self.rate is not None and self.kind != "open":
            raise ValueError(f"rate must be given to open claims only, but {self.id} is a {self.kind} claim")
        if self.expected and (self.kind != "open" or self.expected not in STATUS_PASSING["open"]):
            raise ValueError(f"expected must be one of {sorted(STATUS_PASSING['open'])} for an open claim, but "
                             f"{self.id} ({self.kind}) got {self.expected!r}")

    @property
    def decided(self) -> bool:
        return self.check is not None and self.strategy is not None

    def example_strategy(self, param=None, params=None) -> st.SearchStrategy:
        """The strategy of examples; a general claim's for one parameterization, for those
        ``params`` draws (a strategy), or for the whole zoo with random sizes."""
        if not self.general:
            return self.strategy
        if param is not None:
            return self.strategy(param)
        if params is not None:
            from .example_strategies import per_model

            return params.flatmap(per_model(self.strategy))
        from overparam.parameterizations import family_strategies

        from .example_strategies import per_model

        if self._zoo_strategy is None:
            self._zoo_strategy = st.one_of(*family_strategies(3).values()).flatmap(per_model(self.strategy))
        return self._zoo_strategy

    @property
    def expected_verdict(self) -> str:
        """The verdict a run of this claim must reach to keep the suite green: ``holds``, ``witness found``,
        or an open claim's ``expected`` ("" for an open conjecture without one: any verdict is the finding)."""
        return {"holds": "holds", "exists": "witness found"}.get(self.kind, self.expected)

    def passing(self, status: str) -> bool:
        """Whether a result with this status keeps the suite green: for an open claim with an
        ``expected`` verdict, that verdict only."""
        return passing_status(self.kind, status, self.expected)

    def short(self, limit: int = 150) -> str:
        """The statement, shortened at a word boundary to at most ``limit`` characters (with "…")."""
        return shorten(self.statement, limit)


@dataclass
class Result:
    """What running one claim found."""

    id: str
    kind: str
    status: str  # holds | witness found | refuted | survived | inconclusive | no witness | error | pending
    examples: int = 0  # decided examples (for a failure: those up to and including it)
    seconds: float = 0.0
    message: str = ""
    example: dict | None = None  # counterexample, witness, or (passing) the one nearest the bound
    report: str = ""  # what Hypothesis printed: the falsifying example and note() output
    label: str = ""  # the example's parameterization, if any
    subject: str = ""  # what it ran over when not the whole zoo (check_parameterization)
    violation: Violation | None = None  # the quantity that refuted the claim, when expect() said so
    shown: str = ""  # for a run without failure: which example is kept (nearest the bound, or the last)
    search_examples: int = 0  # examples the search that found this failure took (0: not known)
    replayed: bool = False  # the failure came back from the example database, not from this run's search
    undecided: int = 0  # examples that decided nothing (replaced by new draws), counted apart
    undecided_reasons: dict = field(default_factory=dict)  # why, with how many each
    rate: dict | None = None  # a tendency claim's rate, interval and verdict (theorems.rates.rate_summary)
    events: dict = field(default_factory=dict)  # event() labels of the examples that passed, and how many
    set_aside: int = 0  # examples not judged, e.g. ψ not differentiable there: neither passed nor failed
    typical: dict | None = None  # (passing) a representative decided example beside the nearest (TYPICAL_SAMPLE)
    expected: str = ""  # an open claim's expected verdict (Claim.expected): any other fails the suite
    over_limit: bool = False  # more than UNDECIDED_LIMIT of the examples were undecided (the status says so)
    consistency: bool = False  # a consistency check (Claim.consistency): reported, not a test of the library

    def __post_init__(self):
        if isinstance(self.violation, dict):  # read back from JSON
            self.violation = Violation(**self.violation)

    @property
    def passing(self) -> bool:
        """Whether this status keeps the suite green (:data:`STATUS_PASSING`; an open claim's expected verdict)."""
        return passing_status(self.kind, self.status, self.expected)

    @property
    def disagreement(self) -> str:
        """``C15: expected survived, got refuted`` when an open claim's verdict is not its expected one, else ""."""
        if self.expected and self.status != "pending" and self.status != self.expected:
            return f"{self.id}: expected {self.expected}, got {self.status}"
        return ""

    @property
    def failing(self) -> bool:
        """Whether it makes the suite fail: a holds claim refuted, an exists claim without a witness,
        an error. A pending claim has no verdict: neither passing nor failing."""
        return self.status != "pending" and not self.passing

    @property
    def example_role(self) -> str:
        """What the kept example is: counterexample, witness, example that raised, example nearest
        the bound (the one ``target()`` steered to), or last example tried."""
        if self.status in ("refuted", "error", "witness found"):
            return {"refuted": "counterexample", "error": "example that raised", "witness found": "witness"}[
                self.status]
        return "example nearest the bound" if self.shown.startswith("the example nearest") else "last example tried"

    @property
    def status_label(self) -> str:
        """The status as the report and the README show it: ``survived N`` for an open claim
        without a counterexample, the rate and its interval for a tendency claim
        (``survived: rate 0.92 [0.80, 0.97]``), and ``(u undecided)`` when examples decided nothing."""
        if self.rate is not None and self.status in ("survived", "refuted", "inconclusive"):
            r = self.rate
            rate = "—" if r["rate"] is None else f"{r['rate']:.2f}"
            label = f"{self.status}: rate {rate} [{r['lo']:.2f}, {r['hi']:.2f}] of {r['decided']}"
            if "bound" in r:  # a bound on the miss rate: the misses against the bound's numbers
                label = (f"{self.status}: {r['decided'] - r['met']} of {r['decided']} missed (survives at ≤ "
                         f"{r['n'] - r['cut']} of {r['n']}, refuted at ≥ {r['refute_misses']})")
            elif "cut" in r:  # a claimed rate: the count against its cut
                label = f"{self.status}: {r['met']} of {r['decided']} met (survives at ≥ {r['cut']} of {r['n']})"
            missing = r["undecided"]
        else:
            label = f"survived {self.examples}" if self.status == "survived" else self.status
            missing = self.undecided
        if self.over_limit:
            decided = self.rate["decided"] if self.rate is not None else self.examples
            label = (f"{self.status}: {missing} of {missing + decided} undecided "
                     f"(limit {UNDECIDED_LIMIT:.0%})")
        else:
            label += f" ({missing} undecided)" if missing else ""
        if self.disagreement:
            label += f" (expected {self.expected})"
        return label + (" — consistency check, not a test of the library" if self.consistency else "")

    @property
    def counterexample(self):
        """The shrunk example that refuted the claim (or raised), else None."""
        return self.example if self.status in ("refuted", "error") else None

    @property
    def witness(self):
        """The shrunk witness of an ``exists`` claim, else None."""
        return self.example if self.status == "witness found" else None


def example_label(ex) -> str:
    """The label of the parameterization an example is about, if it has one."""
    if isinstance(ex, dict):
        p = ex.get("param")
        if p is not None and hasattr(p, "label"):
            return p.label
    return ""


def subject_of(params) -> str:
    """A name for a strategy of parameterizations (its ``subject`` attribute, or its repr)."""
    return getattr(params, "subject", None) or repr(params)[:60]


#: the phases of a tendency claim: examples as drawn, no replay of stored failures (none is stored), no
#: target() steering toward misses and no shrinking, either of which would bias the rate
RATE_PHASES = (Phase.explicit, Phase.generate)


def _profile_settings(claim: Claim, overrides: dict | None) -> settings:
    base = settings()  # the active profile
    kw = dict(claim.settings)
    kw["max_examples"] = claim_budget(claim, base.max_examples)
    if claim.rate is not None:
        kw["phases"] = RATE_PHASES
    kw.update(overrides or {})
    if claim.rate is not None and claim.rate.designed:
        # one example whatever the profile or the caller asks: the run's seed, from which the design's n problems
        # are drawn (more examples would pool several runs and change the design's error rates)
        kw["max_examples"] = 1
    if claim.kind == "exists":
        # a witness search has nothing to explain
        kw.setdefault("phases", tuple(p for p in base.phases if p is not Phase.explain))
    # one failure, the shrunk one, is what a verdict is about
    kw.setdefault("report_multiple_bugs", False)
    kw.setdefault("suppress_health_check", tuple(base.suppress_health_check) + (HealthCheck.differing_executors,))
    return settings(base, **kw)


def _database_key(claim: Claim, subject: str) -> bytes:
    """The example database's key of one claim (and parameterization): stable across edits of the runner."""
    return f"overparam claim {claim.id}|{subject}".encode()


def _stored_search(db, key: bytes) -> dict | None:
    """The search effort saved beside the database's examples by the run that found them."""
    for raw in db.fetch(key + b".search"):
        try:
            return json.loads(raw)
        except ValueError:
            return None
    return None


def _save_search(db, key: bytes, effort: dict) -> None:
    for old in list(db.fetch(key + b".search")):
        db.delete(key + b".search", old)
    db.save(key + b".search", json.dumps(effort, sort_keys=True).encode())


#: how Hypothesis introduces the example it reports; the runner's inner function is called ``body``
_HYPOTHESIS_HEADER = re.compile(r"^(Falsifying example|Falsifying explicit example|Failing test case): body\(",
                                re.MULTILINE)


def name_the_claim(report: str, claim: Claim, status: str) -> str:
    """Hypothesis's report with its header naming the claim: ``Witness of C13 (name)(`` for an exists
    claim, ``Counterexample to C24 (name)(`` or ``Example that raised in C24 (name)(`` otherwise."""
    what = {"witness found": "Witness of", "error": "Example that raised in"}.get(status, "Counterexample to")
    head = f"{what} {claim.id}" + (f" ({claim.name})" if claim.name else "") + ": check("
    return _HYPOTHESIS_HEADER.sub(head, report)


def run_claim(claim: Claim, *, param=None, params=None, overrides: dict | None = None) -> Result:
    """Decide ``claim`` with Hypothesis under the active settings profile.

    Args:
        claim: the catalogue entry.
        param: for a general claim, the parameterization to run it over (default: the zoo).
        params: for a general claim, a strategy of parameterizations to run it over.
        overrides: Hypothesis settings that replace the profile's (e.g. ``max_examples``).

    Returns:
        A :class:`Result`. A general claim over the zoo runs once per family, each with the
        whole budget (:func:`_run_per_family`). An exception that is not a claim failure (a bug) gives
        status ``error`` with the example that raised it. When no example fails, the
        result keeps the example nearest the claim's bound: the one with the highest
        score of the first ``target()`` label the check reports (the example the search
        was steered to), else the last one tried. A failure replayed from the example
        database keeps the number of examples the search that found it took
        (``search_examples``, ``replayed``).

        An example whose check calls :func:`undecided` is counted in ``undecided`` (with its reason)
        and rejected, so Hypothesis draws another; ``examples`` counts the decided ones.

        A tendency claim (``claim.rate``) is run without target(), shrinking or the database's
        replays (:data:`RATE_PHASES`): each example adds to the counts of its criterion — its check
        returning ``None``/``True`` (met), ``False`` or a :class:`ClaimFailed` (missed), or a dict
        from series name to such an outcome or a :class:`overparam.theorems.rates.Count` — and the rule
        decides from the deciding series' interval (``rate``). A refuted or inconclusive result
        keeps the first example that missed the criterion.
    """
    if not claim.decided:
        return Result(claim.id, claim.kind, "pending", message=f"{claim.id} has no property yet.")
    if claim.general and param is None and params is None and per_family(claim):
        return _run_per_family(claim, overrides)
    strategy = claim.example_strategy(param, params)
    rule = claim.rate
    if rule is not None and rule.designed:
        strategy = st.just({"seed": run_seed(claim, overrides)})
    state: dict[str, Any] = {"calls": 0, "ex": None, "first": None, "label": None, "best": None, "undecided": 0,
                             "reasons": {}, "counts": {}, "miss": None, "sample": [], "seen": 0,
                             "rng": random.Random(claim.id)}
    subject = param.label if param is not None else (subject_of(params) if params is not None else "")
    state["rule"] = rule
    claim = dataclasses.replace(claim, check=_observing(claim.check, state))

    # Under the derandomized ci profile, Hypothesis seeds its search with a digest of this function's
    # source and of the digest added below: edited, every claim would draw other examples.
    def body(ex):
        if state["undecided"] - state["reasons"].get(KINK_REASON, 0) > state["budget"] and state["first"] is None:
            # more undecided than the budget of decided ones: the limit is exceeded whatever comes next;
            # the rest of Hypothesis's draws are rejected without running the check
            event("not run: the undecided limit is already exceeded")
            assume(False)
        state["calls"] += 1
        state["ex"] = ex
        _EXAMPLE["comparisons"], _EXAMPLE["skipped"] = 0, []
        try:
            out = claim.check(ex)
            if isinstance(out, str) and out == NOT_DIFFERENTIABLE:
                raise Undecided(KINK_REASON)
            if _EXAMPLE["skipped"]:  # no clause refuted it, but one was not decided
                raise Undecided("; ".join(dict.fromkeys(_EXAMPLE["skipped"])))
            if claim.kind != "exists" and not _EXAMPLE["comparisons"] and (rule is None or out is None):
                raise DecidedNothing(f"{claim.id}'s check returned without a comparison and without calling "
                                     f"undecided(): a path that decides nothing")
            if rule is not None:
                _tally(state, out, ex)
            elif claim.kind == "exists" and out:
                raise _Witness(out if isinstance(out, str) else "witness")
        except Undecided as u:
            reason = u.reason
        except ClaimFailed as e:
            if rule is None:
                if state["first"] is None:
                    state["first"] = state["calls"]
                raise
            _tally(state, False, ex, e)  # a tendency claim counts a miss and goes on
            return
        except BaseException:
            if state["first"] is None:  # examples tried until the first failure
                state["first"] = state["calls"]
            raise
        else:
            return
        if state["first"] is None:
            state["undecided"] += 1
            state["reasons"][reason] = state["reasons"].get(reason, 0) + 1
        event(f"undecided: {reason}")
        assume(False)

    body._hypothesis_internal_add_digest = f"{claim.id}|{subject}".encode()
    chosen = _profile_settings(claim, overrides)
    state["budget"] = chosen.max_examples
    test = settings(chosen)(given(strategy)(body))
    key = _database_key(claim, subject)
    test._hypothesis_internal_database_key = key
    db = test._hypothesis_internal_use_settings.database
    saved = db is not None and next(iter(db.fetch(key)), None) is not None  # a failure to replay first
    out = io.StringIO()
    t0 = time.perf_counter()
    status, message, example, violation = "", "", None, None
    caught: BaseException | None = None
    with with_reporter(lambda s: out.write(str(s) + "\n")), claim_search():
        try:
            test()
        except _Witness as w:
            caught = w
            status, message, example = "witness found", str(w), state["ex"]
        except ClaimFailed as e:
            caught = e
            status, example = "refuted", state["ex"]
            message, violation = str(e), e.violation
        except (Unsatisfiable, FailedHealthCheck) as e:
            status, message = "error", f"no valid example could be drawn: {e}"
            if state["undecided"] and state["calls"] == state["undecided"]:
                message = (f"no example decided {claim.id}: all {state['undecided']} drawn were undecided "
                           f"({_reasons(state)})")
            if state["calls"] > state["undecided"] and over_undecided_limit(
                    state["calls"] - state["undecided"], state["undecided"] - state["reasons"].get(KINK_REASON, 0)):
                caught = None  # some decided, too few: the undecided limit decides (below), with the reasons counted
            else:
                caught = e
        except Exception as e:  # a bug, not a verdict: keep the example that raised it
            caught = e
            status, example = "error", state["ex"]
            message = f"{type(e).__name__}: {e}"
        else:
            decided = state["calls"] - state["undecided"]
            status = {"holds": "holds", "open": "survived", "exists": "no witness"}[claim.kind]
            message = {
                "holds": f"{claim.id} held on all {decided} decided examples.",
                "open": f"{claim.id} survived {decided} decided examples without a counterexample.",
                "exists": f"No witness for {claim.id} among {decided} decided examples.",
            }[claim.kind]
            if state["undecided"]:
                message = message[:-1] + f" ({state['undecided']} more decided nothing: {_reasons(state)})."
    seconds = time.perf_counter() - t0
    if caught is not None:  # Hypothesis attaches the falsifying example and note()s here
        out.write("\n".join(str(n) for n in getattr(caught, "__notes__", [])))
    examples = (state["calls"] if state["first"] is None else state["first"]) - state["undecided"]
    rate = None
    if rule is not None and caught is None:
        # an undecided example decided nothing in any series
        counts = {name: c + Count(0, 0, state["undecided"]) for name, c in
                  (state["counts"] or {rule.series: Count()}).items()}
        rate = rate_summary(rule, counts)
        status, message = rate["verdict"], _rate_message(claim, rate, state)
        if status != "survived" and state["miss"] is not None:
            example, e = state["miss"]
            violation = e.violation if e is not None else None
    # a counterexample refutes whatever the share; a rate, a pass or a run that ran out of draws does not stand.
    # Kinks (ψ not differentiable at the drawn point) are set aside by their own rule (every one a kink: not
    # judged, kinks.report_set_aside): a piecewise-smooth model's kinks are where its statement says nothing
    kinks = state["reasons"].get(KINK_REASON, 0)
    over = claim.kind in ("holds", "open") and caught is None and (rule is not None or status != "refuted") and \
        over_undecided_limit(rate["decided"] if rate else examples,
                             (rate["undecided"] if rate else state["undecided"]) - kinks)
    if over:  # too few examples decided: the library may hide a bug in the undecided ones
        status = "error" if claim.kind == "holds" else "inconclusive"
        n_und = (rate["undecided"] if rate else state["undecided"]) - kinks
        n_all = n_und + (rate["decided"] if rate else examples)
        message = (f"{claim.id} is {status}: {n_und} of {n_all} examples were undecided, more than "
                   f"{UNDECIDED_LIMIT:.0%} ({_reasons(state)}); before the limit: {message}")
    shown = ""
    if example is not None and rule is not None and caught is None:
        shown = "the first example that missed the criterion"
    elif caught is None:
        if state["best"] is not None:
            score, example = state["best"]
            shown = f"the example nearest the bound: {_nearest(state['label'], score)}"
        else:
            example, shown = state["ex"], "the last example tried"
    typical = _typical(state, example) if caught is None and rule is None else None
    label = example_label(example)
    if status in ("refuted", "error", "witness found"):
        tag = f" [{claim.id}{', ' + label if label else ''}]"
        if label and message.endswith(f" [{label}]"):  # expect(member=…) named the example: one bracket for both
            message = message[: -len(label) - 3]
        if not message.endswith("]"):
            message = message + tag
    search, replayed = examples, False
    if db is not None and example is not None and caught is not None:
        stored = _stored_search(db, key)
        if saved and state["first"] == 1:  # the saved failure came back on the first call
            replayed = True
            search = stored["examples"] if stored and stored.get("status") == status else 0
        else:
            _save_search(db, key, {"status": status, "examples": examples, "seconds": round(seconds, 3)})
    return Result(claim.id, claim.kind, status, examples, seconds, message, example,
                  name_the_claim(out.getvalue(), claim, status), label, subject, violation, shown, search, replayed,
                  state["undecided"], dict(state["reasons"]), rate,
                  dict(sorted(state.get("events", {}).items(), key=lambda kv: -kv[1])),
                  typical=typical, expected=claim.expected, over_limit=over, consistency=bool(claim.consistency))


def run_seed(claim: Claim, overrides: dict | None = None) -> int:
    """The seed of one run of a designed tendency claim: fresh in every run, except under a derandomized
    profile (``ci``), where it is a digest of the claim's id so that the run is reproducible.

    Not an example of Hypothesis's stream: that starts from the simplest example (seed 0) in every run."""
    import hashlib
    import secrets

    derandomize = (overrides or {}).get("derandomize", settings().derandomize)
    if derandomize:
        return int.from_bytes(hashlib.sha256(f"overparam rate {claim.id}".encode()).digest()[:8], "big") >> 1
    return secrets.randbits(63)


def _reasons(state: dict) -> str:
    return "; ".join(f"{n}× {why}" for why, n in sorted(state["reasons"].items(), key=lambda t: -t[1]))


def _tally(state: dict, out, ex, failure: ClaimFailed | None = None) -> None:
    """Add one example's outcomes to a tendency claim's counts.

    ``out`` is what the check returned: ``None`` or ``True`` (the criterion met), ``False`` (missed),
    or a dict from series name to such an outcome or a :class:`overparam.theorems.rates.Count` (an example that
    reports several series, or many trials of its own). The first example that missed the deciding
    series is kept, with the failure that said so.
    """
    rule = state["rule"]
    for name, o in outcomes_of(rule, out).items():
        c = Count.of(o)
        state["counts"][name] = state["counts"].get(name, Count()) + c
        if name == rule.series and c.decided > c.met and state["miss"] is None:
            state["miss"] = (ex, failure)


def outcomes_of(rule: RateRule, out) -> dict:
    """What a tendency claim's check returned, as a dict from series to outcome: ``None`` or ``True``
    (met), ``False`` (missed), or a :class:`overparam.theorems.rates.Count`; a dict is returned as it is."""
    return out if isinstance(out, dict) else {rule.series: True if out is None else out}


def _rate_message(claim: Claim, rate: dict, state: dict) -> str:
    """One sentence: how many decided examples met the criterion, the interval, and what the rule concludes."""
    rule = claim.rate
    where = f" at {rule.series}" if rule.series else ""
    pct = f"{rule.confidence:.0%}"
    if rule.designed:
        value = "no rate" if rate["rate"] is None else f"rate {rate['rate']:.3g}"
        misses = rate["decided"] - rate["met"]
        if rate["decided"] < rule.n:
            because = f"fewer than {rule.n} decided within {rule.draws} draws"
        elif rule.bounded:
            because = (f"{misses} missed: the miss rate's one-sided {pct} bounds [{rate['miss_lo']:.3g}, "
                       f"{rate['miss_hi']:.3g}] against {rule.bound:g}")
        elif rate["met"] >= rule.cut:
            because = f"at least {rule.cut} of {rule.n} met"
        else:
            because = f"fewer than {rule.cut} of {rule.n} met"
        trend = rate.get("trend")
        if trend is not None:
            because += (f"; the miss rate{where} above the one at {trend['first']}: one-sided Fisher p = "
                        f"{trend['p']:.3g} ({'≤' if trend['p'] <= trend['level'] else '>'} {trend['level']:g})")
        seed = (state.get("ex") or {}).get("seed")
        text = (f"{claim.id} {rate['verdict']}: {rate['met']} of {rate['decided']} {rule.trial}s{where} met the "
                f"criterion ({value}, {pct} interval [{rate['lo']:.3g}, {rate['hi']:.3g}]; {because}; "
                f"{rule.design_sentence()}); problems i.i.d.: {rule.distribution}"
                + (f"; seed {seed}" if seed is not None else ""))
        if rate["undecided"]:
            text += f"; {rate['undecided']} undecided" + (f" ({_reasons(state)})" if state["reasons"] else "")
        return text + "."
    value = "no rate" if rate["rate"] is None else f"rate {rate['rate']:.3g}"
    because = {"survived": f"its lower bound is above {rule.holds_above:g}",
               "refuted": f"its upper bound is below {rule.refuted_below:g}",
               "inconclusive": f"it contains {rule.holds_above:g}" if rule.holds_above == rule.refuted_below
               else f"it is not above {rule.holds_above:g} nor below {rule.refuted_below:g}"}[rate["verdict"]]
    text = (f"{claim.id} {rate['verdict']}: {rate['met']} of {rate['decided']} {rule.trial}s{where} met the "
            f"criterion ({value}, {pct} interval [{rate['lo']:.3g}, {rate['hi']:.3g}]: {because})")
    if rate["undecided"]:
        text += f"; {rate['undecided']} undecided" + (f" ({_reasons(state)})" if state["reasons"] else "")
    return text + "."



def per_family(claim: Claim) -> list[str]:
    """The families of the zoo that a general claim runs over one at a time (:func:`_run_per_family`),
    in order; empty for a claim that runs as one search."""
    if not (claim.decided and claim.general):
        return []
    from .power import CONSISTENCY_CHECKS

    if claim.id in CONSISTENCY_CHECKS:  # no library bug reaches those: one search over the zoo
        return []
    from overparam.parameterizations import family_strategies

    return list(family_strategies(3))


def run_family(claim: Claim, family: str, overrides: dict | None = None) -> Result:
    """One family's part of a general claim's run (:func:`_run_per_family`): its whole budget there."""
    from overparam.parameterizations import family_strategies

    return run_claim(claim, params=family_strategies(3)[family], overrides=overrides)


def _run_per_family(claim: Claim, overrides: dict | None) -> Result:
    """A general claim over the zoo: the whole budget for each family in turn, up to the first failure.

    One search over the zoo gives each family about a ninth of the budget, unevenly (Hypothesis's
    choice between strategies is not uniform: some runs drew one family twice in 100 examples), so
    a bug in one family was missed in about four runs of ten. The merged result
    (:func:`merge_families`) counts every example tried; a failure (or witness) keeps its family's
    example and message, a run without one the example nearest the bound over all families.
    """
    results = []
    for family in per_family(claim):
        results.append(run_family(claim, family, overrides))
        if results[-1].status not in ("holds", "survived", "no witness"):
            break
    return merge_families(claim, results)


def merge_families(claim: Claim, results: list[Result]) -> Result:
    """One result of a general claim from its families' results, in the order of :func:`per_family`:
    the first family that failed (or found a witness) decides, as when they run one after another
    and stop there; so the verdict is the same whether the families ran in turn or side by side."""
    total, seconds, best, events = 0, 0.0, None, {}
    undecided, reasons = 0, {}
    for r in results:
        r = dataclasses.replace(r)
        total, seconds = total + r.examples, seconds + r.seconds
        undecided += r.undecided
        for why, n in r.undecided_reasons.items():
            reasons[why] = reasons.get(why, 0) + n
        r.undecided, r.undecided_reasons = undecided, dict(reasons)
        for label, n in r.events.items():
            events[label] = events.get(label, 0) + n
        r.subject, r.events = "", dict(events)
        if r.status not in ("holds", "survived", "no witness"):
            r.examples, r.seconds = total, seconds
            return r
        score = re.search(r"= (\S+)$", r.shown)
        key = float(score.group(1)) if score else -np.inf
        if best is None or key > best[0]:
            best = (key, r)
    r = best[1]
    r.examples, r.seconds, r.events = total, seconds, events
    each = f"the whole budget in each of the {len(results)} families of the zoo"
    r.message = {
        "holds": f"{claim.id} held on all {total} examples ({each}).",
        "survived": f"{claim.id} survived {total} examples without a counterexample ({each}).",
        "no witness": f"No witness for {claim.id} among {total} examples ({each}).",
    }[r.status]
    return r


def _observing(check: Callable, state: dict) -> Callable:
    """``check``, keeping (in ``state``) the example it passed nearest the bound (:func:`_keep_if_nearest`)."""

    def observed(ex):
        out = check(ex)
        _keep_if_nearest(state, ex)
        _count_events(state)
        return out

    return observed


def _count_events(state: dict) -> None:
    """Count the labels the check passed to ``event()`` on this example (the cases a claim tells apart)."""
    try:
        from hypothesis.control import current_build_context

        labels = list(current_build_context().data.events)
    except Exception:  # outside a Hypothesis run, or an API this version lacks
        return
    counts = state.setdefault("events", {})
    for label in labels:
        counts[label] = counts.get(label, 0) + 1


def _nearest(label: str, score: float) -> str:
    """The kept example's score in words: ``highest x = 3`` or, for a label ``-x`` (a quantity the search
    pushed down by raising its negative), ``lowest x = 0.02``."""
    if label[:1] in "-−" and len(label) > 1:
        quantity = label[1:].strip()
        if quantity.startswith("(") and quantity.endswith(")"):
            quantity = quantity[1:-1]
        return f"lowest {quantity} = {_fmt(-score)}"
    return f"highest {label} = {_fmt(score)}"


#: passing examples sampled (uniformly, by reservoir) for the representative one a report shows beside
#: the example nearest the bound: the sample's example of median score (the search's middle, neither
#: the edge it was steered to nor a trivial draw), skipping degenerate ones (an array of zeros)
TYPICAL_SAMPLE = 16


def _keep_if_nearest(state: dict, ex) -> None:
    """Keep ``ex`` when its score on the first label the check passed to ``target()`` is the highest yet,
    and in the uniform sample of non-degenerate passing examples (:data:`TYPICAL_SAMPLE`)."""
    try:
        from hypothesis.control import current_build_context

        observed = current_build_context().data.target_observations
    except Exception:  # outside a Hypothesis run, or an API this version lacks: no scores
        observed = {}
    if observed and state["label"] is None:
        state["label"] = next(iter(observed))
    score = observed.get(state["label"]) if observed else None
    if score is not None and (state["best"] is None or score > state["best"][0]):
        state["best"] = (float(score), ex)
    if "sample" in state and not degenerate_example(ex):
        # the sample's own random numbers (seeded by the claim): Hypothesis's draws are not touched
        state["seen"] += 1
        item = (float(score) if score is not None else None, state["seen"], ex)
        if len(state["sample"]) < TYPICAL_SAMPLE:
            state["sample"].append(item)
        else:
            j = state["rng"].randrange(state["seen"])
            if j < TYPICAL_SAMPLE:
                state["sample"][j] = item


def degenerate_example(ex) -> bool:
    """Whether an example has a numeric array that is all zeros: g = 0, U = 0."""
    if not isinstance(ex, dict):
        return False
    for v in ex.values():
        if isinstance(v, np.ndarray) and v.dtype.kind in "biuf" and v.size and not np.any(v):
            return True
        if isinstance(v, dict) and degenerate_example(v):
            return True
    return False


def _typical(state: dict, shown) -> dict | None:
    """The sampled passing example of median score (or the sample's middle draw without scores), unless
    it is the example already shown."""
    sample = state.get("sample") or []
    if not sample:
        return None
    scored = [s for s in sample if s[0] is not None]
    ranked = sorted(scored, key=lambda s: (s[0], s[1])) if scored else sorted(sample, key=lambda s: s[1])
    ex = ranked[(len(ranked) - 1) // 2][2]
    return None if ex is shown else ex


def expect_same(a, b, *, scale: float, terms: int, depth: int = 1, what: str, member=None) -> None:
    """Fail unless two computations of one value agree: ‖a − b‖ within the round-off bound of
    :func:`overparam.parameterizations.numerics.roundoff` for a value of size ``scale`` computed by ``depth``
    rounded products of ``terms`` terms; ``what`` names the difference (``jvp(w, dw) − J·dw``).

    The catalogue's own comparison of a library product with its formula; a conjecture states an
    equality with :func:`overparam.theorems.expect_close` (a band, and a search steered toward a gap).
    """
    __tracebackhide__ = True
    from overparam.parameterizations.numerics import close

    _compared()
    ok, diff, bound = close(a, b, scale, terms, depth)
    if ok:
        return
    if currently_in_test_context():  # noted on failure only: formatting every example's note costs
        note(f"{what}: ‖difference‖={diff:.3g}, round-off bound={bound:.3g} (scale={scale:.3g}, terms={terms}, "
             f"depth={depth})")
    expect(diff, "<=", bound, f"‖{what}‖", context="(round-off)", member=member)
