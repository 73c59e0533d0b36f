"""Replay a saved example: call the claim's check on it again, exactly as the runner did.

``python -m overparam.reports replay RECORD.json`` loads the record, finds the claim (the
catalogue, the interface checks, the record's ``--include`` files, or the check's
own module or source file), and calls the check once on the saved example inside a
one-example Hypothesis test (so that ``note``/``event``/``target`` work as during
the search). A counterexample raises its failure again; a witness is accepted
again. The record's id, kind and check must name one claim: a record renamed by
hand, or one whose check belongs to another claim, is refused. The exit status is
1 when the check fails on the example (for an exists claim: when the example is no
longer a witness), 0 when it passes, 2 when the record cannot be replayed.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path

from overparam.theorems.core import Claim, ClaimFailed, Undecided, example_label, name_the_claim, outcomes_of
from overparam.theorems.rates import Count
from overparam.theorems.records import current_name

from .records import Record, check_reference, load_record
from .usage import Parser

__all__ = ["Replay", "replay", "reproduce", "resolve_claim", "import_file", "known_claims", "broken_example", "main"]

#: arrays of an example whose length a model fixes: the parameters and the canonical vectors
_SIZES = {"w": "n_params", "w2": "n_params", "dw": "n_params", "g": "n_canonical", "theta": "n_canonical"}


@dataclass
class Replay:
    """What calling the check on the saved example did.

    Attributes:
        outcome: ``failed`` (the check raised, or a tendency claim's example missed its
            criterion), ``passed`` (it returned and, for an exists claim, did not accept the
            example), ``witness`` (an exists claim accepted the example), or ``undecided``
            (the check declared that the example decides nothing).
        message: the failure's or witness's sentence, tagged ``[id, label]`` as the runner tags it.
        recorded: the message saved in the record.
        error: the exception the check raised, with Hypothesis's notes attached.
        notes: the falsifying-example text and the ``note()`` output.
    """

    outcome: str
    message: str
    recorded: str
    claim: Claim
    error: BaseException | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        """Whether the replay ended with the recorded message."""
        return self.message == self.recorded

    @property
    def failed(self) -> bool:
        """True when the check fails on the example (an exists claim: it is not a witness)."""
        if self.claim.kind == "exists":
            return self.outcome != "witness"
        return self.outcome == "failed"


def import_file(path) -> object:
    """Import a Python file by path (e.g. one that registers claims with ``@claim``)."""
    path = Path(path).resolve()
    if not path.is_file():
        raise ValueError(f"include must be an existing Python file, but {path} does not exist")
    name = "overparam_include_" + "".join(c if c.isalnum() else "_" for c in str(path))
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    finally:
        sys.path.remove(str(path.parent))
    return module


def known_claims() -> list[Claim]:
    """The catalogue and the interface checks (J1, J2)."""
    from overparam.theorems.listing import catalogue
    from overparam.theorems.conformance import interface_checks

    return catalogue() + interface_checks()


def _load_check(ref: str, source: str):
    module, _, qualname = current_name(ref).partition(":")
    if not qualname or "<locals>" in qualname:
        return None
    try:
        obj = importlib.import_module(module)
    except ImportError:
        if not source or not Path(source).is_file():
            return None
        obj = import_file(source)
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _agree(record: Record, claim: Claim) -> Claim:
    """``claim``, if the record's id, kind and check are its own; else a one-line ``ValueError``."""
    r = record.result
    ref = check_reference(claim)[0]
    # the check's name; its module may differ (a check loaded from its source file gets a module of its own)
    other_check = bool(record.check and ref) and ref.partition(":")[2] != record.check.partition(":")[2]
    if claim.id != r.id or claim.kind != r.kind or other_check:
        raise ValueError(f"a record must agree with the claim it replays, but the record says {r.id} ({r.kind}, "
                         f"check {record.check or 'not named'}) and the claim is {claim.id} ({claim.kind}, "
                         f"check {ref or 'none'})")
    return claim


def resolve_claim(record: Record) -> Claim:
    """The claim whose check produced ``record``, verified against it.

    Imports the record's include files, then the check from its module (or, when
    that module cannot be imported, from its source file): a check registered with
    ``@claim`` carries its claim; a check of the project's own (the interface checks)
    is looked up in :func:`known_claims`; a check known to neither is wrapped in a
    claim with the record's id and kind, unless that id belongs to a known claim. A
    record without a check is looked up by id.

    Raises:
        ValueError: the record's id, kind and check do not name one claim (a record
            renamed by hand, or written by another version of the claim), or no claim is found.
    """
    for path in record.includes:
        import_file(path)
    r = record.result
    known = {c.id: c for c in known_claims()}
    fn = _load_check(record.check, record.source) if record.check else None
    if fn is not None:
        owner = getattr(fn, "claim", None)
        if not isinstance(owner, Claim):
            owner = next((c for c in known.values() if c.check is fn), None)
        if owner is not None:
            return _agree(record, owner)
        if r.id in known:
            return _agree(record, known[r.id])  # the id is a known claim's, the check is not: refused
        return Claim(id=r.id, kind=r.kind, statement=record.statement, section=record.section or "replay",
                     check=fn, name=getattr(fn, "__name__", ""))
    if r.id in known:
        return _agree(record, known[r.id])
    raise ValueError(f"record must name a claim that can be found, but {r.id} is neither in the catalogue "
                     f"nor importable from {record.check or 'its record'!r}")


def _reference(claim: Claim, example: dict):
    """One example drawn from the claim's strategy (for a general claim, of the record's model), or None."""
    from hypothesis import HealthCheck, Phase, find, settings

    param = example.get("param")
    try:
        strategy = claim.example_strategy(param=param) if claim.general and hasattr(param, "n_params") \
            else claim.example_strategy()
        return find(strategy, lambda _: True, settings=settings(database=None, max_examples=5, phases=(Phase.generate,),
                                                                 suppress_health_check=list(HealthCheck)))
    except Exception:  # a strategy that draws nothing here: only the model's sizes are checked
        return None


def broken_example(claim: Claim, example) -> str:
    """Why a record's example cannot be one of the claim's examples ("" when it can): a value missing
    or added by hand (the claim's own examples have other names), or an array whose length does not
    fit the example's model (e.g. its size edited in the record)."""
    import numpy as np

    if not isinstance(example, dict):
        return ""
    ref = _reference(claim, example)
    if isinstance(ref, dict):
        missing, extra = sorted(set(ref) - set(example)), sorted(set(example) - set(ref))
        if missing:
            return f"its example lacks {', '.join(missing)}, which every example of {claim.id} has"
        if extra:
            return f"its example has {', '.join(extra)}, which no example of {claim.id} has"
    param = example.get("param")
    if not hasattr(param, "n_params"):
        return ""
    ref_param = ref.get("param") if isinstance(ref, dict) else None
    for key, size in _SIZES.items():
        v = example.get(key)
        if not isinstance(v, np.ndarray):
            continue
        if ref_param is not None:  # only where the claim's own examples tie this array to the model
            r = ref.get(key)
            if not (isinstance(r, np.ndarray) and r.shape == (getattr(ref_param, size),)):
                continue
        n = getattr(param, size)
        if v.shape != (n,):
            return f"its {key} has shape {v.shape}, but its model {param.label} takes {key} of shape ({n},)"
    return ""


def _tag(claim: Claim, example, message: str) -> str:
    label = example_label(example)
    if message.endswith("]"):
        return message
    return message + f" [{claim.id}{', ' + label if label else ''}]"


def replay(record, *, claim: Claim | None = None) -> Replay:
    """Call the claim's check once on the record's example.

    Args:
        record: a :class:`Record` or the path of a record file.
        claim: the claim to use (default: :func:`resolve_claim`), e.g. a test's own claim object.
    """
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st
    from hypothesis.reporting import with_reporter

    if not isinstance(record, Record):
        record = load_record(record)
    if record.result.example is None:
        raise ValueError(f"record must hold an example, but the record of {record.result.id} "
                         f"({record.result.status}) has none")
    if record.lossy:
        raise ValueError(f"record must hold every value of the example exactly, but {', '.join(record.lossy)} "
                         f"were saved as text only; replay with: {record.pytest_command}")
    claim = _agree(record, claim) if claim is not None else resolve_claim(record)
    if claim.check is None:
        raise ValueError(f"claim must have a check to replay, but {claim.id} is pending")
    example = record.result.example
    broken = broken_example(claim, example)
    if broken:
        raise ValueError(f"broken record: {broken} (the record was edited, or written for another version of "
                         f"{claim.id})")
    state: dict = {}

    def body(ex):  # noqa: ARG001  (named as the runner names it, for the printed example)
        state["value"] = claim.check(example)

    once = settings(max_examples=1, database=None, deadline=None, derandomize=True,
                    phases=(Phase.explicit, Phase.generate), suppress_health_check=list(HealthCheck),
                    report_multiple_bugs=False)
    test = once(given(st.just(example))(body))
    printed: list[str] = []
    with with_reporter(lambda s: printed.append(str(s))):
        try:
            test()
        except Undecided as u:
            return Replay("undecided", f"the example decides nothing about {claim.id}: {u.reason}",
                          record.result.message, claim, None, printed)
        except Exception as e:  # the failure being replayed
            status = "refuted" if isinstance(e, ClaimFailed) else "error"
            notes = [name_the_claim(n, claim, status) for n in printed + [str(n) for n in getattr(e, "__notes__", [])]]
            msg = str(e) if isinstance(e, ClaimFailed) else f"{type(e).__name__}: {e}"
            return Replay("failed", _tag(claim, example, msg), record.result.message, claim, e, notes)
    out = state.get("value")
    if claim.kind == "exists" and out:
        msg = _tag(claim, example, out if isinstance(out, str) else "witness")
        return Replay("witness", msg, record.result.message, claim, None,
                      [name_the_claim(n, claim, "witness found") for n in printed])
    if claim.rate is not None:  # a tendency claim's check may return its outcomes instead of raising
        c = Count.of(outcomes_of(claim.rate, out).get(claim.rate.series, True))
        if c.decided > c.met:
            where = f" at {claim.rate.series}" if claim.rate.series else ""
            return Replay("failed", _tag(claim, example, f"the example misses the criterion of {claim.id}{where}: "
                                                         f"{claim.rate.criterion}"),
                          record.result.message, claim, None, printed)
    what = "is not a witness of" if claim.kind == "exists" else "satisfies"
    return Replay("passed", f"the example {what} {claim.id}", record.result.message, claim, None, printed)


def reproduce(record, *, claim: Claim | None = None) -> Replay:
    """:func:`replay`, raising the check's exception again when it fails (or ``AssertionError``
    when an exists claim no longer accepts its witness)."""
    rep = replay(record, claim=claim)
    if rep.error is not None:
        raise rep.error
    if rep.failed:
        raise AssertionError(f"{rep.message}, but the record says: {rep.recorded}")
    return rep


def main(argv: list[str]) -> int:
    """``python -m overparam.reports replay RECORD.json [--include FILE.py] [--raise]``."""
    parser = Parser(
        prog="python -m overparam.reports replay",
        description="Call a claim's check again on the example saved in a record (JSON) of the report.",
        epilog="Exit status: 1 when the check fails on the example (an exists claim: when the example is no "
               "longer a witness), 0 when it passes (or the witness is accepted), 2 when the record cannot be "
               "replayed (unreadable, incomplete, or its id, kind and check do not name one claim).")
    parser.add_argument("record", help="a record file, e.g. reports/out/C13.json")
    parser.add_argument("--include", action="append", default=[], metavar="FILE.py",
                        help="import FILE.py first (it registers claims with @claim); repeatable")
    parser.add_argument("--raise", dest="reraise", action="store_true",
                        help="let the check's exception propagate, with its traceback (for a debugger)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return int(e.code or 0)
    try:
        for path in args.include:
            import_file(path)
        record = load_record(args.record)
        claim = resolve_claim(record)
        if args.reraise and record.result.example is not None:
            broken = broken_example(claim, record.result.example)
            if broken:
                raise ValueError(f"broken record: {broken}")
        rep = None if args.reraise else replay(record, claim=claim)
    except Exception as e:  # an input that cannot be replayed: one line, not a traceback
        text = str(e) if isinstance(e, ValueError) else f"{type(e).__name__}: {e}"
        print(f"python -m overparam.reports replay: error: {text}", file=sys.stderr)
        return 2
    if rep is None:
        reproduce(record, claim=claim)
        return 0
    r = record.result
    print(f"{r.id} ({claim.kind}), recorded as {r.status}: {r.message}")
    for n in rep.notes:  # the example as Hypothesis prints it, and the check's note() output
        print(n)
    was_failure = r.status in ("refuted", "error")
    same = " (same message as recorded)" if rep.same else ""
    if rep.outcome == "failed":
        how = "fails again" if was_failure else f"fails on this example (recorded as {r.status})"
        print(f"{r.id} {how}{same}: {rep.message}", file=sys.stderr)
    elif rep.outcome == "witness":
        print(f"{r.id}: the witness is accepted again{same}: {rep.message}")
    elif claim.kind == "exists":
        print(f"{r.id}: {rep.message} (recorded as {r.status})", file=sys.stderr)
    elif was_failure:
        print(f"{r.id}: {rep.message}: the recorded failure no longer happens")
    else:
        print(f"{r.id}: {rep.message}, as recorded")
    return 1 if rep.failed else 0
