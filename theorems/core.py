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
Hypothesis draws a replacement. A claim's own example budget is written for the ``default``
profile's 100 examples and scales with larger profiles (:func:`claim_budget`).
"""

from __future__ import annotations

import dataclasses
import io
import json
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

__all__ = [
    "Claim",
    "Result",
    "run_seed",
    "ClaimFailed",
    "Undecided",
    "undecided",
    "Violation",
    "expect",
    "expect_close",
    "run_claim",
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

#: the example budget a claim's own ``max_examples`` is written for: the ``default`` profile's
REFERENCE_EXAMPLES = 100


def scaled_budget(own: int, profile_examples: int) -> int:
    """A claim's own example budget under a profile: ``own × profile_examples / 100``, rounded, at least 1.

    A claim whose examples are expensive (a descent experiment each) sets a small budget for the
    ``default`` profile's 100; ``thorough`` (2,000) then runs 20 times as many, ``ci`` (100) as many.
    """
    return max(1, round(own * profile_examples / REFERENCE_EXAMPLES))


def claim_budget(claim: Claim, profile_examples: int) -> int:
    """The examples ``claim`` runs under a profile of ``profile_examples`` a property.

    A larger profile than the reference (100) scales every budget (:func:`scaled_budget` for a
    claim's own). A smaller one (``quick``) shortens only a holds claim that is not a rate: a true
    statement holds at any budget, and the power a budget buys is tested at ``quick``'s
    (tests/test_claim_power.py). A search (exists, open) and a rate keep the reference's budget (or
    their own), so that their verdicts do not depend on the profile.
    """
    own = claim.settings.get("max_examples")
    if (claim.kind == "holds" and claim.rate is None) or profile_examples > REFERENCE_EXAMPLES:
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


@dataclass(frozen=True)
class Violation:
    """The quantity that decided a failure: ``what`` was ``value``, but should be ``op bound``.

    ``op`` is the symbol the message prints (≥, >, ≤, <, =, ≠); ``value`` is NaN or ±inf
    when the quantity was not finite.
    """

    what: str
    value: float
    op: str
    bound: float


class ClaimFailed(AssertionError):
    """A claim's property failed on an example; the message is a full sentence.

    Raised by :func:`expect` with the violated quantity as fields (``what``, ``value``,
    ``op``, ``bound``, together :attr:`violation`); a check that raises it with only a
    message leaves them ``None``.
    """

    def __init__(self, message: str, *, what: str | None = None, value=None, op: str | None = None,
                 bound=None):
        super().__init__(message)
        self.what, self.value, self.op, self.bound = what, value, op, bound

    @property
    def violation(self) -> Violation | None:
        """The fields as one :class:`Violation`, when they are numbers."""
        try:
            return Violation(str(self.what), float(self.value), str(self.op), float(self.bound))
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

    The message follows one pattern: ``cos=-0.3, but should be ≥ 0 [C24, two-layer k=3 d=2]``;
    the runner appends the bracket with the claim id and the example's label. ``context``
    is appended to the sentence as it is; ``member`` (a parameterization) as ``[its label]``.
    The :class:`ClaimFailed` raised carries ``what``, ``value``, ``op`` and ``bound``.
    """
    __tracebackhide__ = True
    if op not in _OPS:
        raise ValueError(f"op must be one of {list(_OPS)}, but got {op!r}")
    test, sym = _OPS[op]
    if member is not None:
        context = f"{context} [{member.label}]"
    v = float(value) if np.ndim(value) == 0 else value
    if np.ndim(v) == 0 and not np.isfinite(v):
        raise ClaimFailed(f"{what}={v} is not finite, but should be {sym} {_fmt(bound)}{context}",
                          what=what, value=v, op=sym, bound=bound)
    if not test(v, bound):
        raise ClaimFailed(f"{what}={_fmt(v, bound)}, but should be {sym} {_fmt(bound, v)}{context}",
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
        plot: ``plot(example, fig)`` draws the picture for the claim's page.
        definitions: for open claims, what "near", "converges", … mean here.
        known_failure: why a refutation is expected (data, not a skip).
        rate: for a tendency claim (kind open), the rule that decides it from the rate of its
            criterion over the examples (:class:`overparam.theorems.rates.RateRule`); the check then
            states the criterion of one example (failing it counts a miss) or returns the
            outcomes of its trials (see :func:`run_claim`).
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
    _zoo_strategy: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, but got {self.kind!r} [{self.id}]")
        if self.rate is not None and self.kind != "open":
            raise ValueError(f"rate must be given to open claims only, but {self.id} is a {self.kind} claim")

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
            from .examples import per_model

            return params.flatmap(per_model(self.strategy))
        from overparam.parameterizations import family_strategies

        from .examples import per_model

        if self._zoo_strategy is None:
            self._zoo_strategy = st.one_of(*family_strategies(3).values()).flatmap(per_model(self.strategy))
        return self._zoo_strategy

    def passing(self, status: str) -> bool:
        """Whether a result with this status keeps the suite green."""
        return status in STATUS_PASSING[self.kind]

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

    def __post_init__(self):
        if isinstance(self.violation, dict):  # read back from JSON
            self.violation = Violation(**self.violation)

    @property
    def passing(self) -> bool:
        """Whether this status keeps the suite green (:data:`STATUS_PASSING`)."""
        return self.status in STATUS_PASSING.get(self.kind, ())

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
            if "cut" in r:  # a designed rule: the count against its cut
                label = f"{self.status}: {r['met']} of {r['decided']} met (survives at ≥ {r['cut']} of {r['n']})"
            missing = r["undecided"]
        else:
            label = f"survived {self.examples}" if self.status == "survived" else self.status
            missing = self.undecided
        return label + (f" ({missing} undecided)" if missing else "")

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
    if claim.general and param is None and params is None:
        from .power import CONSISTENCY_CHECKS

        if claim.id not in CONSISTENCY_CHECKS:  # no library bug reaches those: one search over the zoo
            return _run_per_family(claim, overrides)
    strategy = claim.example_strategy(param, params)
    rule = claim.rate
    if rule is not None and rule.designed:
        strategy = st.just({"seed": run_seed(claim, overrides)})
    state: dict[str, Any] = {"calls": 0, "ex": None, "first": None, "label": None, "best": None, "undecided": 0,
                             "reasons": {}, "counts": {}, "miss": None}
    subject = param.label if param is not None else (subject_of(params) if params is not None else "")
    state["rule"] = rule
    claim = dataclasses.replace(claim, check=_observing(claim.check, state))

    # Under the derandomized ci profile, Hypothesis seeds its search with a digest of this function's
    # source and of the digest added below: edited, every claim would draw other examples.
    def body(ex):
        state["calls"] += 1
        state["ex"] = ex
        try:
            out = claim.check(ex)
            if isinstance(out, str) and out == NOT_DIFFERENTIABLE:
                raise Undecided(KINK_REASON)
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
    test = settings(_profile_settings(claim, overrides))(given(strategy)(body))
    key = _database_key(claim, subject)
    test._hypothesis_internal_database_key = key
    db = test._hypothesis_internal_use_settings.database
    saved = db is not None and next(iter(db.fetch(key)), None) is not None  # a failure to replay first
    out = io.StringIO()
    t0 = time.perf_counter()
    status, message, example, violation = "", "", None, None
    caught: BaseException | None = None
    with with_reporter(lambda s: out.write(str(s) + "\n")):
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
            caught = e
            status, message = "error", f"no valid example could be drawn: {e}"
            if state["undecided"] and state["calls"] == state["undecided"]:
                message = (f"no example decided {claim.id}: all {state['undecided']} drawn were undecided "
                           f"({_reasons(state)})")
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
    shown = ""
    if example is not None and rule is not None and caught is None:
        shown = "the first example that missed the criterion"
    elif caught is None:
        if state["best"] is not None:
            score, example = state["best"]
            shown = f"the example nearest the bound: highest {state['label']} = {_fmt(score)}"
        else:
            example, shown = state["ex"], "the last example tried"
    label = example_label(example)
    if status in ("refuted", "error", "witness found"):
        tag = f" [{claim.id}{', ' + label if label else ''}]"
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
                  dict(sorted(state.get("events", {}).items(), key=lambda kv: -kv[1])))


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
        if rate["decided"] < rule.n:
            because = f"fewer than {rule.n} decided within {rule.draws} draws"
        elif rate["met"] >= rule.cut:
            because = f"at least {rule.cut} of {rule.n} met"
        else:
            because = f"fewer than {rule.cut} of {rule.n} met"
        trend = rate.get("trend")
        if trend is not None:
            because += (f"; the rate at {trend['first']} above the one{where}: one-sided Fisher p = {trend['p']:.3g} "
                        f"({'≤' if trend['p'] <= trend['level'] else '>'} {trend['level']:g})")
        e_s, e_r = rate["errors"]
        seed = (state.get("ex") or {}).get("seed")
        text = (f"{claim.id} {rate['verdict']}: {rate['met']} of {rate['decided']} {rule.trial}s{where} met the "
                f"criterion ({value}, {pct} interval [{rate['lo']:.3g}, {rate['hi']:.3g}]; {because}; threshold "
                f"{rule.threshold:g}, P(survived | {rule.short:g}) = {e_s:.3f}, P(refuted | {rule.claimed:g}) = "
                f"{e_r:.3f}); problems i.i.d.: {rule.distribution}" + (f"; seed {seed}" if seed is not None else ""))
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



def _run_per_family(claim: Claim, overrides: dict | None) -> Result:
    """A general claim over the zoo: the whole budget for each family in turn, up to the first failure.

    One search over the zoo gives each family about a ninth of the budget, unevenly (Hypothesis's
    choice between strategies is not uniform: some runs drew one family twice in 100 examples), so
    a bug in one family was missed in about four runs of ten. The merged result counts every example
    tried; a failure (or witness) keeps its family's example and message, a run without one the
    example nearest the bound over all families.
    """
    from overparam.parameterizations import family_strategies

    total, seconds, best, families, events = 0, 0.0, None, family_strategies(3), {}
    undecided, reasons = 0, {}
    for family, members in families.items():
        r = run_claim(claim, params=members, overrides=overrides)
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
    each = f"the whole budget in each of the {len(families)} families of the zoo"
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


def _keep_if_nearest(state: dict, ex) -> None:
    """Keep ``ex`` when its score on the first label the check passed to ``target()`` is the highest yet."""
    try:
        from hypothesis.control import current_build_context

        observed = current_build_context().data.target_observations
    except Exception:  # outside a Hypothesis run, or an API this version lacks: no scores
        return
    if not observed:
        return
    if state["label"] is None:
        state["label"] = next(iter(observed))
    score = observed.get(state["label"])
    if score is not None and (state["best"] is None or score > state["best"][0]):
        state["best"] = (float(score), ex)


def expect_close(a, b, *, scale: float, terms: int, depth: int = 1, what: str, member=None) -> None:
    """Fail unless ‖a − b‖ is within the round-off bound of :func:`overparam.parameterizations.numerics.roundoff`
    for a value of size ``scale`` computed by ``depth`` rounded products of ``terms`` terms."""
    __tracebackhide__ = True
    from overparam.parameterizations.numerics import close

    ok, diff, bound = close(a, b, scale, terms, depth)
    if ok:
        return
    if currently_in_test_context():  # noted on failure only: formatting every example's note costs
        note(f"{what}: ‖difference‖={diff:.3g}, round-off bound={bound:.3g} (scale={scale:.3g}, terms={terms}, "
             f"depth={depth})")
    expect(diff, "<=", bound, f"‖{what}‖", context=" (round-off)", member=member)
