"""Build the report: run claims, then write the index, one page per result, records and pictures.

The output folder is flat and self-contained: ``index.html``, ``summary.json`` (every
result as data, see :mod:`overparam.reports.summary`), ``<slug>.html`` (one per claim result),
``<slug>.json`` (its record, replayable with ``python -m overparam.reports replay``),
``<slug>-plot.png`` / ``<slug>-values.png`` (its pictures), ``field-<name>.png`` (the
post's gradient fields) and ``.overparam-report`` (the manifest of what the run wrote,
see :mod:`overparam.reports.folder`: the report never deletes a file it did not write, and a
failed build leaves the previous report intact). Every link is relative, so the
folder can be opened from disk or moved.

A partial run (``partial=True``: ``-k`` or ``--section``) rewrites the pages of its own
claims and the index; the other claims' rows, pages and figures of the previous run in
that folder stay, marked on the index with the date of the run that made them.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Callable, Iterable

from overparam.theorems.core import Claim, Result, claim_sort_key, run_claim

from . import html
from .entries import Entry, Meta
from .folder import MARKER, Staging, check_out, lock, manifest, write_atomically
from .index import index_page
from .plots import claim_pictures
from .records import make_record, save_record
from .terminal import plural
from .summary import SUMMARY, junit_xml, load_summary, row, run_info, summary_document

__all__ = ["Entry", "Meta", "exit_code", "find_claim", "run_one", "run_entries", "progress_line",
           "build_report", "write_report", "MARKER"]


def exit_code(results: Iterable[Result]) -> int:
    """1 if any result is :attr:`overparam.theorems.core.Result.failing`, else 0 (pending and open verdicts do not fail)."""
    return int(any(r.failing for r in results))


def find_claim(cid: str, claims: Iterable[Claim] = ()) -> Claim | None:
    """The claim with id ``cid``: among ``claims``, else the catalogue, else the interface checks."""
    for c in claims:
        if c.id == cid:
            return c
    from .replay import known_claims

    for c in known_claims():
        if c.id == cid:
            return c
    return None


def progress_line(r: Result) -> str:
    """One line per finished claim: id, kind, examples and seconds in columns of fixed width, then the
    status (of any length) and the parameterization."""
    subject = f" on {r.subject}" if r.subject else ""
    label = f"  [{r.label}]" if r.label and r.label != r.subject else ""
    replayed = ""
    if r.replayed:
        replayed = (f" (replayed from the example database; the search took {plural(r.search_examples, 'example')})"
                    if r.search_examples else " (replayed from the example database)")
    examples = "example " if r.examples == 1 else "examples"
    return (f"{r.id:6s} {r.kind:6s} {r.examples:5d} {examples} {r.seconds:7.2f}s  {r.status_label}"
            f"{subject}{label}{replayed}")


def counter(n: int, total: int) -> str:
    """``[ n/N]``, the width of N."""
    return f"[{n:>{len(str(total))}}/{total}]"


def run_one(claim: Claim, overrides: dict | None) -> Result:
    """:func:`overparam.theorems.core.run_claim`, with a strategy that cannot even be built an error of
    that claim, not of the run."""
    try:
        return run_claim(claim, overrides=overrides)
    except Exception as e:
        return Result(claim.id, claim.kind, "error", message=f"{type(e).__name__}: {e} [{claim.id}]")


def run_entries(claims: Iterable[Claim], *, overrides: dict | None = None,
                progress: Callable[[str], None] | None = print, jobs: int = 1, profile: str | None = None,
                includes: Iterable[str] = (), workers=None, costs: dict[str, float] | None = None,
                then: Callable[[], None] | None = None) -> list[Entry]:
    """Run every claim (pending ones give status ``pending``), reporting a line as each finishes.

    Args:
        claims: the claims, in the order the entries are returned.
        overrides: Hypothesis settings replacing the profile's.
        progress: called with :func:`progress_line` of each result as it finishes.
        jobs: worker processes; with more than one (or with ``workers``, a
            :class:`overparam.reports.workers.Workers`), the claims of the catalogue run there
            with their pictures (each worker loads ``profile`` and imports ``includes`` first),
            and the others run here.
        costs: seconds each claim took before (by id), to start the dearest first.
        then: called once every claim has been handed to the workers (e.g. to queue more work).
    """
    claims = list(claims)
    if workers is None and jobs > 1:
        from .workers import Workers

        with Workers(jobs, profile, includes) as pool:
            return run_entries(claims, overrides=overrides, progress=progress, workers=pool, costs=costs, then=then)
    results: dict[int, Result] = {}
    pictures: dict[int, list] = {}

    def done(i: int, r: Result) -> None:
        results[i] = r
        if progress is not None:
            progress(f"{counter(len(results), len(claims))} {progress_line(r)}")

    if workers is not None:
        _run_parallel(claims, workers, overrides, costs or {}, done, pictures, then)
    elif then is not None:
        then()
    for i, c in enumerate(claims):
        if i not in results:
            done(i, run_one(c, overrides))
    if workers is not None:
        _collect_pictures(claims, workers, results, pictures)
    return [Entry(results[i], c, pictures=pictures.get(i, [])) for i, c in enumerate(claims)]


def _registered(claims: list[Claim]) -> set[int]:
    """Indices of decided claims that a worker finds again by id (those in the catalogue)."""
    from overparam.theorems.listing import catalogue

    known = {c.id: c for c in catalogue()}
    return {i for i, c in enumerate(claims) if c.decided and known.get(c.id) is c}


def _cost(claim: Claim, costs: dict[str, float]) -> float:
    """What a claim is expected to take: its seconds last time, else a hint (a claim with a budget of its
    own or a rate runs expensive examples)."""
    if claim.id in costs:
        return costs[claim.id]
    return 10.0 if (claim.settings.get("max_examples") or claim.rate is not None) else 1.0


def _run_parallel(claims, workers, overrides, costs, done, pictures, then) -> None:
    from concurrent.futures import as_completed

    from overparam.theorems.core import merge_families, per_family
    from overparam.theorems.records import result_from_dict

    from .workers import run_claim_task

    tasks = []  # (expected seconds, index, family or None)
    families: dict[int, list[str]] = {}
    for i in _registered(claims):
        c = claims[i]
        families[i] = per_family(c)
        for f in families[i] or [None]:
            tasks.append((_cost(c, costs) / max(1, len(families[i])), i, f))
    tasks.sort(key=lambda t: (-t[0], t[1], t[2] or ""))
    futures = {workers.submit(run_claim_task, claims[i].id, overrides, f, f is None): (i, f) for _, i, f in tasks}
    if then is not None:
        then()
    parts: dict[int, dict[str, Result]] = {}
    for fut in as_completed(futures):
        i, family = futures[fut]
        c = claims[i]
        try:
            data, pics = fut.result()
            r = result_from_dict(data)
        except Exception as e:  # the worker died or its result could not come back
            r, pics = Result(c.id, c.kind, "error", message=f"{type(e).__name__} in a worker: {e} [{c.id}]"), []
        if family is None:
            pictures[i] = pics
            done(i, r)
            continue
        parts.setdefault(i, {})[family] = r
        if len(parts[i]) == len(families[i]):
            done(i, merge_families(c, [parts[i][f] for f in families[i]]))


def _collect_pictures(claims, workers, results, pictures) -> None:
    """Draw, in the workers, the pictures of the results that came back without them (merged families)."""
    from overparam.theorems.records import result_to_dict

    from .workers import pictures_task

    todo = {i: workers.submit(pictures_task, claims[i].id, result_to_dict(results[i]))
            for i in _registered(claims) if i not in pictures and results[i].example is not None}
    for i, fut in todo.items():
        try:
            pictures[i] = fut.result()
        except Exception:  # drawn here instead, where a failure is shown on the page
            pass


def _relative(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it, else absolute."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _earlier(previous: dict | None, out: Path, replaced: set[str]) -> tuple[list[dict], list[dict]]:
    """The rows and figures of the previous run in ``out`` that a partial run keeps: those whose
    files that run wrote (its manifest) are all still there and that this run does not replace."""
    if previous is None:
        return [], []
    owned = manifest(out)
    date = previous.get("run", {}).get("date", "an earlier run")

    def present(files):
        return all(f in owned and (out / f).is_file() for f in files)

    rows = []
    for r in previous["claims"]:
        if isinstance(r, dict) and r.get("page") not in replaced and present(r.get("files", [])):
            rows.append(dict(r, earlier=r.get("earlier") or date))
    figures = [f for f in previous.get("figures", []) if isinstance(f, dict) and f.get("file") not in replaced
               and present([f.get("file", "")])]
    return rows, figures


def build_report(entries: list[Entry], out_dir, *, meta: Meta | None = None,
                 fields: bool | Iterable[str] = True, partial: bool = False, force: bool = False,
                 junit=None, progress: Callable[[str], None] | None = None,
                 drawn_fields: dict[str, bytes] | None = None) -> Path:
    """Write the report of ``entries`` into ``out_dir``; returns the index page's path.

    Args:
        fields: the gradient-field figures to include — all (True), none (False), or
            those named (``regular``, ``squared``, ``inverse``, ``polar``, ``deep``).
        partial: the entries are a selection: keep the previous run's other rows (see the module).
        force: write into a non-empty folder that is not a report folder (deleting none of its files).
        junit: a path for JUnit XML of the entries.
        progress: called with a ``[n/N]`` line as each page and figure is written.
        drawn_fields: gradient-field figures already drawn (PNG by name, e.g. by the workers);
            the others of ``fields`` are drawn here.

    A claim's plot that raises, or a picture that cannot be drawn, is shown on its
    page as an error; it never stops the report. Anything else that raises leaves
    ``out_dir`` as it was.
    """
    out = check_out(out_dir, force=force)
    with lock(out):  # one run at a time in a folder
        return _build(entries, out, meta or Meta(), fields, partial, junit, progress, drawn_fields)


def _build(entries, out, meta, fields, partial, junit, progress, drawn_fields) -> Path:
    from .figures import gradient_fields, render_gradient_fields

    run = run_info(meta)
    names = [] if not fields else [f.name for f in gradient_fields()] if fields is True else list(fields)
    total = len(entries) + len(names)
    say = progress or (lambda _: None)
    rows: list[dict] = []
    with Staging(out) as stage:
        seen: dict[str, int] = {}
        for n, e in enumerate(entries, 1):
            slug = e.slug
            if slug in seen:  # the same id and subject twice (e.g. a repeated pytest node)
                seen[slug] += 1
                slug = f"{slug}-{seen[slug]}"
            else:
                seen[slug] = 1
            files = []
            if not e.pictures:  # not drawn by a worker
                e.pictures = claim_pictures(e.claim, e.result)
            for p in e.pictures:
                if p.png:
                    stage.write_bytes(f"{slug}-{p.name}.png", p.png)
                    files.append(f"{slug}-{p.name}.png")
            e.record = make_record(e.result, e.claim, nodeid=e.nodeid, includes=meta.includes, extra_lossy=e.lossy)
            if e.result.example is not None:
                save_record(e.record, stage.path(f"{slug}.json"))
                e.record_path = out / f"{slug}.json"
                files.append(f"{slug}.json")
            e.page = f"{slug}.html"
            stage.write_text(e.page, html.claim_page(e, slug, replay_path=_relative(out / f"{slug}.json")))
            rows.append(row(e, [e.page] + files))
            say(f"{counter(n, total)} page {e.page}")
        figures = []
        drawn_fields = drawn_fields or {}
        specs = {f.name: f for f in gradient_fields()}
        rendered = {name: (specs[name], drawn_fields[name]) for name in names if name in drawn_fields}
        rest = [name for name in names if name not in drawn_fields]
        rendered.update(render_gradient_fields(rest) if rest else {})
        for n, name in enumerate(names, len(entries) + 1):
            spec, png = rendered[name]
            stage.write_bytes(f"field-{name}.png", png)
            figures.append({"name": name, "file": f"field-{name}.png", "title": spec.title, "caption": spec.caption})
            say(f"{counter(n, total)} figure field-{name}.png")
        replaced = {r["page"] for r in rows} | {f["file"] for f in figures}
        kept_rows, kept_figures = _earlier(load_summary(out) if partial else None, out, replaced)
        code = exit_code(e.result for e in entries)
        doc = summary_document(rows + kept_rows, figures + kept_figures, run, code)
        stage.write_text(SUMMARY, json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=True) + "\n")
        stage.write_text("index.html", index_page(doc))
        keep = {f for r in kept_rows for f in r.get("files", [])} | {f["file"] for f in kept_figures}
        stage.commit(keep=keep)
    if junit is not None:
        write_atomically(Path(junit), junit_xml(rows, run))
    return out / "index.html"


def _versions() -> str:
    import hypothesis
    import matplotlib
    import numpy

    return (f"Python {platform.python_version()}, Hypothesis {hypothesis.__version__}, "
            f"NumPy {numpy.__version__}, Matplotlib {matplotlib.__version__}")


def write_report(results: list[Result], out_dir, *, nodeids: list[str] | None = None,
                 lossy: list[list[str]] | None = None, claims: Iterable[Claim] = (), source: str = "pytest",
                 profile: str = "", fields: bool | Iterable[str] = True, force: bool = False) -> Path:
    """The report of results collected elsewhere (a pytest run): each result's claim is looked up by id.

    Args:
        results: the results, in any order (the index sorts them by id).
        out_dir: the report folder.
        nodeids: the pytest node id of each result.
        lossy: per result, the example's values that reached here as text only.
        claims: claims to look ids up in before the catalogue.
        fields: the gradient-field figures to include (see :func:`build_report`).
    """
    claims = list(claims)
    nodeids = list(nodeids or [""] * len(results))
    lossy = list(lossy or [[]] * len(results))
    entries = [Entry(r, find_claim(r.id, claims), n, lossy=list(x)) for r, n, x in zip(results, nodeids, lossy)]
    entries.sort(key=lambda e: (claim_sort_key(e.result.id), e.result.subject))
    meta = Meta(source=source, profile=profile, seconds=sum(r.seconds for r in results), versions=_versions())
    return build_report(entries, out_dir, meta=meta, fields=fields, force=force)

