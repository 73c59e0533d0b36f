"""Wall time of the test suite as a user runs it (not a test).

    python benchmarks/bench_suite.py [--runs N] [--profile NAME] [-- PYTEST ARGS]

Runs ``python -m pytest -q`` (the README's test command, with ``-p no:cacheprovider`` so that no
run leaves state for the next) N times and prints each run's wall time, the pytest summary line,
and the 1-minute load average before it: a first run started while other jobs hold the cores is
marked as such (later runs start within the previous run's tail of the average). ``--profile`` passes ``--hypothesis-profile``; arguments after ``--`` go to pytest
as they are (``-- -n 0`` for one process, ``-- -m slow`` for the end-to-end tests).

An environment setting that changes the figure: ``PYTHONDONTWRITEBYTECODE=1`` makes every process
compile (and pytest re-rewrite) every module on every run, about 2 s a process; the output says
whether it is set.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from overparam.reports.usage import Parser, positive_int  # noqa: E402


def main(argv: list[str]) -> int:
    extra: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    p = Parser(prog="python benchmarks/bench_suite.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=positive_int, default=3, help="runs (default 3)")
    p.add_argument("--profile", default=None, help="a Hypothesis profile (default: what pytest chooses)")
    a = p.parse_args(argv)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra]
    if a.profile:
        cmd.append(f"--hypothesis-profile={a.profile}")
    print(f"{' '.join(cmd[1:])}  (cpus {os.cpu_count()}, PYTHONDONTWRITEBYTECODE "
          f"{'set' if os.environ.get('PYTHONDONTWRITEBYTECODE') else 'unset'})")
    times = []
    for k in range(a.runs):
        load = os.getloadavg()[0]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        dt = time.perf_counter() - t0
        times.append(dt)
        last = (done.stdout.strip().splitlines() or [""])[-1]
        # before the first run the load is other jobs'; later it still holds the previous run's tail
        busy = "  (busy machine)" if k == 0 and load > 0.5 * (os.cpu_count() or 1) else ""
        print(f"run {k + 1}: {dt:6.1f} s  load {load:.2f}{busy}  exit {done.returncode}  {last}", flush=True)
        if done.returncode not in (0, 1):
            print(done.stdout[-2000:] + done.stderr[-2000:], file=sys.stderr)
            return 1
    times.sort()
    print(f"best {times[0]:.1f} s, median {times[len(times) // 2]:.1f} s over {len(times)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
