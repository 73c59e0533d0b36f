"""The registry of claims: ``@claim`` adds one, :func:`catalogue` lists them in id order."""

from __future__ import annotations

import re

from .core import Claim

__all__ = ["claim", "pending", "register", "catalogue", "get", "chapter"]

_REGISTRY: dict[str, Claim] = {}


def _key(cid: str):
    m = re.fullmatch(r"([A-Za-z]+)(\d+)([a-z]*)", cid)
    return (m.group(1), int(m.group(2)), m.group(3)) if m else (cid, 0, "")


def register(c: Claim) -> Claim:
    """Add a claim; an id may be registered once."""
    if c.id in _REGISTRY and _REGISTRY[c.id].check is not None and _REGISTRY[c.id].check is not c.check:
        raise ValueError(f"claim id must be new, but {c.id} is already in the catalogue")
    _REGISTRY[c.id] = c
    return c


def claim(id: str, *, kind: str, statement: str, section: str, strategy, general: bool = False,
          settings: dict | None = None, plot=None, definitions: str = "", known_failure: str = ""):
    """Decorator: the function becomes the property of a new catalogue entry.

    The function takes one drawn example (a dict) and states the property with
    :func:`theorems.expect` (kinds holds and open), or returns a truthy description
    when the example is a witness (kind exists). ``fn.claim`` is the entry.
    """

    def deco(fn):
        c = Claim(id=id, kind=kind, statement=" ".join(statement.split()), section=section, check=fn,
                  strategy=strategy, general=general, settings=dict(settings or {}), plot=plot,
                  definitions=" ".join(definitions.split()), known_failure=known_failure, name=fn.__name__)
        fn.claim = register(c)
        return fn

    return deco


def pending(id: str, *, kind: str, statement: str, section: str) -> Claim:
    """An entry whose property is not written yet; it shows as ``pending``."""
    return register(Claim(id=id, kind=kind, statement=" ".join(statement.split()), section=section))


def catalogue() -> list[Claim]:
    """Every claim, in id order."""
    from . import chapters  # noqa: F401  (registers the built-in claims)

    return [_REGISTRY[k] for k in sorted(_REGISTRY, key=_key)]


def get(cid: str) -> Claim:
    """The claim with this id."""
    for c in catalogue():
        if c.id == cid:
            return c
    raise ValueError(f"claim id must be one of {[c.id for c in catalogue()]}, but got {cid!r}")


def chapter(section: str) -> list[Claim]:
    """The claims of one section, in id order."""
    return [c for c in catalogue() if c.section == section]
