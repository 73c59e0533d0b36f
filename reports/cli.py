"""The command line: ``python -m reports [run options]``, ``replay``, ``figures``, ``zoo``."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

__all__ = ["main", "run_main", "DEFAULT_OUT"]

#: where ``python -m reports`` writes unless told ``--out``
DEFAULT_OUT = Path("reports") / "out"

_COMMANDS = ("replay", "figures", "zoo")

_EPILOG = """\
other commands:
  python -m reports replay RECORD.json   call a claim's check again on a saved example
  python -m reports figures [--out DIR]  write only the post's five gradient-field figures (PNG)
  python -m reports zoo                  list the zoo's parameterizations and their sizes

exit status:
  0  every holds claim held, every exists claim found its witness, and no claim raised an
     error (open claims may be refuted or survive; pending claims have no property yet)
  1  a holds claim was refuted, an exists claim found no witness, or a claim errored
  2  bad usage (an unknown profile, a bad -k expression, an --include file that fails to import)
"""


def _parser() -> argparse.ArgumentParser:
    from theorems.profiles import PROFILES

    p = argparse.ArgumentParser(
        prog="python -m reports",
        description="Run the claims catalogue with Hypothesis and write the report: an index of every claim "
                    "(status, examples, seconds), a page per claim with its pictures, the example's exact "
                    "values, Hypothesis's report and a reproducer, and the post's gradient-field figures.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", metavar="DIR", type=Path, default=DEFAULT_OUT,
                   help=f"folder of the report (default: {DEFAULT_OUT}/, index.html inside)")
    p.add_argument("--profile", metavar="NAME", choices=PROFILES, default=None,
                   help=f"Hypothesis settings profile: one of {', '.join(PROFILES)} (default: OVERPARAM_PROFILE, "
                        "else ci under CI, else default)")
    p.add_argument("-k", metavar="EXPR", dest="keyword", default=None,
                   help="only claims whose id or function name matches, as pytest's -k: words with "
                        "and/or/not, e.g. -k 'C01 or C24'")
    p.add_argument("--include", metavar="FILE.py", action="append", default=[],
                   help="import FILE.py first: it registers extra claims with @claim (repeatable)")
    p.add_argument("--max-examples", metavar="N", type=int, default=None,
                   help="examples per claim, overriding the profile (for a quick look)")
    p.add_argument("-j", "--jobs", metavar="N", type=int, default=1,
                   help="run claims in N worker processes (default: 1, in this process)")
    p.add_argument("--no-fields", action="store_true", help="leave out the gradient-field figures")
    return p


def run_main(argv: list[str]) -> int:
    """Run the catalogue (or the ``-k`` selection) and write the report; returns the exit status."""
    import matplotlib

    matplotlib.use("Agg")  # no display, even for a claim's plot that uses pyplot
    import theorems  # noqa: F401  (registers the profiles)

    from theorems.profiles import load_profile

    from .build import Meta, _versions, build_report, exit_code, run_entries
    from .replay import import_file
    from .select import select

    args = _parser().parse_args(argv)
    profile = load_profile(args.profile)
    for path in args.include:
        try:
            import_file(path)
        except Exception as e:
            print(f"--include {path}: {type(e).__name__}: {e}", file=sys.stderr)
            return 2
    from theorems.listing import catalogue

    try:
        claims = select(catalogue(), args.keyword)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2
    if not claims:
        print(f"-k {args.keyword!r} matches no claim id", file=sys.stderr)
        return 2
    overrides = {"max_examples": args.max_examples} if args.max_examples else None
    workers = f" in {args.jobs} processes" if args.jobs > 1 else ""
    print(f"running {len(claims)} claims with the Hypothesis profile {profile!r}{workers}", flush=True)
    t0 = time.perf_counter()
    entries = run_entries(claims, overrides=overrides, progress=lambda s: print(s, flush=True), jobs=args.jobs,
                          profile=args.profile, includes=args.include)
    checks = time.perf_counter() - t0
    meta = Meta(source=shlex.join(["python", "-m", "reports", *argv]), profile=profile,
                seconds=checks, includes=[str(Path(p).resolve()) for p in args.include],
                selection=args.keyword or "", versions=_versions())
    index = build_report(entries, args.out, meta=meta, fields=not args.no_fields)
    total = time.perf_counter() - t0
    results = [e.result for e in entries]
    code = exit_code(results)
    print(f"report: {index} ({checks:.1f} s of checks, {total:.1f} s in all)")
    if code:
        print("exit status 1: " + ", ".join(f"{r.id} {r.status}" for r in results if r.failing), file=sys.stderr)
    return code


def _figures_main(argv: list[str]) -> int:
    from .figures import write_gradient_fields

    p = argparse.ArgumentParser(prog="python -m reports figures",
                                description="Write the post's five gradient-field figures as PNG files.")
    p.add_argument("--out", metavar="DIR", type=Path, default=DEFAULT_OUT, help=f"folder (default: {DEFAULT_OUT})")
    args = p.parse_args(argv)
    for path in write_gradient_fields(args.out):
        print(path)
    return 0


def _zoo_main(argv: list[str]) -> int:
    from parameterizations import zoo

    argparse.ArgumentParser(prog="python -m reports zoo", description="List the zoo with its sizes.").parse_args(argv)
    for m in zoo():
        print(f"{m.label:40s} p={m.n_params:4d} q={m.n_canonical:3d}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Dispatch on the first argument: a command name, else the run's options."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in _COMMANDS:
        cmd, rest = argv[0], argv[1:]
        if cmd == "replay":
            from .replay import main as replay_main

            return replay_main(rest)
        return {"figures": _figures_main, "zoo": _zoo_main}[cmd](rest)
    return run_main(argv)
