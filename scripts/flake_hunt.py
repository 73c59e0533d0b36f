"""Run claims many times with fresh seeds and no example database; list every deviation.

    python scripts/flake_hunt.py [-k EXPR] [--runs N] [-j JOBS] [--profile NAME]

A claim *deviates* when a run's status differs from the status it must have: ``holds`` for a
holds claim, ``witness found`` for an exists claim, and, for an open claim, its expected verdict in
the catalogue, or the status most of its runs reached where it has none (an open verdict must not
change with the seed). Prints one line per claim
(id, kind, statuses counted, deviations, seconds a run) as soon as its runs are done and, for
each deviation, its message and its example as exact JSON (to replay it). Under ``--profile ci``
the search stays derandomized: every run
gives the one verdict CI gets. Exit status 0 when no claim deviates, 1 otherwise, 2 for bad usage.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from overparam.reports.usage import Parser, positive_int  # noqa: E402


def _run(args: tuple[str, int, str]) -> list[tuple[str, str, float]]:
    """Run claim ``cid`` ``runs`` times in this process; each run draws a fresh seed."""
    cid, runs, profile = args
    os.environ["OVERPARAM_PROFILE"] = profile
    import matplotlib

    matplotlib.use("Agg")
    from overparam import theorems
    from hypothesis import settings

    settings.load_profile(profile)
    c = theorems.get(cid)
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        # fresh seeds, except under ci, whose verdict is the one its derandomized search gives
        r = theorems.run_claim(c, overrides={"database": None, "derandomize": profile == "ci"})
        out.append((r.status, r.message, time.perf_counter() - t0, _example_json(r.example)))
    return out


def _example_json(example) -> str:
    """The run's example (the one that refuted it, or the last one tried) as exact JSON, so that a rare
    deviation can be replayed; its repr where it is no JSON value."""
    import json

    from overparam.theorems.records import to_jsonable

    try:
        return json.dumps(to_jsonable(example), sort_keys=True)
    except (TypeError, ValueError):
        return repr(example)


def expected_status(kind: str, statuses: Counter, expected: str = "") -> str:
    """The status every run of a claim of this kind must reach: an open claim's expected verdict (the
    catalogue's), or for one without, the status most of its runs reached."""
    if kind == "holds":
        return "holds"
    if kind == "exists":
        return "witness found"
    return expected or statuses.most_common(1)[0][0]


def main(argv: list[str]) -> int:
    from overparam.theorems.profiles import PROFILES

    p = Parser(prog="python scripts/flake_hunt.py", description=__doc__.split("\n\n")[0])
    p.add_argument("-k", dest="ids", metavar="IDS", default="",
                   help="comma-separated claim ids (default: every decided claim)")
    p.add_argument("--runs", type=positive_int, default=20, help="runs per claim (default 20)")
    p.add_argument("-j", "--jobs", type=positive_int, default=2, help="worker processes (default 2)")
    p.add_argument("--profile", default="default", choices=PROFILES)
    p.add_argument("--show", action="store_true", help="print the message of each claim's first run too "
                                                       "(a tendency claim's rate and interval)")
    a = p.parse_args(argv)
    from overparam import theorems

    known = {c.id: c for c in theorems.catalogue() if c.decided}
    ids = [s.strip() for s in a.ids.split(",") if s.strip()] or list(known)
    unknown = [i for i in ids if i not in known]
    if unknown:
        print(f"-k: expected claim ids of the catalogue, but got {', '.join(unknown)}", file=sys.stderr)
        return 2
    # split each claim's runs into chunks so both workers stay busy
    chunks = [(cid, n, a.profile) for cid in ids
              for n in [a.runs // a.jobs + (1 if i < a.runs % a.jobs else 0) for i in range(a.jobs)] if n]
    t0 = time.perf_counter()
    results: dict[str, list] = {cid: [] for cid in ids}
    left = Counter(cid for cid, _, _ in chunks)
    bad = 0
    with ProcessPoolExecutor(a.jobs) as ex:
        for (cid, _, _), rows in zip(chunks, ex.map(_run, chunks)):
            results[cid] += rows
            left[cid] -= 1
            if not left[cid]:  # the claim's last chunk: its line now, so a long hunt reports as it goes
                bad += _report(cid, known[cid].kind, results[cid], a.show, known[cid].expected)
    print(f"{len(ids)} claims x {a.runs} runs, {bad} deviating, {time.perf_counter() - t0:.0f} s")
    return 1 if bad else 0


def _report(cid: str, kind: str, rows: list, show: bool = False, expected: str = "") -> bool:
    """Print the claim's line (and its deviations); True if it deviated."""
    counts = Counter(row[0] for row in rows)
    want = expected_status(kind, counts, expected)
    dev = [(s, m, ex) for s, m, _, ex in rows if s != want]
    summary = ", ".join(f"{s} {n}" for s, n in counts.most_common())
    mean = sum(row[2] for row in rows) / len(rows)
    print(f"{cid:5} {kind:6} {summary:40} deviations {len(dev)}/{len(rows)}  ({mean:.2f} s a run)", flush=True)
    if show:
        print(f"      first run: {rows[0][1][:300]}", flush=True)
    for s, m, ex in dev[:5]:
        print(f"      {s}: {m[:300]}", flush=True)
        print(f"        example: {ex}", flush=True)
    return bool(dev)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
