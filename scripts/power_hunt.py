"""How often each claim catches a planted library bug, over fresh seeds (not a test).

    python scripts/power_hunt.py [-k TEXT]... [-c CLAIM]... [--runs N] [-j JOBS] [--profile NAME]

For each planted bug of :mod:`overparam.theorems.power` whose id contains one of the TEXTs (default: every
bug) and each claim it names (only the CLAIMs given, if any), the claim runs N times with the bug planted, as a user's run runs it
(:meth:`overparam.theorems.power.PlantedBug.run`: a general claim family by family, over the families of the zoo
the bug reaches, each with the whole budget), with a fresh seed and
no example database, under the profile (default ``quick``, what ``python -m pytest`` runs). A run
*catches* the bug when the claim turns red (:func:`overparam.theorems.power.catches`: refuted, no witness, or
an error or inconclusive by the undecided limit).
``tests/test_claim_power.py`` checks one derandomized run of each pair; this counts the misses
over seeds. Prints one line per (bug, claim): caught k/N. Exit status 0 when every run caught its
bug, 1 otherwise, 2 for bad usage.
"""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from overparam.reports.usage import Parser, positive_int  # noqa: E402


def _run(args: tuple[str, str, int, str]) -> tuple[int, list[str], float, float]:
    """Claim ``cid`` with bug ``bug_id`` planted, ``runs`` times: (catches, statuses of misses, wall seconds,
    CPU seconds of this worker)."""
    bug_id, cid, runs, profile = args
    os.environ["OVERPARAM_PROFILE"] = profile
    import matplotlib

    matplotlib.use("Agg")
    from hypothesis import settings

    from overparam import theorems
    from overparam.theorems.power import catches, planted_bugs

    settings.load_profile(profile)
    bug = next(b for b in planted_bugs() if b.id == bug_id)
    claim = theorems.get(cid)
    caught, misses = 0, []
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(runs):
        r = bug.run(claim, overrides={"database": None, "derandomize": False})
        if catches(claim, r):
            caught += 1
        else:
            misses.append(f"{r.status}: {r.message[:200]}")
    return caught, misses, time.perf_counter() - t0, time.process_time() - c0


def main(argv: list[str]) -> int:
    from overparam.theorems.power import planted_bugs
    from overparam.theorems.profiles import PROFILES

    p = Parser(prog="python scripts/power_hunt.py", description=__doc__.split("\n\n")[0])
    p.add_argument("-k", dest="text", action="append", default=[],
                   help="only the bugs whose id contains this text (repeatable: any of them)")
    p.add_argument("-c", "--claim", action="append", default=[], help="only this claim's pairs (repeatable)")
    p.add_argument("--runs", type=positive_int, default=20, help="runs per (bug, claim) (default 20)")
    p.add_argument("-j", "--jobs", type=positive_int, default=2, help="worker processes (default 2)")
    p.add_argument("--profile", default="quick", choices=PROFILES)
    a = p.parse_args(argv)
    texts = a.text or [""]
    bugs = [b for b in planted_bugs() if any(t in b.id for t in texts)]
    if not bugs:
        print(f"-k: expected text of a planted bug's id, but no bug's id contains {' or '.join(map(repr, texts))}",
              file=sys.stderr)
        return 2
    pairs = [(b.id, cid, a.runs, a.profile) for b in bugs for cid in b.caught_by if not a.claim or cid in a.claim]
    if not pairs:
        print(f"-c: expected a claim that the bugs chosen name, but got {', '.join(a.claim)}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    short, cpu_total = 0, 0.0
    with ProcessPoolExecutor(a.jobs) as ex:
        for (bug_id, cid, runs, _), (caught, misses, sec, cpu) in zip(pairs, ex.map(_run, pairs)):
            short += caught < runs
            cpu_total += cpu
            print(f"{bug_id:48} {cid:5} caught {caught}/{runs}  ({sec / runs:.2f} s a run, {cpu / runs:.2f} s CPU)",
                  flush=True)
            for m in misses[:3]:
                print(f"      missed: {m}", flush=True)
    print(f"{len(pairs)} (bug, claim) pairs x {a.runs} runs under {a.profile}, {short} short of "
          f"{a.runs}/{a.runs}, {time.perf_counter() - t0:.0f} s wall, {cpu_total:.0f} s CPU in the workers")
    return 1 if short else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
