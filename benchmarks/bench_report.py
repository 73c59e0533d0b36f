"""Where the main job's time goes (not a test).

    python benchmarks/bench_report.py run [--runs N] [-j N ...]   # python -m overparam.reports, timed
    python benchmarks/bench_report.py claims [-k EXPR]             # per claim: checks against drawing

``run`` starts ``python -m overparam.reports --out TMP`` (with the given ``-j`` values in turn, default:
the command's own default and ``-j 1``) and prints, per run, the wall time, the CPU seconds of the
process and its workers (user and system, from ``getrusage`` of the children) and the 1-minute load
average before it: on a shared machine the CPU figure is the one that compares across runs.

``claims`` runs each claim in this process under the ``default`` profile (no example database) and
prints its CPU seconds, the examples it drew, the CPU seconds per example, and the CPU seconds of
only drawing as many examples from its strategy (the check replaced by one that does nothing):
a claim whose checks cost little more than its draws is made faster by cheaper strategies, one
whose checks dominate by cheaper checks (or a smaller budget of its own).
"""

from __future__ import annotations

import dataclasses
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from overparam.reports.usage import Parser, positive_int  # noqa: E402

__all__ = ["main"]


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} (5 min {five:.2f})"


def _children_cpu() -> tuple[float, float]:
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime, u.ru_stime


def run(jobs: list[int | None], runs: int, extra: list[str]) -> int:
    print(f"python -m overparam.reports (cpus {os.cpu_count()})")
    for k in range(runs):
        for j in jobs:
            with tempfile.TemporaryDirectory() as tmp:
                cmd = [sys.executable, "-m", "overparam.reports", "--out", str(Path(tmp) / "out"), *extra]
                if j is not None:
                    cmd += ["-j", str(j)]
                load = _load()
                u0, s0 = _children_cpu()
                t0 = time.perf_counter()
                done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
                wall = time.perf_counter() - t0
                u1, s1 = _children_cpu()
            last = (done.stdout.strip().splitlines() or [""])[-1]
            what = f"-j {j}" if j is not None else "default -j"
            print(f"run {k + 1} {what:10s}: {wall:6.1f} s wall, {u1 - u0:6.1f} s user + {s1 - s0:5.1f} s system CPU, "
                  f"{load} before; exit {done.returncode}: {last}", flush=True)
            if done.returncode not in (0, 1):
                print(done.stderr[-2000:], file=sys.stderr)
                return 1
    return 0


def _noop(ex):  # noqa: ARG001
    return None


def claims(keyword: str | None) -> int:
    from overparam import theorems  # noqa: F401  (registers the profiles)
    from hypothesis import settings

    from overparam.reports.select import select
    from overparam.theorems.core import run_claim
    from overparam.theorems.listing import catalogue
    from overparam.parameterizations import family_strategies

    settings.load_profile("default")
    families = len(family_strategies(3))
    print(f"per claim, profile default, no database ({_load()} before)")
    print(f"{'claim':6s} {'status':12s} {'examples':>8s} {'CPU s':>7s} {'ms/ex':>7s} {'draw s':>7s} "
          f"{'draw ms/ex':>10s} {'checks %':>8s}")
    total = drawn = 0.0
    rows = []
    for c in select(catalogue(), keyword):
        if not c.decided:
            continue
        t0 = time.process_time()
        r = run_claim(c, overrides={"database": None})
        cpu = time.process_time() - t0
        n = r.examples + r.undecided
        # draw as many examples with a check that does nothing (a general claim: per family, as it ran)
        per = max(1, -(-n // families)) if c.general and r.subject == "" and c.id not in _consistency() else max(1, n)
        quiet = dataclasses.replace(c, check=_noop, kind="holds", rate=None, expected="", expected_because="")
        t0 = time.process_time()
        run_claim(quiet, overrides={"database": None, "max_examples": per, "phases": _generate()})
        draw = time.process_time() - t0
        total, drawn = total + cpu, drawn + draw
        rows.append((cpu, c.id))
        share = 100 * (1 - draw / cpu) if cpu > 0 else 0.0
        print(f"{c.id:6s} {r.status[:12]:12s} {n:8d} {cpu:7.2f} {1000 * cpu / max(n, 1):7.1f} {draw:7.2f} "
              f"{1000 * draw / max(n, 1):10.2f} {share:7.0f}%", flush=True)
    print(f"all: {total:.1f} CPU s, of which drawing {drawn:.1f} s; the five dearest: "
          + ", ".join(f"{cid} {s:.1f} s" for s, cid in sorted(rows, reverse=True)[:5]))
    return 0


def _consistency():
    from overparam.theorems.power import CONSISTENCY_CHECKS

    return CONSISTENCY_CHECKS


def _generate():
    from hypothesis import Phase

    return (Phase.generate,)


def main(argv: list[str]) -> int:
    extra: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    p = Parser(prog="python benchmarks/bench_report.py", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="what", required=True)
    r = sub.add_parser("run", help="time python -m overparam.reports (arguments after -- go to it)")
    r.add_argument("--runs", type=positive_int, default=1, help="rounds (default 1)")
    r.add_argument("-j", dest="jobs", type=positive_int, action="append", default=None,
                   help="a -j value to time (repeatable; default: the command's default, then 1)")
    c = sub.add_parser("claims", help="per claim: CPU of its checks against only drawing its examples")
    c.add_argument("-k", dest="keyword", default=None, help="claims whose id matches, as the main job's -k")
    a = p.parse_args(argv)
    if a.what == "run":
        return run(a.jobs or [None, 1], a.runs, extra)
    return claims(a.keyword)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
