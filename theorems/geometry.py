"""Plane geometry of steps and its round-off: angles, plane bases, projections, the two-layer step.

Shared by the chapters on the two-layer model (gradient dynamics, the variety of parametric
gradients, the take-aways): the induced step (UᵀU + ‖v‖²I)x written from the formula, the size
of its terms and the error round-off can explain in it, angles accurate near 0 and π, and the
orthonormal plane in which two vectors are drawn.
"""

from __future__ import annotations

import numpy as np

from overparam.parameterizations.base import unit
from overparam.parameterizations.numerics import roundoff

__all__ = [
    "angle",
    "angle_roundoff",
    "condition_number",
    "step_scale",
    "step_roundoff",
    "two_layer_step",
    "transformed_step",
    "transformed_step_scale",
    "transformed_step_roundoff",
    "same_theta_scale",
    "reparameterization_mismatch",
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


def transformed_step(U, v, P, x) -> np.ndarray:
    """(UᵀPᵀPU + ‖P⁻ᵀv‖²I)x, the induced step at (PU, P⁻ᵀv), written with U, v and P (P⁻ᵀv by a solve)."""
    U, v, P, x = (np.asarray(a, float) for a in (U, v, P, x))
    r = np.linalg.solve(P.T, v)
    return U.T @ (P.T @ (P @ (U @ x))) + float(r @ r) * x


def transformed_step_scale(U, v, P, x) -> float:
    """Σ|terms| of (UᵀPᵀPU + ‖P⁻ᵀv‖²I)x, the ‖P⁻ᵀv‖² part times κ(P) (an inverse or a solve)."""
    aU, aP, ax = np.abs(U), np.abs(np.asarray(P, float)), np.abs(x)
    Pinv = np.abs(np.linalg.inv(P))
    first = aU.T @ (aP.T @ (aP @ (aU @ ax)))
    r = Pinv.T @ np.abs(v)
    return float(np.linalg.norm(first) + condition_number(P) * float(r @ r) * np.linalg.norm(ax))


def transformed_step_roundoff(U2, v2, x, *, cond: float) -> float:
    """Largest error round-off can explain in the induced step U₂ᵀU₂x + ‖v₂‖²x at U₂ = PU, v₂ = P⁻ᵀv.

    PU is a product rounded like any other; P⁻ᵀv comes from an inverse (or a solve) and carries a
    relative error up to κ(P)·u. So κ(P) multiplies only the ‖v₂‖²x term, the one that holds v₂:
    multiplying the whole step by it (as :func:`step_roundoff` with ``cond``) makes the band of a
    step dominated by U₂ᵀU₂x — where a search for a direction drives it — κ(P) times too wide.
    """
    U2, v2, x = np.asarray(U2, float), np.asarray(v2, float), np.asarray(x, float)
    k, d = U2.shape
    ax = np.abs(x)
    weight = float(np.linalg.norm(np.abs(U2).T @ (np.abs(U2) @ ax)))
    vterm = float(v2 @ v2) * float(np.linalg.norm(ax))
    return roundoff(weight + cond * vterm, k + d + 1, depth=2, computations=1)


def same_theta_scale(U, v, P) -> float:
    """Σ|terms| of (PU)ᵀ(P⁻ᵀv), times κ(P) for the error of the computed inverse, plus those of Uᵀv.

    PU rounds with k-term sums; P⁻¹ is computed with a normwise relative error up to about
    κ(P)·u (inversion by LU), which enters P⁻ᵀv and then the product with PU, whose terms
    have the size of (|P||U|)ᵀ(|P⁻¹|ᵀ|v|). With terms 2k + 2 and depth 3 this is the bound
    of ψ(PU, P⁻ᵀv) = ψ(U, v) (claim C09), which every witness about two parameterizations of
    one θ checks.
    """
    P = np.asarray(P, float)
    U, v = np.asarray(U, float), np.asarray(v, float)
    Pinv = np.linalg.inv(P)
    aU, av = np.abs(U), np.abs(v)
    return condition_number(P) * float(np.linalg.norm((np.abs(P) @ aU).T @ (np.abs(Pinv).T @ av))) + float(
        np.linalg.norm(aU.T @ av))


def reparameterization_mismatch(m, w, P, x) -> tuple[str, str, float, float] | None:
    """Why (PU, P⁻ᵀv) = ``m.transform(w, P)`` is not the reparameterization a witness needs, or None.

    Checks, each to its round-off bound: ψ(w₂) = ψ(w) (the bound of C09), the model's induced step at
    w₂ equals (UᵀPᵀPU + ‖P⁻ᵀv‖²I)x written from U, v and P (the bound of C10), and the model's
    induced step at w equals (UᵀU + ‖v‖²I)x. A witness about two parameterizations of one function
    is only one when all three hold: a transform or an induced step that is wrong shows here.
    Returns (sentence, the quantity, its value, its bound) for the first that fails.
    """
    U, v = m.unpack(w)
    w2 = m.transform(w, P)
    k, d = U.shape
    checks = [
        (lambda: m.psi(w2) - m.psi(w), lambda: same_theta_scale(U, v, P), 2 * k + 2, 3,
         "‖ψ(PU, P⁻ᵀv) − ψ(U, v)‖", "not the same θ"),
        (lambda: m.induced_step(w2, x) - transformed_step(U, v, P, x), lambda: transformed_step_scale(U, v, P, x),
         k + d + 2, 4, "‖induced step at (PU, P⁻ᵀv) − (UᵀPᵀPU + ‖P⁻ᵀv‖²I)x‖", "the model's step is not the formula's"),
        (lambda: m.induced_step(w, x) - two_layer_step(U, v, x), lambda: step_scale(U, v, x), k + d + 1, 2,
         "‖induced step at (U, v) − (UᵀU + ‖v‖²I)x‖", "the model's step is not the formula's"),
    ]
    for diff, scale, terms, depth, what, why in checks:
        gap = float(np.linalg.norm(diff()))
        bound = roundoff(scale(), terms, depth)
        if not gap <= bound:
            return f"{what}={gap:.3g}, but should be ≤ {bound:.3g} (round-off): {why}", what, gap, bound
    return None


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
