"""The run in machine-readable form: ``summary.json`` (one row per result) and JUnit XML.

A row holds what a CI job or the index needs about one result: id, kind, status,
the status as shown, the section, the claim shortened and whole, the one-line message, the
decided examples, the undecided ones (with their reasons), a tendency claim's rate with its
interval and verdict (and, for a failure replayed from Hypothesis's example database, the
examples the search that found it took), seconds, the files of its page, and the claim's
power: the kind as shown (``consistency check`` for a claim no library bug can reach) and
how many planted library bugs turn it red (:mod:`overparam.theorems.power`). The
index is rendered from these rows, so a partial run (``-k``, ``--section``) can
keep the rows of the claims it did not run from the previous ``summary.json``.
"""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

from overparam.theorems.core import claim_sort_key
from overparam.theorems.power import caught_by, kind_label, power_label

__all__ = ["FORMAT", "SUMMARY", "row", "status_key", "run_info", "summary_document", "load_summary",
           "junit_xml", "FINDING_ORDER"]

FORMAT = "overparam-summary/1"
SUMMARY = "summary.json"

#: the order of findings on the index: failures of the suite first, then refutations, then witnesses
FINDING_ORDER = ("error", "refuted-holds", "no witness", "refuted-open", "witness found")


def status_key(kind: str, status: str) -> str:
    """The status with the kind where it decides the colour: ``refuted-holds`` vs ``refuted-open``."""
    return f"refuted-{'open' if kind == 'open' else 'holds'}" if status == "refuted" else status


def row(entry, files: list[str]) -> dict:
    """The summary row of one report entry (see :class:`overparam.reports.entries.Entry`)."""
    r, c = entry.result, entry.claim
    return {
        "id": r.id, "kind": r.kind, "status": r.status, "shown_status": r.status_label,
        # a consistency check that held is counted apart: it is not a test of the library
        "status_key": "consistency check" if r.consistency and r.passing else status_key(r.kind, r.status),
        "failing": r.failing, "section": c.section if c is not None else "",
        "claim": c.short(150) if c is not None else "",
        "statement": c.statement if c is not None else "", "subject": r.subject, "message": r.message,
        "examples": r.examples, "undecided": r.undecided, "undecided_reasons": dict(r.undecided_reasons),
        "rate": r.rate, "search_examples": r.search_examples, "replayed": r.replayed,
        "seconds": round(r.seconds, 3), "page": entry.page, "files": files,
        "kind_label": kind_label(c) if c is not None else r.kind,
        "caught_bugs": len(caught_by(r.id)), "power": power_label(c) if c is not None else "",
    }


def _git(*args: str) -> str:
    root = Path(__file__).resolve().parents[1]
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def run_info(meta) -> dict:
    """When and from what the report was made: date (UTC), git commit, source, profile, versions."""
    commit = _git("rev-parse", "--short=12", "HEAD")
    if commit and _git("status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    return {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "commit": commit or "unknown",
            "source": meta.source, "profile": meta.profile, "selection": meta.selection,
            "seconds": round(meta.seconds, 1), "versions": meta.versions, "includes": list(meta.includes)}


def summary_document(rows: list[dict], figures: list[dict], run: dict, exit_status: int) -> dict:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["status_key"]] = counts.get(r["status_key"], 0) + 1
    return {"format": FORMAT, "run": run, "exit_status": exit_status, "counts": counts,
            "claims": sorted(rows, key=lambda r: (claim_sort_key(r["id"]), r["subject"])), "figures": figures}


def load_summary(out: Path) -> dict | None:
    """The ``summary.json`` of a report folder, or None when there is none (or it is not one of ours)."""
    try:
        body = json.loads((Path(out) / SUMMARY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(body, dict) or body.get("format") != FORMAT or not isinstance(body.get("claims"), list):
        return None
    return body


def junit_xml(rows: list[dict], run: dict) -> bytes:
    """JUnit XML of this run's rows: a failing result is a ``failure``, a pending one ``skipped``;
    an open claim's verdict (refuted or survived) passes, with its message as output."""
    failures = sum(r["failing"] for r in rows)
    skipped = sum(r["status"] == "pending" for r in rows)
    suite = ET.Element("testsuite", name="overparam claims", tests=str(len(rows)), failures=str(failures),
                       errors="0", skipped=str(skipped), time=f"{sum(r['seconds'] for r in rows):.3f}",
                       timestamp=run.get("date", ""))
    props = ET.SubElement(suite, "properties")
    for k in ("commit", "profile", "source", "versions"):
        ET.SubElement(props, "property", name=k, value=str(run.get(k, "")))
    for r in rows:
        name = r["id"] + (f" on {r['subject']}" if r["subject"] else "")
        case = ET.SubElement(suite, "testcase", classname=r["section"] or "claims", name=name,
                             time=f"{r['seconds']:.3f}")
        if r["failing"]:
            kind = {"no witness": "no witness", "error": "error"}.get(r["status"], f"{r['kind']} claim refuted")
            ET.SubElement(case, "failure", message=r["message"], type=kind).text = r["message"]
        elif r["status"] == "pending":
            ET.SubElement(case, "skipped", message=r["message"])
        else:
            ET.SubElement(case, "system-out").text = f"{r['shown_status']}: {r['message']}"
    ET.indent(suite)
    return ET.tostring(suite, encoding="utf-8", xml_declaration=True) + b"\n"

