"""The bands of a spectral norm, an inner product and a sum of products hold, and are tight.

Each band is checked against the exact value: an inner product and a sum of products of floats are
rational numbers (:class:`fractions.Fraction` sums them without rounding); ‖U‖₂² is λ_max(UᵀU), and
the Rayleigh quotient xᵀGx/xᵀx of the exact G = UᵀU at the computed top eigenvector x is below
λ_max and within O(u²) of it (its error is quadratic in x's), evaluated in rationals and its root
taken to 40 digits. Several ways of computing each value (orders of summation, ``eigvalsh`` of
UᵀU and of UUᵀ, an SVD) must fall within the band of the exact value and of each other; a
perturbation of 10³ unit round-offs (the project's planted error, tests/test_tolerance_power.py)
must fall outside it, through :func:`overparam.theorems.expect_close`.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overparam.parameterizations.numerics import (UNIT_ROUNDOFF, inner_product_band, spectral_norm_band,
                                                  sum_of_products_band)
from overparam.theorems import ClaimFailed, expect_close

#: the planted error, in unit round-offs of the value's magnitude
PLANT = 1e3 * UNIT_ROUNDOFF


@st.composite
def arrays(draw, shape):
    """Entries of magnitudes 10⁻³…10³ and both signs, some exactly 0 (so that sums cancel)."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape) * 10.0 ** rng.integers(-3, 4, size=shape)
    x[rng.random(size=shape) < 0.15] = 0.0
    return x


def _exact_sum_of_products(*factors) -> Fraction:
    cols = np.broadcast_arrays(*[np.asarray(f, float) for f in factors])
    total = Fraction(0)
    for entries in zip(*(c.ravel() for c in cols)):
        term = Fraction(1)
        for e in entries:
            term *= Fraction(float(e))
        total += term
    return total


def _exact_spectral_norm(U) -> float:
    U = np.asarray(U, float)
    G = U.T @ U
    if not np.any(U):
        return 0.0
    x = np.linalg.eigh(G)[1][:, -1]
    Uq = [[Fraction(float(e)) for e in row] for row in U]
    xq = [Fraction(float(e)) for e in x]
    Ux = [sum(r[j] * xq[j] for j in range(len(xq))) for r in Uq]
    rq = sum(v * v for v in Ux) / sum(v * v for v in xq)  # xᵀUᵀUx/xᵀx, exact
    with localcontext() as ctx:
        ctx.prec = 40
        return float((Decimal(rq.numerator) / Decimal(rq.denominator)).sqrt())


@settings(max_examples=30, database=None)
@given(st.integers(1, 40).flatmap(lambda n: st.tuples(arrays((n,)), arrays((n,)))))
def test_the_inner_product_band_holds_in_every_order_and_catches_a_thousand_unit_round_offs(ab):
    a, b = ab
    exact = _exact_sum_of_products(a, b)
    band = inner_product_band(a, b)
    for computed in (a @ b, float(np.sum(a * b)), sum(float(x) * float(y) for x, y in zip(a, b)),
                     float(np.dot(a[::-1], b[::-1]))):
        expect_close(computed, float(exact), "⟨a, b⟩", band=band)
        assert abs(Fraction(float(computed)) - exact) <= Fraction(band)
    magnitude = float(np.abs(a) @ np.abs(b))
    if magnitude > 0:
        with pytest.raises(ClaimFailed, match=r"^⟨a, b⟩=.*, but should equal .* \(to within its round-off band"):
            expect_close(a @ b + PLANT * magnitude, float(exact), "⟨a, b⟩", band=band)


@settings(max_examples=20, database=None)
@given(st.tuples(st.integers(1, 30), st.integers(1, 4)).flatmap(
    lambda nm: st.lists(arrays((nm[0],)), min_size=nm[1], max_size=nm[1])))
def test_the_sum_of_products_band_holds_and_catches_a_thousand_unit_round_offs(factors):
    exact = _exact_sum_of_products(*factors)
    band = sum_of_products_band(*factors)
    products = np.prod(factors, axis=0)
    computed = [float(np.sum(products)), float(sum(float(t) for t in products[::-1])), float(products @ np.ones(len(products)))]
    for value in computed:
        assert abs(Fraction(value) - exact) <= Fraction(band), (value, float(exact), band)
    magnitude = float(np.sum(np.prod(np.abs(factors), axis=0)))
    if magnitude > 0:
        with pytest.raises(ClaimFailed):
            expect_close(computed[0] + PLANT * magnitude, float(exact), "Σ Π", band=band)


@settings(max_examples=30, database=None)
@given(st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(0, 5)).flatmap(
    lambda kdr: st.tuples(arrays((kdr[0], kdr[2] or 1)), arrays((kdr[2] or 1, kdr[1])), st.booleans())))
def test_the_spectral_norm_band_holds_for_the_gram_and_svd_routes_and_catches_a_thousand_unit_round_offs(parts):
    A, B, low_rank = parts
    U = A @ B if low_rank else np.concatenate([A, np.zeros((A.shape[0], max(0, B.shape[1] - A.shape[1])))], 1)
    exact = _exact_spectral_norm(U)
    band = spectral_norm_band(U)
    routes = {
        "eigvalsh(UᵀU)": float(np.sqrt(max(np.linalg.eigvalsh(U.T @ U)[-1], 0.0))),
        "eigvalsh(UUᵀ)": float(np.sqrt(max(np.linalg.eigvalsh(U @ U.T)[-1], 0.0))),
        "norm(U, 2)": float(np.linalg.norm(U, 2)),
    }
    for name, value in routes.items():
        expect_close(value, exact, f"‖U‖₂ by {name}", band=band)
        expect_close(value, routes["norm(U, 2)"], f"‖U‖₂ by {name} and by an SVD", band=band)
    if exact > 0:
        with pytest.raises(ClaimFailed, match=r"^‖U‖₂=.*, but should equal .* \(to within its round-off band"):
            expect_close(routes["eigvalsh(UᵀU)"] * (1 + PLANT), exact, "‖U‖₂", band=band)


def test_a_band_carried_by_the_inputs_adds():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0])
    da = np.array([1e-6, 0.0, -1e-6])
    band = inner_product_band(a, b, band_a=float(np.linalg.norm(da)))
    assert abs((a + da) @ b - a @ b) <= band and inner_product_band(a, b) < 1e-12 < band
    U = np.array([[3.0, 0.0], [0.0, 1.0]])
    assert spectral_norm_band(U, band_U=1e-3) == pytest.approx(spectral_norm_band(U) + 1e-3)
    assert abs(np.linalg.norm(U + [[1e-3, 0], [0, 0]], 2) - 3.0) <= spectral_norm_band(U, band_U=1e-3)


def test_the_bands_name_a_wrong_argument():
    with pytest.raises(ValueError, match=r"^a and b must have one length, but got 2 and 3$"):
        inner_product_band([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"^U must be a matrix, but got an array of shape \(3,\)$"):
        spectral_norm_band(np.ones(3))
    with pytest.raises(ValueError, match=r"^factors must broadcast to one shape, but got shapes \[\(2,\), \(3,\)\]$"):
        sum_of_products_band(np.ones(2), np.ones(3))
