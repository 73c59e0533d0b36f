"""The special-point strategies draw what they say, for every family they are registered for, and the
README's table of models is generated from the code."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overparam.parameterizations import CLASSES, DeepLinear, MatrixFactorization, Polar, ShallowReLU, TwoLayerLinear
from overparam.parameterizations.numerics import roundoff, theta_band
from overparam.parameterizations.special_points import (SPECIAL_POINTS, balanced_points, dead_unit_points, degenerate_points,
                                              duplicated_unit_points,
                                              nonzero_theta_points, polar_points, same_theta_pairs)
from overparam.theorems import models_table
from overparam.theorems.example_strategies import relu, smooth

README = Path(__file__).resolve().parents[1] / "README.md"
FEW = settings(max_examples=10, database=None, deadline=None)
MEMBERS = st.sampled_from([TwoLayerLinear(2, 3), TwoLayerLinear(3, 2), TwoLayerLinear(1, 1)])


def test_the_readme_table_of_models_is_current():
    assert models_table.parse_block(README.read_text(encoding="utf-8")) == models_table.render_table(), \
        "README's table of models is stale: run `python -m overparam.theorems models --write README.md`"


def test_every_family_has_a_row_and_every_strategy_serves_a_family_of_the_zoo():
    assert [r[0] for r in models_table.rows()] == list(CLASSES)
    for s in SPECIAL_POINTS:
        assert set(s.families) <= set(CLASSES), s


@FEW
@given(MEMBERS.flatmap(lambda m: st.tuples(st.just(m), balanced_points(m))))
def test_two_layer_balanced_points_are_balanced_with_theta_nonzero(mw):
    m, w = mw
    U, v = m.unpack(w)
    assert abs(np.linalg.norm(U) - np.linalg.norm(v)) <= roundoff(np.linalg.norm(v), U.size, 2)
    assert np.linalg.norm(m.psi(w)) > theta_band(m, w)


@FEW
@given(st.sampled_from([DeepLinear(2, 3), MatrixFactorization(2, 3, N=3, width=2)]).flatmap(
    lambda m: st.tuples(st.just(m), balanced_points(m))))
def test_deep_balanced_points_are_balanced(mw):
    m, w = mw
    Ws = m.unpack(w)
    for a, b in zip(Ws[:-1], Ws[1:]):
        gap = np.linalg.norm(b.T @ b - a @ a.T)
        assert gap <= roundoff(np.linalg.norm(a) ** 2 + np.linalg.norm(b) ** 2, max(a.shape + b.shape), 3 * m.N)
    assert np.any(m.psi(w))


@FEW
@given(MEMBERS.flatmap(lambda m: st.tuples(st.just(m), nonzero_theta_points(m))))
def test_nonzero_theta_points_have_theta_nonzero(mw):
    m, w = mw
    assert np.linalg.norm(m.psi(w)) >= 0.5 - theta_band(m, w)  # an entry of θ has magnitude ≥ 0.5


@FEW
@given(st.sampled_from([TwoLayerLinear(2, 2), TwoLayerLinear(3, 2), DeepLinear(2, 3)]).flatmap(
    lambda m: st.tuples(st.booleans(), st.just(m))).flatmap(
    lambda bm: same_theta_pairs(bm[1], max_cond=1e6, balanced=bm[0] and bm[1].family == "two-layer")))
def test_same_theta_pairs_share_theta_with_a_bounded_condition_number(ex):
    m, w, w2, P = ex["param"], ex["w"], ex["w2"], ex["P"]
    s = np.linalg.svd(P, compute_uv=False)
    assert s[0] / s[-1] <= 1e6 * (1 + 1e-9)
    # θ through P⁻¹: its round-off grows with κ(P)
    band = (theta_band(m, w) + theta_band(m, w2)) * s[0] / s[-1]
    assert np.linalg.norm(m.psi(w) - m.psi(w2)) <= band


def test_bad_caps_are_refused():
    from overparam.parameterizations.special_points import steerable_invertible_matrices

    with pytest.raises(ValueError, match=r"^max_cond must be a finite number ≥ 1, but got 0\.5$"):
        steerable_invertible_matrices(2, max_cond=0.5)


def test_balanced_pairs_are_for_the_two_layer_model_only():
    with pytest.raises(ValueError, match=r"^balanced must be False for deep-linear"):
        same_theta_pairs(DeepLinear(2, 3), balanced=True)
    with pytest.raises(ValueError, match=r"^m must be a member of a family in \['polar'\] for polar_points, but got "
                                         r"'two-layer'$"):
        polar_points(TwoLayerLinear(2, 2))
    with pytest.raises(ValueError, match=r"^radius must be \(lo, hi\) with 0 < lo < hi < ∞, but got \(1, 1\)$"):
        polar_points(Polar(), radius=(1, 1))


@FEW
@given(st.sampled_from([(0.05, 1.0), (1.0, 20.0)]).flatmap(lambda r: st.tuples(st.just(r), polar_points(Polar(), radius=r))))
def test_polar_points_have_r_in_the_range(rw):
    (lo, hi), w = rw
    assert lo * (1 - 1e-12) <= w[0] <= hi * (1 + 1e-12)


def _generic_rank(m) -> int:
    """The rank of J at a generic point: the largest over a few samples (a ReLU sample may have dead units)."""
    return max(int(np.linalg.matrix_rank(m.jacobian(m.sample(seed)))) for seed in range(5))


DEGENERATE_MEMBERS = [TwoLayerLinear(3, 3), TwoLayerLinear(2, 4), TwoLayerLinear(4, 2), ShallowReLU(n=3, d=2, k=3),
                      DeepLinear(d=2, N=3, width=2), MatrixFactorization(2, 2, N=2, width=2)]


@FEW
@given(st.sampled_from(DEGENERATE_MEMBERS).flatmap(lambda m: st.tuples(st.just(m), degenerate_points(m))))
def test_degenerate_points_lose_rank(mw):
    m, w = mw
    full = _generic_rank(m)
    assert full >= 1
    # the origin (J = 0) and, for the two-layer model, v = 0 with U of rank < d (J = [0 | Uᵀ])
    assert np.linalg.matrix_rank(m.jacobian(w)) < full, f"J at a degenerate point of {m.label} has full rank {full}"


@FEW
@given(st.sampled_from([TwoLayerLinear(3, 3), ShallowReLU(n=3, d=2, k=3)]).flatmap(
    lambda m: st.tuples(st.just(m), duplicated_unit_points(m))))
def test_a_duplicated_unit_is_a_copy_of_another_unit(mw):
    m, w = mw
    parts = m.unpack(w)
    rows = np.column_stack([p.reshape(m.k, -1) for p in parts])  # one row per hidden unit
    twins = [(s, t) for s in range(m.k) for t in range(s + 1, m.k) if np.array_equal(rows[s], rows[t])]
    assert twins, f"no hidden unit of {m.label} is a copy of another"


class _Recording(TwoLayerLinear):
    """A two-layer model that records the (source, target) pairs it is asked to duplicate."""

    seen: list = []

    def duplicate_unit(self, w, source, target):
        self.seen.append((source, target))
        return super().duplicate_unit(w, source, target)


@settings(max_examples=40, database=None, deadline=None)
@given(duplicated_unit_points(_Recording(2, 2)))
def test_a_duplicated_unit_is_never_its_own_source(w):
    source, target = _Recording.seen[-1]
    assert source != target


@FEW
@given(dead_unit_points(ShallowReLU(n=3, d=2, k=3)))
def test_dead_unit_points_have_a_unit_with_zero_columns(w):
    m = ShallowReLU(n=3, d=2, k=3)
    J = m.jacobian(w)
    A, b, a = (x.astype(int) for x in m.unpack(np.arange(m.n_params)))
    assert any(not np.any(J[:, np.r_[A[j], b[j], a[j]]]) for j in range(m.k))


@FEW
@given(relu(wide=True) | smooth(wide=True))
def test_wide_models_have_at_least_as_many_units_as_inputs(m):
    assert m.k >= m.n


def test_the_models_command_refuses_a_file_without_markers_in_one_line(tmp_path, capsys):
    from overparam.theorems.__main__ import main

    (tmp_path / "R.md").write_text("no markers\n", encoding="utf-8")
    assert main(["models", "--write", str(tmp_path / "R.md")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("--write must name a README with the models markers") and len(err.strip().splitlines()) == 1
