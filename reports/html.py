"""The report's HTML: one page per result (the index is :mod:`overparam.reports.index`).

Pages are self-contained (the stylesheet of :mod:`overparam.reports.markup` inline; no fonts or images
from elsewhere) and link only to files beside them, so the folder opens from disk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .markup import CSS, escape as _e, nowrap_numbers as _n, page as _page, rate_text, status_class

if TYPE_CHECKING:  # pragma: no cover
    from .entries import Entry

__all__ = ["CSS", "status_class", "claim_page", "format_value"]


def _badge(r) -> str:
    return f'<span class="badge {status_class(r.kind, r.status)}">{_e(r.status)}</span>'


def _status(r) -> str:
    """The status chip, and beside it a tendency claim's rate with its interval."""
    rate = rate_text(r.rate, r.status)
    return _badge(r) + (f" {_n(rate)}" if rate else "")


def _page(title: str, body: str, *, extra_css: str = "") -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{_e(title)}</title>\n<style>{CSS}{extra_css}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def format_value(v) -> str:
    """A value as exact text: floats as their shortest round-trip repr, arrays with shape and dtype."""
    from overparam.parameterizations import Parameterization

    if isinstance(v, Parameterization):
        return f"{v.label} (p={v.n_params}, q={v.n_canonical}) — {type(v).__name__}({v.spec()!r})"
    if isinstance(v, np.ndarray):
        body = np.array2string(v, precision=17, floatmode="unique", threshold=10**6, max_line_width=96,
                               separator=", ")
        return f"{v.dtype} array, shape {v.shape}:\n{body}"
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {format_value(x)}" for k, x in v.items()) + "}"
    return repr(v)


def _example_table(example) -> str:
    import dataclasses

    if not isinstance(example, dict):
        return f"<pre>{_e(format_value(example))}</pre>"
    rows = []
    for k, v in example.items():
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            text = f"{type(v).__name__}:\n" + "\n".join(
                f"  {f.name} = {format_value(getattr(v, f.name))}" for f in dataclasses.fields(v))
        else:
            text = format_value(v)
        rows.append(f"<tr><th>{_e(k)}</th><td><pre>{_e(text)}</pre></td></tr>")
    return "<table class=\"values\">" + "".join(rows) + "</table>"


def _rate_table(rate: dict) -> str:
    """A tendency claim's rate: one row per series (the deciding one marked), with its interval."""
    pct = f"{rate['confidence']:.0%}"
    method = {"wilson": "Wilson", "clopper-pearson": "Clopper–Pearson"}.get(rate["method"], rate["method"])
    rows = []
    for name, c in rate["series"].items():
        mark = " (decides)" if name == rate["decides"] and len(rate["series"]) > 1 else ""
        value = "—" if c["rate"] is None else f"{c['rate']:.3f}"
        rows.append(f"<tr><th>{_e((name or 'all') + mark)}</th><td>{c['met']}</td><td>{c['decided']}</td>"
                    f"<td>{c['undecided']}</td><td>{value}</td><td class=\"n\">[{c['lo']:.3f}, {c['hi']:.3f}]</td></tr>")
    head = (f"<tr><th>series</th><th>met</th><th>decided</th><th>undecided</th><th>rate</th>"
            f"<th>{pct} {_e(method)} interval</th></tr>")
    if "bound" in rate:  # a bound on the miss rate, the numbers of its design and the trend test
        e_s, e_r = rate["errors"]
        n, keep = rate["n"], rate["n"] - rate["cut"]
        rule = (f"Claimed: the rate of problems missing it is at most {rate['bound']:g}. {n} problems a series "
                f"(the fewest with which a run that sees no miss can survive); survives when the one-sided "
                f"{pct} Clopper–Pearson upper bound of the miss rate is ≤ {rate['bound']:g} (≤ {keep} of {n} "
                f"missed), refuted when its lower bound is above {rate['bound']:g} (≥ {rate['refute_misses']} "
                f"missed); at a true miss rate of {rate['bound']:g} P(survived) = {e_s:.3f}, P(refuted) = "
                f"{e_r:.3f}. Deciding series: {rate['decided'] - rate['met']} of {rate['decided']} missed, miss "
                f"rate bounds [{rate['miss_lo']:.4f}, {rate['miss_hi']:.4f}]")
        if "trend" in rate:
            rule += (f"; refuted too when the miss rate grows from {_e(rate['trend']['first'])} to the deciding "
                     f"series: one-sided Fisher p = {rate['trend']['p']:.3g} (refuted at ≤ "
                     f"{rate['trend']['level']:g})")
        rule += (f"; undecided problems redrawn up to {rate['draws']} draws a series, then inconclusive; "
                 f"problems drawn i.i.d.: {_e(rate['distribution'])}")
    elif "cut" in rate:  # a claimed rate p₁ against p₀: the cut of n problems and both error rates
        e_s, e_r = rate["errors"]
        rule = (f"Claimed: at least p₁ = {rate['claimed']:g} of problems meet it; p₀ = {rate['short']:g} is "
                f"clearly short. Survives when at least {rate['cut']} of {rate['n']} decided problems meet it, "
                f"refuted otherwise: P(survived | p₀) = {e_s:.3f}, P(refuted | p₁) = {e_r:.3f}; undecided problems "
                f"redrawn up to {rate['draws']} draws, then inconclusive; problems drawn i.i.d.: "
                f"{_e(rate['distribution'])}")
    else:
        rule = (f"Survives above {rate['holds_above']:g}, refuted below {rate['refuted_below']:g} (the "
                f"interval's lower and upper bound)")
    return (f"<p><strong>Rate.</strong> Criterion: {_e(rate['criterion'])}. {rule}; verdict: "
            f"{_e(rate['verdict'])}.</p>"
            f"<div class=\"wide\"><table class=\"values rate\"><thead>{head}</thead><tbody>{''.join(rows)}</tbody>"
            "</table></div>")


def _power(c) -> str:
    """What the claim catches: the planted library bugs that turn it red, or why none is counted."""
    from overparam.theorems.power import CONSISTENCY_CHECKS, ROBUST_WITNESSES, caught_by

    bugs = caught_by(c.id)
    if bugs:
        what = "rejects as false witnesses" if c.kind == "exists" else "turns red on"
        items = "".join(f"<li>{_e(b.id)} <span class=\"muted\">({_e(b.kind)}: {_e(b.description)})</span></li>"
                        for b in bugs)
        return (f"<p><strong>Power.</strong> The claim {what} {len(bugs)} library bug{'s' * (len(bugs) != 1)} "
                f"planted one at a time (tests/test_claim_power.py):</p><ul class=\"power\">{items}</ul>")
    if c.id in CONSISTENCY_CHECKS:
        return f"<p class=\"muted\"><strong>Consistency check.</strong> {_e(CONSISTENCY_CHECKS[c.id])}</p>"
    if c.id in ROBUST_WITNESSES:
        return f"<p class=\"muted\"><strong>Power.</strong> No planted bug is counted: {_e(ROBUST_WITNESSES[c.id])}</p>"
    if c.kind == "open":
        return "<p class=\"muted\"><strong>Power.</strong> An open claim: its run decides it; no planted bug is counted.</p>"
    return "<p class=\"muted\"><strong>Power.</strong> No planted library bug is counted for this claim.</p>"


def claim_page(en: "Entry", slug: str, *, replay_path: str) -> str:
    """The page of one result: statement, verdict, pictures, the example's values, Hypothesis's report,
    and the commands that reproduce it."""
    r, c = en.result, en.claim
    cls = status_class(r.kind, r.status)
    tried = str(r.examples)
    if r.replayed:
        tried += (" — replayed from Hypothesis's example database in this run; "
                  + (f"the search that found it took {r.search_examples} examples" if r.search_examples
                     else "the search that found it is not on record"))
    kind = r.kind
    if c is not None:
        from overparam.theorems.power import kind_label

        kind = kind_label(c)
    facts = [("kind", _e(kind)), ("status", _status(r)), ("decided examples", _n(tried))]
    if r.undecided:
        why = "; ".join(f"{n}× {reason}" for reason, n in sorted(r.undecided_reasons.items(), key=lambda t: -t[1]))
        facts.append(("undecided examples", _n(f"{r.undecided} — replaced by new draws, never counted as passes"
                                                 + (f" ({why})" if why else ""))))
    facts.append(("seconds", f"{r.seconds:.2f}"))
    if r.shown:
        facts.append(("example shown", _n(r.shown)))
    if r.events:
        facts.append(("cases (examples that passed)",
                      _n(" · ".join(f"{label}: {n}" for label, n in r.events.items()))))
    if c is not None:
        facts.insert(0, ("section", _e(c.section)))
    if r.label:
        facts.append(("parameterization", _n(r.label)))
    if r.subject:
        facts.append(("run over", _e(r.subject)))
    if en.nodeid:
        facts.append(("pytest node", f"<code>{_e(en.nodeid)}</code>"))
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
    parts = [f'<nav><a href="index.html">← all claims</a></nav>',
             f"<h1>{_e(r.id)} {_badge(r)}</h1>",
             f"<p>{_e(en.statement)}</p>" if en.statement else "",
             f"<p class=\"message {cls}\"><strong>Verdict.</strong> {_n(r.message or '(no message)')}</p>",
             f"<dl class=\"facts\">{dl}</dl>"]
    if r.rate is not None:
        parts.append(_rate_table(r.rate))
    if c is not None and c.definitions:
        parts.append(f"<p class=\"muted\"><strong>Definitions.</strong> {_e(c.definitions)}</p>")
    if c is not None and c.known_failure:
        parts.append(f"<p class=\"muted\"><strong>Known failure.</strong> {_e(c.known_failure)}</p>")
    if c is not None:
        parts.append(_power(c))

    what = r.example_role
    if en.pictures:
        parts.append("<h2>Pictures</h2>")
        for p in en.pictures:
            if p.error:
                parts.append("<p>The claim's own plot raised; the generic picture is shown instead.</p>"
                             f"<pre class=\"error\">{_e(p.error)}</pre>")
            if p.png:
                src = f"{slug}-{p.name}.png"
                parts.append(f'<figure><a href="{_e(src)}"><img src="{_e(src)}" alt="{_e(p.caption)}"></a>'
                             f"<figcaption>{_e(p.caption)}</figcaption></figure>")
            if p.warnings:
                parts.append("<p class=\"muted\">Matplotlib warned while drawing it:</p>"
                             f"<pre>{_e(chr(10).join(p.warnings))}</pre>")
    if r.example is not None:
        parts.append(f"<h2>The {what}</h2>\n<p class=\"muted\">Exact values (floats as their shortest "
                     f"round-trip repr).</p>\n{_example_table(r.example)}")
    parts.append("<h2>Hypothesis's report</h2>")
    parts.append(f"<pre>{_e(r.report.strip())}</pre>" if r.report.strip()
                 else "<p class=\"muted\">(Hypothesis printed nothing for this run.)</p>")
    if "target score" in r.report:
        parts.append("<p class=\"muted\">Target scores: the quantities the search was steered by. Hypothesis "
                     "raises each labelled score, so its highest is the example nearest the claim's bound; a label "
                     "that starts with a minus sign names a quantity the search lowered, and the score is its negative"
                     + (" (300 for −log₁₀(σₙ/σ₁) is a ratio σₙ/σ₁ of 10⁻³⁰⁰ or less: σₙ = 0)"
                        if "−log₁₀(σₙ/σ₁)" in r.report else "") + ".</p>")

    parts.append("<h2>Reproduce</h2>")
    rec = en.record
    if en.record_path is not None and rec is not None:
        name = en.record_path.name
        if rec.replayable:
            effect = {"refuted": "raises the same failure again (exit status 1)",
                      "error": "raises the same exception again (exit status 1)",
                      "witness found": "checks that the witness is accepted again (exit status 0)"}.get(
                r.status, "runs the check on this example again (exit status 0 if it passes)")
            parts.append(f"<p>Call the check on the saved {what} — this {effect}:</p>"
                         f"<pre>python -m overparam.reports replay {_e(replay_path)}</pre>")
        else:
            parts.append(f"<p>The record keeps {_e(', '.join(rec.lossy))} as text only, so it cannot be "
                         "replayed from the file; use the pytest command below.</p>")
        parts.append(f'<p class="muted">The record: <a href="{_e(name)}">{_e(name)}</a> (JSON; arrays keep dtype, '
                     "shape and every bit).</p>")
    if rec is not None and r.status not in ("pending",):
        parts.append("<p>Run the claim again under pytest; with a profile that keeps Hypothesis's example "
                     "database (<code>default</code>, <code>thorough</code>; not <code>ci</code>), a failure "
                     "found before replays first:</p>"
                     f"<pre>{_e(rec.pytest_command)}</pre>")
    elif r.status == "pending":
        parts.append("<p class=\"muted\">Nothing to reproduce: this claim has a statement but no property yet.</p>")
    return _page(f"{r.id}: {r.status}", "\n".join(p for p in parts if p))
