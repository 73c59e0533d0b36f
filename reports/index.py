"""The index page, rendered from the summary document (:mod:`overparam.reports.summary`).

Findings first: the results that decide something — a failure of the suite (red), an
open claim refuted (amber), a witness found (green) — are listed on top with their
one-line message. Below, every result grouped by the post's sections, with chips
that filter the table by status and a search box (a few lines of inline script; without
it the page shows everything). Then the run (date, git commit, versions) and the
gradient-field figures at a size that can be read without opening them.
"""

from __future__ import annotations

from .markup import escape as _e, nowrap_numbers, page as _page, rate_text, status_class
from .summary import FINDING_ORDER

__all__ = ["index_page", "INDEX_CSS"]

INDEX_CSS = """
body { max-width: 1440px; }
.verdict { padding: .5rem .8rem; border-radius: 6px; margin: .6rem 0; font-weight: 600; }
.verdict.ok { border: 1px solid var(--ok); } .verdict.bad { border: 1px solid var(--bad); }
.controls { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; margin: .6rem 0; }
.controls input { font: inherit; padding: .25rem .5rem; border: 1px solid var(--line); border-radius: 6px;
  min-width: 0; flex: 1 1 14rem; }
button.badge { border: 1px solid transparent; cursor: pointer; font: inherit; font-size: .82rem; font-weight: 600; }
button.badge[aria-pressed="true"] { border-color: currentColor; box-shadow: 0 0 0 1px currentColor; }
button.badge.all { color: var(--fg); background: var(--soft); }
table.claims { table-layout: fixed; }
table.claims col.id { width: 4.6rem; } table.claims col.status { width: 10rem; }
table.claims col.examples { width: 5.6rem; } table.claims col.seconds { width: 4.6rem; }
table.claims col.bugs { width: 4.6rem; } table.claims col.msg { width: 30%; }
table.claims td.claim, table.claims td.msg { overflow-wrap: break-word; }
table.claims td.msg { color: var(--muted); font-size: .88rem; }
table.claims thead th:nth-child(n+5) { text-align: right; }
table.claims tr.section th { background: #fff; font-size: .95rem; padding-top: 1rem;
  border-bottom: 2px solid var(--line); }
.detail, .earlier, .kind, .sub { display: block; color: var(--muted); font-size: .78rem; font-weight: 400; }
td.num .sub { white-space: normal; }
.fields { display: block; } .fields figure { margin: 1.2rem 0; }
.fields img { width: auto; max-width: 100%; }
.meta code { overflow-wrap: anywhere; }
@media (max-width: 700px) {
  body { padding: 1rem .7rem 2rem; }
  table.claims thead, table.claims colgroup { display: none; }
  table.claims, table.claims tbody { display: block; }
  table.claims tr { display: flex; flex-wrap: wrap; align-items: baseline; gap: .2rem .6rem; padding: .45rem 0;
    border-bottom: 1px solid var(--line); }
  table.claims tr[hidden] { display: none; }
  table.claims td { display: block; border: 0; padding: 0; }
  table.claims td.id { flex: 0 0 auto; } table.claims td.status { flex: 1 1 8rem; }
  table.claims td.status .detail, table.claims td.status .kind, table.claims td.status .earlier {
    display: inline; margin-left: .4rem; }
  table.claims td.claim, table.claims td.msg { flex: 1 1 100%; order: 1; }
  table.claims td.num { order: 2; font-size: .8rem; color: var(--muted); text-align: left; }
  table.claims td.num::before { content: attr(data-label) " "; }
  table.claims td.num .sub { display: inline; }
  table.claims tr.section { display: block; } table.claims tr.section th { display: block; padding: .8rem 0 .2rem; }
}
"""

_SCRIPT = """
(function () {
  var q = document.getElementById('q'), chips = document.querySelectorAll('button[data-status]');
  var active = '';
  function apply() {
    var words = q.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var rows = document.querySelectorAll('#claims tbody tr');
    var section = null, shown = 0, visible = 0;
    function close() { if (section) section.hidden = shown === 0; }
    rows.forEach(function (tr) {
      if (tr.classList.contains('section')) { close(); section = tr; shown = 0; return; }
      var text = tr.textContent.toLowerCase();
      var ok = (!active || tr.dataset.status === active) && words.every(function (w) { return text.indexOf(w) >= 0; });
      tr.hidden = !ok; if (ok) { shown++; visible++; }
    });
    close();
    document.getElementById('shown').textContent = visible;
  }
  chips.forEach(function (b) {
    b.addEventListener('click', function () {
      active = (active === b.dataset.status) ? '' : b.dataset.status;
      chips.forEach(function (c) { c.setAttribute('aria-pressed', String(c.dataset.status === active)); });
      apply();
    });
  });
  q.addEventListener('input', apply);
})();
"""

_LABELS = {"refuted-holds": "refuted (holds claim)", "refuted-open": "refuted (open claim)"}


def _badge(row: dict) -> str:
    """The status chip: the status alone (``survived``, ``refuted``); the rate and counts go beside it."""
    return f'<span class="badge {status_class(row["kind"], row["status"])}">{_e(row["status"])}</span>'


def _detail(row: dict) -> str:
    """What the chip leaves out: a tendency claim's rate and interval (the counts are in their columns)."""
    text = rate_text(row.get("rate"), row["status"])
    return f'<span class="detail">{nowrap_numbers(text)}</span>' if text else ""


def _examples(row: dict) -> str:
    if row["status"] == "pending":
        return "—"
    if row.get("replayed"):
        search = row.get("search_examples") or "?"
        return (f'<span title="replayed from the example database; the search that found it took {search} '
                f'examples">{row["examples"]} ↺ {search}</span>')
    rate = row.get("rate") or {}
    undecided = rate.get("undecided", 0) if row["status"] in ("survived", "refuted", "inconclusive") and rate \
        else row.get("undecided") or 0
    if undecided:
        return (f'<span title="{row["examples"]} decided, {undecided} undecided (replaced by new draws)">'
                f'{row["examples"]}<span class="sub">+{undecided} undecided</span></span>')
    return str(row["examples"])


def _power(row: dict) -> str:
    """The caught-bugs cell: a count, or a dash whose title says why none is counted."""
    label = row.get("power", "")
    if label.startswith("—"):
        why = label.strip("— ()")
        return f'<span title="{_e(why)}">—</span>'
    return _e(label)


def _row(row: dict, *, full: bool) -> str:
    earlier = f'<span class="earlier">from the run of {_e(row["earlier"])}</span>' if row.get("earlier") else ""
    subject = f'<span class="kind">on {_e(row["subject"])}</span>' if row["subject"] else ""
    kind = row.get("kind_label") or row["kind"]
    statement = row.get("statement") or row["claim"]
    cells = [f'<td class="id"><a href="{_e(row["page"])}">{_e(row["id"])}</a></td>',
             f'<td class="claim">{_e(statement or row["message"])}{subject}</td>',
             f'<td class="status">{_badge(row)}{_detail(row)}<span class="kind">{_e(kind)}</span>{earlier}</td>',
             f'<td class="msg">{nowrap_numbers(row["message"])}</td>']
    if full:
        seconds = "—" if row["status"] == "pending" else f"{row['seconds']:.2f}"
        cells += [f'<td class="num" data-label="examples">{_examples(row)}</td>',
                  f'<td class="num" data-label="seconds">{seconds}</td>',
                  f'<td class="num" data-label="caught bugs" title="planted library bugs that turn this claim red '
                  f'(theorems/power.py)">{_power(row)}</td>']
    return f'<tr data-status="{_e(row["status_key"])}">' + "".join(cells) + "</tr>"


_COLUMNS = ("id", "claim", "status", "msg", "examples", "seconds", "bugs")


def _colgroup(n: int) -> str:
    return "<colgroup>" + "".join(f'<col class="{c}">' for c in _COLUMNS[:n]) + "</colgroup>"


def _findings(rows: list[dict]) -> str:
    found = [r for r in rows if r["status_key"] in FINDING_ORDER]
    if not found:
        return ""
    found.sort(key=lambda r: FINDING_ORDER.index(r["status_key"]))  # stable: id order within a kind
    head = "<tr><th>id</th><th>claim</th><th>status</th><th>verdict</th></tr>"
    return ("<h2 id=\"findings\">Findings</h2>\n<p class=\"muted\">What the run decided: failures of the suite, "
            "claims refuted by a counterexample, and witnesses found. Each links to its page: the plot, the exact "
            "example and the command that replays it.</p>\n"
            f"<table class=\"claims findings\">{_colgroup(4)}<thead>{head}</thead><tbody>\n"
            + "\n".join(_row(r, full=False) for r in found) + "\n</tbody></table>")


def _chips(doc: dict) -> str:
    counts = doc["counts"]
    order = list(FINDING_ORDER) + ["holds", "survived", "inconclusive", "pending"]
    keys = sorted(counts, key=lambda k: order.index(k) if k in order else len(order))
    kind_of = {"refuted-holds": "holds", "refuted-open": "open"}
    chips = [f'<button type="button" class="badge {status_class(kind_of.get(k, ""), k.split("-")[0])}" '
             f'data-status="{_e(k)}" aria-pressed="false">{counts[k]} {_e(_LABELS.get(k, k))}</button>'
             for k in keys]
    return " ".join(chips)


def _run_line(doc: dict) -> str:
    run = doc["run"]
    parts = [f"run {_e(run['date'])}", f"commit <code>{_e(run['commit'])}</code>"]
    if run.get("profile"):
        parts.append(f"Hypothesis profile <code>{_e(run['profile'])}</code>")
    if run.get("selection"):
        parts.append(f"selection <code>{_e(run['selection'])}</code>")
    parts.append(f"{len(doc['claims'])} results, {run['seconds']:.1f} s of checks")
    return " · ".join(parts)


def index_page(doc: dict) -> str:
    """The index of a summary document (:func:`overparam.reports.summary.summary_document`)."""
    rows, run = doc["claims"], doc["run"]
    bad = [r["id"] for r in rows if r["failing"] and not r.get("earlier")]
    if bad:
        verdict = (f"exit status 1: {', '.join(bad)} failed (a holds claim refuted, an exists claim without "
                   "witness, or an error)")
    else:
        verdict = "exit status 0: no holds claim refuted, every exists claim has its witness, no errors"
    body = [
        "<h1>Claims about over-parameterized models: the report</h1>",
        f"<p class=\"meta\">{_run_line(doc)}</p>",
        f"<p class=\"verdict {'bad' if bad else 'ok'}\">{_e(verdict)}.</p>",
        _findings(rows),
        "<h2 id=\"all\">All claims, by section</h2>",
        "<p class=\"muted\">Kinds: <em>holds</em> must hold on every example; <em>exists</em> needs a witness; "
        "<em>open</em> is decided by the run (refuted, or survived N examples; a tendency claim by the rate of its "
        "criterion with a confidence interval: survived, refuted or inconclusive). Examples that decide nothing "
        "(a run that did not settle, a point outside the premise) are counted apart as undecided and replaced, "
        "never counted as passes. Notation: θ = ψ(W) has q coordinates, "
        "J = ∂θ/∂W is q×p (the post writes its transpose), K = J Jᵀ, and the induced step is K g. "
        "Examples “1 ↺ 57”: a failure replayed from Hypothesis's example database, first found after 57. "
        "<em>Caught bugs</em>: how many library bugs planted one at a time (theorems/power.py) turn the claim "
        "red — a holds claim refuted, an exists claim rejecting the false witness; a <em>consistency check</em> "
        "is a claim no library bug can reach.</p>",
        "<div class=\"controls\"><input type=\"search\" id=\"q\" placeholder=\"search ids, claims, messages\" "
        "aria-label=\"search\">" + _chips(doc) + " <span class=\"muted\"><span id=\"shown\">"
        f"{len(rows)}</span> shown</span></div>",
    ]
    head = ("<tr><th>id</th><th>claim</th><th>status</th><th>verdict</th><th>decided examples</th><th>seconds</th>"
            "<th>caught bugs</th></tr>")
    table, section = [], None
    for r in rows:
        if r["section"] != section:
            section = r["section"]
            table.append(f'<tr class="section"><th colspan="7">{_e(section or "other")}</th></tr>')
        table.append(_row(r, full=True))
    body.append(f"<table class=\"claims\" id=\"claims\">{_colgroup(7)}<thead>{head}</thead><tbody>\n" + "\n".join(table)
                + "\n</tbody></table>")
    if doc["figures"]:
        figs = "".join(
            f'<figure><img src="{_e(f["file"])}" alt="{_e(f["title"])}">'
            f"<figcaption><strong>{_e(f['title'])}.</strong> {_e(f['caption'])}</figcaption></figure>"
            for f in doc["figures"])
        body.append("<h2 id=\"gradient-fields\">Gradient fields</h2>\n<p class=\"muted\">The post's five figures, "
                    "computed from the zoo's <code>induced_step</code>: for canonical gradients g on three circles, "
                    "each arrow starts where the canonical step ends (at g) and shows the induced step K g = J Jᵀ g, "
                    "scaled by one factor per figure (given in its legend).</p>\n"
                    f"<div class=\"fields\">{figs}</div>")
    info = [f"source: <code>{_e(run['source'])}</code>"]
    if run.get("includes"):
        info.append("extra claims from " + ", ".join(f"<code>{_e(p)}</code>" for p in run["includes"]))
    if run.get("versions"):
        info.append(_e(run["versions"]))
    body.append(f"<h2 id=\"run\">The run</h2>\n<p class=\"meta\">{' · '.join(info)}</p>")
    return _page("overparam claims report", "\n".join(b for b in body if b) + f"\n<script>{_SCRIPT}</script>",
                 extra_css=INDEX_CSS)
