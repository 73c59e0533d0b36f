"""pytest plugin: a test per ``@claim`` function, a terminal summary of every claim's status, and
``--claims-report DIR``.

A function decorated with ``@claim`` in a collected test file is a test of its own
(:func:`overparam.theorems.testing.collect_claim`): one conjecture is one decorated function, with no
test function beside it.

Each claim test stores its Result in ``user_properties`` (see :mod:`overparam.theorems.testing`);
they travel to the controller under pytest-xdist, where a :class:`ClaimsCollector`
(one per pytest session) gathers them with the node id that ran them. A claim test
skipped because its claim is pending is reported as ``pending``. A run on pytest-xdist workers (``-n``)
with two workers or more gives each one BLAS thread unless the user chose a number
(:func:`starts_xdist_workers`). With
``--claims-report DIR`` the controller writes the same report as ``python -m overparam.reports``
(index, pages, records, pictures, gradient fields).
"""

from __future__ import annotations

import json
import os
import re

import pytest

from overparam.theorems.testing import RESULT_KEY, collect_claim

__all__ = ["pytest_addoption", "pytest_configure", "pytest_pycollect_makeitem", "ClaimsCollector",
           "starts_xdist_workers"]

_PENDING = re.compile(r"(\S+) is pending: it has a statement but no property yet")


def pytest_addoption(parser):
    group = parser.getgroup("overparam")
    group.addoption("--claims-report", metavar="DIR", default=None,
                    help="write the claims report (HTML pages, figures, counterexample records) to DIR")
    group.addoption("--claims-report-fields", metavar="NAMES", default="all",
                    help="gradient-field figures in the claims report: all (default), none, or names joined "
                         "by commas (regular, squared, inverse, polar, deep)")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    from overparam.theorems.profiles import chosen_profile

    if not config.getoption("hypothesis_profile", None):
        try:
            chosen_profile()
        except ValueError as e:  # a bad OVERPARAM_PROFILE: a usage error, not a traceback
            raise pytest.UsageError(str(e)) from None
    config.addinivalue_line("markers", "claim(id): the test checks one claim of the catalogue")
    if not config.pluginmanager.has_plugin("overparam-claims"):
        config.pluginmanager.register(ClaimsCollector(config), "overparam-claims")
    if starts_xdist_workers(config):
        # one worker a core already: a pool of BLAS threads in each worker makes them compete for the same
        # cores (the claims with large batched products, C36 and C37, took about 70 % more CPU). The workers
        # inherit this process's environment when they start, after this hook
        from .workers import one_blas_thread_in_child_processes

        one_blas_thread_in_child_processes()


def starts_xdist_workers(config) -> bool:
    """Whether this process is pytest-xdist's controller and will start two workers or more (``-n N``, or
    ``-n auto``, which pytest-xdist has turned into a number by now); a single worker keeps BLAS's threads."""
    n = getattr(config.option, "numprocesses", None)
    return not os.environ.get("PYTEST_XDIST_WORKER") and isinstance(n, int) and n >= 2


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector, name, obj):
    return collect_claim(collector, name, obj)


def _pending_id(report) -> str | None:
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr or "")
    m = _PENDING.search(text)
    return m.group(1) if m else None


def _pending_result(cid: str) -> dict:
    from overparam.theorems.core import Result
    from overparam.theorems.records import result_to_dict

    from .build import find_claim

    c = find_claim(cid)
    kind = c.kind if c is not None else "holds"
    return result_to_dict(Result(cid, kind, "pending", message=f"{cid} has no property yet."))


class ClaimsCollector:
    """The claim results of one pytest session, and the report written from them."""

    def __init__(self, config):
        self.config = config
        #: (node id, result as a dict), in the order the reports arrived
        self.results: list[tuple[str, dict]] = []
        self.written: list[str] = []

    @property
    def is_worker(self) -> bool:
        return hasattr(self.config, "workerinput")

    def pytest_runtest_logreport(self, report):
        if report.when != "call" and not (report.when == "setup" and report.skipped):
            return
        for key, value in report.user_properties:
            if key == RESULT_KEY:
                self.results.append((report.nodeid, json.loads(value)))
                return
        if report.skipped:
            cid = _pending_id(report)
            if cid is not None:
                self.results.append((report.nodeid, _pending_result(cid)))

    def pytest_sessionfinish(self, session, exitstatus):
        out = self.config.getoption("--claims-report", default=None)
        if not out or self.is_worker:
            return
        from overparam.theorems.profiles import current_profile
        from overparam.theorems.records import result_from_dict

        from .build import write_report
        from .records import lossy_paths

        fields = self.config.getoption("--claims-report-fields", default="all")
        fields = {"all": True, "none": False}.get(fields) if fields in ("all", "none") else fields.split(",")
        args = " ".join(str(a) for a in self.config.invocation_params.args)
        try:
            index = write_report(
                [result_from_dict(r) for _, r in self.results], out,
                nodeids=[n for n, _ in self.results],
                lossy=[lossy_paths(r["example"]) if r.get("example") is not None else [] for _, r in self.results],
                source=f"pytest {args}".strip(), profile=current_profile() or "", fields=fields)
        except (OSError, ValueError) as e:  # the folder is refused or cannot be written: say so, keep the run
            self.written.append(f"not written: {e}")
        else:
            self.written.append(str(index))

    def pytest_terminal_summary(self, terminalreporter, exitstatus, config):
        if self.is_worker or not self.results:
            return
        from pathlib import Path

        from overparam.theorems.profiles import current_profile
        from overparam.theorems.records import result_from_dict

        from .build import progress_line
        from .terminal import decided, summary_lines

        tr = terminalreporter
        profile = current_profile()
        tr.section(f"claims (profile {profile})" if profile else "claims")
        rows = sorted(((n, r) for n, r in self.results), key=lambda t: (t[1]["id"], t[1].get("subject", "")))
        out = self.config.getoption("--claims-report", default=None)
        written = bool(self.written) and not self.written[-1].startswith("not written")
        nodes = {}
        results = []
        for nodeid, data in rows:
            r = result_from_dict(data)
            nodes[id(r)] = nodeid
            results.append(r)

        def replay(r) -> str:
            if written and r.example is not None:
                from .entries import Entry

                record = Path(out) / f"{Entry(r).slug}.json"
                if record.is_file():
                    return f"replay: python -m overparam.reports replay {record}"
            rerun = f"rerun: python -m pytest {nodes[id(r)] or '-k ' + r.id}"
            if r.example is None:
                return rerun
            return f"{rerun} (from Hypothesis's example database); a record to replay: add --claims-report DIR"

        for line in summary_lines(results, progress_line, replay):
            tr.write_line(line)
        for path in self.written:
            tr.write_line(f"claims report: {path}")
        # the closing line of pytest counts the verdicts too: "7 passed, 7 claims: 3 refuted (open), 4 survived"
        n, counted = decided(results)
        tr.stats.setdefault(f"{'claim' if n == 1 else 'claims'}: {counted}", []).extend(_Counted() for _ in range(n))


class _Counted:
    """An entry of pytest's statistics that only counts (the closing line prints how many)."""

    count_towards_summary = True
