"""Section "Why the Canonical Gradient Is So Canonical": positive correlation and its limits (C24–C26)."""

from __future__ import annotations

import numpy as np
from hypothesis import event, note, target

from parameterizations.numerics import roundoff
from parameterizations.strategies import finite_vectors

from ..catalogue import claim
from ..core import expect
from ..examples import for_param

__all__ = ["induced_step_positively_correlated"]

SECTION = "Why the Canonical Gradient Is So Canonical"


@claim("C24", kind="holds", section=SECTION, general=True,
       statement="For every parameterization, point W and canonical gradient g, the induced step z = K g "
                 "satisfies gᵀz = ‖Jᵀg‖² ≥ 0, with equality only where Jᵀg = 0.",
       strategy=lambda m: for_param(m, g=lambda m: finite_vectors(m.n_canonical)))
def induced_step_positively_correlated(ex):
    m, w, g = ex["param"], ex["w"], ex["g"]
    z = m.induced_step(w, g)
    r = m.vjp(w, g)
    inner, sq = float(g @ z), float(r @ r)
    J = np.asarray(m.jacobian(w))
    aJ = np.abs(J)
    scale = float(np.abs(g) @ aJ @ aJ.T @ np.abs(g))  # Σ of |terms| in gᵀJJᵀg
    tol = roundoff(scale, m.n_params + m.n_canonical, 2 * getattr(m, "depth", 1))
    ng, nz = float(np.linalg.norm(g)), float(np.linalg.norm(z))
    cos = inner / (ng * nz) if ng > 0 and nz > 0 else 1.0
    note(f"gᵀKg={inner:.3g}, ‖Jᵀg‖²={sq:.3g}, cos(g, Kg)={cos:.3g}, round-off bound={tol:.3g}")
    event("Jᵀg = 0" if sq == 0 else "Jᵀg ≠ 0")
    target(-cos, label="-cos(g, Kg)")
    expect(inner, ">=", -tol, "gᵀKg")
    expect(abs(inner - sq), "<=", tol, "|gᵀKg − ‖Jᵀg‖²|")
    if sq > tol:
        expect(inner, ">", 0, "gᵀKg where Jᵀg ≠ 0")
