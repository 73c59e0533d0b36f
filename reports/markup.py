"""The HTML every page shares: the stylesheet, escaping, the page frame, the status colours.

Status colours follow the verdict: green where the suite's claim is confirmed (holds, witness
found), blue for an open claim that survived, amber for an open claim refuted (a finding), red where
a holds claim is refuted, an exists claim has no witness, or a check raised; grey for pending.
"""

from __future__ import annotations

import html as _html
import re

__all__ = ["CSS", "escape", "nowrap_numbers", "page", "rate_text", "status_class"]

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
  overflow-x: auto; white-space: pre-wrap; }
pre.error { background: var(--bad-bg); border-color: #f5b7b1; }
.message { border-left: 4px solid var(--line); padding: .3rem .8rem; background: var(--soft); }
.message.bad { border-color: var(--bad); } .message.find { border-color: #d4a72c; }
.message.ok { border-color: var(--ok); } .message.info { border-color: var(--info); }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; border: 1px solid var(--line);
  border-radius: 4px; } figcaption { color: var(--muted); font-size: .9rem; }
.fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 1rem; }
.fields figure { margin: 0; }
dl.facts { display: grid; grid-template-columns: minmax(0, max-content) minmax(0, 1fr); gap: .15rem 1rem;
  margin: .6rem 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; min-width: 0; }
@media (max-width: 600px) {
  body { padding: 1rem .7rem 2rem; }
  dl.facts { display: block; } dl.facts dt { margin-top: .35rem; font-size: .85rem; }
  table.rate th, table.rate td { padding: .3rem .35rem; font-size: .85rem; }
}
nav { margin-bottom: .6rem; font-size: .92rem; }
.n { white-space: nowrap; }
.wide { overflow-x: auto; } table.rate td { font-variant-numeric: tabular-nums; }
"""


def escape(s) -> str:
    """``s`` as HTML text (quotes too, so it can sit in an attribute)."""
    return _html.escape(str(s), quote=True)


def status_class(kind: str, status: str) -> str:
    """The CSS class of a status badge: ok, info, find, bad or pend."""
    if status in ("holds", "witness found"):
        return "ok"
    if status in ("survived", "inconclusive"):
        return "info"
    if status == "refuted":
        return "find" if kind == "open" else "bad"
    if status == "pending":
        return "pend"
    return "bad"  # no witness, error


def page(title: str, body: str, *, extra_css: str = "") -> str:
    """A whole self-contained page: the shared stylesheet (and ``extra_css``) inline."""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{escape(title)}</title>\n<style>{CSS}{extra_css}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


#: an interval [a, b], or a number with a decimal point or an exponent (a single integer cannot be split), in
#: escaped text; not the digits of a word (C31, x1)
_NUMBER = re.compile(r"\[[-−+]?\d[\d.]*(?:e[-+]?\d+)?, [-−+]?\d[\d.]*(?:e[-+]?\d+)?\]"
                     r"|(?<![\w.])[-−+]?\d+(?:\.\d*(?:e[-+]?\d+)?|e[-+]?\d+)(?!\w)")


def nowrap_numbers(text) -> str:
    """``text`` as HTML, every number and every interval ``[a, b]`` in a span that never wraps."""
    return _NUMBER.sub(lambda m: f'<span class="n">{m.group(0)}</span>', escape(text))


def rate_text(rate: dict | None, status: str) -> str:
    """A tendency claim's rate beside its status chip: ``rate 0.92 [0.80, 0.97] of 40``, or ""."""
    if not rate or status not in ("survived", "refuted", "inconclusive"):
        return ""
    value = "—" if rate.get("rate") is None else f"{rate['rate']:.2f}"
    return f"rate {value} [{rate['lo']:.2f}, {rate['hi']:.2f}] of {rate['decided']}"
