"""pytest plugin: a terminal summary of every claim's status, and ``--claims-report DIR``."""

from __future__ import annotations

import json

from theorems.testing import RESULT_KEY

_RESULTS: list[dict] = []


def pytest_addoption(parser):
    group = parser.getgroup("overparam")
    group.addoption("--claims-report", metavar="DIR", default=None,
                    help="write the claims report (HTML pages, figures, counterexamples) to DIR")


def pytest_runtest_logreport(report):
    if report.when != "call":
        return
    for key, value in report.user_properties:
        if key == RESULT_KEY:
            _RESULTS.append(json.loads(value))


def _is_worker(config) -> bool:
    return hasattr(config, "workerinput")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _is_worker(config) or not _RESULTS:
        return
    tr = terminalreporter
    tr.section("claims")
    rows = sorted(_RESULTS, key=lambda r: (r["id"], r.get("subject", "")))
    for r in rows:
        subject = f" on {r['subject']}" if r.get("subject") else ""
        tr.write_line(f"{r['id']:5s} {r['kind']:6s} {r['status']:13s} {r['examples']:5d} examples "
                      f"{r['seconds']:6.2f}s{subject}")


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    out = config.getoption("--claims-report", default=None)
    if not out or _is_worker(config):
        return
    from .build import write_report
    from theorems.records import result_from_dict

    write_report([result_from_dict(r) for r in _RESULTS], out)
