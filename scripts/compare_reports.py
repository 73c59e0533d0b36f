"""Compare two report folders written by ``python -m overparam.reports --profile ci``: every verdict, record and figure.

    python scripts/compare_reports.py BEFORE_DIR AFTER_DIR

Records are compared field by field, leaving out what is allowed to differ between two runs of
the same catalogue: the seconds a check took, and where its code lives (``claim.check`` and
``claim.source`` name a module and a file; a stored dataclass names its class's module, of
which only the class name is compared; Hypothesis's report names the files and lines it
explains, compared as ``<file>:<line>``). Figures (``*.png``) are compared byte for byte.
Exit status 0 when nothing else differs, 1 otherwise (each difference is printed), 2 for bad usage.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

#: fields that may differ between two runs that decide every claim the same way
VOLATILE = {("result", "seconds"), ("claim", "check"), ("claim", "source")}


def _class_names(x):
    """``x`` with every stored dataclass reference "module:qualname" cut to its qualname."""
    if isinstance(x, dict):
        return {k: (v.partition(":")[2] if k == "__dataclass__" and isinstance(v, str) else _class_names(v))
                for k, v in x.items()}
    if isinstance(x, list):
        return [_class_names(v) for v in x]
    return x


#: a source location in Hypothesis's explanation of a failure, e.g. "/repo/theorems/core.py:92"
_LOCATION = re.compile(r"\S+\.py:\d+")


def _strip(record: dict) -> dict:
    out = json.loads(json.dumps(record))
    for outer, inner in VOLATILE:
        out.get(outer, {}).pop(inner, None)
    result = out.get("result") or {}
    if isinstance(result.get("report"), str):
        result["report"] = _LOCATION.sub("<file>:<line>", result["report"])
    return _class_names(out)


def _diff(a, b, path="") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        rows = []
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                rows.append(f"{path}/{k}: only in {'after' if k in b else 'before'}")
            else:
                rows += _diff(a[k], b[k], f"{path}/{k}")
        return rows
    return [] if a == b else [f"{path}: {str(a)[:120]!r} -> {str(b)[:120]!r}"]


def compare(before: Path, after: Path) -> list[str]:
    """Every difference between the two report folders, one line each."""
    rows = []
    names_b = {p.name for p in before.iterdir() if p.suffix in (".json", ".png")}
    names_a = {p.name for p in after.iterdir() if p.suffix in (".json", ".png")}
    for n in sorted(names_b ^ names_a):
        rows.append(f"{n}: only in {'after' if n in names_a else 'before'}")
    for n in sorted(names_b & names_a):
        pb, pa = before / n, after / n
        if n.endswith(".png"):
            if hashlib.sha256(pb.read_bytes()).digest() != hashlib.sha256(pa.read_bytes()).digest():
                rows.append(f"{n}: the figure's bytes differ")
        else:
            rows += [f"{n}{r}" for r in _diff(_strip(json.loads(pb.read_text())), _strip(json.loads(pa.read_text())))]
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not all(Path(a).is_dir() for a in argv):
        print("usage: python scripts/compare_reports.py BEFORE_DIR AFTER_DIR (two report folders)", file=sys.stderr)
        return 2
    rows = compare(Path(argv[0]), Path(argv[1]))
    for r in rows:
        print(r)
    n = len([p for p in Path(argv[0]).iterdir() if p.suffix in (".json", ".png")])
    print(f"{len(rows)} differences over {n} records and figures")
    return 1 if rows else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
