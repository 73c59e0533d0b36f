"""The row-wise maps on B points (``psi_batch``, ``vjp_batch``) and what each family says of itself.

* row b of ``psi_batch(W)`` is ψ(W_b) and row b of ``vjp_batch(W, G)`` is J(W_b)ᵀG_b, to the
  round-off of two computations (numerics.close), for every family at random sizes (the
  factorizations' batched closed form among them), and for the scalar chain θ = w₁⋯w_N, whose
  closed form is used only there; a family whose batched maps are the default row loop is compared
  with the matrix J instead (ψ through a block of w in which it is linear), not with itself;
* ``uniform_initial(α)`` is α·1 for the element-wise maps and a ValueError elsewhere;
* the family table and the random-size strategies come from the zoo's classes.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overparam.parameterizations import CLASSES, DeepLinear, Inverse, Squared, family_strategies, numerics, zoo
from overparam.parameterizations.base import finite_vectors

FAMILIES = family_strategies(3)
PER_FAMILY = settings(max_examples=max(10, settings().max_examples // 4), deadline=None)


def _batch(m):
    """(m, W, G): B ∈ [1, 3] points of m as rows, and B canonical covectors."""
    B = st.integers(1, 3)
    return B.flatmap(lambda b: st.tuples(
        st.just(m),
        st.lists(m.points(), min_size=b, max_size=b).map(np.stack),
        st.lists(finite_vectors(m.n_canonical), min_size=b, max_size=b).map(np.stack)))


#: for the families whose batched maps are the default row loop (ψ and vjp row by row, so comparing
#: with ψ and vjp would compare them with themselves): a block of w in which ψ is linear, so that
#: ψ(w) = J(w)[:, block]·w[block] computes ψ from the matrix J instead (two-layer: v; ReLU and smooth: a)
LINEAR_BLOCK = {
    "two-layer": lambda m: slice(m.n_params - m.k, None),
    "relu": lambda m: slice(m.n_params - m.k, None),
    "smooth": lambda m: slice(m.n_params - m.k, None),
}


def _default_loop(m) -> bool:
    from overparam.parameterizations import Parameterization

    return type(m)._psi_batch is Parameterization._psi_batch


def _check_rows(m, W, G):
    Theta, V = m.psi_batch(W), m.vjp_batch(W, G)
    assert Theta.shape == (len(W), m.n_canonical) and V.shape == W.shape
    if _default_loop(m):
        assert m.family in LINEAR_BLOCK, f"{m.family} uses the default row loop: name a block where ψ is linear"
        return _check_rows_against_j(m, W, G, Theta, V, LINEAR_BLOCK[m.family](m))
    for b, (w, g) in enumerate(zip(W, G)):
        ok, diff, bound = numerics.close(Theta[b], m.psi(w), m.psi_scale(w), m.n_params, m.depth)
        assert ok, f"‖psi_batch(W)[{b}] − ψ(W[{b}])‖={diff:.3g}, but should be ≤ {bound:.3g} [{m.label}]"
        scale = m.jacobian_scale(w, m.jacobian(w)) * float(np.linalg.norm(g))
        ok, diff, bound = numerics.close(V[b], m.vjp(w, g), scale, max(m.n_params, m.n_canonical), m.depth)
        assert ok, f"‖vjp_batch(W, G)[{b}] − J(W[{b}])ᵀG[{b}]‖={diff:.3g}, but should be ≤ {bound:.3g} [{m.label}]"


def _check_rows_against_j(m, W, G, Theta, V, block):
    """Rows of the batched maps against the matrix J: ψ(W_b) = J[:, block]·W_b[block], vjp = JᵀG_b."""
    for b, (w, g) in enumerate(zip(W, G)):
        J = np.asarray(m.jacobian(w))
        nJ = m.jacobian_scale(w, J)
        # J's entries are ψ's factors: one more rounded product than ψ itself
        ok, diff, bound = numerics.close(Theta[b], J[:, block] @ w[block], max(m.psi_scale(w), nJ * float(
            np.linalg.norm(w[block]))), m.n_params, m.depth + 1)
        assert ok, f"‖psi_batch(W)[{b}] − J[:, block]·W[{b}][block]‖={diff:.3g}, but should be ≤ {bound:.3g} [{m.label}]"
        ok, diff, bound = numerics.close(V[b], J.T @ g, nJ * float(np.linalg.norm(g)), max(m.n_params, m.n_canonical),
                                         m.depth)
        assert ok, f"‖vjp_batch(W, G)[{b}] − J(W[{b}])ᵀG[{b}]‖={diff:.3g}, but should be ≤ {bound:.3g} [{m.label}]"


def test_the_linear_blocks_are_the_families_of_the_default_row_loop():
    loop = {name for name, cls in CLASSES.items() if _default_loop(cls.__new__(cls))}
    assert loop == set(LINEAR_BLOCK), loop


@pytest.mark.parametrize("family", sorted(FAMILIES))
@PER_FAMILY
@given(data=st.data())
def test_batched_maps_are_the_maps_row_by_row(family, data):
    _check_rows(*data.draw(FAMILIES[family].flatmap(_batch)))


@PER_FAMILY
@given(data=st.data())
def test_the_scalar_chain_closed_form_is_the_chain_row_by_row(data):
    m = DeepLinear(d=1, N=data.draw(st.integers(1, 6)), width=1)
    _check_rows(*data.draw(_batch(m)))


def test_batched_maps_refuse_bad_input_by_name():
    with pytest.raises(ValueError, match=r"^W must be a matrix with 2 columns, but got an array of shape \(3, 4\)"):
        Squared(2).psi_batch(np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"W\[1\] must have no zero entry"):
        Inverse(2).psi_batch(np.array([[1.0, 2.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match=r"G must be a 2×2 matrix"):
        Squared(2).vjp_batch(np.ones((2, 2)), np.ones((3, 2)))


@pytest.mark.parametrize("m", zoo(), ids=lambda m: m.family)
def test_uniform_initial_is_alpha_ones_for_the_element_wise_maps(m):
    if m.family in ("identity", "squared", "signed-squared", "inverse"):
        assert np.array_equal(m.uniform_initial(0.3), np.full(m.n_params, 0.3))
        with pytest.raises(ValueError, match="alpha must be > 0"):
            m.uniform_initial(-1.0)
    else:
        with pytest.raises(ValueError, match="param must be an element-wise map with a uniform initialization"):
            m.uniform_initial(0.3)


def test_the_family_table_is_the_zoo_in_order():
    assert list(FAMILIES) == list(CLASSES) == [m.family for m in zoo()]


@pytest.mark.parametrize("family", sorted(FAMILIES))
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_each_family_draws_its_own_class(family, data):
    m = data.draw(FAMILIES[family])
    assert type(m) is CLASSES[family] and m.family == family
