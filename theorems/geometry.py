"""Plane geometry of steps and its round-off: angles, plane bases, projections, the two-layer step.

Shared by the chapters on the two-layer model (gradient dynamics, the variety of parametric
gradients, the take-aways): the induced step (UᵀU + ‖v‖²I)x written from the formula, the size
of its terms and the error round-off can explain in it, angles accurate near 0 and π, and the
orthonormal plane in which two vectors are drawn.
"""

from __future__ import annotations

import numpy as np

from parameterizations.base import unit
from parameterizations.numerics import roundoff

__all__ = [
    "angle",
    "angle_roundoff",
    "condition_number",
    "step_scale",
    "step_roundoff",
    "two_layer_step",
    "plane_basis",
    "project",
    "scaled_norm",
]


def angle(a, b) -> float:
    """The angle between non-zero vectors a and b in [0, π], accurate near 0 and π too.

    Kahan's form 2·atan2(‖â − b̂‖, ‖â + b̂‖) with â, b̂ normalised after scaling by their
    largest entry (no underflow for tiny vectors).
    """
    ah, bh = unit(a), unit(b)
    return float(2.0 * np.arctan2(np.linalg.norm(ah - bh), np.linalg.norm(ah + bh)))


def angle_roundoff(err_a: float, norm_a: float, err_b: float, norm_b: float, n: int) -> float:
    """How far round-off can move :func:`angle` of two vectors known to absolute errors err_a, err_b.

    A perturbation δ of a moves its direction by at most ‖δ‖/‖a‖ (to first order); the
    normalisations and the two norms inside the angle add a few n-term round-offs.
    """
    return float(err_a / norm_a + err_b / norm_b + roundoff(1.0, n, depth=2, computations=3))


def condition_number(P) -> float:
    """κ(P) = σ_max/σ_min, the spectral condition number."""
    s = np.linalg.svd(np.asarray(P, float), compute_uv=False)
    return float(s[0] / s[-1])


def step_scale(U, v, x) -> float:
    """‖|U|ᵀ|U||x| + ‖v‖²|x|‖: the size of the terms summed in the induced step UᵀUx + ‖v‖²x."""
    U, v, x = np.asarray(U, float), np.asarray(v, float), np.asarray(x, float)
    ax = np.abs(x)
    return float(np.linalg.norm(np.abs(U).T @ (np.abs(U) @ ax) + float(v @ v) * ax))


def step_roundoff(U, v, x, *, cond: float = 1.0) -> float:
    """Largest error round-off can explain in one computation of UᵀUx + ‖v‖²x.

    Two chained products (Ux, then Uᵀ(Ux)) of at most k and d terms, plus the sum;
    ``cond`` multiplies the scale when U, v were themselves computed with an error that
    grows with a condition number (v = P⁻ᵀv₀ from an inverse: relative error ≈ κ(P)·u).
    """
    k, d = np.shape(U)
    return roundoff(cond * step_scale(U, v, x), k + d + 1, depth=2, computations=1)


def two_layer_step(U, v, x) -> np.ndarray:
    """(UᵀU + ‖v‖²I)x, written from the formula (not from the model)."""
    U, v, x = np.asarray(U, float), np.asarray(v, float), np.asarray(x, float)
    return U.T @ (U @ x) + float(v @ v) * x


def plane_basis(a, b=None):
    """An orthonormal pair (e₁, e₂) with e₁ = â and e₂ in span(a, b) (any unit ⊥ e₁ if b ∥ a).

    e₂ is b's component ⊥ e₁, orthogonalised twice (Gram–Schmidt "twice is enough"); when
    that component is below the round-off of its computation, b counts as parallel to a.
    """
    e1 = unit(a)
    if e1.size == 1:
        return e1, np.zeros(1)
    r = None
    if b is not None and np.any(b):
        b = np.asarray(b, float)
        r = b - (b @ e1) * e1
        r = r - (r @ e1) * e1
        if float(np.linalg.norm(r)) <= roundoff(float(np.linalg.norm(b)), e1.size, depth=2):
            r = None
    if r is None:
        # the coordinate axis least aligned with e₁, orthogonalised
        j = int(np.argmin(np.abs(e1)))
        r = np.eye(e1.size)[j] - e1[j] * e1
        r = r - (r @ e1) * e1
    return e1, unit(r)


def project(vecs, e1, e2) -> np.ndarray:
    """Coordinates of each vector in the (e₁, e₂) plane, shape (n, 2)."""
    return np.array([[float(np.asarray(v) @ e1), float(np.asarray(v) @ e2)] for v in vecs])


def scaled_norm(x) -> float:
    """‖x‖ without underflow: tiny entries (a drawn y of 1e-224) would square to 0."""
    x = np.asarray(x, float)
    a = float(np.max(np.abs(x))) if x.size else 0.0
    return 0.0 if a == 0 else a * float(np.linalg.norm(x / a))
