"""Section "A Variety of Parametric Gradients": C09–C13."""

from __future__ import annotations

SECTION = "A Variety of Parametric Gradients"
