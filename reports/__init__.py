"""Pages and figures from the claims catalogue's results.

* :mod:`reports.build` — run claims, write the report folder (index, pages, records, pictures).
* :mod:`reports.entries` — what the report is made of: an entry per result, the run's metadata.
* :mod:`reports.html` — the pages' HTML.
* :mod:`reports.plots` — a claim's picture, or the generic one; deterministic PNG bytes.
* :mod:`reports.figures` — the post's five gradient-field figures.
* :mod:`reports.records` — counterexample records (JSON, exact).
* :mod:`reports.replay` — call a claim's check again on a record's example.
* :mod:`reports.select` — ``-k`` expressions.
* :mod:`reports.cli` — ``python -m reports``.
"""

__all__ = ["build", "cli", "entries", "figures", "html", "plots", "records", "replay", "select"]
