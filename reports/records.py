"""Counterexample records: one JSON file per result, exact enough to replay.

A record holds the :class:`overparam.theorems.Result` (through :mod:`overparam.theorems.records`, so
arrays keep dtype, shape and every bit), where the claim's check lives, the files
that registered extra claims, and the pytest command that replays the failure
from Hypothesis's example database.

:mod:`overparam.theorems.records` stores any object it does not know as its ``repr``; a
record lists such values (``Record.lossy``): an example with one cannot be replayed
from its record.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass, field
from pathlib import Path

from overparam.theorems.core import Claim, Result
from overparam.theorems.records import result_from_dict, result_to_dict

__all__ = ["FORMAT", "Record", "make_record", "save_record", "load_record", "lossy_paths", "check_reference"]

#: the ``format`` field of every record this module writes
FORMAT = "overparam-record/1"


@dataclass
class Record:
    """A result with what is needed to replay it.

    Attributes:
        result: the result, with its example (counterexample, witness, or one it held on).
        check: ``module:qualname`` of the claim's check function.
        source: the file that defines the check (to load it when the module cannot be imported).
        statement, section: the claim's, for the reader of the file.
        includes: files that registered extra claims (``--include``); replay imports them first.
        nodeid: the pytest node id that ran the claim, if it ran under pytest.
        pytest_command: the command that replays the failure from Hypothesis's database.
        lossy: paths in the example (``loss.fn``) kept only as text.
    """

    result: Result
    check: str = ""
    source: str = ""
    statement: str = ""
    section: str = ""
    includes: list[str] = field(default_factory=list)
    nodeid: str = ""
    pytest_command: str = ""
    lossy: list[str] = field(default_factory=list)

    @property
    def replayable(self) -> bool:
        """Whether the record holds an example and every value of it exactly."""
        return self.result.example is not None and not self.lossy


def check_reference(claim: Claim) -> tuple[str, str]:
    """(``module:qualname``, source file) of the claim's check, or empty strings."""
    fn = claim.check
    if fn is None:
        return "", ""
    ref = f"{getattr(fn, '__module__', '')}:{getattr(fn, '__qualname__', '')}"
    try:
        source = inspect.getsourcefile(fn) or ""
    except TypeError:
        source = ""
    return ref, str(Path(source).resolve()) if source else ""


def lossy_paths(encoded, prefix: str = "") -> list[str]:
    """Paths (``a.b.0``) of values that JSON keeps only as their repr."""
    from overparam.theorems.records import to_jsonable

    def walk(j, path):
        if isinstance(j, dict):
            if "__repr__" in j and len(j) == 1:
                return [path or "(example)"]
            out = []
            for k, v in j.items():
                out += walk(v, f"{path}.{k}" if path else str(k))
            return out
        if isinstance(j, list):
            return [p for i, v in enumerate(j) for p in walk(v, f"{path}.{i}" if path else str(i))]
        return []

    return walk(to_jsonable(encoded), prefix)


def make_record(result: Result, claim: Claim | None, *, nodeid: str = "", includes=(), extra_lossy=()) -> Record:
    """The record of ``result``, with the check's location taken from ``claim``.

    ``extra_lossy`` names values already reduced to text before they reached here (a
    result that travelled through JSON, as from a pytest run).
    """
    ref, source = check_reference(claim) if claim is not None else ("", "")
    if nodeid:
        command = f'python -m pytest "{nodeid}"'
    else:
        command = f"python -m pytest -k {result.id}"
    lossy = lossy_paths(result.example) if result.example is not None else []
    lossy = sorted(set(lossy) | set(extra_lossy))
    return Record(result=result, check=ref, source=source,
                  statement=claim.statement if claim else "", section=claim.section if claim else "",
                  includes=[str(Path(p).resolve()) for p in includes], nodeid=nodeid,
                  pytest_command=command, lossy=lossy)


def save_record(record: Record, path) -> Path:
    """Write ``record`` as JSON (floats as shortest round-trip reprs, NaN and ±inf kept)."""
    r = record.result
    body = {
        "format": FORMAT,
        "result": result_to_dict(r),
        "claim": {"id": r.id, "kind": r.kind, "statement": record.statement, "section": record.section,
                  "check": record.check, "source": record.source},
        "includes": record.includes,
        "pytest": {"nodeid": record.nodeid, "command": record.pytest_command},
        "lossy": record.lossy,
        "replay": f"python -m overparam.reports replay {Path(path).name}",
    }
    path = Path(path)
    path.write_text(json.dumps(body, indent=1, ensure_ascii=False, allow_nan=True) + "\n", encoding="utf-8")
    return path


def load_record(path) -> Record:
    """Read a record written by :func:`save_record`; the example is rebuilt exactly.

    Raises:
        ValueError: one line — the file cannot be read, is not JSON, is not a record, misses
            a field, or says two different things about which claim it is.
    """
    path = Path(path)
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ValueError(f"path must be a counterexample record (JSON), but reading {path} failed: {e}") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        got = body.get("format") if isinstance(body, dict) else type(body).__name__
        raise ValueError(f"path must be a record of format {FORMAT}, but {path} has format {got!r}")
    raw = body.get("result")
    missing = [k for k in ("id", "kind", "status", "message", "example") if not isinstance(raw, dict) or k not in raw]
    if missing:
        raise ValueError(f"a record must have the result fields id, kind, status, message and example, but {path} "
                         f"lacks {', '.join(missing)}")
    try:
        result = result_from_dict(raw)
    except Exception as e:  # a field of the wrong type, an example that cannot be rebuilt
        raise ValueError(f"a record's result must rebuild exactly, but {path} fails: {type(e).__name__}: {e}") \
            from None
    c, p = body.get("claim", {}), body.get("pytest", {})
    if not isinstance(c, dict) or not isinstance(p, dict):
        raise ValueError(f"a record's claim and pytest fields must be objects, but {path} has other values")
    for key, value in (("id", result.id), ("kind", result.kind)):
        if key in c and c[key] != value:
            raise ValueError(f"a record must name one claim, but {path} says {key} {c[key]!r} under claim and "
                             f"{value!r} under result")
    return Record(result=result, check=c.get("check", ""), source=c.get("source", ""),
                  statement=c.get("statement", ""), section=c.get("section", ""),
                  includes=list(body.get("includes", [])), nodeid=p.get("nodeid", ""),
                  pytest_command=p.get("command", ""), lossy=list(body.get("lossy", [])))
