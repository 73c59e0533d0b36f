"""``-k EXPR`` and ``--section NAME``: choose claims.

An expression is made of words, ``and``, ``or``, ``not`` and parentheses; a word
matches a claim whose id contains it (case-insensitive, as in pytest; only the id,
so that a word never pulls in claims through their function names).
``-k "C01 or C24"`` picks two claims, ``-k "C1 and not C16"`` picks C10–C19 but C16.
A section is named as the post names it (any case).
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from overparam.theorems.core import Claim

__all__ = ["compile_expression", "select", "select_sections"]

_TOKEN = re.compile(r"\s*(\(|\)|[^\s()]+)")


def compile_expression(expr: str) -> Callable[[Iterable[str]], bool]:
    """A predicate on a claim's names (id, function name) for the expression ``expr``."""
    tokens = _TOKEN.findall(expr)
    if not tokens:
        raise ValueError(f"-k must be a non-empty expression, but got {expr!r}")
    pos = 0

    def peek():
        return tokens[pos] if pos < len(tokens) else None

    def take():
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def or_():
        left = and_()
        while peek() == "or":
            take()
            right = and_()
            left = (lambda a, b: lambda names: a(names) or b(names))(left, right)
        return left

    def and_():
        left = not_()
        while peek() == "and":
            take()
            right = not_()
            left = (lambda a, b: lambda names: a(names) and b(names))(left, right)
        return left

    def not_():
        tok = peek()
        if tok == "not":
            take()
            inner = not_()
            return lambda names: not inner(names)
        if tok == "(":
            take()
            inner = or_()
            if take_if(")") is None:
                raise ValueError(f"-k must balance its parentheses, but {expr!r} does not")
            return inner
        if tok is None or tok in (")", "and", "or"):
            raise ValueError(f"-k must be words joined by and/or/not, but {expr!r} has {tok or 'nothing'!r} "
                             f"where a word should be")
        word = take().lower()
        return lambda names: any(word in n.lower() for n in names)

    def take_if(tok):
        return take() if peek() == tok else None

    pred = or_()
    if pos != len(tokens):
        raise ValueError(f"-k must be one expression, but {expr!r} has {' '.join(tokens[pos:])!r} left over")
    return pred


def select(claims: Iterable[Claim], expr: str | None) -> list[Claim]:
    """The claims whose id matches ``expr`` (all of them when ``expr`` is empty)."""
    claims = list(claims)
    if not expr:
        return claims
    pred = compile_expression(expr)
    return [c for c in claims if pred([c.id])]


def select_sections(claims: Iterable[Claim], sections: Iterable[str]) -> list[Claim]:
    """The claims of the named sections (all of them when none is named).

    Raises:
        ValueError: a name that is no claim's section (the message lists the sections).
    """
    claims, sections = list(claims), list(sections)
    if not sections:
        return claims
    known = list(dict.fromkeys(c.section for c in claims))
    lower = {s.lower(): s for s in known}
    unknown = [s for s in sections if s.lower() not in lower]
    if unknown:
        raise ValueError(f"--section must name a section of the claims chosen, one of {known}, but got {unknown}")
    wanted = {lower[s.lower()] for s in sections}
    return [c for c in claims if c.section in wanted]
