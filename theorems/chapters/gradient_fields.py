"""Section "Exploring Parameterizations and Gradient Fields": C27–C33."""

from __future__ import annotations

SECTION = "Exploring Parameterizations and Gradient Fields"
