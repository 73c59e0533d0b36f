"""Run a README toolkit example's claims again and again with fresh seeds; print each verdict.

    python scripts/refute_thorough.py NAME [--runs N] [--profile NAME]

NAME is an example of the README (``<!-- example: NAME … -->``, e.g. ``search``). Each run
draws a fresh seed and uses no example database, under the ``thorough`` profile by default.
Prints one markdown table row per run: the status, the examples the search took, the seconds
(search and shrink), the value that failed, and κ(P) of the example when it has a P. Exit
status 0 when every run of every claim refuted it, 1 otherwise, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("name")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--profile", default="thorough")
    args = ap.parse_args(argv)
    if args.runs < 1:
        print(f"--runs must be a positive integer, but got {args.runs}", file=sys.stderr)
        return 2

    import matplotlib

    matplotlib.use("Agg")
    from hypothesis import settings

    from overparam import theorems  # noqa: F401  (registers the profiles)
    from overparam.theorems.core import run_claim
    from overparam.theorems.readme_examples import examples_in, load

    settings.load_profile(args.profile)
    found = {e.name: e for e in examples_in((ROOT / "README.md").read_text(encoding="utf-8"))}
    if args.name not in found:
        print(f"name must be one of the README's examples {sorted(found)}, but got {args.name!r}", file=sys.stderr)
        return 2
    claims = load(found[args.name], keep=True)
    every = True
    print(f"| run | claim | status | examples | seconds | value | κ(P) |  ({args.profile}, fresh seeds)")
    print("|---|---|---|---|---|---|---|")
    for c in claims:
        for i in range(1, args.runs + 1):
            t0 = time.perf_counter()
            r = run_claim(c, overrides={"database": None, "derandomize": False})
            seconds = time.perf_counter() - t0
            ex = r.example if isinstance(r.example, dict) else {}
            kappa = f"{np.linalg.cond(ex['P']):.3g}" if r.status == "refuted" and "P" in ex else "—"
            value = f"{r.violation.value:.6g}" if r.violation is not None else "—"
            print(f"| {i} | {c.id} | {r.status} | {r.examples} | {seconds:.1f} | {value} | {kappa} |", flush=True)
            every = every and r.status == "refuted"
    return 0 if every else 1


if __name__ == "__main__":
    sys.exit(main())
