"""Library-level tests of the helpers of theorems.chapters.dynamics (the claims themselves run in the chapter tests)."""

import numpy as np
import pytest

from theorems.chapters import dynamics as D


def test_escape_budget_grows_like_log_one_over_eps():
    b = [D.escape_budget(eps, 0.5) for eps in (1e-2, 1e-4, 1e-8)]
    assert b[0] < b[1] < b[2]
    per_decade = (b[2] - b[1]) / 4
    assert per_decade == pytest.approx(2 * np.log(10) / np.log1p(0.125), abs=1)


def test_memo_computes_once_per_example():
    calls = []

    def f(ex):
        calls.append(1)
        return {"value": float(ex["a"][0])}

    ex = {"a": np.array([1.0, 2.0]), "s": "x"}
    assert D.memo(f, ex) is D.memo(f, dict(ex))
    assert len(calls) == 1
    D.memo(f, {"a": np.array([1.0, 3.0]), "s": "x"})
    assert len(calls) == 2
