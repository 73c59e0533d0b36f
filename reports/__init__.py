"""Pages and figures from the claims catalogue's results.

* :mod:`reports.build` — run claims, write the report folder (index, pages, records, pictures).
* :mod:`reports.entries` — what the report is made of: an entry per result, the run's metadata.
* :mod:`reports.folder` — the report folder kept safe: manifest, checks before the run, staged writes.
* :mod:`reports.summary` — ``summary.json`` and JUnit XML: every result as data.
* :mod:`reports.index` — the index page (findings first), rendered from the summary.
* :mod:`reports.html` — a claim's page.
* :mod:`reports.markup` — the HTML every page shares: stylesheet, escaping, frame, status colours.
* :mod:`reports.plots` — a claim's picture, or the generic one; deterministic PNG bytes.
* :mod:`reports.figures` — the post's five gradient-field figures.
* :mod:`reports.records` — counterexample records (JSON, exact).
* :mod:`reports.replay` — call a claim's check again on a record's example.
* :mod:`reports.select` — ``-k`` expressions.
* :mod:`reports.cli` — ``python -m reports``.
* :mod:`reports.usage` — command-line parsing: a usage error is one line, exit status 2.
"""

__all__ = ["build", "cli", "entries", "figures", "folder", "html", "index", "markup", "plots", "records", "replay",
           "select", "summary", "usage"]
