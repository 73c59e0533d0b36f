"""The report's layout as a browser draws it: headless Chromium at a laptop, a desktop and a phone width.

A report is built once from real catalogue claims, chosen for what stresses the layout (a tendency
claim's long status with undecided examples, a long statement, a long message, a counterexample's
values, a consistency check), run with a small budget, and the planted error and pending claims. The
pages are opened at each width and measured: the page never scrolls sideways, the claim and verdict
columns of the index get a readable width, no word is broken between two lines, and no number is.

The browser is Debian's ``chromium`` driven by Playwright (its own browser download is not needed);
without either the test skips, saying which is missing (and fails under .ci/run, which installs both).
"""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import Phase

from _planted import planted_claims
from overparam.reports import build
from overparam.theorems.listing import get

pytestmark = pytest.mark.slow

#: the widths the report must read at: a laptop, a desktop, a phone
WIDTHS = (1280, 1920, 390)
#: the least width of the index's claim and verdict cells (CSS px) at a desktop width; on a phone
#: they take the whole row
DESKTOP_CELL = 300
PHONE_CELL = 300
#: real claims that stress the layout (long statements, rate statuses, undecided examples, long messages)
CLAIMS = ("C01", "C17", "C22w", "C23", "C24", "C30a", "C31", "C35u")
#: the claim pages measured besides the index
PAGES = ("C23.html", "C30a.html", "C31.html", "P3.html")
FEW = {"max_examples": 5, "database": None, "phases": (Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink)}

# Per page: the document's width against the viewport's; per index table, the widths of the claim and
# verdict cells; and every run of letters or digits (a word or a number; no line may break inside one
# except by overflow-wrap or word-break) that the browser drew on more than one line.
_MEASURE = r"""
() => {
  const out = {viewport: window.innerWidth, scroll: document.documentElement.scrollWidth, cells: [], broken: []};
  for (const td of document.querySelectorAll('table.claims td.claim, table.claims td.msg')) {
    if (td.closest('tr').hidden) continue;
    out.cells.push([td.className, td.closest('tr').querySelector('td.id').textContent.trim(),
                    td.getBoundingClientRect().width]);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const run = /[\p{L}\p{N}\p{M}]+(?:[.,][\p{N}]+)*/gu;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement || node.parentElement.closest('script, style, title')) continue;
    for (const m of node.data.matchAll(run)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const rects = [...range.getClientRects()].filter(r => r.width > 0);
      if (rects.length < 2) continue;
      const first = rects[0];
      if (rects.some(r => r.top >= first.bottom - 1)) out.broken.push(m[0]);
    }
  }
  return out;
}
"""


def _missing(reason: str):
    """Skip, saying what is missing; under .ci/run (OVERPARAM_REQUIRE_BROWSER set) fail instead."""
    if os.environ.get("OVERPARAM_REQUIRE_BROWSER"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def _browser():
    """(Playwright's sync_playwright, the chromium executable), or skip saying what is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed (pip install '.[browser]')")
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        _missing("no chromium executable on PATH (apt-get install chromium)")
    return sync_playwright, path


def _measure(out) -> dict:
    """{(page, width): measurements} of the report in ``out``, drawn by headless chromium."""
    sync_playwright, path = _browser()
    found = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path)
        try:
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": 900})
                for name in ("index.html",) + PAGES:
                    page.goto((out / name).as_uri())
                    found[name, width] = page.evaluate(_MEASURE)
                page.close()
        finally:
            browser.close()
    return found


def layout_problems(found: dict) -> list[str]:
    """What does not read: a page wider than the window, a claim or verdict cell narrower than its
    least width, a word or number drawn on two lines."""
    problems = []
    for (name, width), m in found.items():
        if m["scroll"] > m["viewport"]:
            problems.append(f"{name} at {width} px scrolls sideways: {m['scroll']} px wide")
        if name == "index.html":
            least = PHONE_CELL if width < 700 else DESKTOP_CELL
            if not m["cells"]:
                problems.append(f"{name} at {width} px has no claim cells")
            narrow = [f"{cid} {cls} {w:.0f} px" for cls, cid, w in m["cells"] if w < least]
            if narrow:
                problems.append(f"{name} at {width} px: {len(narrow)} cells narrower than {least} px: {narrow[:4]}")
        if m["broken"]:
            problems.append(f"{name} at {width} px breaks {len(m['broken'])} words or numbers across lines: "
                            f"{m['broken'][:6]}")
    return problems


def test_the_report_reads_at_a_laptop_a_desktop_and_a_phone_width(tmp_path):
    _browser()  # skip before any work when there is no browser
    planted = planted_claims()
    claims = [get(cid) for cid in CLAIMS] + [planted["P3"], planted["P5"]]
    entries = build.run_entries(claims, overrides=FEW, progress=None)
    build.build_report(entries, tmp_path, meta=build.Meta(source="test", profile="default"), fields=False)
    found = _measure(tmp_path)
    assert set(found) == {(name, w) for name in ("index.html",) + PAGES for w in WIDTHS}
    problems = layout_problems(found)
    assert not problems, "\n".join(problems)
