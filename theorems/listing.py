"""The catalogue's listing: every registered claim, the built-in chapters included, in id order.

:func:`catalogue` imports :mod:`theorems.chapters` (whose modules register the built-in
claims in :mod:`theorems.registry`) and lists the registry; the chapters never import this
module.
"""

from __future__ import annotations

import re

from .core import Claim
from .registry import registered

__all__ = ["catalogue", "get", "chapter"]


def _key(cid: str):
    m = re.fullmatch(r"([A-Za-z]+)(\d+)([a-z]*)", cid)
    return (m.group(1), int(m.group(2)), m.group(3)) if m else (cid, 0, "")


def catalogue() -> list[Claim]:
    """Every claim, in id order."""
    from . import chapters  # noqa: F401  (registers the built-in claims)

    return sorted(registered(), key=lambda c: _key(c.id))


def get(cid: str) -> Claim:
    """The claim with this id."""
    for c in catalogue():
        if c.id == cid:
            return c
    raise ValueError(f"claim id must be one of {[c.id for c in catalogue()]}, but got {cid!r}")


def chapter(section: str) -> list[Claim]:
    """The claims of one section, in id order."""
    return [c for c in catalogue() if c.section == section]
