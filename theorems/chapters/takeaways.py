"""Section "Take-Aways From the Linear Example": C14–C15."""

from __future__ import annotations

SECTION = "Take-Aways From the Linear Example"
