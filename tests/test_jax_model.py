"""JAX models as parameterizations: the wrapper's checks of ψ, its compilations, the closed forms of the
zoo against their JAX twins (each checks the other), and the general claims on the shipped examples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overparam.parameterizations import family_strategies, zoo
from overparam.parameterizations.base import finite_vectors
from overparam.parameterizations.numerics import roundoff
from overparam.theorems.conformance import general_checks
from overparam.theorems.testing import check_claim

# JAX is imported when the first of these tests runs, not when pytest collects them: a run that selects
# none of them (-k, a file, another module under pytest-xdist) pays no import of JAX (1.1 s) nor the
# shipped models' compilation
jax = jnp = JaxModel = EXAMPLES = examples = twin = None  # bound by _jax, below


@pytest.fixture(autouse=True, scope="module")
def _jax():
    global jax, jnp, JaxModel, EXAMPLES, examples, twin
    jax = pytest.importorskip("jax", reason="JAX is an optional extra: pip install '.[jax]'")
    import jax.numpy as jnp

    from overparam.parameterizations.jax_model import JaxModel
    from overparam.parameterizations.jax_zoo import EXAMPLES, examples, twin

    # XLA's compilations of the models below kept on disk beside pytest's own cache: a second run of the
    # suite loads them instead of compiling again (about a second of CPU a model)
    for option, value in (("jax_compilation_cache_dir", str(Path(__file__).resolve().parents[1] / ".pytest_cache" / "jax")),
                          ("jax_persistent_cache_min_compile_time_secs", 0.0),
                          ("jax_persistent_cache_min_entry_size_bytes", 0)):
        jax.config.update(option, value)


#: the shipped examples, by name (tests/test_jax_model.py checks that these are jax_zoo.EXAMPLES)
NAMES = ["mlp", "layernorm", "attention", "residual"]


# --- bad input: one line, naming what was expected and what came -------------------------------------


def _jnp_psi(kind):
    return {
        "matrix": lambda w: jnp.outer(w, w),
        "scalar": lambda w: jnp.sum(w),
        "float32": lambda w: (w * w).astype(jnp.float32),
        "integer": lambda w: jnp.arange(3) * 0 + w.shape[0],
        "floor": lambda w: jnp.floor(w) * w,
        "round": lambda w: jnp.round(w),
        "python-branch": lambda w: w if w[0] > 0 else -w,
        "callback": lambda w: jax.pure_callback(np.sin, jax.ShapeDtypeStruct(w.shape, w.dtype), w),
        "tuple": lambda w: (w, w),
    }[kind]


BAD_PSI = [
    ("matrix", "psi must return a non-empty vector of shape (q,), but returns shape (3, 3)"),
    ("scalar", "psi must return a non-empty vector of shape (q,), but returns shape ()"),
    ("float32", "psi must return float64, but returns float32"),
    ("integer", "psi must return float64, but returns int64"),
    ("floor", "psi must be continuous, but it uses the piecewise-constant primitive floor"),
    ("round", "psi must be continuous, but it uses the piecewise-constant primitive round"),
    ("python-branch", "psi must map a float64 vector of shape (3,) to a vector, but tracing it raised "
                      "TracerBoolConversionError"),
    ("callback", "psi must be differentiable by JAX, but its jvp raised"),
    ("tuple", "psi must return one array, but returns tuple"),
]


@pytest.mark.parametrize("kind,message", BAD_PSI, ids=[k for k, _ in BAD_PSI])
def test_a_bad_psi_is_refused_in_one_line(kind, message):
    with pytest.raises(ValueError) as e:
        JaxModel(_jnp_psi(kind), 3)
    assert str(e.value).startswith(message), str(e.value)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("args,message", [
    (("not a function", 3), "psi must be a callable w ↦ θ written in jax.numpy, but got str"),
    (("sin", 0), "n_params must be > 0, but got 0"),
    (("sin", 2.5), "n_params must be an integer, but got float 2.5"),
])
def test_bad_arguments_are_refused_in_one_line(args, message):
    psi, p = args
    with pytest.raises(ValueError, match="^" + message):
        JaxModel(jnp.sin if psi == "sin" else psi, p)


def test_nan_and_bad_points_are_value_errors_of_the_method():
    m = JaxModel(jnp.log, 2, name="log")
    with pytest.raises(ValueError, match=r"^psi\(w\) must be finite, but entry 0 is nan"):
        m.psi([-1.0, 1.0])
    with pytest.raises(ValueError, match=r"^w must be a vector of shape \(2,\), but got an array of shape \(3,\)"):
        m.jacobian(np.ones(3))
    with pytest.raises(ValueError, match=r"^g must be finite, but entry 1 is nan"):
        m.induced_step(np.ones(2), [1.0, np.nan])


# --- compiled once: a second call, a second point, a second model of one ψ trace nothing ----------------


def test_each_map_is_traced_once_per_shape():
    traces = []

    def psi(w):
        traces.append(1)
        return jnp.tanh(w[:2] * w[2:])

    m = JaxModel(psi, 4, name="counted")
    rng = np.random.default_rng(0)

    def round_of_calls():
        w, g = rng.standard_normal(4), rng.standard_normal(2)
        m.psi(w), m.jacobian(w), m.jvp(w, w), m.vjp(w, g), m.induced_step(w, g)
        m.psi_batch(np.stack([w, w])), m.vjp_batch(np.stack([w, w]), np.stack([g, g]))
        m.psi_scale(w), m.jacobian_scale(w, m.jacobian(w)), m.curvature_step(w, g @ g * w)

    round_of_calls()
    first = len(traces)
    for _ in range(5):
        round_of_calls()
    assert len(traces) == first, f"{len(traces) - first} traces after the first round of calls"
    again = JaxModel(psi, 4, name="again")  # the constructor traces ψ to check it, without compiling
    built = len(traces)
    again.warm()  # the same ψ and p: the compiled maps are shared
    assert len(traces) == built, f"{len(traces) - built} traces compiling a second model of one ψ"
    m.psi_batch(np.ones((3, 4)))  # a new batch size is a new shape: one more trace, once
    m.psi_batch(np.ones((3, 4)))
    assert len(traces) == built + 1


def test_a_claims_examples_pay_no_compilation():
    from overparam.theorems.conformance import check_parameterization

    traces = []

    def psi(w):
        traces.append(1)
        return jnp.tanh(w[:2]) * w[2:]

    m = JaxModel(psi, 4, name="warmed").warm()
    warm = len(traces)
    results = check_parameterization(m, max_examples=10, shrink=False)
    assert all(r.status == "holds" for r in results), [r.message for r in results]
    assert len(traces) == warm, f"{len(traces) - warm} traces during the claims' examples"


def test_a_pytree_of_parameters_is_flattened():
    params = {"W": jnp.ones((2, 3)), "b": jnp.zeros(2)}
    x = jnp.array([1.0, 2.0, 3.0])
    m = JaxModel.from_pytree(lambda p: jnp.tanh(p["W"] @ x + p["b"]), params, name="pytree")
    assert (m.n_params, m.n_canonical) == (8, 2)
    np.testing.assert_allclose(m.psi(m.initial), np.tanh([6.0, 6.0]))
    assert m.unravel(m.initial)["W"].shape == (2, 3)


# --- cross-validation: every closed form of the zoo against its JAX twin --------------------------------

FAMILIES = [m.family for m in zoo()]
#: the twins cross-checked in plain pytest (one family of products, one element-wise); every family, the
#: activations' too, is checked under -m slow (.ci/run), at fixed and at random sizes
QUICK_TWINS = ("two-layer", "signed-squared")


def _agree(a, b, what, scale, terms, depth):
    diff, bound = float(np.linalg.norm(np.asarray(a) - np.asarray(b))), roundoff(scale, terms, depth)
    assert diff <= bound, f"{what}: the twin and the closed form differ by {diff:.3g} > round-off {bound:.3g}"


def _cross_check(m, w, dw, g):
    """ψ, J, J·dw, Jᵀg and K g of the closed form ``m`` and of its twin, to the round-off of both.

    Each computation errs within its own derived band (the closed form's scales, and the twin's from
    the error analysis of its program: 1 − tanh² cancels where the closed form's sech² does not), so
    the two differ by at most roundoff of the larger scale (roundoff counts two computations).
    """
    t = twin(m)
    p, q, depth = m.n_params, m.n_canonical, m.depth
    n = max(p, q)

    def scales(x):
        J, Jt = m.jacobian(x), t.jacobian(x)
        return max(m.psi_scale(x), t.psi_scale(x)), max(m.jacobian_scale(x, J), t.jacobian_scale(x, Jt))

    S, nJ = scales(w)
    row_scales = [(S, nJ), scales(0.5 * w)]
    _agree(t.psi(w), m.psi(w), "ψ(w)", S, p, depth)
    _agree(t.jacobian(w), m.jacobian(w), "J(w)", nJ, n, depth)
    _agree(t.jvp(w, dw), m.jvp(w, dw), "J·dw", nJ * np.linalg.norm(dw), n, depth)
    _agree(t.vjp(w, g), m.vjp(w, g), "Jᵀg", nJ * np.linalg.norm(g), n, depth)
    _agree(t.induced_step(w, g), m.induced_step(w, g), "K g", nJ * nJ * np.linalg.norm(g), n, 2 * depth)
    W, G = np.stack([w, 0.5 * w]), np.stack([g, -g])
    for b, (Tb, Mb, Vb, Ub) in enumerate(zip(t.psi_batch(W), m.psi_batch(W), t.vjp_batch(W, G), m.vjp_batch(W, G))):
        Sb, nJb = row_scales[b]
        _agree(Tb, Mb, f"ψ of row {b}", Sb, p, depth)
        _agree(Vb, Ub, f"Jᵀg of row {b}", nJb * np.linalg.norm(g), n, depth)


def _examples_of(member):
    return st.fixed_dictionaries({"w": st.booleans().flatmap(lambda e: member.points(extreme=e)),
                                  "dw": finite_vectors(member.n_params), "g": finite_vectors(member.n_canonical)})


@pytest.mark.parametrize("family", [f if f in QUICK_TWINS else pytest.param(f, marks=pytest.mark.slow)
                                    for f in FAMILIES])
def test_each_closed_form_agrees_with_its_jax_twin(family):
    # the zoo's member: one compilation per family, 15 points at ordinary and extreme scales
    member, = [m for m in zoo() if m.family == family]

    @settings(max_examples=15, deadline=None, database=None)
    @given(_examples_of(member))
    def check(ex):
        _cross_check(member, ex["w"], ex["dw"], ex["g"])

    check()


@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES)
def test_each_closed_form_agrees_with_its_jax_twin_at_random_sizes(family):
    members = family_strategies(3)[family]

    @settings(max_examples=12, deadline=None, database=None)  # each new size compiles: ~1 s of CPU
    @given(members.flatmap(lambda m: st.tuples(st.just(m), _examples_of(m))))
    def check(t):
        m, ex = t
        _cross_check(m, ex["w"], ex["dw"], ex["g"])

    check()


def test_a_planted_error_in_a_twin_is_caught():
    # the comparison can fail: the two-layer twin with ψ = Uᵀv + 1e-12·‖v‖² differs beyond round-off
    from overparam.parameterizations import TwoLayerLinear
    from overparam.parameterizations import jax_zoo

    m = TwoLayerLinear(k=2, d=2)
    good = jax_zoo.TWIN_PSI["two-layer"]
    jax_zoo.TWIN_PSI["two-layer"] = lambda m_, w: good(m_, w) + 1e-9 * (w[m_.k * m_.d:] @ w[m_.k * m_.d:])
    jax_zoo._TWINS.clear()
    try:
        with pytest.raises(AssertionError, match="differ by"):
            _cross_check(m, np.arange(1.0, 7.0), np.ones(6), np.ones(2))
    finally:
        jax_zoo.TWIN_PSI["two-layer"] = good
        jax_zoo._TWINS.clear()


# --- the general claims on the shipped examples (J1, J2, C16, C19, C24) ---------------------------------

# -m slow runs them on the four shipped examples; plain pytest runs the same five claims on an MLP through
# the README's model file (test_the_readme_model_file_runs_the_general_claims, below). As model_tests() runs
# them, with the model built and compiled when its first check runs rather than when pytest collects
@pytest.mark.parametrize("name,cid", [pytest.param(name, c.id, id=f"{c.id}-jax {name}",
                                                   marks=[pytest.mark.claim(c.id), pytest.mark.slow])
                                      for name in NAMES for c in general_checks()])
def test_general_claims_on_the_shipped_examples(name, cid, request):
    claim, = [c for c in general_checks() if c.id == cid]
    check_claim(claim, request, param=_shipped(name))


_BUILT: dict = {}


def _shipped(name):
    if name not in _BUILT:
        _BUILT[name] = EXAMPLES[name]().warm()
    return _BUILT[name]


def test_the_examples_are_the_four_shipped_models():
    assert list(EXAMPLES) == NAMES
    assert all(m.n_params <= 30 for m in examples())


# --- the command line: --model adds a model's pages beside the zoo's ---------------------------------


@pytest.mark.slow  # a report folder with its pages, as the other report-folder tests
def test_the_report_checks_a_model_given_on_the_command_line(tmp_path, capsys):
    from overparam.reports.cli import run_main

    out = tmp_path / "report"
    code = run_main(["--model", "overparam.parameterizations.jax_zoo:residual_block", "-k", "C24", "--max-examples",
                     "3", "--no-fields", "-j", "1", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    label = "jax-residual-n2-d2-h3-p-15-q-4"
    assert (out / "C24.html").is_file() and (out / f"C24--{label}.html").is_file()
    assert "on jax residual-n2-d2-h3 p=15 q=4" in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("ref,message", [
    ("no_such_module:model", "model no_such_module:model could not be loaded (ModuleNotFoundError"),
    ("overparam.parameterizations:zoo", "model overparam.parameterizations:zoo must be a parameterization"),
    ("mlp", "model must be given as module:object, but got 'mlp'"),
])
def test_a_model_that_cannot_be_loaded_is_a_usage_error(ref, message, tmp_path, capsys):
    from overparam.reports.cli import run_main

    assert run_main(["--model", ref, "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert f"error: --model: {message}" in err and err.count("\n") == 1
    assert not (tmp_path / "r").exists()


# --- the README's "Your own model": the file a user writes, run as the README says ---------------------

README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_model_file() -> str:
    import re

    found = re.findall(r"<!-- your-own-model -->\s*```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(found) == 1, "the README must hold one block marked <!-- your-own-model -->"
    return found[0]


def test_the_readme_model_file_runs_the_general_claims():
    import types

    from overparam.theorems.core import run_claim

    code = _readme_model_file()
    assert len([line for line in code.splitlines() if line.strip()]) <= 15  # the README says a 15-line file
    module = types.ModuleType("test_my_model")
    exec(compile(code, "<README your own model>", "exec"), module.__dict__)
    test = module.test_general_claims
    cases = [p.values for mark in test.pytestmark if mark.name == "parametrize" for p in mark.args[1]]
    assert sorted(c.id for c, _ in cases) == ["C16", "C19", "C24", "J1", "J2"]
    model = module.model.warm()
    assert (model.n_params, model.n_canonical) == (40, 5)
    for claim, m in cases:
        # the file runs, and each claim decides: the claims' budget is the shipped examples' test
        r = run_claim(claim, param=m, overrides={"max_examples": 10, "derandomize": True, "database": None})
        assert r.status == "holds", r.message


@pytest.mark.slow
def test_the_readme_model_file_passes_plain_pytest_in_a_repository_of_its_own(tmp_path):
    import os
    import subprocess
    import sys

    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_my_model.py").write_text(_readme_model_file(), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(README.parent))  # this checkout's overparam, as if installed
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "0"], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "5 passed" in run.stdout
    assert any(line.startswith("C16 ") and "on jax my-mlp" in line for line in run.stdout.splitlines()), run.stdout


def test_a_conjecture_draws_jax_models_like_zoo_members():
    # a conjecture over the shipped examples and a zoo family at once, through examples(): the two
    # kinds of model are drawn alike, and a false statement about them is refuted
    from overparam.theorems import claim, expect_ge, expect_le
    from overparam.theorems.core import run_claim
    from overparam.theorems.example_strategies import examples as drawn
    from overparam.parameterizations import Squared
    from overparam.parameterizations.numerics import step_band
    from overparam.theorems.registry import _REGISTRY

    models = st.sampled_from([_shipped("mlp"), _shipped("residual"), Squared(2)])  # two shipped models, a zoo member
    before = dict(_REGISTRY)
    try:
        @claim("X90", kind="holds", section="My conjectures", statement="gᵀKg ≥ 0.",
               strategy=drawn(models, g=lambda m: finite_vectors(m.n_canonical)))
        def nonnegative(ex):
            m, w, g = ex["param"], ex["w"], ex["g"]
            expect_ge(float(g @ m.induced_step(w, g)), 0.0, "gᵀKg", band=step_band(m, w, g) * np.linalg.norm(g))

        @claim("X91", kind="open", section="My conjectures", statement="‖Kg‖ ≤ ‖g‖ (false).",
               strategy=drawn(models, g=lambda m: finite_vectors(m.n_canonical)))
        def contracting(ex):
            m, w, g = ex["param"], ex["w"], ex["g"]
            expect_le(float(np.linalg.norm(m.induced_step(w, g))), float(np.linalg.norm(g)), "‖Kg‖",
                      band=step_band(m, w, g))

        budget = {"max_examples": 20, "derandomize": True, "database": None}
        held, refuted = run_claim(nonnegative.claim, overrides=budget), run_claim(contracting.claim, overrides=budget)
    finally:
        _REGISTRY.clear()
        _REGISTRY.update(before)
    assert held.status == "holds", held.message
    assert refuted.status == "refuted", refuted.message


def test_a_record_rebuilds_a_model_from_its_ref_and_keeps_one_without_as_text():
    from overparam.theorems.records import from_jsonable, to_jsonable

    from overparam.parameterizations.families import load_model

    m = load_model("overparam.parameterizations.jax_zoo:attention_head")
    assert m.ref == "overparam.parameterizations.jax_zoo:attention_head"
    back = from_jsonable(to_jsonable({"param": m}))["param"]
    assert back is m  # the builder is memoized: the same model, its compilations shared
    anonymous = JaxModel(jnp.sin, 2, name="anonymous")
    assert to_jsonable(anonymous) == {"__repr__": repr(anonymous)}


def test_a_wrong_custom_derivative_is_caught_by_the_derivative_check():
    # autodiff is only as right as the rules it is given: a custom_jvp rule off by a factor 2 makes J
    # consistent with jvp and vjp (J1 holds) but not the derivative of ψ (J2 and C16 refute it)
    from overparam.theorems.conformance import check_parameterization

    @jax.custom_jvp
    def wrong_sin(x):
        return jnp.sin(x)

    wrong_sin.defjvp(lambda primals, tangents: (jnp.sin(primals[0]), 2 * jnp.cos(primals[0]) * tangents[0]))
    m = JaxModel(lambda w: wrong_sin(w) * w[::-1], 2, name="wrong-sin").warm()
    results = {r.id: r for r in check_parameterization(m, max_examples=30, shrink=False)}
    assert results["J1"].status == "holds", results["J1"].message
    assert results["J2"].status == "refuted" and results["C16"].status == "refuted", \
        (results["J2"].message, results["C16"].message)
