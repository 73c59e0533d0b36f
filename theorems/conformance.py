"""check_parameterization: the interface checks and the general claims, for any ψ.

Works on any object with ``n_params``, ``n_canonical``, ``psi``, ``jacobian``,
``jvp``, ``vjp`` and ``induced_step``, and a way to draw points: ``points()`` (a
Hypothesis strategy) or ``sample(rng)``. Each check is a plain function of one
example; failures come back as records with a full sentence.
"""

from __future__ import annotations


import numpy as np
from hypothesis import Phase, note
from hypothesis import strategies as st

from overparam.parameterizations.base import finite_vectors
from overparam.parameterizations.numerics import ORDER_THRESHOLD, roundoff, taylor_order

from .listing import catalogue
from .core import Claim, Result, expect_same, require, run_claim
from .kinks import NOT_DIFFERENTIABLE, explain_wrong_jacobian, kink_along, report_set_aside

__all__ = ["check_parameterization", "interface_checks", "general_checks", "point_strategy",
           "ParameterizationCheckFailed"]

SECTION = "The parameterization interface"


class ParameterizationCheckFailed(AssertionError):
    """Raised by ``check_parameterization(..., raise_on_failure=True)``."""


def point_strategy(param) -> st.SearchStrategy:
    """Points of ``param``: its own ``points()`` strategy, else seeds fed to ``sample(rng)``."""
    if hasattr(param, "points"):
        return param.points()
    if hasattr(param, "sample"):
        return st.integers(0, 2**32 - 1).map(lambda s: np.asarray(param.sample(np.random.default_rng(s)), float))
    raise ValueError(f"param must have points() or sample(rng), but {type(param).__name__} has neither")


def _depth(param) -> int:
    return int(getattr(param, "depth", 1))


def _label(param) -> str:
    return getattr(param, "label", type(param).__name__)


def examples_for(param) -> st.SearchStrategy:
    """{"param", "w", "dw", "u"}: a point (ordinary or extreme scale), a direction, a covector."""
    from overparam.parameterizations import Parameterization

    if isinstance(param, Parameterization):
        points = st.booleans().flatmap(lambda extreme: param.points(extreme=extreme))
    else:
        points = point_strategy(param)
    return st.fixed_dictionaries({
        "param": st.just(param),
        "w": points,
        "dw": finite_vectors(param.n_params),
        "u": finite_vectors(param.n_canonical),
    })


def check_products(ex):
    """jvp, vjp and induced_step agree with the matrix J, jvp and vjp are adjoint, K = J Jᵀ is PSD."""
    m, w, dw, u = ex["param"], ex["w"], ex["dw"], ex["u"]
    J = np.asarray(m.jacobian(w))
    p, q, depth = m.n_params, m.n_canonical, _depth(m)
    require(J.shape == (q, p), f"J has shape {J.shape}, but should be (q, p) = ({q}, {p})",
            what="rows·columns of J", value=J.size, op="=", bound=q * p)
    nJ = m.jacobian_scale(w, J)
    nd, nu = float(np.linalg.norm(dw)), float(np.linalg.norm(u))
    n = max(p, q)  # J·dw sums p terms, Jᵀu sums q
    expect_same(m.jvp(w, dw), J @ dw, scale=nJ * nd, terms=n, depth=depth, what="jvp(w, dw) − J·dw")
    expect_same(m.vjp(w, u), J.T @ u, scale=nJ * nu, terms=n, depth=depth, what="vjp(w, u) − Jᵀ·u")
    # K g chains two products of depth `depth` each
    expect_same(m.induced_step(w, u), J @ (J.T @ u), scale=nJ * nJ * nu, terms=n, depth=2 * depth,
                 what="induced_step(w, g) − J(Jᵀg)")
    # the adjoint identity: one more sum
    expect_same([u @ m.jvp(w, dw)], [m.vjp(w, u) @ dw], scale=nu * nJ * nd, terms=n, depth=depth + 1,
                 what="⟨u, J dw⟩ − ⟨Jᵀu, dw⟩")
    if hasattr(m, "kernel"):
        K = np.asarray(m.kernel(w))
        expect_same(K, K.T, scale=nJ * nJ, terms=n, depth=depth, what="K − Kᵀ")
        # Weyl: the eigenvalues of J Jᵀ + E are ≥ −‖E‖₂ ≥ −γ‖J‖_F²
        lam = float(np.linalg.eigvalsh((K + K.T) / 2).min())
        bound = -roundoff(nJ * nJ, n, depth)
        require(lam >= bound, f"min eigenvalue of K={lam:.3g}, but should be ≥ {bound:.3g}: K = J Jᵀ is not PSD",
                what="min eigenvalue of K", value=lam, op="≥", bound=bound)


def check_taylor(ex):
    """J is the derivative of ψ: the remainder ψ(w+h·d) − ψ(w) − h·J·d shrinks as h²."""
    m, w, dw = ex["param"], ex["w"], ex["dw"]
    if not np.any(dw):
        dw = np.ones_like(dw)
    smooth = m.smooth_step(w, dw)
    if smooth == 0:  # w sits on a kink of ψ along dw: no derivative to check
        return NOT_DIFFERENTIABLE
    J = np.asarray(m.jacobian(w))
    # scale is psi_scale itself, evaluated at w and at every w + h·d (psi_scale(w) alone
    # underestimates the round-off of ψ(w + h·d) once h ≫ ‖w‖); with that floor the
    # halving may go on to it: 14 halvings can stop short of the asymptotic regime
    # (an h² and an h³ term cancelling in W₃W₂W₁; 1/w at h ≈ min|wᵢ|)
    res = taylor_order(m.psi, lambda w_, d_: J @ d_, w, dw, scale=m.psi_scale, terms=m.n_params,
                       depth=_depth(m), smooth_step=smooth, curvature_step=m.curvature_step(w, dw), n_steps=60)
    if not res.ok:
        if kink_along(m, w, dw):  # one-sided derivatives differ: no J is the derivative here
            return NOT_DIFFERENTIABLE
        note(f"Taylor remainders {np.array2string(res.remainders, precision=2)} over steps "
             f"{np.array2string(res.steps, precision=2)}; floors {np.array2string(res.floors, precision=2)}")
    require(res.ok, f"observed order={res.order:.2f}, but should be ≥ {ORDER_THRESHOLD} ({res.reason}): "
            f"J(w) is not the derivative of ψ at this w{explain_wrong_jacobian(m, w, J) if not res.ok else ''}",
            what="observed Taylor order", value=res.order, op="≥", bound=ORDER_THRESHOLD)


_CHECKS = [
    ("J1", "The matrix-free products agree with the Jacobian matrix: jvp(w, dw) = J·dw, vjp(w, u) = Jᵀu, "
           "induced_step(w, g) = J(Jᵀg), ⟨u, jvp(w, dw)⟩ = ⟨vjp(w, u), dw⟩, and K = J Jᵀ is symmetric PSD.",
     check_products),
    ("J2", "J(w) is the derivative of ψ: the first-order Taylor remainder along any direction is O(h²).",
     check_taylor),
]


def interface_checks() -> list[Claim]:
    """The interface checks J1 (products) and J2 (derivative) as claim objects (general, kind holds)."""
    return [Claim(id=i, kind="holds", statement=s, section=SECTION, check=f, strategy=examples_for, general=True,
                  name=f.__name__) for i, s, f in _CHECKS]


def general_checks() -> list[Claim]:
    """What every parameterization is checked against: the interface checks J1–J2 and the general claims
    of the catalogue but its consistency checks (:data:`overparam.theorems.power.CONSISTENCY_CHECKS`: C17),
    which hold whatever the object computes and so would pass any object."""
    from .power import CONSISTENCY_CHECKS

    return interface_checks() + [c for c in catalogue() if c.general and c.id not in CONSISTENCY_CHECKS]


def check_parameterization(param, *, raise_on_failure: bool = False, max_examples: int | None = None,
                           claims: bool = True, shrink: bool = True) -> list[Result]:
    """Run the interface checks J1–J2 and the general claims of the catalogue on ``param``.

    Args:
        param: any object implementing the parameterization interface.
        raise_on_failure: raise :class:`ParameterizationCheckFailed` with the first
            failure's message instead of returning.
        max_examples: examples per check (default: the active Hypothesis profile).
        claims: also run the catalogue's general claims (C16, C19, C24, …) but its consistency
            checks (:data:`overparam.theorems.power.CONSISTENCY_CHECKS`: C17), which no object can fail.
        shrink: shrink a counterexample to a minimal one (off: report the first found,
            much faster when only detection matters).

    Returns:
        One :class:`overparam.theorems.core.Result` per check, with ``status`` ``holds`` or
        ``refuted`` (``error`` if the object raised), the shrunk counterexample,
        and a message in full sentences. Drawn points where ψ is not differentiable
        (a kink: one-sided derivatives that differ) are counted apart in ``set_aside``;
        if every point was one, the status is ``not differentiable here``.
    """
    for name in ("n_params", "n_canonical", "psi", "jacobian", "jvp", "vjp", "induced_step"):
        if not hasattr(param, name):
            raise ValueError(f"param must implement the parameterization interface, but "
                             f"{type(param).__name__} has no {name!r}")
    from overparam.parameterizations import Parameterization

    if not isinstance(param, Parameterization):
        param = _Adapted(param)
    overrides = {"max_examples": max_examples} if max_examples else {}
    if not shrink:
        overrides["phases"] = [Phase.explicit, Phase.reuse, Phase.generate]
    todo = general_checks() if claims else interface_checks()
    results = []
    for c in todo:
        r = report_set_aside(run_claim(c, param=param, overrides=overrides))
        r.subject = _label(param)
        if r.status not in ("holds", NOT_DIFFERENTIABLE):
            r.message = _sentence(c, r, param)
            if raise_on_failure:
                raise ParameterizationCheckFailed(r.message)
        results.append(r)
    return results


class _Adapted:
    """Gives an object with the bare interface the rest of it: label, points, depth, defaults."""

    def __new__(cls, obj):
        from overparam.parameterizations import Parameterization

        class Adapted(Parameterization):
            family = type(obj).__name__
            depth = int(getattr(obj, "depth", 1))

            def __init__(self):
                super().__init__(obj.n_params, obj.n_canonical)

            def _psi(self, w):
                return np.asarray(obj.psi(w), float)

            def _jacobian(self, w):
                return np.asarray(obj.jacobian(w), float)

            def _jvp(self, w, dw):
                return np.asarray(obj.jvp(w, dw), float)

            def _vjp(self, w, g):
                return np.asarray(obj.vjp(w, g), float)

            def _induced_step(self, w, g):
                return np.asarray(obj.induced_step(w, g), float)

            def points(self, *, extreme=False):
                return point_strategy(obj)

            def smooth_step(self, w, d):
                return obj.smooth_step(w, d) if hasattr(obj, "smooth_step") else np.inf

            def curvature_step(self, w, d):
                return obj.curvature_step(w, d) if hasattr(obj, "curvature_step") else np.inf

        return Adapted()


def _sentence(c: Claim, r: Result, param) -> str:
    verdict = "raised an error" if r.status == "error" else "failed"
    return (f"{_label(param)} {verdict} check {c.id} ({c.statement}) after {r.examples} examples: {r.message}")
