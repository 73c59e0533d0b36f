"""``python -m overparam.theorems table|models [--write README.md]``: the catalogue table and the table of models, generated."""

from __future__ import annotations

import argparse
import sys

from hypothesis import settings

from . import models_table, readme_table
from .listing import catalogue
from .core import run_claim
from .profiles import profile_restored


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m overparam.theorems", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("table", help="print the catalogue table; with --write, run every claim and update the file")
    t.add_argument("--write", metavar="README", help="replace the generated block of this file")
    t.add_argument("--profile", default="ci", help="Hypothesis profile for the run (default: ci, derandomized)")
    mt = sub.add_parser("models", help="print the table of models and how to draw them; with --write, update the file")
    mt.add_argument("--write", metavar="README", help="replace the generated block of this file")
    args = ap.parse_args(argv)
    if args.cmd == "models":
        if args.write:
            try:
                models_table.write(args.write)
            except (OSError, ValueError) as e:
                print(f"--write must name a README with the models markers, but {args.write!r}: {e}", file=sys.stderr)
                return 2
        else:
            print(models_table.render_table())
        return 0
    results = {}
    if args.write:
        with profile_restored():
            settings.load_profile(args.profile)
            for c in catalogue():
                r = run_claim(c)
                results[c.id] = r
                print(f"{c.id:5s} {r.status:13s} {r.examples:5d} examples {r.seconds:6.2f}s", file=sys.stderr)
        readme_table.write(args.write, results)
    else:
        print(readme_table.render_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
