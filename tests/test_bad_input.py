"""Bad input raises ValueError whose message names the argument, what was expected, and what came.

Never a numpy traceback (IndexError, TypeError, LinAlgError) and never a silent NaN
or inf: a finite input that overflows is reported as well.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import overparam.parameterizations as P
from overparam.parameterizations import family_strategies
from overparam.parameterizations.base import finite_vectors

FAMILIES = family_strategies(3)
# a family-parametrized property: a quarter of the profile's budget per family
PER_FAMILY = settings(max_examples=max(10, settings().max_examples // 4))
MEMBERS = {m.family: m for m in P.zoo()}
IDS = sorted(MEMBERS)


def _point(m):
    return m.sample(0)


# --- wrong shapes ------------------------------------------------------------------

@pytest.mark.parametrize("family", IDS)
def test_wrong_length_w(family):
    m = MEMBERS[family]
    p = m.n_params
    with pytest.raises(ValueError, match=rf"^w must be a vector of shape \({p},\), but got an array of shape \({p + 1},\)"):
        m.psi(np.ones(p + 1))


@pytest.mark.parametrize("family", IDS)
@pytest.mark.parametrize("method, arg", [("jvp", "dw"), ("vjp", "dtheta"), ("induced_step", "g")])
def test_column_instead_of_vector(family, method, arg):
    # a (n, 1) column is not silently flattened: that hides real bugs
    m = MEMBERS[family]
    n = m.n_params if arg == "dw" else m.n_canonical
    with pytest.raises(ValueError, match=rf"^{arg} must be a vector of shape \({n},\), but got an array of shape \({n}, 1\)"):
        getattr(m, method)(_point(m), np.ones((n, 1)))


def test_w_as_a_matrix_is_rejected():
    m = P.TwoLayerLinear(k=3, d=2)
    U, v = m.unpack(_point(m))
    with pytest.raises(ValueError, match=r"^w must be a vector of shape \(9,\), but got an array of shape \(3, 2\)"):
        m.psi(U)


def test_mismatched_sizes_between_members():
    a, b = P.TwoLayerLinear(k=3, d=2), P.TwoLayerLinear(k=2, d=3)
    with pytest.raises(ValueError, match=r"^w must be a vector of shape \(8,\), but got an array of shape \(9,\)"):
        b.jacobian(_point(a))


# --- non-finite entries, and finite input that overflows ------------------------

CALLS = {  # method → (the argument made non-finite, the call)
    "psi": ("w", lambda m, w, dw, u: m.psi(w)),
    "jacobian": ("w", lambda m, w, dw, u: m.jacobian(w)),
    "kernel": ("w", lambda m, w, dw, u: m.kernel(w)),
    "psi_scale": ("w", lambda m, w, dw, u: m.psi_scale(w)),
    "jvp(w)": ("w", lambda m, w, dw, u: m.jvp(w, dw)),
    "jvp(dw)": ("dw", lambda m, w, dw, u: m.jvp(w, dw)),
    "vjp(w)": ("w", lambda m, w, dw, u: m.vjp(w, u)),
    "vjp(dtheta)": ("dtheta", lambda m, w, dw, u: m.vjp(w, u)),
    "induced_step(w)": ("w", lambda m, w, dw, u: m.induced_step(w, u)),
    "induced_step(g)": ("g", lambda m, w, dw, u: m.induced_step(w, u)),
}


@pytest.mark.parametrize("family", IDS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("call", sorted(CALLS))
def test_non_finite_entries(family, bad, call):
    m = MEMBERS[family]
    arg, f = CALLS[call]
    x = {"w": _point(m), "dw": np.ones(m.n_params), "dtheta": np.ones(m.n_canonical), "g": np.ones(m.n_canonical)}
    x["u"] = x["dtheta"] if arg == "dtheta" else x["g"]
    i = x[arg].size - 1
    x[arg][i] = bad
    with pytest.raises(ValueError, match=rf"^{arg} must be finite, but entry {i} is {re.escape(str(bad))}$"):
        f(m, x["w"], x["dw"], x["u"])


@pytest.mark.parametrize("family", ["two-layer", "deep-linear", "factorization", "relu"])
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@PER_FAMILY
@given(data=st.data(), bad=st.sampled_from([np.nan, np.inf, -np.inf]))
def test_non_finite_entry_anywhere_is_found(family, data, bad):
    # two-layer and deep-linear induced_step fold the finite check of w into h = Ug:
    # a g full of zeros must not hide a bad entry (inf·0 is NaN)
    m = data.draw(FAMILIES[family], label="member")
    w = data.draw(m.points(), label="w").copy()
    i = data.draw(st.integers(0, m.n_params - 1), label="i")
    g = data.draw(st.just(np.zeros(m.n_canonical)) | finite_vectors(m.n_canonical), label="g")
    w[i] = bad
    with pytest.raises(ValueError, match=rf"^w must be finite, but entry {i} is "):
        m.induced_step(w, g)


@pytest.mark.filterwarnings("ignore:overflow encountered in matmul:RuntimeWarning")
def test_huge_but_finite_entries_are_not_taken_for_non_finite():
    # the fast check's dot product overflows here (numpy warns); the entry-wise
    # fallback must accept w
    m = P.Identity(3)
    assert np.array_equal(m.psi(np.full(3, 1e200)), np.full(3, 1e200))


@pytest.mark.parametrize("call, what", [
    (lambda: P.TwoLayerLinear(k=2, d=2).psi(np.full(6, 1e200)), r"psi\(w\)"),
    (lambda: P.Inverse(2).psi(np.array([1e-310, 1.0])), r"psi\(w\)"),
    (lambda: P.Inverse(2).jvp(np.array([1e-200, 1.0]), np.array([0.0, 1.0])), r"jvp\(w, dw\)"),
    (lambda: P.Inverse(2).induced_step(np.array([1e-100, 1.0]), np.array([0.0, 1.0])), r"induced_step\(w, g\)"),
    (lambda: P.Squared(2).jacobian(np.array([1e308, 1.0])), r"jacobian\(w\)"),
])
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning", "ignore:divide by zero:RuntimeWarning",
                            "ignore:invalid value encountered:RuntimeWarning")
def test_finite_input_that_overflows_is_an_error_not_a_nan(call, what):
    with pytest.raises(ValueError, match=rf"^{what} must be finite, but entry (0|\(0, 0\)) is -?(inf|nan): "
                                         rf"the arguments \(\|w_i\| from"):
        call()


@pytest.mark.parametrize("x, got", [
    (np.ones(3, dtype=complex), r"an array of shape \(3,\) and dtype complex128"),
    (["a", "b", "c"], r"list \['a', 'b', 'c'\]"),
    (None, r"an array of shape \(\) and dtype object"),
])
def test_non_numbers(x, got):
    with pytest.raises(ValueError, match=rf"^w must be (an array of real numbers|a vector of shape \(3,\)), but got {got}"):
        P.Identity(3).psi(x)


def test_none_inside_a_list_is_a_non_finite_entry():
    # numpy reads None inside a float list as nan: caught as such, not passed on
    with pytest.raises(ValueError, match=r"^w must be finite, but entry 1 is nan$"):
        P.Identity(3).psi([1.0, None, 2.0])


# --- domains and arguments of the transforms ---------------------------------------

def test_inverse_rejects_a_zero_entry():
    with pytest.raises(ValueError, match=r"^w must have no zero entry for the inverse map, but entry 1 is 0$"):
        P.Inverse(3).psi(np.array([1.0, 0.0, 2.0]))
    with pytest.raises(ValueError, match=r"^theta must have no zero entry for the inverse map, but entry 0 is 0$"):
        P.Inverse(2).inverse(np.array([0.0, 2.0]))


@pytest.mark.parametrize("P_, cond", [
    (np.zeros((3, 3)), "inf"),
    (np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 0.0, 1.0]]), r"(inf|\d.*e\+\d+)"),  # rank 2
])
def test_transform_rejects_a_singular_P(P_, cond):
    m = P.TwoLayerLinear(k=3, d=2)
    with pytest.raises(ValueError, match=rf"^P must be invertible, but its condition number is {cond}$"):
        m.transform(_point(m), P_)
    f = P.MatrixFactorization(m=2, n=2, N=3, width=3)
    with pytest.raises(ValueError, match=rf"^P must be invertible, but its condition number is {cond}$"):
        f.transform(_point(f), P_)


def test_transform_rejects_a_P_of_the_wrong_size():
    m = P.TwoLayerLinear(k=3, d=2)
    with pytest.raises(ValueError, match=r"^P must be a 3×3 matrix, but got an array of shape \(2, 2\)"):
        m.transform(_point(m), np.eye(2))


@pytest.mark.parametrize("c, msg", [
    (np.array([1.0, -1.0, 2.0]), r"^c must be positive, but entry 1 is -1.0$"),
    (np.array([1.0, 0.0, 2.0]), r"^c must be positive, but entry 1 is 0.0$"),
    (np.array([1.0, np.nan, 2.0]), r"^c must be finite, but entry 1 is nan$"),
    (2.0, r"^c must be a vector of shape \(3,\), but got an array of shape \(\)"),
])
def test_relu_rescale_units_needs_positive_c(c, msg):
    m = P.ShallowReLU(n=4, d=2, k=3)
    with pytest.raises(ValueError, match=msg):
        m.rescale_units(_point(m), c)


@pytest.mark.parametrize("c, msg", [
    (0.0, r"^c must be non-zero, but got 0$"),
    (np.inf, r"^c must be finite, but got inf$"),
    ("two", r"^c must be a real number, but got str 'two'$"),
    (np.array([1.0, 2.0]), r"^c must be a real number, but got an array of shape \(2,\)"),
])
def test_rescale_needs_a_finite_non_zero_c(c, msg):
    m = P.TwoLayerLinear(k=3, d=2)
    with pytest.raises(ValueError, match=msg):
        m.rescale(_point(m), c)


@pytest.mark.parametrize("perm, got", [
    ([0, 0, 1], r"list \[0, 0, 1\]"),
    ([0, 1], r"list \[0, 1\]"),
    ([1, 2, 3], r"list \[1, 2, 3\]"),
    ([0, "a", None], r"list \[0, 'a', None\]"),
    (None, r"NoneType None"),
])
@pytest.mark.parametrize("family", ["two-layer", "relu"])
def test_bad_permutation(perm, got, family):
    m = P.TwoLayerLinear(k=3, d=2) if family == "two-layer" else P.ShallowReLU(n=4, d=2, k=3)
    with pytest.raises(ValueError, match=rf"^perm must be a permutation of range\(3\), but got {got}"):
        m.permute(_point(m), perm)


@pytest.mark.parametrize("call, msg", [
    (lambda m: m.duplicate_unit(_point(m), 0, 1.5), r"^target must be a hidden unit in range\(3\), but got float 1.5$"),
    (lambda m: m.duplicate_unit(_point(m), 3, 0), r"^source must be a hidden unit in range\(3\), but got 3$"),
    (lambda m: m.duplicate_unit(_point(m), -1, 0), r"^source must be a hidden unit in range\(3\), but got -1$"),
])
@pytest.mark.parametrize("family", ["two-layer", "relu"])
def test_bad_unit_index(call, msg, family):
    m = P.TwoLayerLinear(k=3, d=2) if family == "two-layer" else P.ShallowReLU(n=4, d=2, k=3)
    with pytest.raises(ValueError, match=msg):
        call(m)


def test_bad_dead_unit_rank_and_layer():
    r = P.ShallowReLU(n=4, d=2, k=3)
    with pytest.raises(ValueError, match=r"^j must be a hidden unit in range\(3\), but got float 0.5$"):
        r.dead_unit(_point(r), 0.5)
    t = P.TwoLayerLinear(k=3, d=2)
    with pytest.raises(ValueError, match=r"^rank must be an integer in range\(min\(k, d\)\) = range\(2\), but got 2$"):
        t.rank_deficient(_point(t), 2)
    f = P.MatrixFactorization(m=2, n=2, N=3)
    with pytest.raises(ValueError, match=r"^layer must be in range\(N-1\) = range\(2\), but got 2$"):
        f.transform(_point(f), np.eye(2), layer=2)


# --- constructors --------------------------------------------------------------------

@pytest.mark.parametrize("make, msg", [
    (lambda: P.TwoLayerLinear(k=2.5, d=2), r"^k must be an integer, but got float 2.5$"),
    (lambda: P.TwoLayerLinear(k=2, d=2.0), r"^d must be an integer, but got float 2.0$"),
    (lambda: P.TwoLayerLinear(k="3", d=2), r"^k must be an integer, but got str '3'$"),
    (lambda: P.TwoLayerLinear(k=True, d=2), r"^k must be an integer, but got bool True$"),
    (lambda: P.TwoLayerLinear(k=0, d=2), r"^k must be > 0, but got 0$"),
    (lambda: P.Identity(-1), r"^q must be > 0, but got -1$"),
    (lambda: P.Squared(np.float64(2)), r"^q must be an integer, but got float64 2.0$"),
    (lambda: P.DeepLinear(d=3, N=2.0), r"^N must be an integer, but got float 2.0$"),
    (lambda: P.DeepLinear(d=3, N=0), r"^N must be ≥ 1, but got 0$"),
    (lambda: P.MatrixFactorization(m=2, n=2, N=3, widths=[2]), r"^widths must have N-1 = 2 entries, but got 1$"),
    (lambda: P.MatrixFactorization(m=2, n=2, N=3, widths=[2, 1.5]), r"^widths must be an integer, but got float 1.5$"),
    (lambda: P.ShallowReLU(n=4, d=2, k=3, seed=0.5), r"^seed must be an integer, but got float 0.5$"),
    (lambda: P.ShallowReLU(n=4, d=2, k=3, X=np.ones((3, 2))), r"^X must be a 4×2 matrix, but got an array of shape \(3, 2\)"),
])
def test_non_integer_or_non_positive_sizes(make, msg):
    with pytest.raises(ValueError, match=msg):
        make()


@pytest.mark.parametrize("family", IDS)
def test_sample_needs_a_finite_scale(family):
    with pytest.raises(ValueError, match=r"^scale must be finite, but got nan$"):
        MEMBERS[family].sample(0, scale=np.nan)


@pytest.mark.parametrize("family", ["inverse", "relu"])
def test_smooth_step_checks_its_direction(family):
    m = MEMBERS[family]
    w = _point(m)
    with pytest.raises(ValueError, match=rf"^d must be a vector of shape \({m.n_params},\), but got an array of shape \(1,\)"):
        m.smooth_step(w, np.ones(1))
    with pytest.raises(ValueError, match=r"^d must be a non-zero direction, but it is zero$"):
        m.smooth_step(w, np.zeros(m.n_params))


def test_balanced_point_needs_a_matrix_of_rank_one():
    m = P.MatrixFactorization(m=2, n=2, N=3)
    with pytest.raises(ValueError, match=r"^E must have rank ≤ 1 for a balanced point here, but its singular values are"):
        m.balanced_point(np.eye(2))
    with pytest.raises(ValueError, match=r"^E must be a 1×3 matrix, but got an array of shape \(3,\)"):
        P.DeepLinear(d=3, N=3).balanced_point(np.ones(3))


# --- every public method names w, and the transforms of the factorization their arguments ------

W_METHODS = {
    "psi": lambda m, w: m.psi(w),
    "jacobian": lambda m, w: m.jacobian(w),
    "kernel": lambda m, w: m.kernel(w),
    "psi_scale": lambda m, w: m.psi_scale(w),
    "jvp": lambda m, w: m.jvp(w, np.ones(m.n_params)),
    "vjp": lambda m, w: m.vjp(w, np.ones(m.n_canonical)),
    "induced_step": lambda m, w: m.induced_step(w, np.ones(m.n_canonical)),
    "smooth_step": lambda m, w: m.smooth_step(w, np.ones(m.n_params)),
}


@pytest.mark.parametrize("family", IDS)
@pytest.mark.parametrize("method", sorted(W_METHODS))
def test_every_method_names_w_with_its_expected_and_actual_shape(family, method):
    # two-layer and deep-linear induced_step validate w on their own path (the finite check
    # folded into their products): the same message
    m = MEMBERS[family]
    p = m.n_params
    with pytest.raises(ValueError, match=rf"^w must be a vector of shape \({p},\), but got an array of shape "
                                         rf"\({p + 1},\) and dtype float64$"):
        W_METHODS[method](m, np.ones(p + 1))


FACTORIZATIONS = [P.MatrixFactorization(m=2, n=2, N=3, width=3), P.DeepLinear(d=2, N=3, width=3)]


FACTORIZATION_CALLS = [  # (id, call, message)
    ("rescale c=0", lambda f, w: f.rescale(w, 0.0), r"^c must be non-zero, but got 0$"),
    ("rescale c=0 layer=1", lambda f, w: f.rescale(w, 0.0, layer=1), r"^c must be non-zero, but got 0$"),
    ("rescale c=nan", lambda f, w: f.rescale(w, np.nan), r"^c must be finite, but got nan$"),
    ("rescale c=list", lambda f, w: f.rescale(w, [1.0, 2.0]), r"^c must be a real number, but got list \[1.0, 2.0\]$"),
    ("rescale layer=2", lambda f, w: f.rescale(w, 2.0, layer=2), r"^layer must be in range\(N-1\) = range\(2\), but got 2$"),
    ("permute repeated", lambda f, w: f.permute(w, [0, 1, 1]),
     r"^perm must be a permutation of range\(3\), but got list \[0, 1, 1\]$"),
    ("permute short", lambda f, w: f.permute(w, [0, 1]), r"^perm must be a permutation of range\(3\), but got list \[0, 1\]$"),
    ("permute layer=-1", lambda f, w: f.permute(w, [0, 1, 2], layer=-1),
     r"^layer must be in range\(N-1\) = range\(2\), but got -1$"),
    ("permute layer=1.0", lambda f, w: f.permute(w, [0, 1, 2], layer=1.0),
     r"^layer must be in range\(N-1\) = range\(2\), but got float 1.0$"),
    ("transform P 2x2", lambda f, w: f.transform(w, np.eye(2)), r"^P must be a 3×3 matrix, but got an array of shape \(2, 2\)"),
    ("rescale short w", lambda f, w: f.rescale(np.ones(3), 2.0),
     r"^w must be a vector of shape \(\d+,\), but got an array of shape \(3,\)"),
]


@pytest.mark.parametrize("f", FACTORIZATIONS, ids=lambda f: f.family)
@pytest.mark.parametrize("call, msg", [pytest.param(c, m, id=i) for i, c, m in FACTORIZATION_CALLS])
def test_factorization_transforms_name_their_arguments(f, call, msg):
    with pytest.raises(ValueError, match=msg):
        call(f, _point(f))


@pytest.mark.parametrize("family", ["identity", "squared", "signed-squared", "inverse"])
@pytest.mark.parametrize("alpha, msg", [
    (0.0, r"^alpha must be > 0, but got 0.0$"),
    (-1.0, r"^alpha must be > 0, but got -1.0$"),
    (np.inf, r"^alpha must be finite, but got inf$"),
    ("a", r"^alpha must be a real number, but got str 'a'$"),
])
def test_uniform_initial_names_alpha(family, alpha, msg):
    from overparam.descent import uniform_initial

    m = MEMBERS[family]
    for call in (m.uniform_initial, lambda a: uniform_initial(m, a)):
        with pytest.raises(ValueError, match=msg):
            call(alpha)


@pytest.mark.parametrize("family", ["two-layer", "deep-linear", "polar", "relu", "factorization"])
def test_uniform_initial_of_a_map_without_one_names_it(family):
    m = MEMBERS[family]
    with pytest.raises(ValueError, match=rf"^param must be an element-wise map with a uniform initialization, "
                                         rf"but got {re.escape(repr(m))}$"):
        m.uniform_initial(0.3)


@pytest.mark.parametrize("family, spec, msg", [
    ("two-layer", {"k": 2, "d": 2, "width": 3},
     r"^spec must hold arguments of TwoLayerLinear \(k, d\), but got the unknown argument 'width'$"),
    ("identity", {"q": 2, "k": 1, "d": 1},
     r"^spec must hold arguments of Identity \(q\), but got the unknown arguments 'd', 'k'$"),
    ("two-layer", {"k": 0, "d": 2}, r"^k must be > 0, but got 0$"),
    ("no-such-family", {}, r"^family must be one of \[.*\], but got 'no-such-family'$"),
])
def test_from_spec_refuses_an_unknown_family_or_argument_in_one_line(family, spec, msg):
    with pytest.raises(ValueError, match=msg):
        P.from_spec(family, spec)


STRUCTURE_MESSAGES = [  # (id, call, message)
    ("features of the wrong length", lambda: P.TwoLayerLinear(3, 2).features(np.ones(3)),
     r"^x must be a vector of shape \(2,\), but got an array of shape \(3,\) and dtype float64$"),
    ("relu features off the inputs", lambda: P.ShallowReLU(4, 2, 3).features(np.ones(2)),
     r"^x must be one of the 4 fixed inputs \(rows of X\), but got array\(\[1\., 1\.\]\)$"),
    ("pack U transposed", lambda: P.TwoLayerLinear(3, 2).pack(np.ones((2, 3)), np.ones(3)),
     r"^U must be a 3×2 matrix, but got an array of shape \(2, 3\) and dtype float64$"),
    ("pack too few layers", lambda: P.MatrixFactorization(2, 2, 3).pack([np.eye(2)] * 2),
     r"^layers must hold N = 3 matrices, but got 2$"),
    ("P with nan", lambda: P.TwoLayerLinear(2, 2).transform(np.ones(6), np.array([[1.0, np.nan], [0.0, 1.0]])),
     r"^P must be finite, but entry \(0, 1\) is nan$"),
]


@pytest.mark.parametrize("call, msg", [pytest.param(c, m, id=i) for i, c, m in STRUCTURE_MESSAGES])
def test_structure_messages_name_the_argument_the_expectation_and_what_came(call, msg):
    with pytest.raises(ValueError, match=msg):
        call()


SIZED = [m for m in P.zoo() if any(isinstance(v, int) for v in m.spec().values())]  # all but polar


@pytest.mark.parametrize("member", SIZED, ids=lambda m: m.family)
def test_every_integer_constructor_argument_is_named(member):
    # each size of each family's spec (k, d, q, m, n, N, width, seed), given −1, is refused by name
    sizes = {k: v for k, v in member.spec().items() if isinstance(v, int)}
    for key in sizes:
        with pytest.raises(ValueError, match=rf"^{key} must be (> 0|≥ 1|≥ 0), but got -1$"):
            P.from_spec(member.family, {**sizes, key: -1})
