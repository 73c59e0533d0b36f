"""Every numerical tolerance of the project, derived in one place.

Two kinds of comparison occur.

1. **Round-off.** Two ways of computing one quantity (``J @ v`` against ``jvp``, an
   inner product against its adjoint) differ only by floating-point error. For an
   n-term sum of products, the computed value differs from the exact one by at
   most γ_n Σ|aᵢ||bᵢ| ≤ γ_n ‖a‖‖b‖ with γ_n = n·u/(1 − n·u) and u the unit
   round-off (Higham, *Accuracy and Stability of Numerical Algorithms*, §3.1).
   A chain of ``depth`` products accumulates ``depth`` such errors, and two
   independent computations each carry one. :func:`roundoff` returns that bound
   for a given ``scale`` (the product of the norms involved).

2. **Truncation.** A Taylor remainder r(h) = ‖ψ(w + h·d) − ψ(w) − h·J·d‖ is
   O(h²) when J is the derivative and Θ(h) when it is not. :func:`taylor_order`
   measures the order on a geometric sequence of steps and needs no tolerance on
   the step: only the observed order is compared with 2, down to the round-off
   floor of the subtraction, which (1) gives.

Claims compare inner products with zero, norms with each other, or a first-order
prediction with a finite step; they take their bounds from these functions too.

3. **Bands of derived quantities** (for a conjecture's inequality, with
   :func:`overparam.theorems.expect_le`/:func:`overparam.theorems.expect_ge`): the round-off a computed value
   can carry, from the objects it was computed from, so that no one picks ``roundoff``'s
   arguments by hand. :func:`value_band` (a number computed by a few roundings),
   :func:`product_band` (a chained product of given factors), :func:`eigenvalue_band`
   (eigenvalues of a symmetric matrix), :func:`kernel_band`/:func:`step_band`/
   :func:`theta_band` (K, K g and ψ of a parameterization), :func:`norm_band`,
   :func:`cosine_band` and :func:`ratio_band` (how a band carries through ‖·‖, a cosine and
   a quotient), :func:`inner_product_band` and :func:`sum_of_products_band` (⟨a, b⟩ and
   Σᵢ Πⱼ xⱼᵢ, from the absolute values of their terms) and :func:`spectral_norm_band` (‖U‖₂,
   through an eigensolver of UᵀU or an SVD).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = [
    "EPS",
    "UNIT_ROUNDOFF",
    "gamma",
    "roundoff",
    "close",
    "TaylorResult",
    "taylor_order",
    "ORDER_THRESHOLD",
    "STOP_BELOW",
    "value_band",
    "product_band",
    "eigenvalue_band",
    "kernel_band",
    "step_band",
    "theta_band",
    "norm_band",
    "cosine_band",
    "ratio_band",
    "inner_product_band",
    "sum_of_products_band",
    "spectral_norm_band",
    "ELEMENTARY_ULPS",
]

EPS = float(np.finfo(float).eps)
UNIT_ROUNDOFF = EPS / 2

#: Steps in a row at or under the round-off floor after which the Taylor halving stops.
STOP_BELOW = 3

#: Observed Taylor order above which the derivative is accepted. A correct J gives
#: order 2 (or better); a wrong one gives order 1. The threshold is the midpoint.
ORDER_THRESHOLD = 1.5


#: The error, in ulps, taken for an elementary function other than + − × ÷ √ (exp, log, tanh, the
#: logistic function, erf, pow, …) in a JAX model's round-off analysis
#: (:func:`overparam.parameterizations.jax_model.roundoff_magnitude`). Correctly rounded would be ½ ulp;
#: the libraries XLA compiles to on a CPU (its own polynomial kernels, or the system's libm) promise
#: no bound, and the float64 ones in use are accurate to 1–2 ulps. 4 ulps covers them, and the
#: comparisons multiply every round-off bound by 2·depth more.
ELEMENTARY_ULPS = 4


def gamma(n: int) -> float:
    """Higham's γ_n = n·u / (1 − n·u): the relative error bound of an n-term sum."""
    nu = max(int(n), 1) * UNIT_ROUNDOFF
    if nu >= 0.5:  # beyond this the bound is meaningless; cap it
        return 1.0
    return nu / (1 - nu)


def roundoff(scale: float, terms: int, depth: int = 1, computations: int = 2) -> float:
    """Largest difference round-off can explain between computations of one value.

    Args:
        scale: Σ|aᵢ||bᵢ| or a bound on it (for instance ‖J‖_F·‖v‖).
        terms: length of the longest inner sum.
        depth: number of chained products (a depth-N product accumulates N errors).
        computations: how many independently rounded computations are compared.

    Returns:
        ``computations · depth · γ_terms · scale``, never below the smallest normal
        number (so that comparing exact zeros passes).
    """
    return max(computations * max(depth, 1) * gamma(terms + depth) * float(scale), np.finfo(float).tiny)


def close(a, b, scale: float, terms: int, depth: int = 1) -> tuple[bool, float, float]:
    """Whether vectors ``a`` and ``b`` agree to round-off; returns (ok, ‖a−b‖, bound)."""
    diff = float(np.linalg.norm(np.asarray(a, float) - np.asarray(b, float)))
    bound = roundoff(scale, terms, depth)
    return diff <= bound, diff, bound


@dataclass(frozen=True)
class TaylorResult:
    """What :func:`taylor_order` measured: steps, remainders, floors, the verdict."""

    steps: np.ndarray
    remainders: np.ndarray
    floors: np.ndarray
    order: float  # observed order on the smallest steps above the floor (nan if none)
    ok: bool
    reason: str


def taylor_order(psi, jvp, w, d, *, scale: float | Callable[[np.ndarray], float], terms: int, depth: int = 1,
                 h0: float | None = None, smooth_step: float = np.inf, curvature_step: float = np.inf,
                 n_steps: int = 14) -> TaylorResult:
    """Observed order of the first-order Taylor remainder of ``psi`` along ``d``.

    r(h) = ‖ψ(w + h·d) − ψ(w) − h·jvp(w, d)‖ on h = h0, h0/2, …; a step is usable
    while r(h) stays above the round-off floor of the subtraction, and the halving
    stops when it no longer does (or after ``n_steps``): the order is judged on the
    smallest usable steps. The floor is a worst case (where it was looked at, the
    remainder kept its order 10²–10³ times below it), so the steps just above it
    still show the remainder's order; a margin on top of it (tried: (1 + √2)²,
    which would keep round-off at the floor from moving an order by 1/2) only cut
    away the asymptotic steps, leaving the verdict to steps next to a zero
    crossing of the remainder. Three rounded
    computations enter r(h): ψ(w + h·d), ψ(w) and h·jvp(w, d), so the floor is
    ``roundoff(S(w) + S(w + h·d) + h·‖jvp‖, terms, depth, computations=3)`` with
    S(x) the magnitude of the terms summed to evaluate ψ(x).

    Args:
        psi, jvp: the map and its claimed directional derivative.
        w, d: the point and the direction (rescaled to ‖d‖ = 1 internally).
        scale: S, the magnitude of ψ's evaluation, for instance Σ of |factors|
            products: preferably a function x ↦ S(x) (such as a member's
            ``psi_scale``), evaluated at w and at every w + h·d. A number S(w) is
            accepted too and then taken to grow as S(w)·(1 + h) along the segment,
            which underestimates S(w + h·d) once h ≫ ‖w‖ for maps of degree ≥ 2
            (ψ = u² − v² at w ≈ 0 along d = (1, 1): S(w + h·d) ≈ h², S(w)·(1 + h) ≈ 0).
        terms, depth: as in :func:`roundoff`.
        h0: the first step; default ``0.1·max(1, ‖w‖_∞)``, capped at ``smooth_step/2`` and
            at ``curvature_step``.
        smooth_step: the largest step along d on which ψ is smooth (kinks beyond).
        curvature_step: a step up to which ψ's remainder is governed by its second-order
            term (a member's ``curvature_step``): steps past a bend of ψ (a saturating unit
            driven through its tail) show a remainder that grows as h, and if the h² regime
            below them lies under the floor, a correct J is read as wrong from them alone.
        n_steps: at most this many steps. The default 14 can stop short of the
            asymptotic regime: the remainder of ψ(w) = W₃W₂W₁ can pass through
            zero where its h² and h³ terms cancel, and that of 1/w is far from
            O(h²) while h is comparable to the smallest |w_i| (h0 follows the
            largest). 60 halvings take h below h0·10⁻¹⁸, past the floor of any
            remainder of order ≥ 1, so the order is judged where the remainder is
            asymptotic, but only an honest floor (a scale function) makes those
            small steps meaningful: with a scale that misses terms, round-off
            passes for a remainder of order 1 there.

    Returns:
        A :class:`TaylorResult`; ``ok`` if the observed order is at least
        :data:`ORDER_THRESHOLD`, or if the remainder is at the round-off floor
        from the first step on (ψ linear along d).
    """
    w = np.asarray(w, float)
    d = np.asarray(d, float)
    if not np.any(d):
        return TaylorResult(np.empty(0), np.empty(0), np.empty(0), np.nan, True, "zero direction")
    d = d / np.max(np.abs(d))  # no underflow in the norm of a tiny direction
    d = d / np.linalg.norm(d)
    if h0 is None:
        h0 = 0.1 * max(1.0, float(np.max(np.abs(w))) if w.size else 1.0)
    h0 = min(h0, 0.5 * smooth_step, curvature_step)
    p0 = np.asarray(psi(w), float)
    t = np.asarray(jvp(w, d), float)
    nt = float(np.linalg.norm(t))
    if callable(scale):
        s0 = float(scale(w))
        scale_along = lambda x, h: s0 + float(scale(x))  # noqa: E731
    else:
        scale_along = lambda x, h: float(scale) * (1 + h)  # noqa: E731
    rem, flo, turned = [], [], []
    below = 0
    previous = None
    for h in h0 * 0.5 ** np.arange(n_steps):
        x = w + h * d
        R = np.asarray(psi(x), float) - p0 - h * t
        r = float(np.linalg.norm(R))
        rem.append(r)
        if previous is not None:
            turned.append(float(np.vdot(previous, R)) <= 0)
        previous = R
        flo.append(roundoff(scale_along(x, h) + h * nt, terms, depth, computations=3))
        # the floor is reached for good after STOP_BELOW steps in a row at or under it;
        # a single step there can be a zero crossing of the remainder (its h² and h³
        # terms cancelling), after which the remainder rises above the floor again
        below = below + 1 if r <= flo[-1] else 0
        if below == STOP_BELOW:
            break
    rem, flo = np.array(rem), np.array(flo)
    steps = h0 * 0.5 ** np.arange(len(rem))
    above = rem > flo
    if not above[: STOP_BELOW].any():
        return TaylorResult(steps, rem, flo, np.nan, True, "remainder at round-off from the first steps")
    # usable pairs: consecutive steps both above the floor; the smallest ones are the asymptotic regime
    pairs = np.flatnonzero(above[:-1] & above[1:])
    if pairs.size == 0:
        return TaylorResult(steps, rem, flo, np.nan, True, "remainder reaches round-off after one halving")
    all_orders = np.log2(rem[pairs] / rem[pairs + 1])
    # a remainder that grows as h shrinks, or that turns by 90° or more over a halving, is
    # passing a zero crossing (its h² and h³ terms cancelling: in the asymptotic regime
    # R(h) ≈ c·hᵐ keeps its direction, so consecutive remainders have a positive inner
    # product): the steps up to there are not yet asymptotic. A crossing between two sampled
    # steps shows no rise, only the turn, and the orders just past it are low (r = c₂h²(1 − h/h*)
    # gives 1.41 at h*/2, 1.78 at h*/4)
    rising = np.flatnonzero((all_orders <= 0) | np.asarray(turned, bool)[pairs])
    if rising.size:
        pairs = pairs[rising[-1] + 1:]
        # the median of three orders needs three pairs past the crossing; with fewer, the
        # remainder met the floor while still bending back from zero: nothing to judge
        if pairs.size < 3:
            return TaylorResult(steps, rem, flo, np.nan, True,
                                "inconclusive: the remainder reaches round-off right after a zero crossing")
    last = pairs[-3:]
    orders = np.log2(rem[last] / rem[last + 1])
    order = float(np.median(orders))
    reason = f"observed order {order:.2f} over steps {steps[last[0]]:.2g}…{steps[last[-1] + 1]:.2g}"
    # where the remainder then falls under the floor for good, r(h/2) ≤ floor(h/2) bounds that
    # last pair's order from below by log2(r(h)/floor(h/2)); a remainder of order 1 halves and
    # never gives more than 1 + log2(r(h/2)/floor(h/2)) ≤ 1. A large bound is a remainder that
    # vanishes (ψ exactly linear along d once the steps are small, as a saturated tanh is)
    end = last[-1] + 1
    if below == STOP_BELOW and end + 1 < len(rem) and not above[end + 1:].any():
        drop = float(np.log2(rem[end] / flo[end + 1]))
        if drop > order:
            order = drop
            reason += f", then at least {drop:.2f} as it falls to round-off at step {steps[end + 1]:.2g}"
    ok = order >= ORDER_THRESHOLD
    return TaylorResult(steps, rem, flo, order, ok, reason)


# --- bands of derived quantities ---------------------------------------------------------------


def _fro(a) -> float:
    return float(np.linalg.norm(np.asarray(a, float)))


def value_band(*magnitudes: float, terms: int = 1, depth: int = 1) -> float:
    """The round-off band of a number computed from values of these magnitudes.

    ``roundoff(max |magnitude|, terms, depth)``: two computations of it (or it and an exact
    bound) differ by at most this much. For a comparison of two scalars each obtained by a
    few roundings, the magnitudes are the values themselves: 4e12 against a computed
    3999999999999.9995 has a band of ≈ 1.8e-3, wider than the 5e-4 between them.
    """
    scale = max((abs(float(m)) for m in magnitudes), default=0.0)
    return roundoff(scale, terms, depth)


def product_band(*factors) -> float:
    """The band of a chained product F₁F₂⋯F_m (matrices, vectors or scalars), of its entries and its norm.

    Higham: |fl(AB) − AB| ≤ γ_n|A||B| per product, n the inner dimension, so the chain's error
    is at most (m − 1)·γ_{n+m−1}·Π‖F_i‖_F with n the largest inner dimension; computed once here
    and compared against another computation (``roundoff``'s two computations).
    """
    if not factors:
        raise ValueError("factors must hold at least one array, but got none")
    arrays = [np.asarray(f, float) for f in factors]
    inner = max([a.shape[-1] for a in arrays[:-1] if a.ndim] or [1])
    return roundoff(float(np.prod([_fro(a) for a in arrays])), inner, max(len(arrays) - 1, 1))


def eigenvalue_band(K, *, magnitude: float | None = None, terms: int = 0) -> float:
    """The band of the computed eigenvalues of a symmetric matrix K (n×n), e.g. of λ_min against 0.

    A backward-stable symmetric eigensolver returns the exact eigenvalues of K + E with
    ‖E‖₂ ≤ γ_n‖K‖_F, and Weyl's inequality moves each eigenvalue by at most ‖E‖₂. If K's own
    entries were computed as sums of ``terms`` products of total size ``magnitude`` (J Jᵀ:
    terms = p, magnitude = ‖J‖_F², which bounds Σ|J_ik||J_jk| even where K's entries cancel),
    that error adds, so: ``roundoff(max(‖K‖_F, magnitude), n + terms, 2)``. A PSD K of rank
    below n has λ_min = 0 and a computed λ_min of order −n·u·‖K‖: −1.4e-14 for ‖K‖ ≈ 10.
    """
    K = np.asarray(K, float)
    n = K.shape[0] if K.ndim == 2 else 1
    scale = max(_fro(K), 0.0 if magnitude is None else float(magnitude))
    return roundoff(scale, n + int(terms), 2)


def kernel_band(m, w) -> float:
    """The band of K(w) = J Jᵀ of parameterization ``m`` as ``m.kernel(w)`` computes it, and of its eigenvalues.

    :func:`eigenvalue_band` with magnitude ‖J‖_F² (J computed from ``m.depth`` products) and
    terms p: λ_min(K) ≥ −kernel_band(m, w) at every w.
    """
    J = np.asarray(m.jacobian(w), float)
    s = float(m.jacobian_scale(w, J)) if hasattr(m, "jacobian_scale") else _fro(J)
    return roundoff(max(s * s, _fro(J @ J.T)), J.shape[0] + J.shape[1], 2 * int(getattr(m, "depth", 1)) + 1)


def step_band(m, w, g) -> float:
    """The band of the induced step K g = ``m.induced_step(w, g)``, of its entries and its norm.

    Two chained products with J (depth ``m.depth`` each), of size ‖J‖_F²‖g‖ (as the
    interface check J1 bounds it): a bound ‖Kg‖ ≤ c‖g‖ met with equality in exact
    arithmetic is exceeded by up to this much, e.g. by one ulp.
    """
    J = np.asarray(m.jacobian(w), float)
    s = float(m.jacobian_scale(w, J)) if hasattr(m, "jacobian_scale") else _fro(J)
    return roundoff(s * s * _fro(g), max(J.shape), 2 * int(getattr(m, "depth", 1)))


def theta_band(m, w) -> float:
    """The band of θ = ``m.psi(w)``: γ over the magnitude of the terms summed to evaluate ψ (``psi_scale``)."""
    return roundoff(float(m.psi_scale(w)), int(m.n_params), int(getattr(m, "depth", 1)))


def norm_band(x, band: float = 0.0) -> float:
    """The band of ‖x‖ computed from an x that carries ``band``: |‖x̂‖ − ‖x‖| ≤ ‖x̂ − x‖ ≤ band, plus
    the rounding of the norm itself, γ_n‖x‖ (n = x's size)."""
    x = np.asarray(x, float)
    return float(band) + roundoff(_fro(x), max(x.size, 1), 1, computations=1)


def cosine_band(a, b, band_a: float = 0.0, band_b: float = 0.0) -> float:
    """The band of cos(a, b) = ⟨a, b⟩/(‖a‖‖b‖) computed from a and b that carry ``band_a``, ``band_b``.

    The evaluation: ⟨a, b⟩ errs by γ_n‖a‖‖b‖ (relative to ‖a‖‖b‖: γ_n), each norm by γ_n
    relatively, the quotient by u: at most 3γ_{n+1}. The inputs: ∂cos/∂a has norm
    sin∠(a, b)/‖a‖ ≤ 1/‖a‖, so a perturbation δa moves cos by at most ‖δa‖/‖a‖ to first order
    (twice that is taken, for the second order). Infinite when a or b is 0 (no cosine).
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    na, nb = _fro(a), _fro(b)
    if na == 0 or nb == 0:
        return np.inf
    return 3 * gamma(max(a.size, 1) + 1) + 2 * (float(band_a) / na + float(band_b) / nb)


def ratio_band(x: float, y: float, band_x: float = 0.0, band_y: float = 0.0) -> float:
    """The band of x/y computed from x, y that carry ``band_x``, ``band_y``.

    |x̂/ŷ − x/y| ≤ (band_x + |x/y|·band_y)/(|y| − band_y) to first order, plus the division's u·|x/y|;
    infinite when |y| ≤ band_y (y may be 0).
    """
    x, y = float(x), float(y)
    if abs(y) <= band_y or y == 0:
        return np.inf
    r = abs(x / y)
    return (float(band_x) + r * float(band_y)) / (abs(y) - float(band_y)) + UNIT_ROUNDOFF * r


def sum_of_products_band(*factors) -> float:
    """The band of Σᵢ x₁ᵢx₂ᵢ⋯x_mᵢ, a sum of n products of m factors each (arrays that broadcast to n entries).

    Derivation (Higham, §3.1): a product of m numbers computed in any order is (1 + θ_{m−1}) times
    the exact one, |θ_j| ≤ γ_j; a sum of n numbers in any order (pairwise, blocked, with FMA) is
    Σ tᵢ(1 + θ⁽ⁱ⁾_{n−1}); the two combine to (1 + θ_{n+m−2}) per term, so
    |fl(Σ Π) − Σ Π| ≤ γ_{n+m−2}·Σᵢ Πⱼ |xⱼᵢ|. The bound is taken from the absolute values of the
    terms, not from the value: a sum that cancels to 0 still carries the rounding of its terms.
    Twice that bound is returned (as :func:`roundoff` does), so it covers the gap between two
    computations of the sum in different orders as well as between one and the exact value; never
    below the smallest normal number. Its inputs are taken as stored: a factor that carries a band
    of its own adds that band times the other factors' magnitudes.
    """
    if not factors:
        raise ValueError("factors must hold at least one array, but got none")
    try:
        arrays = np.broadcast_arrays(*[np.abs(np.asarray(f, float)) for f in factors])
    except ValueError:
        shapes = [np.shape(f) for f in factors]
        raise ValueError(f"factors must broadcast to one shape, but got shapes {shapes}") from None
    terms = np.prod(arrays, axis=0)
    n, m = max(terms.size, 1), len(arrays)
    return max(2 * gamma(n + m - 2) * float(np.sum(terms)), np.finfo(float).tiny)


def inner_product_band(a, b, band_a: float = 0.0, band_b: float = 0.0) -> float:
    """The band of ⟨a, b⟩ = Σᵢ aᵢbᵢ (vectors of n entries), e.g. of ``a @ b`` against 0 or an exact value.

    The evaluation: :func:`sum_of_products_band` with m = 2, i.e. 2·γ_n·Σ|aᵢ||bᵢ| (Higham's
    |fl(aᵀb) − aᵀb| ≤ γ_n|a|ᵀ|b|, twice for two computations). Inputs that carry bands (‖â − a‖ ≤
    ``band_a``, ‖b̂ − b‖ ≤ ``band_b``) move it by at most band_a‖b‖ + band_b‖a‖ + band_a·band_b
    (Cauchy–Schwarz on ⟨â, b̂⟩ − ⟨a, b⟩ = ⟨δa, b⟩ + ⟨a, δb⟩ + ⟨δa, δb⟩).
    """
    a, b = np.ravel(np.asarray(a, float)), np.ravel(np.asarray(b, float))
    if a.shape != b.shape:
        raise ValueError(f"a and b must have one length, but got {a.size} and {b.size}")
    carried = float(band_a) * _fro(b) + float(band_b) * _fro(a) + float(band_a) * float(band_b)
    return sum_of_products_band(a, b) + carried


def spectral_norm_band(U, band_U: float = 0.0) -> float:
    """The band of ‖U‖₂ = σ_max(U) (U of k×d), computed as √λ_max of UᵀU or UUᵀ (``eigvalsh``) or by an SVD.

    Derivation, for the Gram route: G = fl(UᵀU) errs entry-wise by γ_k(|U|ᵀ|U|) (k-term inner
    products), so ‖fl(G) − UᵀU‖₂ ≤ γ_k‖U‖_F²; the eigensolver then moves λ_max by at most γ_d‖G‖_F
    (backward stable, Weyl), which :func:`eigenvalue_band` bounds with the first error as
    δ = ``eigenvalue_band(G, magnitude=‖U‖_F², terms=k)`` (two computations; UUᵀ gives the same
    with k and d exchanged, and the sum k + d is what counts). The square root: for λ̂, λ ≥ 0,
    |√λ̂ − √λ| = |λ̂ − λ|/(√λ̂ + √λ) ≤ min(δ/√λ, √δ), with √λ ≥ σ̂ − √δ for the σ̂ computed here:
    the first where σ̂ is well above round-off, the second near σ = 0 (U zero up to round-off);
    plus the rounding of each root, u·σ̂. An SVD is backward stable with ‖E‖₂ ≤ γ_{max(k, d)}‖U‖_F, below δ/σ̂ since ‖U‖_F ≥ σ: the
    band covers both routes. A U that carries a band (‖Û − U‖_F ≤ ``band_U``) moves every singular
    value by at most ``band_U`` (Weyl), which adds.
    """
    U = np.asarray(U, float)
    if U.ndim != 2:
        raise ValueError(f"U must be a matrix, but got an array of shape {U.shape}")
    k, d = U.shape
    G, inner = (U.T @ U, k) if d <= k else (U @ U.T, d)  # the smaller Gram matrix; the band is the same
    fro2 = _fro(U) ** 2
    delta = eigenvalue_band(G, magnitude=fro2, terms=inner)
    sigma = float(np.sqrt(max(float(np.linalg.eigvalsh(G)[-1]), 0.0))) if U.size else 0.0
    # σ ≥ σ̂ − √δ, so δ/σ ≤ δ/(σ̂ − √δ) where σ̂ is well above √δ
    root = min(delta / (sigma - np.sqrt(delta)), np.sqrt(delta)) if sigma > 2 * np.sqrt(delta) else np.sqrt(delta)
    return float(root + 2 * UNIT_ROUNDOFF * sigma + float(band_U))
