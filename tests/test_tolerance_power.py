"""The round-off bounds are tight enough to catch an error of 10³ unit round-offs.

Every comparison of two computations of one value accepts a difference up to
:func:`overparam.parameterizations.numerics.roundoff` — c·depth·γ_{terms+depth}·scale, a few
hundred unit round-offs u of the scale for the sizes of the zoo. A bound that grew by a
factor of 100 (a wrong γ, a scale squared, a depth counted twice) would still let every
correct map pass, so the tests of correct maps cannot see it. Here an error of 10³·u·scale
is planted — in the comparison itself, in one product of every member of the zoo, and in
the kernel's smallest eigenvalue — and must be caught, while the unplanted value passes.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from overparam.parameterizations import numerics, zoo
from overparam.parameterizations.base import finite_vectors
from overparam.theorems.conformance import check_products
from overparam.theorems.core import ClaimFailed

#: the planted error, in unit round-offs of the scale the bound is taken from
PLANT = 1e3 * numerics.UNIT_ROUNDOFF

MEMBERS = zoo()
IDS = [m.family for m in MEMBERS]


# --- numerics.close itself ---------------------------------------------------------

@settings(max_examples=30)
@given(a=finite_vectors(3), b=finite_vectors(3))
def test_close_accepts_round_off_and_rejects_a_thousand_unit_round_offs(a, b):
    # two association orders of one 3-term inner product differ by round-off only
    scale = float(np.abs(a) @ np.abs(b))
    left = [(a[0] * b[0] + a[1] * b[1]) + a[2] * b[2]]
    right = [a[0] * b[0] + (a[1] * b[1] + a[2] * b[2])]
    ok, diff, bound = numerics.close(left, right, scale, terms=3)
    assert ok, f"‖difference‖={diff:.3g} above the round-off bound {bound:.3g}"
    if scale == 0:
        return
    planted = [left[0] + PLANT * scale]
    ok, diff, bound = numerics.close(planted, right, scale, terms=3)
    assert not ok, f"an error of 10³ unit round-offs ({diff:.3g}) passed as round-off (bound {bound:.3g})"


# --- the interface check J1: one product planted off by 10³ unit round-offs -------------

def _example(member, seed=0):
    rng = np.random.default_rng(seed)
    return {"param": member, "w": member.sample(rng), "dw": rng.standard_normal(member.n_params),
            "u": rng.standard_normal(member.n_canonical)}


def _planted(member, product: str):
    """A subclass of ``member``'s class whose ``product`` is off by 10³·u·(its round-off scale) in entry 0.

    The scales are those :func:`check_products` takes its bounds from: ‖J‖·‖dw‖ for jvp,
    ‖J‖·‖u‖ for vjp, ‖J‖²·‖u‖ for the induced step (‖J‖ = ``jacobian_scale``).
    """
    base = type(member)

    def error(self, w, x, power):
        J = self._jacobian(w)
        return PLANT * self.jacobian_scale(w, J) ** power * float(np.linalg.norm(x))

    def bump(v, e):
        v = np.array(v, float)
        v[0] += e
        return v

    body = {
        "jvp": {"_jvp": lambda self, w, dw: bump(base._jvp(self, w, dw), error(self, w, dw, 1))},
        "vjp": {"_vjp": lambda self, w, g: bump(base._vjp(self, w, g), error(self, w, g, 1))},
        "induced_step": {"_induced_step": lambda self, w, g: bump(base._induced_step(self, w, g),
                                                                  error(self, w, g, 2))},
    }[product]
    cls = type(f"Planted{base.__name__}", (base,), body)
    clone = cls.__new__(cls)
    clone.__dict__.update(member.__dict__)
    return clone


@pytest.mark.parametrize("product", ["jvp", "vjp", "induced_step"])
@pytest.mark.parametrize("member", MEMBERS, ids=IDS)
def test_products_check_catches_a_thousand_unit_round_offs(member, product):
    ex = _example(member)
    check_products(ex)  # the correct member passes
    with pytest.raises(ClaimFailed, match="round-off"):
        check_products({**ex, "param": _planted(member, product)})


def _negative_kernel(member):
    """``member`` with K(w) = J Jᵀ − (λ_min + δ)·e eᵀ, δ = 10³·u·‖J‖²: one eigenvalue −δ, K still symmetric."""
    base = type(member)

    def kernel(self, w):
        K = base.kernel(self, w)
        lam, vec = np.linalg.eigh(K)
        delta = PLANT * self.jacobian_scale(w, self.jacobian(w)) ** 2
        e = vec[:, 0]
        return K - (lam[0] + delta) * np.outer(e, e)

    cls = type(f"Negative{base.__name__}", (base,), {"kernel": kernel})
    clone = cls.__new__(cls)
    clone.__dict__.update(member.__dict__)
    return clone


@pytest.mark.parametrize("member", MEMBERS, ids=IDS)
def test_psd_check_catches_a_small_negative_eigenvalue(member):
    ex = _example(member, seed=1)
    check_products(ex)
    with pytest.raises(ClaimFailed, match="is not PSD"):
        check_products({**ex, "param": _negative_kernel(member)})
