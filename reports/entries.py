"""What the report is made of: one :class:`Entry` per result, and the :class:`Meta` of the run.

Both :mod:`overparam.reports.build` (which fills them in) and :mod:`overparam.reports.html` (which renders
them) read these; neither imports the other's module for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from overparam.theorems.core import Claim, Result

from .plots import Picture
from .records import Record

__all__ = ["Entry", "Meta"]


@dataclass
class Entry:
    """One result of the report and what it is about.

    Attributes:
        result: what running the claim found.
        claim: the claim (None if a pytest run reported an id that is not known here).
        nodeid: the pytest node that ran it, if any.
        lossy: values of the example that reached here as text only (see :mod:`overparam.reports.records`).
        pictures, record, path: filled in by :func:`overparam.reports.build.build_report`.
    """

    result: Result
    claim: Claim | None = None
    nodeid: str = ""
    pictures: list[Picture] = field(default_factory=list)
    record: Record | None = None
    record_path: Path | None = None
    page: str = ""
    lossy: list[str] = field(default_factory=list)

    @property
    def slug(self) -> str:
        """File-name stem: the id, and the subject when the result is about one parameterization."""
        s = self.result.id
        if self.result.subject:
            s += "--" + re.sub(r"[^A-Za-z0-9]+", "-", self.result.subject).strip("-")
        return s

    @property
    def statement(self) -> str:
        return self.claim.statement if self.claim is not None else ""


@dataclass
class Meta:
    """What the run was: its source, profile, time, and the files that registered extra claims."""

    source: str = "python -m overparam.reports"
    profile: str = ""
    seconds: float = 0.0
    includes: list[str] = field(default_factory=list)
    selection: str = ""
    versions: str = ""
