"""Planted claims for the report tests: a false one, a witness, a bug, a plot that raises.

They are plain functions at module level (so that a record can name them and
``python -m overparam.reports replay`` can import them from this file); the tests build the
:class:`overparam.theorems.core.Claim` objects themselves and never register them in the catalogue.
"""

from __future__ import annotations

import numpy as np
from hypothesis import Phase, note
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from overparam.theorems.core import Claim, expect

__all__ = ["EXAMPLES", "FEW", "false_norm_bound", "nonzero_is_witness", "divides_by_zero", "broken_plot", "planted_claims"]

#: a small vector in R³, a scalar and a count (the count shrinks fast)
EXAMPLES = st.fixed_dictionaries({
    "x": hnp.arrays(np.float64, 3, elements=st.floats(-2, 2, allow_subnormal=False)),
    "c": st.floats(0.5, 2.0),
    "n": st.integers(0, 10),
})


def false_norm_bound(ex):
    """A false bound: n·‖x‖∞ + n ≤ 2 (refuted by n = 3, x = 0)."""
    value = ex["n"] * float(np.max(np.abs(ex["x"]))) + ex["n"]
    note(f"n·‖x‖∞ + n = {value!r}")
    expect(value, "<=", 2, "n·‖x‖∞ + n")


def nonzero_is_witness(ex):
    """A witness is any x with a non-zero first entry."""
    return f"x₁ = {ex['x'][0]!r} ≠ 0" if ex["x"][0] != 0 else None


def divides_by_zero(ex):
    """A bug, not a verdict: raises ZeroDivisionError when x₁ = 0."""
    return 1.0 / int(ex["x"][0] != 0) if ex["c"] > 0 else None


def broken_plot(example, fig):
    """A claim plot that raises (the report must show the error and go on)."""
    raise RuntimeError("this plot is broken on purpose")


#: the planted claims' own settings: few examples, no example database (hermetic), no explain phase
FEW = {"max_examples": 20, "database": None,
       "phases": (Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink)}


def planted_claims() -> dict[str, Claim]:
    """Fresh, unregistered claim objects: P1 false holds, P2 exists, P3 errors, P4 false with a broken plot."""
    return {
        "P1": Claim("P1", "holds", "Every n ≤ 10 and x ∈ [−2, 2]³ have n·‖x‖∞ + n ≤ 2 (false on purpose).",
                    "planted", check=false_norm_bound, strategy=EXAMPLES, name="false_norm_bound", settings=FEW),
        "P2": Claim("P2", "exists", "Some x has x₁ ≠ 0.", "planted", check=nonzero_is_witness, strategy=EXAMPLES,
                    name="nonzero_is_witness", settings=FEW),
        "P3": Claim("P3", "holds", "A check with a bug: it divides by zero when x₁ = 0.", "planted",
                    check=divides_by_zero, strategy=EXAMPLES, name="divides_by_zero", settings=FEW),
        "P4": Claim("P4", "open", "The false bound again, as an open claim with a plot that raises.", "planted",
                    check=false_norm_bound, strategy=EXAMPLES, plot=broken_plot, name="false_norm_bound_open",
                    settings=FEW),
        "P5": Claim("P5", "holds", "A claim with a statement and no property yet.", "planted"),
    }
