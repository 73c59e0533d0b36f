"""Section "Gradient Dynamics Between Spaces": C04–C08."""

from __future__ import annotations

SECTION = "Gradient Dynamics Between Spaces"
