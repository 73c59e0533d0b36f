"""The identities behind C30b and C35 can fail: a planted wrong Jacobian or preconditioner turns them red.

Each planted bug is generic (it shows at almost every drawn point), so a derandomized run of a few
dozen examples is enough; the unplanted claim holds under the same settings.
"""

import numpy as np
import pytest
from hypothesis import Phase

from overparam import theorems
from overparam.parameterizations import DeepLinear, Inverse
from overparam.theorems.chapters import further_reading
from overparam.theorems.core import run_claim

#: a verdict is all these tests need: no shrinking, no explain phase
FEW = {"database": None, "max_examples": 30, "derandomize": True, "phases": (Phase.generate,)}


def _status(cid: str) -> str:
    return run_claim(theorems.get(cid), overrides=FEW).status


def _column_norms(theta):
    theta = np.asarray(theta, float)
    return np.linalg.norm(theta) if theta.ndim == 1 else np.linalg.norm(theta, axis=0)


@pytest.mark.parametrize("derivative", [
    pytest.param(lambda self, w: -1.0 / (w * w * np.abs(w)), id="exponent -3"),
    pytest.param(lambda self, w: -(1 + 1e-6) / (w * w), id="relative error 1e-6"),
])
def test_a_wrong_inverse_jacobian_refutes_c30b(monkeypatch, derivative):
    assert _status("C30b") == "holds"
    monkeypatch.setattr(Inverse, "_derivative", derivative)
    assert _status("C30b") == "refuted"


def _wrong_field_exponent(original):
    # ‖θ‖^{2−1/N} in place of ‖θ‖^{2−2/N}
    return lambda theta, g, N: original(theta, g, N) * _column_norms(theta) ** (1.0 / N)


def _wrong_jacobian_exponent(original):
    return lambda theta, g, H, N: original(theta, g, H, N) * float(np.linalg.norm(theta)) ** (1.0 / N)


def _wrong_network_step(original):
    return lambda self, w, g: (1 + 1e-6) * original(self, w, g)


@pytest.mark.parametrize("owner, name, plant", [
    pytest.param(further_reading, "end_to_end_field", _wrong_field_exponent, id="field exponent"),
    pytest.param(further_reading, "end_to_end_jacobian", _wrong_jacobian_exponent, id="Jacobian exponent"),
    pytest.param(DeepLinear, "_induced_step", _wrong_network_step, id="network's induced step"),
])
def test_a_wrong_end_to_end_preconditioner_refutes_c35(monkeypatch, owner, name, plant):
    assert _status("C35") == "holds"
    monkeypatch.setattr(owner, name, plant(getattr(owner, name)))
    assert _status("C35") == "refuted"
