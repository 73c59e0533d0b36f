"""The README's toolkit examples run, as conjecture files, and give the verdicts the README states."""

from __future__ import annotations

from pathlib import Path

import pytest

from overparam.theorems.core import run_claim
from overparam.theorems.readme_examples import examples_in, load

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLES = examples_in(README.read_text(encoding="utf-8"))
#: a small derandomized budget without the example database: reproducible and hermetic; a refutation
#: gets 200 examples (twice the default profile), a claim that holds (or a thorough-only refutation) 30
RUN = {"max_examples": 30, "derandomize": True, "database": None}
REFUTE = dict(RUN, max_examples=200)


def test_the_readme_has_an_example_for_each_part_of_the_toolkit():
    assert [e.name for e in EXAMPLES] == ["first", "plot", "models", "tolerances", "equality", "search", "shrinking",
                                          "check-your-own"]


@pytest.mark.slow  # check_parameterization runs five checks: seconds; the wheel test runs it too
@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.verdict == "runs"],
                         ids=[e.name for e in EXAMPLES if e.verdict == "runs"])
def test_each_script_runs_to_its_end(example, capsys):
    # under pytest's profile: the script's own checks (its asserts) decide
    assert load(example) == [], f"example {example.name} registers a claim: mark it with a verdict"
    assert capsys.readouterr().out.strip(), f"example {example.name} printed nothing"


CONJECTURES = [e for e in EXAMPLES if e.verdict != "runs"]


@pytest.mark.parametrize("example", CONJECTURES, ids=[e.name for e in CONJECTURES])
def test_each_example_runs_and_gives_its_verdict(example):
    claims = load(example)
    assert claims, f"example {example.name} registers no claim"
    for c in claims:
        r = run_claim(c, overrides=REFUTE if example.verdict == "refuted" else RUN)
        if example.verdict == "holds":
            assert r.status == "holds", r.message
        elif example.verdict == "refuted":
            assert r.status == "refuted", r.message
        else:  # refuted under thorough (scripts/refute_thorough.py); the small budget only runs it
            assert r.status in ("refuted", "survived"), r.message
        if c.plot is not None:  # the picture the report shows: drawn on the example the run kept
            from matplotlib.figure import Figure

            fig = Figure()
            c.plot(r.example, fig)
            assert fig.axes and any(ax.has_data() for ax in fig.axes), f"{c.id}'s plot drew nothing"


def test_the_first_example_counts_the_origin_as_undecided():
    # K x = 0 only at U = 0 and v = 0; the example says so with undecided(), not by skipping expect()
    import numpy as np

    from overparam.theorems import TwoLayerLinear
    from overparam.theorems.core import Undecided

    first, = [e for e in EXAMPLES if e.name == "first"]
    c, = load(first)
    m = TwoLayerLinear(k=2, d=3)

    with pytest.raises(Undecided, match="K x = 0"):
        c.check({"param": m, "w": np.zeros(m.n_params), "x": np.ones(m.d)})


def test_the_infimum_the_search_example_derives_holds_on_its_strategy():
    # balanced K_i have eigenvalues in [‖v_i‖², 2‖v_i‖²], so each turns x by ≤ arcsin(1/3) and
    # cos(K₁x, K₂x) ≥ cos(2 arcsin(1/3)) = 7/9: the true bound below the README's false 0.8
    import numpy as np

    from overparam.parameterizations.numerics import cosine_band, step_band
    from overparam.theorems import expect_ge
    from overparam.theorems.core import Claim

    assert np.cos(2 * np.arcsin(1 / 3)) == pytest.approx(7 / 9, abs=1e-15)
    search, = [e for e in EXAMPLES if e.name == "search"]
    strategy = load(search)[0].strategy

    def at_least_seven_ninths(ex):
        m, w1, w2, x = ex["param"], ex["w"], ex["w2"], ex["x"]
        z1, z2 = m.induced_step(w1, x), m.induced_step(w2, x)
        cos = z1 @ z2 / (np.linalg.norm(z1) * np.linalg.norm(z2))
        expect_ge(cos, 7 / 9, "cos(K₁x, K₂x)", band=cosine_band(z1, z2, step_band(m, w1, x), step_band(m, w2, x)))

    c = Claim("T", "holds", "cos ≥ 7/9", "toolkit", check=at_least_seven_ninths, strategy=strategy, name="seven_ninths")
    assert run_claim(c, overrides=dict(RUN, max_examples=100)).status == "holds"
