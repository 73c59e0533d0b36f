"""What the terminal shows of the claims: the findings with their examples, and one closing line.

Shared by the pytest plugin's summary and the end of ``python -m overparam.reports``. A claim
that holds or survived is one line (:func:`overparam.reports.build.progress_line`); a finding —
refuted, errored, failed (no witness) or a witness found — adds its verdict's message, its
shrunk example in compact form (:func:`compact_example`: sizes and values, long arrays cut,
four significant digits) and how to replay it. :func:`decided` is the count of verdicts that
ends the output (``claims: 3 refuted (open), 4 survived``).
"""

from __future__ import annotations

import math
from typing import Callable, Iterable

import numpy as np

from overparam.theorems.core import Result

__all__ = ["is_finding", "compact_value", "compact_example", "finding_lines", "summary_lines", "decided",
           "plural"]

#: statuses that print more than their line, in the order the closing count lists verdicts
_ORDER = ("errored", "refuted (holds)", "no witness", "refuted (open)", "inconclusive", "witness found", "survived",
          "holds", "pending")

#: an array longer than this shows its first and last few entries
THRESHOLD = 8
EDGE = 3
PRECISION = 4
#: a line of the example longer than this is cut with "…"
WIDTH = 160


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 example``, ``2 examples``."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def is_finding(r: Result) -> bool:
    """Whether the result prints its message, example and replay: refuted, errored, failed, witness found."""
    return r.status in ("refuted", "error", "witness found", "no witness") or (r.failing and r.status != "pending")


def _number(x) -> str:
    x = float(x)
    if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.{PRECISION}g}"


def compact_value(v) -> str:
    """One value in one line: an array with its shape and its entries (cut when long), a model by its
    label and sizes, a number to four significant digits."""
    if isinstance(v, np.ndarray):
        shape = "×".join(map(str, v.shape)) or "scalar"
        if v.dtype.kind == "f":
            text = np.array2string(v, threshold=THRESHOLD, edgeitems=EDGE, separator=", ", max_line_width=10 ** 6,
                                   formatter={"float_kind": _number})
        else:
            text = np.array2string(v, threshold=THRESHOLD, edgeitems=EDGE, precision=PRECISION, separator=", ",
                                   max_line_width=10 ** 6)
        text = " ".join(text.split())
        return f"({shape}) {text}" if v.ndim != 1 or v.size > THRESHOLD else text
    if hasattr(v, "n_params") and hasattr(v, "label"):
        return f"{v.label} (p={v.n_params}, q={v.n_canonical})"
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return _number(v)
    if isinstance(v, (list, tuple)) and all(isinstance(x, (int, float, np.number)) for x in v):
        return compact_value(np.asarray(v, dtype=float)) if any(isinstance(x, (float, np.floating)) for x in v) \
            else "[" + ", ".join(str(int(x)) for x in v) + "]"
    text = repr(v)
    return text if len(text) <= 60 else text[:59] + "…"


def compact_example(example) -> list[str]:
    """The example as lines ``name = value`` (a dict), or one line for anything else."""
    if not isinstance(example, dict):
        lines = [compact_value(example)]
    else:
        lines = [f"{k} = {compact_value(v)}" for k, v in example.items()]
    return [line if len(line) <= WIDTH else line[:WIDTH - 1] + "…" for line in lines]


def finding_lines(r: Result, replay: str) -> list[str]:
    """The lines under a finding's progress line: message, example, how to replay it (indented)."""
    lines = [r.message] if r.message else []
    if r.example is not None:
        role = r.example_role
        ex = compact_example(r.example)
        if len(ex) == 1 and len(ex[0]) < 100:
            lines.append(f"{role}: {ex[0]}")
        else:
            lines.append(f"{role}:")
            lines += ["  " + line for line in ex]
    if replay:
        lines.append(replay)
    return ["    " + line for line in lines]


def summary_lines(results: Iterable[Result], line: Callable[[Result], str], replay: Callable[[Result], str]) -> list[str]:
    """Every result's line (``line``) in the order given; a finding's message, example and ``replay(r)`` under it."""
    out = []
    for r in results:
        out.append(line(r))
        if is_finding(r):
            out += finding_lines(r, replay(r))
    return out


def _verdict(r: Result) -> str:
    # "errored", not pytest's "error" (its closing line would count the claim as an error of a test)
    return f"refuted ({r.kind})" if r.status == "refuted" else {"error": "errored"}.get(r.status, r.status)


def decided(results: Iterable[Result]) -> tuple[int, str]:
    """The number of claims and their verdicts counted, e.g. ``(7, "3 refuted (open), 4 survived")``."""
    counts: dict[str, int] = {}
    n = 0
    for r in results:
        n += 1
        counts[_verdict(r)] = counts.get(_verdict(r), 0) + 1
    order = sorted(counts, key=lambda k: (_ORDER.index(k) if k in _ORDER else len(_ORDER), k))
    return n, ", ".join(f"{counts[k]} {k}" for k in order)
