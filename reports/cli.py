"""The command line: ``python -m overparam.reports [run options]``, ``replay``, ``figures``, ``zoo``."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from .usage import Parser, positive_int

__all__ = ["main", "run_main", "DEFAULT_OUT"]

#: where ``python -m overparam.reports`` writes unless told ``--out``
DEFAULT_OUT = Path("reports") / "out"

_COMMANDS = ("replay", "figures", "zoo")

_EPILOG = """\
other commands:
  python -m overparam.reports replay RECORD.json   call a claim's check again on a saved example
  python -m overparam.reports figures [--out DIR]  write only the post's five gradient-field figures (PNG)
  python -m overparam.reports zoo                  list the zoo's parameterizations and their sizes

the report folder:
  The report never deletes a file it did not write: its manifest (.overparam-report) lists
  what the last run wrote. A non-empty folder without one is refused unless --force. The
  report is built beside the folder and moved in when complete (a failed build leaves the
  previous report). A partial run (-k, --section) rewrites its claims' pages and the index;
  the other claims' pages stay, marked on the index with the date of their run.

exit status:
  0  every holds claim held, every exists claim found its witness, and no claim raised an
     error (open claims may be refuted or survive; pending claims have no property yet)
  1  a holds claim was refuted, an exists claim found no witness, or a claim errored
  2  usage or input error, reported in one line before any claim runs (an unknown option or
     profile, a number that is not a positive integer, a -k expression or --section that
     selects nothing, an --include file that fails to import, a --model that cannot be loaded,
     an --out that cannot be written)
"""


def _parser() -> argparse.ArgumentParser:
    from overparam.theorems.profiles import PROFILES

    p = Parser(
        prog="python -m overparam.reports",
        description="Run the claims catalogue with Hypothesis and write the report: an index of every claim "
                    "(findings first; status, message, examples, seconds), a page per claim with its pictures, "
                    "the example's exact values, Hypothesis's report and a reproducer, the post's gradient-field "
                    "figures, and summary.json.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", metavar="DIR", type=Path, default=DEFAULT_OUT,
                   help=f"folder of the report (default: {DEFAULT_OUT}/, index.html inside)")
    p.add_argument("--force", action="store_true",
                   help="write into a non-empty folder that is not a report folder (its files are kept)")
    p.add_argument("--profile", metavar="NAME", choices=PROFILES, default=None,
                   help=f"Hypothesis settings profile: one of {', '.join(PROFILES)} (default: OVERPARAM_PROFILE, "
                        "else ci under CI, else default)")
    p.add_argument("-k", metavar="EXPR", dest="keyword", default=None,
                   help="only claims whose id matches: words (substrings of ids, any case) with and/or/not and "
                        "parentheses, e.g. -k 'C01 or C24'")
    p.add_argument("--section", metavar="NAME", action="append", default=[],
                   help="only the claims of this section of the post (repeatable; with -k, both must match)")
    p.add_argument("--include", metavar="FILE.py", action="append", default=[],
                   help="import FILE.py first: it registers extra claims with @claim (repeatable)")
    p.add_argument("--model", metavar="MODULE:OBJECT", action="append", default=[],
                   help="also check this parameterization (a JaxModel, say) against the general claims (repeatable)")
    p.add_argument("--max-examples", metavar="N", type=positive_int, default=None,
                   help="examples per claim, overriding the profile (for a quick look)")
    p.add_argument("-j", "--jobs", metavar="N", type=positive_int, default=1,
                   help="run claims in N worker processes (default: 1, in this process)")
    p.add_argument("--no-fields", action="store_true", help="leave out the gradient-field figures")
    p.add_argument("--junit", metavar="FILE", type=Path, default=None,
                   help="also write the results as JUnit XML (a failing claim is a failed test case)")
    return p


def _usage_error(message: str) -> int:
    print(f"python -m overparam.reports: error: {message}", file=sys.stderr)
    return 2


def run_main(argv: list[str]) -> int:
    """Run the catalogue (or a selection) and write the report; returns the exit status (0, 1 or 2)."""
    import matplotlib

    matplotlib.use("Agg")  # no display, even for a claim's plot that uses pyplot
    from overparam import theorems  # noqa: F401  (registers the profiles)

    from overparam.theorems.profiles import load_profile

    from .build import Meta, _versions, build_report, exit_code, run_entries
    from .folder import check_file, check_out
    from .replay import import_file
    from .select import select, select_sections

    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:  # --help (0) or a usage error, already reported in one line (2)
        return int(e.code or 0)
    profile = load_profile(args.profile)
    for path in args.include:
        try:
            import_file(path)
        except Exception as e:
            return _usage_error(f"--include {path}: {type(e).__name__}: {e}")
    from overparam.theorems.listing import catalogue

    try:
        claims = select_sections(select(catalogue(), args.keyword), args.section)
    except ValueError as e:
        return _usage_error(str(e))
    if not claims:
        return _usage_error(f"-k {args.keyword!r} matches no claim id" + (" in the sections chosen" if args.section
                                                                          else ""))
    from .models import load_models, model_claims, model_entries

    try:
        models = load_models(args.model)
    except ValueError as e:
        return _usage_error(f"--model: {e}")
    try:  # the places the report goes, checked before any claim runs
        check_out(args.out, force=args.force)
        if args.junit is not None:
            check_file(args.junit)
    except ValueError as e:
        return _usage_error(str(e))
    overrides = {"max_examples": args.max_examples} if args.max_examples else None
    workers = f" in {args.jobs} processes" if args.jobs > 1 else ""
    print(f"running {len(claims)} claims with the Hypothesis profile {profile!r}{workers}", flush=True)
    t0 = time.perf_counter()
    entries = run_entries(claims, overrides=overrides, progress=lambda s: print(s, flush=True), jobs=args.jobs,
                          profile=args.profile, includes=args.include)
    entries += model_entries(models, model_claims(claims, not (args.keyword or args.section)), overrides=overrides,
                             progress=lambda s: print(s, flush=True))
    checks = time.perf_counter() - t0
    selection = " ".join(([f"-k {shlex.quote(args.keyword)}"] if args.keyword else [])
                         + [f"--section {shlex.quote(s)}" for s in args.section])
    meta = Meta(source=shlex.join(["python", "-m", "overparam.reports", *argv]), profile=profile,
                seconds=checks, includes=[str(Path(p).resolve()) for p in args.include],
                selection=selection, versions=_versions())
    print(f"writing the report into {args.out}", flush=True)
    try:
        index = build_report(entries, args.out, meta=meta, fields=not args.no_fields, partial=bool(selection),
                             force=args.force, junit=args.junit, progress=lambda s: print(s, flush=True))
    except (OSError, ValueError) as e:
        return _usage_error(f"the report could not be written ({e}); {args.out} is as it was")
    total = time.perf_counter() - t0
    results = [e.result for e in entries]
    code = exit_code(results)
    print(f"report: {index} ({checks:.1f} s of checks, {total:.1f} s in all)")
    if code:
        print("exit status 1: " + ", ".join(f"{r.id} {r.status}" for r in results if r.failing), file=sys.stderr)
    return code


def _figures_main(argv: list[str]) -> int:
    from .figures import write_gradient_fields

    p = Parser(prog="python -m overparam.reports figures",
                                description="Write the post's five gradient-field figures as PNG files.")
    p.add_argument("--out", metavar="DIR", type=Path, default=DEFAULT_OUT, help=f"folder (default: {DEFAULT_OUT})")
    args = p.parse_args(argv)
    for path in write_gradient_fields(args.out):
        print(path)
    return 0


def _zoo_main(argv: list[str]) -> int:
    from overparam.parameterizations import zoo

    Parser(prog="python -m overparam.reports zoo", description="List the zoo with its sizes.").parse_args(argv)
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
