"""The catalogue's listing: every registered claim, the built-in chapters included, in id order.

:func:`catalogue` imports :mod:`overparam.theorems.chapters` (whose modules register the built-in
claims in :mod:`overparam.theorems.registry`) and lists the registry; the chapters never import this
module.
"""

from __future__ import annotations

from .core import Claim, claim_sort_key
from .registry import registered

__all__ = ["catalogue", "get", "chapter"]


def catalogue() -> list[Claim]:
    """Every claim, in id order."""
    from . import chapters  # noqa: F401  (registers the built-in claims)

    return sorted(registered(), key=lambda c: claim_sort_key(c.id))


def get(cid: str) -> Claim:
    """The claim with this id."""
    for c in catalogue():
        if c.id == cid:
            return c
    raise ValueError(f"claim id must be one of {[c.id for c in catalogue()]}, but got {cid!r}")


def chapter(section: str) -> list[Claim]:
    """The claims of one section, in id order."""
    return [c for c in catalogue() if c.section == section]
