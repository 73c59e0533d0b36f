"""Section "Further Reading": C34–C38."""

from __future__ import annotations

SECTION = "Further Reading"
