"""The report's HTML: an index of every claim and one page per result.

Pages are self-contained (one small inline stylesheet, no scripts, no fonts or
images from elsewhere) and link only to files beside them, so the folder opens
from disk. Status colours follow the verdict: green where the suite's claim is
confirmed (holds, witness found), blue for an open claim that survived, amber for
an open claim refuted (a finding), red where a holds claim is refuted, an exists
claim has no witness, or a check raised; grey for pending.
"""

from __future__ import annotations

import html as _html
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .entries import Entry, Meta

__all__ = ["CSS", "status_class", "index_page", "claim_page", "format_value"]

CSS = """
:root { --fg:#222; --muted:#666; --line:#ddd; --bg:#fff; --soft:#f6f7f9;
  --ok:#1a7f37; --ok-bg:#dafbe1; --info:#0a5ea8; --info-bg:#ddf0ff; --find:#8a5a00; --find-bg:#fff1c2;
  --bad:#b42318; --bad-bg:#ffe3e0; --pend:#555; --pend-bg:#eceef1; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
  background: var(--bg); margin: 0 auto; max-width: 1120px; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; margin: .2rem 0 .6rem; } h2 { font-size: 1.2rem; margin-top: 2rem;
  border-bottom: 1px solid var(--line); padding-bottom: .2rem; } h3 { font-size: 1.02rem; margin-bottom: .2rem; }
a { color: #0a5ea8; } a:hover { text-decoration: underline; }
.meta, .caption, .muted { color: var(--muted); font-size: .9rem; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0; }
th, td { text-align: left; vertical-align: top; padding: .35rem .55rem; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; font-size: .88rem; }
tbody tr:hover { background: #fafbfc; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.id { white-space: nowrap; font-weight: 600; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .82rem;
  font-weight: 600; white-space: nowrap; }
.ok { color: var(--ok); background: var(--ok-bg); } .info { color: var(--info); background: var(--info-bg); }
.find { color: var(--find); background: var(--find-bg); } .bad { color: var(--bad); background: var(--bad-bg); }
.pend { color: var(--pend); background: var(--pend-bg); }
.summary .badge { margin-right: .4rem; }
pre, code { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem;
  overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
pre.error { background: var(--bad-bg); border-color: #f5b7b1; }
.message { border-left: 4px solid var(--line); padding: .3rem .8rem; background: var(--soft); }
.message.bad { border-color: var(--bad); } .message.find { border-color: #d4a72c; }
.message.ok { border-color: var(--ok); } .message.info { border-color: var(--info); }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; border: 1px solid var(--line);
  border-radius: 4px; } figcaption { color: var(--muted); font-size: .9rem; }
.fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 1rem; }
.fields figure { margin: 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .6rem 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
nav { margin-bottom: .6rem; font-size: .92rem; }
"""


def _e(s) -> str:
    return _html.escape(str(s), quote=True)


def status_class(kind: str, status: str) -> str:
    """The CSS class of a status badge: ok, info, find, bad or pend."""
    if status in ("holds", "witness found"):
        return "ok"
    if status == "survived":
        return "info"
    if status == "refuted":
        return "find" if kind == "open" else "bad"
    if status == "pending":
        return "pend"
    return "bad"  # no witness, error


def _badge(r) -> str:
    return f'<span class="badge {status_class(r.kind, r.status)}">{_e(r.status_label)}</span>'


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def format_value(v) -> str:
    """A value as exact text: floats as their shortest round-trip repr, arrays with shape and dtype."""
    from parameterizations import Parameterization

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


def index_page(entries: list["Entry"], figures: list, meta: "Meta") -> str:
    """The index: a summary, the table of every result, and the gradient-field figures."""
    counts: dict[tuple[str, str], int] = {}
    for en in entries:
        r = en.result
        key = (status_class(r.kind, r.status), r.status if r.status != "refuted" else f"refuted ({r.kind})")
        counts[key] = counts.get(key, 0) + 1
    chips = " ".join(f'<span class="badge {c}">{n} {_e(s)}</span>' for (c, s), n in sorted(counts.items(),
                                                                                             key=lambda t: t[0][1]))
    bad = [en.result.id for en in entries if en.result.failing]
    verdict = ("exit status 0: no holds claim refuted, every exists claim has its witness, no errors"
               if not bad else f"exit status 1: {', '.join(bad)} failed (a holds claim refuted, an exists "
                                 f"claim without witness, or an error)")
    subjects = any(en.result.subject for en in entries)
    head = ("<tr><th>id</th><th>statement</th><th>kind</th>" + ("<th>on</th>" if subjects else "") +
            "<th>status</th><th>examples</th><th>seconds</th></tr>")
    rows = []
    for en in entries:
        r = en.result
        pending = r.status == "pending"
        statement = en.statement or r.message
        rows.append(
            f'<tr><td class="id"><a href="{_e(en.page)}">{_e(r.id)}</a></td>'
            f'<td>{_e(statement)}</td><td>{_e(r.kind)}</td>'
            + (f"<td>{_e(r.subject)}</td>" if subjects else "") +
            f"<td>{_badge(r)}</td><td class=\"num\">{'—' if pending else r.examples}</td>"
            f"<td class=\"num\">{'—' if pending else f'{r.seconds:.2f}'}</td></tr>")
    figs = []
    for spec, src in figures:
        figs.append(f'<figure><a href="{_e(src)}"><img src="{_e(src)}" alt="{_e(spec.title)}"></a>'
                    f"<figcaption><strong>{_e(spec.title)}.</strong> {_e(spec.caption)}</figcaption></figure>")
    fields = ""
    if figs:
        fields = ("<h2 id=\"gradient-fields\">Gradient fields</h2>\n<p class=\"muted\">The post's five figures, "
                  "computed from the zoo's <code>induced_step</code>: for canonical gradients g on three circles, "
                  "each arrow starts where the canonical step ends (at g) and shows the induced step K g = J Jᵀ g, "
                  "scaled by one factor per figure (given in its legend).</p>\n"
                  f"<div class=\"fields\">{''.join(figs)}</div>")
    info = [f"source: <code>{_e(meta.source)}</code>"]
    if meta.profile:
        info.append(f"Hypothesis profile: <code>{_e(meta.profile)}</code>")
    if meta.selection:
        info.append(f"selection: <code>-k {_e(meta.selection)}</code>")
    info.append(f"{len(entries)} results, {meta.seconds:.1f} s of checks")
    if meta.includes:
        info.append("extra claims from " + ", ".join(f"<code>{_e(p)}</code>" for p in meta.includes))
    if meta.versions:
        info.append(_e(meta.versions))
    body = (
        "<h1>Claims about over-parameterized models: the report</h1>\n"
        f"<p class=\"meta\">{' · '.join(info)}</p>\n"
        f"<p class=\"summary\">{chips}</p>\n<p class=\"meta\">{_e(verdict)}.</p>\n"
        "<p class=\"muted\">Notation: θ = ψ(W) ∈ R^q, J = ∂θ/∂W is q×p (the post writes its transpose), "
        "K = J Jᵀ, and the induced step is K g for a canonical gradient g. Kinds: <em>holds</em> must hold on "
        "every example; <em>exists</em> needs a witness; <em>open</em> is decided by the run (refuted, or "
        "survived N examples)." + (" <a href=\"#gradient-fields\">Gradient fields</a> below." if figs else "")
        + "</p>\n"
        f"<table class=\"claims\"><thead>{head}</thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>\n"
        + fields)
    return _page("overparam claims report", body)


def claim_page(en: "Entry", slug: str, *, replay_path: str) -> str:
    """The page of one result: statement, verdict, pictures, the example's values, Hypothesis's report,
    and the commands that reproduce it."""
    r, c = en.result, en.claim
    cls = status_class(r.kind, r.status)
    facts = [("kind", r.kind), ("status", _badge(r)), ("examples tried", str(r.examples)),
             ("seconds", f"{r.seconds:.2f}")]
    if c is not None:
        facts.insert(0, ("section", _e(c.section)))
    if r.label:
        facts.append(("parameterization", _e(r.label)))
    if r.subject:
        facts.append(("run over", _e(r.subject)))
    if en.nodeid:
        facts.append(("pytest node", f"<code>{_e(en.nodeid)}</code>"))
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
    parts = [f'<nav><a href="index.html">← all claims</a></nav>',
             f"<h1>{_e(r.id)} {_badge(r)}</h1>",
             f"<p>{_e(en.statement)}</p>" if en.statement else "",
             f"<dl class=\"facts\">{dl}</dl>"]
    if c is not None and c.definitions:
        parts.append(f"<p class=\"muted\"><strong>Definitions.</strong> {_e(c.definitions)}</p>")
    if c is not None and c.known_failure:
        parts.append(f"<p class=\"muted\"><strong>Known failure.</strong> {_e(c.known_failure)}</p>")
    parts.append(f"<h2>Verdict</h2>\n<p class=\"message {cls}\">{_e(r.message or '(no message)')}</p>")

    what = {"refuted": "counterexample", "error": "example that raised", "witness found": "witness"}.get(
        r.status, "last example tried")
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
                         f"<pre>python -m reports replay {_e(replay_path)}</pre>")
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
