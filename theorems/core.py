"""Claims, their results, and the runner that decides them with Hypothesis.

A claim is a plain function of one drawn *example* (a dict of named values) plus
the data that says what it is: id, kind, statement, section, and the strategy that
draws examples. The function states the property with :func:`expect`:

* kind ``holds``: every example must pass; a failure is shrunk and reported.
* kind ``exists``: the function returns a truthy description when the example is
  a witness; the runner raises on it, so Hypothesis searches for, shrinks and
  keeps the smallest witness it finds.
* kind ``open``: as ``holds``, but the verdict (refuted, or survived N examples)
  is a finding, not a failure of the suite.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Literal

import numpy as np
from hypothesis import HealthCheck, Phase, currently_in_test_context, given, note, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from hypothesis.reporting import with_reporter

__all__ = [
    "Claim",
    "Result",
    "ClaimFailed",
    "expect",
    "expect_close",
    "run_claim",
    "KINDS",
    "STATUS_PASSING",
]

Kind = Literal["holds", "exists", "open"]
KINDS = ("holds", "exists", "open")

#: statuses that keep pytest green, per kind
STATUS_PASSING = {
    "holds": {"holds"},
    "exists": {"witness found"},
    "open": {"refuted", "survived"},
}

_OPS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    ">=": (lambda a, b: a >= b, "≥"),
    ">": (lambda a, b: a > b, ">"),
    "<=": (lambda a, b: a <= b, "≤"),
    "<": (lambda a, b: a < b, "<"),
    "==": (lambda a, b: a == b, "="),
    "!=": (lambda a, b: a != b, "≠"),
}


class ClaimFailed(AssertionError):
    """A claim's property failed on an example; the message is a full sentence."""


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


def expect(value, op: str, bound, what: str, *, context: str = "") -> None:
    """Fail the current claim unless ``value op bound``.

    The message follows one pattern: ``cos=-0.3, but should be ≥ 0 [C24, two-layer k=3 d=2]``;
    the runner appends the bracket with the claim id and the example's label.
    """
    __tracebackhide__ = True
    test, sym = _OPS[op]
    v = float(value) if np.ndim(value) == 0 else value
    if np.ndim(v) == 0 and not np.isfinite(v):
        raise ClaimFailed(f"{what}={v} is not finite, but should be {sym} {_fmt(bound)}{context}")
    if not test(v, bound):
        raise ClaimFailed(f"{what}={_fmt(v, bound)}, but should be {sym} {_fmt(bound, v)}{context}")


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
    _zoo_strategy: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, but got {self.kind!r} [{self.id}]")

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
        from parameterizations import family_strategies

        from .examples import per_model

        if self._zoo_strategy is None:
            self._zoo_strategy = st.one_of(*family_strategies(3).values()).flatmap(per_model(self.strategy))
        return self._zoo_strategy

    def passing(self, status: str) -> bool:
        """Whether a result with this status keeps the suite green."""
        return status in STATUS_PASSING[self.kind]


@dataclass
class Result:
    """What running one claim found."""

    id: str
    kind: str
    status: str  # holds | witness found | refuted | survived | no witness | error | pending
    examples: int = 0
    seconds: float = 0.0
    message: str = ""
    example: dict | None = None  # counterexample, witness, or (passing) the last example tried
    report: str = ""  # what Hypothesis printed: the falsifying example and note() output
    label: str = ""  # the example's parameterization, if any
    subject: str = ""  # what it ran over when not the whole zoo (check_parameterization)
    set_aside: int = 0  # examples not judged, e.g. ψ not differentiable there: neither passed nor failed

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


def _profile_settings(claim: Claim, overrides: dict | None) -> settings:
    base = settings()  # the active profile
    kw = dict(claim.settings)
    kw.update(overrides or {})
    if claim.kind == "exists":
        # a witness search has nothing to explain
        kw.setdefault("phases", tuple(p for p in base.phases if p is not Phase.explain))
    # one failure, the shrunk one, is what a verdict is about
    kw.setdefault("report_multiple_bugs", False)
    kw.setdefault("suppress_health_check", tuple(base.suppress_health_check) + (HealthCheck.differing_executors,))
    return settings(base, **kw)


def run_claim(claim: Claim, *, param=None, params=None, overrides: dict | None = None) -> Result:
    """Decide ``claim`` with Hypothesis under the active settings profile.

    Args:
        claim: the catalogue entry.
        param: for a general claim, the parameterization to run it over (default: the zoo).
        params: for a general claim, a strategy of parameterizations to run it over.
        overrides: Hypothesis settings that replace the profile's (e.g. ``max_examples``).

    Returns:
        A :class:`Result`. An exception that is not a claim failure (a bug) gives
        status ``error`` with the example that raised it.
    """
    if not claim.decided:
        return Result(claim.id, claim.kind, "pending", message=f"{claim.id} has no property yet.")
    strategy = claim.example_strategy(param, params)
    state: dict[str, Any] = {"calls": 0, "ex": None, "first": None}
    subject = param.label if param is not None else (subject_of(params) if params is not None else "")

    def body(ex):
        state["calls"] += 1
        state["ex"] = ex
        try:
            out = claim.check(ex)
            if claim.kind == "exists" and out:
                raise _Witness(out if isinstance(out, str) else "witness")
        except BaseException:
            if state["first"] is None:  # examples tried until the first failure
                state["first"] = state["calls"]
            raise

    # one database key per claim (and parameterization): the runner's body is shared
    body._hypothesis_internal_add_digest = f"{claim.id}|{subject}".encode()
    test = settings(_profile_settings(claim, overrides))(given(strategy)(body))
    out = io.StringIO()
    t0 = time.perf_counter()
    status, message, example = "", "", None
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
            message = str(e)
        except Unsatisfiable as e:
            caught = e
            status, message = "error", f"no valid example could be drawn: {e}"
        except Exception as e:  # a bug, not a verdict: keep the example that raised it
            caught = e
            status, example = "error", state["ex"]
            message = f"{type(e).__name__}: {e}"
        else:
            example = state["ex"]  # the last example tried: one it held on
            status = {"holds": "holds", "open": "survived", "exists": "no witness"}[claim.kind]
            message = {
                "holds": f"{claim.id} held on all {state['calls']} examples.",
                "open": f"{claim.id} survived {state['calls']} examples without a counterexample.",
                "exists": f"No witness for {claim.id} among {state['calls']} examples.",
            }[claim.kind]
    seconds = time.perf_counter() - t0
    if caught is not None:  # Hypothesis attaches the falsifying example and note()s here
        out.write("\n".join(str(n) for n in getattr(caught, "__notes__", [])))
    examples = state["calls"] if state["first"] is None else state["first"]
    label = example_label(example)
    if status in ("refuted", "error", "witness found"):
        tag = f" [{claim.id}{', ' + label if label else ''}]"
        if not message.endswith("]"):
            message = message + tag
    return Result(claim.id, claim.kind, status, examples, seconds, message, example,
                  out.getvalue(), label, subject)


def expect_close(a, b, *, scale: float, terms: int, depth: int = 1, what: str) -> None:
    """Fail unless ‖a − b‖ is within the round-off bound of :func:`parameterizations.numerics.roundoff`."""
    __tracebackhide__ = True
    from parameterizations.numerics import close

    ok, diff, bound = close(a, b, scale, terms, depth)
    if not ok and currently_in_test_context():  # noted on failure only: formatting every note costs
        note(f"{what}: ‖difference‖={diff:.3g}, round-off bound={bound:.3g} (scale={scale:.3g}, terms={terms}, "
             f"depth={depth})")
        raise ClaimFailed(f"‖{what}‖={diff:.3g}, but should be ≤ {bound:.3g} (round-off)")
