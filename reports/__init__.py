"""Pages and figures from the claims catalogue's results.

* :mod:`overparam.reports.build` — run claims, write the report folder (index, pages, records, pictures).
* :mod:`overparam.reports.entries` — what the report is made of: an entry per result, the run's metadata.
* :mod:`overparam.reports.folder` — the report folder kept safe: manifest, checks before the run, staged writes.
* :mod:`overparam.reports.summary` — ``summary.json`` and JUnit XML: every result as data.
* :mod:`overparam.reports.index` — the index page (findings first), rendered from the summary.
* :mod:`overparam.reports.html` — a claim's page.
* :mod:`overparam.reports.markup` — the HTML every page shares: stylesheet, escaping, frame, status colours.
* :mod:`overparam.reports.plots` — a claim's picture, or the generic one; deterministic PNG bytes.
* :mod:`overparam.reports.figures` — the post's five gradient-field figures.
* :mod:`overparam.reports.records` — counterexample records (JSON, exact).
* :mod:`overparam.reports.replay` — call a claim's check again on a record's example.
* :mod:`overparam.reports.select` — ``-k`` expressions.
* :mod:`overparam.reports.cli` — ``python -m overparam.reports``.
* :mod:`overparam.reports.usage` — command-line parsing: a usage error is one line, exit status 2.
"""

__all__ = ["build", "cli", "entries", "figures", "folder", "html", "index", "markup", "plots", "records", "replay",
           "select", "summary", "usage"]
