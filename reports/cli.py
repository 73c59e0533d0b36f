"""The command line: ``python -m overparam.reports [run options]``, ``replay``, ``figures``, ``zoo``."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from .terminal import decided, plural, summary_lines
from .usage import Parser, positive_int

__all__ = ["main", "run_main", "findings", "check_include", "report_files", "DEFAULT_OUT"]

#: where ``python -m overparam.reports`` writes unless told ``--out``
DEFAULT_OUT = Path("reports") / "out"

_COMMANDS = ("replay", "figures", "zoo")

_EPILOG = """\
other commands:
  python -m overparam.reports replay RECORD.json   call a claim's check again on a saved example
  python -m overparam.reports figures [--out DIR]  write only the post's five gradient-field figures (PNG)
  python -m overparam.reports zoo                  list the zoo's parameterizations and their sizes

the report folder:
  The report never deletes nor overwrites a file it did not write: its manifest
  (.overparam-report) lists what the last run wrote. A non-empty folder without one is refused
  unless --force; a file with a name the report writes that no run wrote is refused even then.
  The report is built beside the folder and moved in when complete (a failed or interrupted
  build leaves the previous report). One run at a time writes into a folder (a lock). A partial
  run (-k, --section) rewrites its claims' pages and the index; the other claims' pages stay,
  marked on the index with the date of their run.

exit status:
  0  every holds claim held, every exists claim found its witness, and no claim raised an
     error (open claims may be refuted or survive; pending claims have no property yet)
  1  a holds claim was refuted, an exists claim found no witness, or a claim errored
  2  usage or input error, reported in one line before any claim runs (an unknown option or
     profile, a number that is not a positive integer, a -k expression or --section that
     selects nothing, an --include that is not a .py file or fails to import, a --model that
     cannot be loaded, an --out that
     cannot be written, a user's file there that the report would overwrite, a folder that
     another run is writing)
  130  interrupted (Ctrl-C); the folder is as it was
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
    p.add_argument("-j", "--jobs", metavar="N", type=positive_int, default=None,
                   help="run claims, their pictures and the figures in N worker processes (default: one per core; "
                        "-j 1 runs everything in this process)")
    p.add_argument("--no-fields", action="store_true", help="leave out the gradient-field figures")
    p.add_argument("--junit", metavar="FILE", type=Path, default=None,
                   help="also write the results as JUnit XML (a failing claim is a failed test case)")
    return p


def _usage_error(message: str, prog: str = "python -m overparam.reports") -> int:
    print(f"{prog}: error: {message}", file=sys.stderr)
    return 2


def check_include(path) -> Path:
    """An ``--include`` argument: an existing ``.py`` file (a one-line ``ValueError`` otherwise)."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"--include must be a Python file (FILE.py), but {path} is a folder")
    if path.suffix != ".py":
        raise ValueError(f"--include must be a Python file (FILE.py), but got {path}")
    if not path.is_file():
        raise ValueError(f"--include must be an existing Python file, but {path} does not exist")
    return path


def report_files(ids, fields: bool) -> list[str]:
    """The names a run of claims ``ids`` may write into its folder (checked against the user's files)."""
    from .figures import gradient_fields
    from .summary import SUMMARY

    names = ["index.html", SUMMARY]
    for cid in ids:
        names += [f"{cid}.html", f"{cid}.json"] + [f"{cid}-{kind}.png" for kind in ("plot", "values", "rate")]
    if fields:
        names += [f"field-{f.name}.png" for f in gradient_fields()]
    return names


def run_main(argv: list[str]) -> int:
    """Run the catalogue (or a selection) and write the report; returns the exit status (0, 1, 2 or
    130 when interrupted). The Hypothesis profile active before the call is active again after it."""
    from overparam.theorems.profiles import profile_restored

    from .workers import interrupts

    try:
        with interrupts(), profile_restored():
            return _run(argv)
    except KeyboardInterrupt:
        print("python -m overparam.reports: interrupted; no report was written (the folder is as it was)",
              file=sys.stderr)
        return 130


def _run(argv: list[str]) -> int:
    import contextlib

    import matplotlib

    matplotlib.use("Agg")  # no display, even for a claim's plot that uses pyplot
    from overparam import theorems  # noqa: F401  (registers the profiles)

    from overparam.theorems.profiles import chosen_profile, load_profile

    from .folder import check_file, check_out, lock
    from .replay import import_file
    from .select import select, select_sections

    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:  # --help (0) or a usage error, already reported in one line (2)
        return int(e.code or 0)
    # every argument is checked before any work: nothing is created or run before this block passes
    try:
        profile = load_profile(args.profile or chosen_profile())
        for path in args.include:
            check_include(path)
    except ValueError as e:
        return _usage_error(str(e))
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
    from .models import load_models

    try:
        models = load_models(args.model)
    except ValueError as e:
        return _usage_error(f"--model: {e}")
    with contextlib.ExitStack() as held:
        try:  # the places the report goes, checked before any claim runs (the --junit file before --out is made)
            if args.junit is not None:
                check_file(args.junit)
            check_out(args.out, force=args.force, will_write=report_files([c.id for c in claims], not args.no_fields))
            held.enter_context(lock(args.out))  # a second run into this folder is refused until this one ends
        except ValueError as e:
            return _usage_error(str(e))
        return _run_claims(args, argv, claims, profile, models)


def _run_claims(args, argv: list[str], claims, profile: str, models) -> int:
    import contextlib

    from .models import model_claims, model_entries
    from .build import Meta, _versions, build_report, exit_code, run_entries
    from .figures import gradient_fields
    from .summary import load_summary
    from .workers import Workers, default_jobs, field_task

    overrides = {"max_examples": args.max_examples} if args.max_examples else None
    jobs = args.jobs or default_jobs()
    workers = f" in {plural(jobs, 'process', 'processes')}" if jobs > 1 else " in this process"
    print(f"running {plural(len(claims), 'claim')} with the Hypothesis profile {profile!r}{workers}", flush=True)
    previous = load_summary(args.out) or {}
    costs = {r["id"]: r.get("seconds", 0.0) for r in previous.get("claims", []) if isinstance(r, dict) and "id" in r}
    names = [] if args.no_fields else [f.name for f in gradient_fields()]
    drawn: dict = {}
    t0 = time.perf_counter()
    with (Workers(jobs, args.profile, args.include) if jobs > 1 else contextlib.nullcontext()) as pool:
        def queue_fields():  # after the claims, so that the dearest claims start first
            if pool is not None:
                drawn.update({name: pool.submit(field_task, name) for name in names})

        entries = run_entries(claims, overrides=overrides, progress=lambda s: print(s, flush=True),
                              workers=pool, costs=costs, then=queue_fields)
        entries += model_entries(models, model_claims(claims, not (args.keyword or args.section)),
                                 overrides=overrides, progress=lambda s: print(s, flush=True))
        checks = time.perf_counter() - t0
        fields = {}
        for name, fut in drawn.items():
            try:
                fields[name] = fut.result()
            except Exception:  # drawn again in this process, where an error stops the report as it should
                pass
    selection = " ".join(([f"-k {shlex.quote(args.keyword)}"] if args.keyword else [])
                         + [f"--section {shlex.quote(s)}" for s in args.section])
    meta = Meta(source=shlex.join(["python", "-m", "overparam.reports", *argv]), profile=profile,
                seconds=checks, includes=[str(Path(p).resolve()) for p in args.include],
                selection=selection, versions=_versions())
    print(f"writing the report into {args.out}", flush=True)
    try:
        index = build_report(entries, args.out, meta=meta, fields=not args.no_fields, partial=bool(selection),
                             force=args.force, junit=args.junit, progress=lambda s: print(s, flush=True),
                             drawn_fields=fields)
    except (OSError, ValueError) as e:
        return _usage_error(f"the report could not be written ({e}); {args.out} is as it was")
    total = time.perf_counter() - t0
    results = [e.result for e in entries]
    code = exit_code(results)
    print()
    for line in findings(entries):
        print(line)
    print(f"report: {index} ({checks:.1f} s of checks, {total:.1f} s in all)")
    n, counted = decided(results)
    print(f"{plural(n, 'claim')}: {counted}", flush=True)
    if code:
        print("exit status 1: " + ", ".join(f"{r.id} {r.status}" for r in results if r.failing), file=sys.stderr)
    return code


def findings(entries) -> list[str]:
    """The claims summary at the end of a run: every claim's line, a finding's message, example and replay."""
    from .build import progress_line

    replays = {id(e.result): (f"replay: python -m overparam.reports replay {_shown(e.record_path)}"
                              if e.record_path is not None else f"rerun: python -m pytest -k {e.result.id}")
               for e in entries}
    return ["claims:"] + ["  " + line for line in summary_lines([e.result for e in entries], progress_line,
                                                              lambda r: replays[id(r)])]


def _shown(path) -> str:
    try:
        return shlex.quote(str(Path(path).resolve().relative_to(Path.cwd().resolve())))
    except ValueError:
        return shlex.quote(str(path))


def _figures_main(argv: list[str]) -> int:
    from .figures import write_gradient_fields

    prog = "python -m overparam.reports figures"
    p = Parser(prog=prog, description="Write the post's five gradient-field figures as PNG files "
                                      "(a file of the same name that the report did not write is never replaced).")
    p.add_argument("--out", metavar="DIR", type=Path, default=DEFAULT_OUT, help=f"folder (default: {DEFAULT_OUT})")
    args = p.parse_args(argv)
    if args.out.exists() and not args.out.is_dir():
        return _usage_error(f"--out must be a folder, but {args.out} is a file", prog)
    try:
        paths = write_gradient_fields(args.out)
    except ValueError as e:
        return _usage_error(str(e), prog)
    for path in paths:
        print(path)
    return 0


def _zoo_main(argv: list[str]) -> int:
    from overparam.parameterizations import zoo

    Parser(prog="python -m overparam.reports zoo", description="List the zoo with its sizes.").parse_args(argv)
    for m in zoo():
        print(f"{m.label:40s} p={m.n_params:4d} q={m.n_canonical:3d}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Dispatch on the first argument: a command name, else the run's options (:func:`run_main`, which
    leaves the Hypothesis profile as it found it)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in _COMMANDS:
        cmd, rest = argv[0], argv[1:]
        try:
            if cmd == "replay":
                from .replay import main as replay_main

                return replay_main(rest)
            return {"figures": _figures_main, "zoo": _zoo_main}[cmd](rest)
        except KeyboardInterrupt:
            print(f"python -m overparam.reports {cmd}: interrupted", file=sys.stderr)
            return 130
    return run_main(argv)
