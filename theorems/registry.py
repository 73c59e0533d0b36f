"""The registry of claims: ``@claim`` and :func:`pending` add an entry, the chapters call them.

The registry knows nothing of the chapters; :mod:`overparam.theorems.listing` imports the chapters
(which registers the built-in claims) and lists what is here.
"""

from __future__ import annotations

from .core import Claim

__all__ = ["claim", "pending", "register", "registered"]

_REGISTRY: dict[str, Claim] = {}


def register(c: Claim) -> Claim:
    """Add a claim; an id may be registered once."""
    if c.id in _REGISTRY and _REGISTRY[c.id].check is not None and _REGISTRY[c.id].check is not c.check:
        raise ValueError(f"claim id must be new, but {c.id} is already in the catalogue")
    _REGISTRY[c.id] = c
    return c


def registered() -> list[Claim]:
    """Every claim registered so far, in the order of registration."""
    return list(_REGISTRY.values())


def claim(id: str, *, kind: str, statement: str, section: str, strategy, general: bool = False,
          settings: dict | None = None, plot=None, definitions: str = "", known_failure: str = "", rate=None, expected: str = "", expected_because: str = "",
          consistency: str = ""):
    """Decorator: the function becomes the property of a new catalogue entry.

    The function takes one drawn example (a dict) and states the property with
    :func:`overparam.theorems.expect` (kinds holds and open), or returns a truthy description
    when the example is a witness (kind exists). ``fn.claim`` is the entry. A tendency
    claim passes its :class:`overparam.theorems.rates.RateRule` as ``rate``; the rule's sentence
    is appended to the definitions, so the verdict rule is stated where the terms are. An open claim
    of the catalogue states the verdict its runs find (``expected``, with ``expected_because``); a claim
    no library bug can reach says why (``consistency``).
    """

    def deco(fn):
        text = " ".join(definitions.split())
        if rate is not None:
            text = f"{text} {rate.sentence()}".strip()
        c = Claim(id=id, kind=kind, statement=" ".join(statement.split()), section=section, check=fn,
                  strategy=strategy, general=general, settings=dict(settings or {}), plot=plot,
                  definitions=text, known_failure=known_failure, name=fn.__name__, rate=rate,
                  expected=expected, expected_because=" ".join(expected_because.split()),
                  consistency=" ".join(consistency.split()))
        fn.claim = register(c)
        return fn

    return deco


def pending(id: str, *, kind: str, statement: str, section: str) -> Claim:
    """An entry whose property is not written yet; it shows as ``pending``."""
    return register(Claim(id=id, kind=kind, statement=" ".join(statement.split()), section=section))
