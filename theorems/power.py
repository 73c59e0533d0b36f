"""The power of every claim, as data: library bugs planted one at a time, and the claims that catch each.

A claim that cannot fail tells nothing. Here each :class:`PlantedBug` is a realistic mistake in
the library the claims are about — a sign flipped, a factor of 1.001, a dropped term, a
transposed block, a wrong transform (P⁻¹v for P⁻ᵀv), a wrong activation mask, a descent step of
η/2, a solver returning the wrong argmin, a wrong branch taken on some inputs only, an
off-by-one in a block, a wrong flag of the descent loop — applied in isolation by replacing one
attribute of a library class or module for the duration of a ``with`` block (never an edit of
the library), together with the claims it must turn red: a holds or open claim refuted, an
exists claim without a witness (the witness it would otherwise accept is a false one).
``tests/test_claim_power.py`` runs every pair with fresh seeds (:meth:`PlantedBug.run`),
``scripts/power_hunt.py`` counts how often each is caught over many; the report and the README
show, per claim, how many planted bugs it catches (:func:`caught_by`).

A claim no realistic library bug can reach — its statement is algebra that holds whatever the
library computes — is labelled a *consistency check* (:data:`CONSISTENCY_CHECKS`, with the
reason) instead of counting as a check of the library; :func:`kind_label` is the kind the
report and the README show. An open claim is decided by its run, refuted or not; it is
listed here only where a planted bug changes that verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

__all__ = [
    "Patch",
    "PlantedBug",
    "BUG_KINDS",
    "CONSISTENCY_CHECKS",
    "ROBUST_WITNESSES",
    "planted_bugs",
    "TENDENCY_VERDICTS",
    "tendency_bugs",
    "caught_by",
    "catches",
    "kind_label",
    "power_label",
]

#: the kinds of planted bugs
BUG_KINDS = ("sign flip", "factor 1.001", "factor 2", "dropped term", "transposed block", "wrong transform",
             "wrong activation mask", "wrong copy", "descent step η/2", "wrong argmin", "wrong power",
             "solver fails on some inputs", "wrong tolerance", "wrong loop bound")
#: kinds of bugs that show on some inputs only, or sit in the descent engine's bookkeeping
BUG_KINDS += ("wrong branch", "off by one", "wrong flag")

class _ConsistencyChecks(Mapping):
    """The claims of the catalogue marked ``consistency`` (no realistic library bug can reach their
    statement), each with the catalogue's reason: checked, but as algebra."""

    def _marked(self) -> dict[str, str]:
        from .listing import catalogue

        return {c.id: c.consistency for c in catalogue() if c.consistency}

    def __getitem__(self, cid: str) -> str:
        return self._marked()[cid]

    def __iter__(self):
        return iter(self._marked())

    def __len__(self) -> int:
        return len(self._marked())


#: claims whose statement no realistic library bug can reach, and why (the catalogue's ``consistency``)
CONSISTENCY_CHECKS = _ConsistencyChecks()


#: exists claims whose witness no realistic library bug removes, and why (shown where "caught bugs" would be)
ROBUST_WITNESSES = {
    "C35e": "the witness reads only the least-squares gradient and Hessian of descent.losses, and DF − DFᵀ ≠ 0 "
            "on a ball is generic: a sign flip, a factor 1.001 or a dropped residual term in either leaves "
            "u = ((N−2)/N)g + ∇²ℓ·θ non-parallel to θ, so the witness stays a witness (a true one, for the "
            "loss the bug computes).",
}


@dataclass(frozen=True)
class Patch:
    """Replace ``owner.name`` (a class or a module attribute) by ``wrap(original)`` while applied."""

    owner: Any
    name: str
    wrap: Callable[[Any], Any]


@dataclass(frozen=True)
class PlantedBug:
    """One library bug, the patches that plant it, and the claims that must catch it.

    Attributes:
        id: a short name (``two-layer-vjp-U×2``).
        kind: one of :data:`BUG_KINDS`.
        description: what is wrong, in the library's words.
        patches: applied together by :meth:`applied`.
        caught_by: ids of the claims that must turn red with it.
    """

    id: str
    kind: str
    description: str
    patches: tuple[Patch, ...]
    caught_by: tuple[str, ...]

    def __post_init__(self):
        if self.kind not in BUG_KINDS:
            raise ValueError(f"kind must be one of {BUG_KINDS}, but got {self.kind!r} [{self.id}]")

    @contextmanager
    def applied(self):
        """Plant the bug; the library is restored on exit, whatever happens inside.

        Results memoized per example (:func:`overparam.theorems.experiments.memo`) are dropped on the way in
        and out: one computed with the bug must not answer for the library without it (a run of
        C38 under the wrong Q_α solver, replayed from the memo by the next run of C38, refuted it).
        """
        from .experiments import forget

        saved = []
        forget()
        try:
            for p in self.patches:
                had = p.name in vars(p.owner)
                saved.append((p, had, vars(p.owner).get(p.name)))
                setattr(p.owner, p.name, p.wrap(getattr(p.owner, p.name)))
            yield self
        finally:
            for p, had, old in reversed(saved):
                if had:
                    setattr(p.owner, p.name, old)
                else:
                    delattr(p.owner, p.name)
            forget()

    def families(self) -> list[str]:
        """The families of the zoo the bug reaches: those whose class is (a subclass of) a patched
        parameterization class, or every family for a bug elsewhere (a loss, the descent loop)."""
        from overparam.parameterizations import CLASSES, Parameterization

        owners = [p.owner for p in self.patches if isinstance(p.owner, type) and issubclass(p.owner, Parameterization)]
        if not owners:
            return list(CLASSES)
        return [name for name, cls in CLASSES.items() if any(issubclass(cls, o) for o in owners)]

    def run(self, claim, overrides: dict | None = None):
        """``claim`` run once with the bug planted (:func:`overparam.theorems.run_claim`), its Result.

        A general claim runs family by family, each with the whole budget, as ``run_claim`` over
        the zoo does, but only over the families the bug reaches (:meth:`families`), up to the
        first that catches it: the others hold as they do without the bug, and cannot turn it red.
        """
        from overparam.parameterizations import family_strategies

        from .core import run_claim

        with self.applied():
            if not claim.general:
                return run_claim(claim, overrides=overrides)
            members = family_strategies(3)
            for family in self.families():
                r = run_claim(claim, params=members[family], overrides=overrides)
                if catches(claim, r):
                    break
            return r


def catches(claim, result) -> bool:
    """Whether ``result`` (of ``claim`` with a bug planted) catches the bug: a holds or open claim refuted, an
    exists claim without a witness, or — the bug hiding in undecided examples — a holds claim turned into an
    error or an open one into inconclusive by the undecided limit (or by no example deciding at all)."""
    if result.status == ("no witness" if claim.kind == "exists" else "refuted"):
        return True
    return result.status in ("error", "inconclusive") and result.undecided > 0 and (
        result.over_limit or result.examples == 0)


# --- how the bugs are written --------------------------------------------------------------------


def _scaled_block(block: slice | Callable, factor: float):
    """A product (w, g) ↦ out whose entries ``block`` (a slice, or a function of self) are multiplied."""

    def wrap(original):
        def buggy(self, *args):
            out = np.array(original(self, *args), float)
            out[block(self) if callable(block) else block] *= factor
            return out

        return buggy

    return wrap


def _two_layer_U(self):
    return slice(0, self.k * self.d)


def _two_layer_v(self):
    return slice(self.k * self.d, None)


def _generic_induced_step(cls):
    """TwoLayerLinear.induced_step takes a fast path with the original closed form unless
    ``_induced_step`` is overridden in a subclass: with the class patched, go the generic way."""
    from overparam.parameterizations import Parameterization

    return Patch(cls, "induced_step", lambda original: Parameterization.induced_step)


def _two_layer_step_with(term: Callable):
    def wrap(original):
        def buggy(self, w, g):
            U, v = self.unpack(w)
            return term(U, v, g)

        return buggy

    return wrap


def _negated_maps(original):
    """The engines' (ψ, vjp) with the vjp negated, as the public vjp is (the engines read these)."""

    def buggy(self, batched: bool = False):
        psi, vjp = original(self, batched)
        return psi, (lambda w, g: -vjp(w, g))

    return buggy


def _transform_with_inverse(original):
    """(PU, P⁻¹v): the inverse not transposed."""

    def buggy(self, w, P):
        U, v = self.unpack(self.check_w(w))
        P = np.asarray(P, float)
        return np.concatenate([(P @ U).ravel(), np.linalg.inv(P) @ v])

    return buggy


def _deep_transform_without_inverse(original):
    """W_{j+1} → W_{j+1}Pᵀ instead of W_{j+1}P⁻¹ (right for orthogonal P only)."""

    def buggy(self, w, P, layer: int = 0):
        Ws = [W.copy() for W in self.unpack(self.check_w(w))]
        j = self._hidden_layer(layer)
        P = np.asarray(P, float)
        Ws[j] = P @ Ws[j]
        Ws[j + 1] = Ws[j + 1] @ P.T
        return np.concatenate([W.ravel() for W in Ws])

    return buggy


def _transform_scaled_v(factor: float):
    def wrap(original):
        def buggy(self, w, P):
            out = np.array(original(self, w, P), float)
            out[self.k * self.d:] *= factor
            return out

        return buggy

    return wrap


def _deep_transform_scaled(factor: float):
    def wrap(original):
        def buggy(self, w, P, layer: int = 0):
            out = np.array(original(self, w, P, layer), float)
            j = self._hidden_layer(layer)
            out[int(self._offsets[j + 1]):int(self._offsets[j + 2])] *= factor
            return out

        return buggy

    return wrap


def _rescale_abs(original):
    def buggy(self, w, c):
        U, v = self.unpack(self.check_w(w))
        return np.concatenate([(abs(c) * U).ravel(), v / c])

    return buggy


def _permute_v_reversed(original):
    """Rows of U permuted by perm, entries of v by perm reversed."""

    def buggy(self, w, perm):
        U, v = self.unpack(self.check_w(w))
        perm = np.asarray(perm, int)
        return np.concatenate([U[perm].ravel(), v[perm[::-1]]])

    return buggy


def _psi_times(factor: float):
    def wrap(original):
        return lambda self, w: factor * original(self, w)

    return wrap


def _relu_mask_without_bias(original):
    """D = 1[XAᵀ > 0]: the activation mask computed without the bias."""

    def buggy(self, w):
        A, b, a = self.unpack(w)
        Z = self.X @ A.T + b
        return A, b, a, np.maximum(Z, 0.0), (self.X @ A.T > 0).astype(float)

    return buggy


def _duplicate_keeps_outgoing(original):
    """The copy gets the source's incoming weights (and bias) but keeps its own outgoing weight."""

    def buggy(self, w, source, target):
        out = np.array(original(self, w, source, target), float)
        old = np.asarray(w, float)
        out[-self.k + target] = old[-self.k + target]
        return out

    return buggy


def _without_first_layer_term(original):
    def buggy(self, w, g):
        A = self._tops(self.unpack(w))[0][0]  # A_1 = W_N⋯W_2; B_1 = I, so W_1's term is A_1A_1ᵀG
        return original(self, w, g) - (A @ (A.T @ g.reshape(self.m, self.n))).ravel()

    return buggy


def _half_step(original):
    """The descent loop takes η/2 where the caller asked for η."""

    def buggy(*args, lr_policy, **kw):
        return original(*args, lr_policy=lambda *a: 0.5 * lr_policy(*a), **kw)

    return buggy


def _argmin_of_l2(original):
    """argmin Q_α answered by the minimum-ℓ2 interpolant, whatever α."""

    def buggy(X, y, alpha, **kw):
        from overparam.descent.solvers import min_l2

        return min_l2(X, y)

    return buggy


def _entropy_fails_below_one(original):
    """The entropy projection refuses every α ≤ 1 (a small-α branch that should rescale by α² raises)."""

    def buggy(X, y, alpha, **kw):
        if alpha <= 1.0:
            raise RuntimeError(f"the dual solve of the entropy projection did not converge (α = {alpha:.3g})")
        return original(X, y, alpha, **kw)

    return buggy


def planted_bugs() -> list[PlantedBug]:
    """Every planted bug, each with the claims that must catch it."""
    # the modules themselves, from sys.modules: the attribute overparam.descent may be a copy that
    # an in-process pytest run (pytester) has since dropped and imported again
    from overparam.descent import losses, single, solvers
    from overparam.parameterizations import (
        Identity,
        Inverse,
        MatrixFactorization,
        Parameterization,
        Polar,
        ShallowReLU,
        SignedSquared,
        Squared,
        TwoLayerLinear,
    )

    TL = TwoLayerLinear
    return [
        PlantedBug("two-layer vjp: U-block ×2", "factor 2",
                   "Jᵀg = (2·v gᵀ, Ug): the U-block of the two-layer vjp doubled",
                   (Patch(TL, "_vjp", _scaled_block(_two_layer_U, 2.0)),),
                   ("C05", "C06", "C07", "C14", "C16", "C18", "C19")),
        PlantedBug("two-layer vjp: v-block ×1.001", "factor 1.001",
                   "Jᵀg = (v gᵀ, 1.001·Ug)",
                   (Patch(TL, "_vjp", _scaled_block(_two_layer_v, 1.001)),),
                   ("C05", "C06", "C07", "C14", "C18", "C19")),
        PlantedBug("two-layer vjp: v-block sign", "sign flip",
                   "Jᵀg = (v gᵀ, −Ug)",
                   (Patch(TL, "_vjp", _scaled_block(_two_layer_v, -1.0)),),
                   ("C05", "C06", "C07", "C16", "C18", "C19")),
        PlantedBug("every vjp: sign flipped (gradient ascent)", "sign flip",
                   "Parameterization.vjp returns −Jᵀg for every map (descent climbs)",
                   (Patch(Parameterization, "vjp", lambda original: lambda self, w, g: -original(self, w, g)),
                    Patch(Parameterization, "unchecked_maps", _negated_maps)),
                   ("C05", "C16", "C18b", "C26")),
        PlantedBug("two-layer induced step: ‖v‖ for ‖v‖²", "wrong power",
                   "K g = UᵀUg + ‖v‖g",
                   (Patch(TL, "_induced_step", _two_layer_step_with(
                       lambda U, v, g: U.T @ (U @ g) + float(np.linalg.norm(v)) * g)), _generic_induced_step(TL)),
                   ("C10", "C11", "C14", "C24")),
        PlantedBug("two-layer induced step: UᵀU term dropped", "dropped term",
                   "K g = ‖v‖²g",
                   (Patch(TL, "_induced_step", _two_layer_step_with(lambda U, v, g: float(v @ v) * g)),
                    _generic_induced_step(TL)),
                   ("C10", "C11", "C14", "C24")),
        PlantedBug("two-layer induced step: Uᵀ(Ug) for UUᵀ", "transposed block",
                   "K g with UUᵀ, the Gram matrix of the wrong side, in place of UᵀU (where k = d)",
                   (Patch(TL, "_induced_step", _two_layer_step_with(
                       lambda U, v, g: (U @ (U.T @ g) if U.shape[0] == U.shape[1] else U.T @ (U @ g))
                       + float(v @ v) * g)), _generic_induced_step(TL)),
                   ("C10", "C14", "C24")),
        PlantedBug("two-layer transform: P⁻¹v for P⁻ᵀv", "wrong transform",
                   "transform(w, P) = (PU, P⁻¹v)",
                   (Patch(TL, "transform", _transform_with_inverse),),
                   ("C09", "C10", "C11")),
        PlantedBug("two-layer transform: P⁻ᵀv ×1.001", "factor 1.001",
                   "transform(w, P) = (PU, 1.001·P⁻ᵀv)",
                   (Patch(TL, "transform", _transform_scaled_v(1.001)),),
                   ("C08", "C09", "C10", "C11", "C12", "C13", "C33")),
        PlantedBug("two-layer rescale: |c| for c", "sign flip",
                   "rescale(w, c) = (|c|U, v/c)",
                   (Patch(TL, "rescale", _rescale_abs),),
                   ("C02",)),
        PlantedBug("two-layer permute: v permuted in reverse", "wrong transform",
                   "permute(w, perm) permutes the rows of U by perm and v by perm reversed",
                   (Patch(TL, "permute", _permute_v_reversed),),
                   ("C01",)),
        PlantedBug("two-layer ψ ×1.001", "factor 1.001",
                   "ψ(U, v) = 1.001·Uᵀv",
                   (Patch(TL, "_psi", _psi_times(1.001)),),
                   ("C03", "C05", "C07", "C16")),
        PlantedBug("two-layer jacobian: v-block ×1.001", "factor 1.001",
                   "the matrix J's Uᵀ block multiplied by 1.001 (the products right)",
                   (Patch(TL, "_jacobian", _scaled_block(
                       lambda self: (slice(None), slice(self.k * self.d, None)), 1.001)),),
                   ("C19", "C23", "C24")),
        PlantedBug("identity vjp ×1.001", "factor 1.001",
                   "the identity map's Jᵀg = 1.001·g",
                   (Patch(Identity, "_vjp", _scaled_block(slice(None), 1.001)),),
                   ("C04", "C16", "C19")),
        PlantedBug("identity induced step ×1.001", "factor 1.001",
                   "the identity map's K g = 1.001·g",
                   (Patch(Identity, "_induced_step", _scaled_block(slice(None), 1.001)),),
                   ("C24", "C27")),
        PlantedBug("squared map: ψ′ = w", "dropped term",
                   "the squared map's derivative w instead of 2w (J, jvp, vjp, K alike)",
                   (Patch(Squared, "_derivative", lambda original: lambda self, w: w),),
                   ("C16", "C28")),
        PlantedBug("inverse map: ψ′ sign", "sign flip",
                   "the inverse map's derivative +1/w² instead of −1/w² (J, jvp, vjp alike; K unchanged)",
                   (Patch(Inverse, "_derivative", lambda original: lambda self, w: 1.0 / (w * w)),),
                   ("C16",)),
        PlantedBug("inverse map: ψ′ = −1/w", "wrong power",
                   "the inverse map's derivative −1/w instead of −1/w² (J, jvp, vjp, K alike)",
                   (Patch(Inverse, "_derivative", lambda original: lambda self, w: -1.0 / w),),
                   ("C16", "C30b")),
        PlantedBug("polar vjp: r factor dropped", "dropped term",
                   "the polar map's Jᵀg without the factor r on its φ entry",
                   (Patch(Polar, "_vjp", lambda original: lambda self, w, g: np.array(
                       [original(self, w, g)[0], original(self, w, g)[1] / w[0]])),),
                   ("C16", "C19")),
        PlantedBug("polar jacobian: transposed", "transposed block",
                   "the polar map's matrix J transposed (products right)",
                   (Patch(Polar, "_jacobian", lambda original: lambda self, w: original(self, w).T),),
                   ("C19", "C32")),
        PlantedBug("relu mask without bias", "wrong activation mask",
                   "the shallow ReLU network's activation mask 1[XAᵀ > 0], the bias left out (J, jvp, vjp)",
                   (Patch(ShallowReLU, "_parts", _relu_mask_without_bias),),
                   ("C16", "C21")),
        PlantedBug("duplicate unit keeps its outgoing weight", "wrong copy",
                   "duplicate_unit copies the incoming weights but not the outgoing one (two-layer and ReLU)",
                   (Patch(TL, "duplicate_unit", _duplicate_keeps_outgoing),
                    Patch(ShallowReLU, "duplicate_unit", _duplicate_keeps_outgoing)),
                   ("C20",)),
        PlantedBug("factorization vjp: last layer's block sign", "sign flip",
                   "the factorization's (and deep linear network's) Jᵀg with the sign of W_N's block flipped",
                   (Patch(MatrixFactorization, "_vjp", _scaled_block(
                       lambda self: slice(int(self._offsets[-2]), None), -1.0)),),
                   ("C06", "C16", "C19")),
        PlantedBug("deep transform: Pᵀ for P⁻¹", "wrong transform",
                   "transform(w, P, j) multiplies W_{j+1} by Pᵀ instead of P⁻¹",
                   (Patch(MatrixFactorization, "transform", _deep_transform_without_inverse),),
                   ("C23",)),
        PlantedBug("deep transform: W_{j+1}P⁻¹ ×1.001", "factor 1.001",
                   "transform(w, P, j) multiplies W_{j+1}P⁻¹ by 1.001",
                   (Patch(MatrixFactorization, "transform", _deep_transform_scaled(1.001)),),
                   ("C23", "C25")),
        PlantedBug("factorization induced step: first layer's term dropped", "dropped term",
                   "the factorization's (and deep linear network's) K g without W_1's term A_1A_1ᵀG",
                   (Patch(MatrixFactorization, "_induced_step", _without_first_layer_term),
                    _generic_induced_step(MatrixFactorization)),
                   ("C24", "C34")),
        PlantedBug("descent step η/2", "descent step η/2",
                   "the descent loop (descent.single.descend) steps by η/2 where asked for η",
                   (Patch(single, "descend", _half_step),),
                   ("C07",)),
        PlantedBug("squared/logistic loss: Hessian ×1.001", "factor 1.001",
                   "descent.losses.Loss.hessian returns 1.001·∇²ℓ",
                   (Patch(losses.Loss, "hessian", _scaled_block(slice(None), 1.001)),),
                   ("C35",)),
        PlantedBug("Q_α solver: minimum-ℓ2 answer", "wrong argmin",
                   "descent.solvers.q_alpha_argmin returns the minimum-ℓ2 interpolant for every α",
                   (Patch(solvers, "q_alpha_argmin", _argmin_of_l2),),
                   ("C38",)),
        PlantedBug("signed squared vjp: v-block sign", "sign flip",
                   "θ = u⊙u − v⊙v with Jᵀg = (2u⊙g, +2v⊙g) (the v-block's sign flipped, single and batched): "
                   "from u₀ = v₀ = α·1 u and v move alike and θ never leaves 0",
                   (Patch(SignedSquared, "_vjp", _scaled_block(lambda self: slice(self.n_canonical, None), -1.0)),
                    Patch(SignedSquared, "_vjp_batch", _scaled_block(lambda self: (slice(None), slice(self.n_canonical, None)),
                                                                     -1.0))),
                   ("C38",)),
        PlantedBug("entropy solver: fails for α ≤ 1", "solver fails on some inputs",
                   "descent.solvers.entropy_argmin raises RuntimeError for every α ≤ 1: the examples it fails on "
                   "are undecided, and more than half undecided makes C29b inconclusive (the undecided limit)",
                   (Patch(solvers, "entropy_argmin", _entropy_fails_below_one),),
                   ("C29b",)),
        *_tendency_bugs(ShallowReLU),
    ] + _bugs_beyond_the_maps()


# --- bugs in the code the claims rest on beyond TwoLayerLinear, some showing on some inputs only --


def _signed_squared_step_with_theta(original):
    """K g = 4(u² − v²)g: the sign of ψ = u² − v² copied into K = diag(4(u² + v²))."""

    def buggy(self, w, g):
        u, v = self.unpack(w)
        return 4 * (u * u - v * v) * g

    return buggy


def _smooth_step_without_bias_gram(original):
    """K g with the inputs' Gram matrix XXᵀ where XXᵀ + 11ᵀ belongs (the bias's columns left out)."""

    def buggy(self, w, g):
        a, H, S = self._parts(w)
        return (((self.X @ self.X.T) @ (S * g[:, None])) * S) @ (a * a) + H @ (H.T @ g)

    return buggy


def _logistic_scores(y, m):
    """∂/∂z of log(1 + e^{−yz}) at the margins m = yz, in a two-branch stable form whose branch for
    m < 0 has e^{m} in its numerator: −y·σ(m) there, where −y·σ(−m) = −y/(1 + e^{m}) belongs."""
    with np.errstate(over="ignore", invalid="ignore"):
        right = -y * np.exp(-m) / (1.0 + np.exp(-m))
        wrong = -y * np.exp(m) / (1.0 + np.exp(m))
    return np.where(m >= 0, right, wrong)


def _logistic_grad_wrong_branch(original):
    def buggy(self, theta):
        L, g = original(self, theta)
        if self.kind != "logistic":
            return L, g
        return L, _logistic_scores(self.y, self.y * (self.X @ theta)) @ self.X

    return buggy


def _logistic_grad_batch_wrong_branch(original):
    def buggy(self, Theta):
        L, G = original(self, Theta)
        if self.kind != "logistic":
            return L, G
        return L, _logistic_scores(self.y, self.y * (Theta @ self.X.T)) @ self.X

    return buggy


def _squared_value_without_half(original):
    """The squared loss's value ‖Xθ − y‖² (the ½ dropped), its gradient Xᵀ(Xθ − y) unchanged."""

    def buggy(self, *args):
        out = original(self, *args)
        if self.kind != "squared":
            return out
        if isinstance(out, tuple):
            return (2 * out[0],) + tuple(out[1:])
        return 2 * out

    return buggy


def _criterion_swapped(original):
    """The loop stops as converged on ‖∇_w L‖ ≤ tol when asked for L ≤ tol, and the other way round."""

    def buggy(*args, criterion, **kw):
        return original(*args, criterion={"loss": "grad", "grad": "loss"}[criterion], **kw)

    return buggy


def _one_output_path_without_top_gram(original):
    """The one-output path (m = 1) of the factorization's K g adds g where ‖A_1‖²g = (W_N⋯W_2)(W_N⋯W_2)ᵀg
    belongs (the general path, m > 1, is right)."""

    def buggy(self, Ws, g, h2):
        out = original(self, Ws, g, h2)
        if self.m != 1 or self.N == 1:
            return out
        top = self._tops(Ws)[0][0]
        return out - (float((top @ top.T)[0, 0]) - 1.0) * np.asarray(g, float).reshape(out.shape)

    return buggy


def _bias_block_one_early(original):
    """unpack reads b from w[kd − 1 : kd − 1 + k], one entry early (A and a are right)."""

    def buggy(self, w):
        A, b, a = original(self, w)
        kd = self.k * self.d
        return A, np.asarray(w, float)[kd - 1:kd - 1 + self.k], a

    return buggy


def _bugs_beyond_the_maps() -> list[PlantedBug]:
    """Bugs in the element-wise and smooth maps, the losses and the descent loop; two of them show
    only on some inputs (a misclassified example, one output row)."""
    from overparam.descent import losses, single
    from overparam.parameterizations import MatrixFactorization, ShallowSmooth, SignedSquared
    from overparam.parameterizations.shallow import ShallowLayout

    Loss = losses.Loss
    return [
        PlantedBug("signed squared induced step: u² − v²", "sign flip",
                   "SignedSquared's K g = 4(u² − v²)g, where 4(u² + v²)g belongs",
                   (Patch(SignedSquared, "_induced_step", _signed_squared_step_with_theta),),
                   ("C24",)),
        PlantedBug("smooth induced step: bias's 11ᵀ dropped", "dropped term",
                   "ShallowSmooth's K g built with XXᵀ where XXᵀ + 11ᵀ belongs (the biases' part of K left out)",
                   (Patch(ShallowSmooth, "_induced_step", _smooth_step_without_bias_gram),),
                   ("C24",)),
        PlantedBug("logistic gradient: wrong branch for y·xᵀθ < 0", "wrong branch",
                   "the logistic loss's gradient in a two-branch stable form whose branch for a misclassified "
                   "example (yᵢxᵢᵀθ < 0) computes −yᵢσ(yᵢxᵢᵀθ) for −yᵢσ(−yᵢxᵢᵀθ)",
                   (Patch(Loss, "value_and_grad", _logistic_grad_wrong_branch),
                    Patch(Loss, "value_and_grad_batch", _logistic_grad_batch_wrong_branch)),
                   # C35 reads the gradient too, but draws a logistic loss with a misclassified example
                   # too rarely: it caught this bug in 33 of 40 runs under quick, below the bar of 19 in 20
                   ("C16",)),
        PlantedBug("squared loss value: ½ dropped", "factor 2",
                   "the squared loss's value ‖Xθ − y‖² with its gradient Xᵀ(Xθ − y) (the ½ dropped from the value)",
                   (Patch(Loss, "value", _squared_value_without_half),
                    Patch(Loss, "value_and_grad", _squared_value_without_half),
                    Patch(Loss, "value_and_grad_batch", _squared_value_without_half)),
                   ("C16",)),
        PlantedBug("descent: converged flag on the wrong criterion", "wrong flag",
                   "the descent loop (descent.single.descend) reports 'converged' when ‖∇_w L‖ ≤ tol where the "
                   "caller asked for L ≤ tol (and the other way round)",
                   (Patch(single, "descend", _criterion_swapped),),
                   ("C18b",)),
        PlantedBug("factorization induced step: ‖A₁‖² dropped where m = 1", "dropped term",
                   "the one-output path (m = 1: deep linear networks, one-row factorizations) of K g adds g "
                   "where ‖W_N⋯W_2‖²g belongs",
                   (Patch(MatrixFactorization, "_induced_step_from", _one_output_path_without_top_gram),),
                   ("C24", "C34")),
        PlantedBug("shallow networks: bias block read one entry early", "off by one",
                   "ShallowLayout.unpack reads b from w[kd − 1 : kd − 1 + k] (ReLU and smooth networks)",
                   (Patch(ShallowLayout, "unpack", _bias_block_one_early),),
                   ("C16", "C20", "C21", "C24")),
    ]


_CACHE: dict[str, tuple[PlantedBug, ...]] = {}


def caught_by(cid: str) -> tuple[PlantedBug, ...]:
    """The planted bugs that claim ``cid`` must catch (verified by ``tests/test_claim_power.py``)."""
    if not _CACHE:
        for bug in planted_bugs():
            for c in bug.caught_by:
                _CACHE.setdefault(c, ())
                _CACHE[c] += (bug,)
        _CACHE.setdefault("", ())
    return _CACHE.get(cid, ())


def kind_label(claim) -> str:
    """The kind the report and the README show: ``consistency check`` for a claim of
    :data:`CONSISTENCY_CHECKS` (it held, but no library bug can reach it), else the claim's kind."""
    return "consistency check" if claim.id in CONSISTENCY_CHECKS else claim.kind


def power_label(claim) -> str:
    """The cell "caught bugs": how many planted bugs the claim catches, or why none is counted."""
    n = len(caught_by(claim.id))
    if n:
        return str(n)
    if claim.id in CONSISTENCY_CHECKS:
        return "— (consistency check)"
    if claim.id in ROBUST_WITNESSES:
        return "— (no realistic bug removes its witness)"
    if claim.kind == "open":
        return "— (open: the run decides)"
    return "0"


# --- bugs that move the tendency claims' verdicts ------------------------------------------------------------


def _identical_units(original):
    """A "standard" initialization whose hidden units all copy the first one's incoming weights and bias."""

    def buggy(self, rng=None, scale=1.0):
        w = np.array(original(self, rng, scale), float)
        kd = self.k * self.d
        A, b = w[:kd].reshape(self.k, self.d), w[kd:kd + self.k]
        A[:], b[:] = A[0], b[0]
        return w

    return buggy


def _tolerance_relative_to_start(original):
    """The batched engine reads ``tol`` as a fraction of the largest initial loss of its rows."""

    def buggy(param, W0, loss, *, lr, tol=1e-12, **kw):
        from overparam.descent.arguments import maps

        psi, _ = maps(param, batched=True)
        L0 = loss.value_and_grad_batch(psi(np.asarray(W0, float)))[0]
        return original(param, W0, loss, lr=lr, tol=float(tol * np.max(np.abs(L0))), **kw)

    return buggy


def _first_chunk_only(original):
    """compacted_descent whose loop ends after its first chunk (it tests the chunk's steps, not the budget)."""

    def buggy(param, W0, loss, *, lr, steps, tol, chunk=250, **kw):
        return original(param, W0, loss, lr=lr, steps=min(steps, chunk), tol=tol, chunk=chunk, **kw)

    return buggy


def _tendency_bugs(ShallowReLU) -> list:
    """The planted bugs of the tendency claims that turn a survived claim refuted (:data:`TENDENCY_VERDICTS`
    lists every verdict each one moves)."""
    import importlib

    from overparam.descent import batched as _batched

    descent = importlib.import_module("overparam.descent")  # as sys.modules holds it (see planted_bugs)
    return [
        PlantedBug("relu initialization: every unit a copy", "wrong copy",
                   "ShallowReLU.sample gives every hidden unit the first unit's incoming weights and bias",
                   (Patch(ShallowReLU, "sample", _identical_units),),
                   ("C22",)),
        PlantedBug("batched descent: tolerance relative to the start", "wrong tolerance",
                   "batched_descent stops a row at loss ≤ tol·max ℓ₀ (the largest initial loss of its rows) instead "
                   "of loss ≤ tol",
                   (Patch(_batched, "batched_descent", _tolerance_relative_to_start),
                    Patch(descent, "batched_descent", _tolerance_relative_to_start)),
                   ("C37",)),
    ]


def tendency_bugs() -> list:
    """(bug, {claim: the verdict it moves the claim to}) for every entry of :data:`TENDENCY_VERDICTS`: the bugs
    of :func:`planted_bugs` and those that only leave tendency claims inconclusive (no claim refutes them, so
    they are not among :func:`planted_bugs`)."""
    from overparam.descent import batched as _batched

    bugs = {b.id: b for b in planted_bugs()}
    bugs["compacted descent: one chunk"] = PlantedBug(
        "compacted descent: one chunk", "wrong loop bound",
        "compacted_descent stops after its first chunk of steps, however large its budget",
        (Patch(_batched, "compacted_descent", _first_chunk_only),), ())
    return [(bugs[bid], verdicts) for bid, verdicts in TENDENCY_VERDICTS.items()]


#: every verdict of a tendency claim that a planted bug moves, and where to (tests/test_tendency.py runs each):
#: a survived claim refuted, or a claim left inconclusive because the bug leaves its problems undecided (a run
#: that never settles, or one the engine calls converged before its flow has ended) — the undecided limit is
#: what keeps such a bug from passing as a verdict. C29c and C31 are refuted by the mathematics (C29c's
#: limit is the entropy projection, C31's the argmin of Σ 1/(2θ²) + α³θ, neither the reference); no bug
#: tried (solvers returning another interpolant, an initialization of the wrong power, a step of the wrong
#: size) moves them to survived, and the ones that stop descent settling move them to inconclusive.
TENDENCY_VERDICTS = {
    "relu initialization: every unit a copy": {"C22": "refuted"},
    "batched descent: tolerance relative to the start": {"C37": "refuted", "C29": "inconclusive",
                                                         "C29c": "inconclusive", "C31": "inconclusive"},
    "compacted descent: one chunk": {"C36": "inconclusive"},
}
