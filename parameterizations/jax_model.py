"""Any JAX function as a parameterization: ψ written once in ``jax.numpy``, J, jvp, vjp and the
induced step by automatic differentiation, every interface method of :class:`Parameterization`.

Importing this module imports JAX and switches it to 64-bit floats
(``jax.config.update("jax_enable_x64", True)``): the suite's round-off bounds are those of float64,
and a float32 ψ would fail them by nine orders of magnitude. The switch is global to the process;
a program that relies on JAX's 32-bit default should import this module in a process of its own.

Each map is compiled once per model and shape (``jax.jit``), and the compiled functions are shared
by every :class:`JaxModel` of one ψ and one p: calling a method again, at another point, traces
nothing. ``psi_batch``/``vjp_batch`` compile once per batch size B (``jax.vmap``).

Round-off scales are derived from ψ's own computation (:func:`roundoff_magnitude`): a first-order
error analysis of the traced program, so that the Taylor tests and the products' comparisons get
the floor of this ψ at this w, not a guess.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable

import numpy as np

try:
    import jax
    import jax.numpy as jnp
    from jax.extend.core import Literal
    from jax.flatten_util import ravel_pytree
except ImportError as e:  # the optional extra: pip install 'overparam[jax]'
    raise ImportError(f"overparam.parameterizations.jax_model needs JAX: pip install 'overparam[jax]' ({e})") from e

jax.config.update("jax_enable_x64", True)

from .base import Parameterization  # noqa: E402
from .numerics import ELEMENTARY_ULPS  # noqa: E402
from .validate import as_positive, describe_array  # noqa: E402

__all__ = ["JaxModel", "roundoff_magnitude", "DISCONTINUOUS_PRIMITIVES"]

#: primitives that make ψ discontinuous (or piecewise constant), whose derivative JAX defines as 0:
#: J would be the derivative almost nowhere where it matters, so a ψ that uses one is refused
DISCONTINUOUS_PRIMITIVES = frozenset({"floor", "ceil", "round", "sign", "nextafter", "argmax", "argmin",
                                      "random_bits", "random_seed", "random_wrap", "is_finite"})

#: primitives whose result is exact in floating point: no rounding to account for
_EXACT = frozenset({"neg", "max", "min", "abs", "select_n", "reshape", "broadcast_in_dim", "transpose", "slice",
                    "squeeze", "expand_dims", "concatenate", "gather", "dynamic_slice", "dynamic_update_slice", "pad",
                    "rev", "reduce_max", "reduce_min", "stop_gradient", "copy", "copy_p", "iota", "convert_element_type",
                    "scatter", "sort", "clamp", "real", "imag", "squeeze", "split"})
#: primitives correctly rounded by IEEE 754: one rounding of u·|result|
_ROUNDED = frozenset({"add", "sub", "mul", "div", "sqrt", "square", "add_any", "rem"})
#: primitives that hold a jaxpr the error analysis looks into: parameter names
_SUBJAXPRS = ("jaxpr", "call_jaxpr")


def _sub_jaxpr(eqn):
    for name in _SUBJAXPRS:
        j = eqn.params.get(name)
        if j is not None and (hasattr(j, "eqns") or hasattr(j, "jaxpr")):
            return j
    return None


def _open(j):
    """(jaxpr, consts) of a closed or open jaxpr."""
    return (j.jaxpr, j.consts) if hasattr(j, "consts") else (j, [])


def _primitives(jaxpr, seen: set) -> set:
    for eqn in jaxpr.eqns:
        seen.add(eqn.primitive.name)
        for p in eqn.params.values():
            for sub in (p if isinstance(p, (tuple, list)) else (p,)):
                if hasattr(sub, "eqns") or hasattr(sub, "jaxpr"):
                    _primitives(_open(sub)[0], seen)
    return seen


def _is_float(x) -> bool:
    return jnp.issubdtype(jnp.result_type(x), jnp.floating)


def _magnitude(eqn, invals, out):
    """M with |fl(out) − out| ≤ u·M entry by entry (first order), for one equation of a jaxpr.

    A sum of K terms errs by γ_K·Σ|terms| ≤ (K + 1)u·Σ|terms| (Higham §3.1): dot_general over its
    contracting dimensions, reduce_sum over its axes, cumsum along its axis; a product of K factors
    by γ_K relatively (reduce_prod). Exact operations (moves, max, min, select)
    do not round; add, sub, mul, div and sqrt round once, correctly (IEEE 754). Every other
    primitive (exp, log, tanh, logistic, pow, erf, …) is taken to err by ELEMENTARY_ULPS ulps.
    Returns None for an exact operation.
    """
    name = eqn.primitive.name
    if name in _EXACT:
        return None
    if name == "dot_general":
        (contract, _), _ = eqn.params["dimension_numbers"]
        a, b = invals
        K = math.prod(a.shape[i] for i in contract) if contract else 1
        return (K + 1) * jax.lax.dot_general(jnp.abs(a), jnp.abs(b), eqn.params["dimension_numbers"])
    if name == "reduce_sum":
        (x,) = invals
        K = math.prod(x.shape[i] for i in eqn.params["axes"]) if eqn.params["axes"] else 1
        return (K + 1) * jax.lax.reduce_sum_p.bind(jnp.abs(x), **eqn.params)
    if name == "cumsum":
        (x,) = invals
        return (x.shape[eqn.params["axis"]] + 1) * jax.lax.cumsum(jnp.abs(x), **eqn.params)
    if name == "reduce_prod":  # K − 1 products, each rounding relatively
        (x,) = invals
        return (math.prod(x.shape[i] for i in eqn.params["axes"]) + 1) * jnp.abs(out)
    if name in _ROUNDED:
        return jnp.abs(out)
    if name == "integer_pow":
        return max(abs(int(eqn.params["y"])) - 1, 1) * jnp.abs(out)
    return 2 * ELEMENTARY_ULPS * jnp.abs(out)


def _perturbed(jaxpr, consts, args, eps, shapes):
    """Evaluate ``jaxpr`` with each rounded float result v replaced by v + ε·M(v) (ε from ``eps`` in
    order; ``shapes`` collects the shapes when ``eps`` is None, evaluating without perturbation)."""
    env: dict = {}

    def read(v):
        return v.val if isinstance(v, Literal) else env[v]

    for v, c in zip(jaxpr.constvars, consts):
        env[v] = c
    for v, a in zip(jaxpr.invars, args):
        env[v] = a
    for eqn in jaxpr.eqns:
        invals = [read(v) for v in eqn.invars]
        sub = _sub_jaxpr(eqn) if eqn.primitive.name in ("pjit", "jit", "custom_jvp_call", "custom_vjp_call",
                                                        "closed_call", "core_call", "remat", "checkpoint",
                                                        "custom_vjp_call_jaxpr") else None
        if sub is not None:
            sj, sc = _open(sub)
            n = len(sj.invars)
            outs = _perturbed(sj, sc, invals[len(invals) - n:], eps, shapes)
        else:
            outs = eqn.primitive.bind(*invals, **eqn.params)
            outs = list(outs) if eqn.primitive.multiple_results else [outs]
            for i, o in enumerate(outs):
                if not _is_float(o):
                    continue
                M = _magnitude(eqn, invals, o)
                if M is None:
                    continue
                if eps is None:
                    shapes.append(jnp.shape(o))
                else:
                    outs[i] = o + eps.pop(0) * jax.lax.stop_gradient(M)
        for v, o in zip(eqn.outvars, outs):
            env[v] = o
    return [read(v) for v in jaxpr.outvars]


def roundoff_magnitude(fn: Callable, *example_args) -> Callable:
    """A jitted ``(*args) ↦ R``, R of fn's output shape, with ‖fl(fn(args)) − fn(args)‖ ≤ u‖R‖ to first order.

    The linearized error analysis of the traced program (Wilkinson; Higham §3): each rounded result
    v of the jaxpr is perturbed by ε·M(v), M the magnitude of its own rounding (:func:`_magnitude`),
    and R_j = Σ_v |∂out_j/∂ε_v|, one reverse pass per output entry. Jaxprs of jit, custom_jvp and
    custom_vjp calls are looked into; control flow (cond, scan, while) is a single rounding of its
    results, as any other primitive. The bound is local: where tanh saturates, ∂out/∂v is small and so is R.
    """
    closed = jax.make_jaxpr(fn)(*example_args)
    jaxpr, consts = closed.jaxpr, closed.consts
    shapes: list = []
    jax.eval_shape(lambda *a: _perturbed(jaxpr, consts, list(a), None, shapes), *example_args)  # traced only

    def out_of(eps, args):
        (out,) = _perturbed(jaxpr, consts, list(args), list(eps), [])
        return out

    def R(*args):
        eps0 = [jnp.zeros(s) for s in shapes]
        out_shape = jnp.shape(fn(*args))
        if not shapes:
            return jnp.zeros(out_shape)
        jac = jax.jacrev(out_of)(eps0, args)  # each leaf: out shape + ε shape
        nd = len(out_shape)
        return sum(jnp.abs(j).reshape(out_shape + (-1,)).sum(-1) if j.ndim > nd else jnp.abs(j) for j in jac)

    return jax.jit(R)


@functools.lru_cache(maxsize=None)
def _compiled(fn: Callable, p: int) -> dict[str, Callable]:
    """The jitted maps of ψ = ``fn`` on R^p, built once per (fn, p) and shared by every model of them."""

    def vjp(w, g):
        return jax.vjp(fn, w)[1](g)[0]

    def jvp(w, dw):
        return jax.jvp(fn, (w,), (dw,))[1]

    def step(w, g):
        return jvp(w, vjp(w, g))

    def third(w, d):  # the directional derivatives of order 2 and 3 along d
        d2 = lambda x: jax.jvp(lambda y: jvp(y, d), (x,), (d,))[1]  # noqa: E731
        return d2(w), jax.jvp(d2, (w,), (d,))[1]

    q = jax.eval_shape(fn, jax.ShapeDtypeStruct((p,), jnp.float64)).shape[0]
    jacobian = jax.jacfwd(fn) if p <= q else jax.jacrev(fn)
    return {
        "psi": jax.jit(fn), "jacobian": jax.jit(jacobian), "jvp": jax.jit(jvp), "vjp": jax.jit(vjp),
        "step": jax.jit(step), "psi_batch": jax.jit(jax.vmap(fn)), "vjp_batch": jax.jit(jax.vmap(vjp)),
        "third": jax.jit(third), "_jacobian_fn": jacobian,
    }


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}"[:200]


class JaxModel(Parameterization):
    r"""ψ: R^p → R^q given as a JAX function of a flat float64 vector, its derivatives by autodiff.

    J from ``jax.jacfwd`` (p ≤ q) or ``jax.jacrev``, J·dw and Jᵀg from ``jax.jvp``/``jax.vjp``, the
    induced step K g = J(Jᵀg) as the jvp of the vjp, and the row-wise forms on B points by ``jax.vmap``;
    every one jitted. The constructor checks ψ before anything runs (one-line ``ValueError``): the
    output must be a float64 vector, and JAX must be able to differentiate it without a
    discontinuous primitive (:data:`DISCONTINUOUS_PRIMITIVES`). A NaN or inf that ψ returns is a
    ``ValueError`` of the method that computed it, as for every parameterization.

    Args:
        psi: ``w ↦ θ``, ``w`` of shape (p,), θ of shape (q,), written in ``jax.numpy``.
        n_params: p.
        name: the model's name in labels, reports and messages.
        depth: the number of chained products in ψ; it only widens the round-off bands, which the
            error analysis (:func:`roundoff_magnitude`) already derives.
        bound: drawn points have entries 0 or of magnitude in [1e-4, bound].
        ref: ``module:object`` that rebuilds this model (set by ``--model``), for replaying a record.
        points: ``extreme ↦ strategy`` of valid points, for a ψ whose domain is not all of R^p
            (default: :func:`overparam.parameterizations.base.finite_vectors` up to ``bound``).

    ``JaxModel.from_pytree(apply, params)`` wraps ``apply(params) ↦ θ`` on a pytree of parameters
    (a flax or equinox module's), flattened with ``jax.flatten_util.ravel_pytree``.
    """

    family = "jax"

    def __init__(self, psi: Callable, n_params: int, *, name: str = "model", depth: int = 1, bound: float = 2.0,
                 ref: str | None = None, points: Callable | None = None):
        if not callable(psi):
            raise ValueError(f"psi must be a callable w ↦ θ written in jax.numpy, but got {describe_array(psi)}")
        if not isinstance(name, str) or not name or any(c.isspace() for c in name):
            raise ValueError(f"name must be a non-empty word without spaces, but got {name!r:.60}")
        p = as_positive("n_params", n_params, integer=True)
        self.depth = as_positive("depth", depth, integer=True)
        self.bound = as_positive("bound", bound)
        if points is not None and not callable(points):
            raise ValueError(f"points must be a callable extreme ↦ strategy, but got {describe_array(points)}")
        self.name, self.ref, self.fn, self._points = name, ref, psi, points
        q = _check_psi(psi, p)
        super().__init__(p, q)
        self._maps = _compiled(psi, p)
        self._scale_fns: dict[str, Callable] = {}

    @classmethod
    def from_pytree(cls, apply: Callable, params: Any, **kwargs) -> "JaxModel":
        """The model ``w ↦ apply(unravel(w))`` for a pytree ``params`` (``model.unravel``, ``model.initial``)."""
        if not callable(apply):
            raise ValueError(f"apply must be a callable params ↦ θ, but got {describe_array(apply)}")
        try:
            flat, unravel = ravel_pytree(params)
        except Exception as e:
            raise ValueError(f"params must be a pytree of arrays, but ravel_pytree refused it ({_first_line(e)})") \
                from None
        flat = jnp.asarray(flat, jnp.float64)
        m = cls(_Unraveled(apply, unravel), int(flat.size), **kwargs)
        m.unravel, m.initial = unravel, np.asarray(flat)
        return m

    def spec(self):
        out = {"name": self.name, "n_params": self._p}
        return {**out, "ref": self.ref} if self.ref else out

    @property
    def label(self) -> str:
        return f"jax {self.name} p={self._p} q={self._q}"

    # --- the maps: numpy in, numpy out ----------------------------------------------
    def _psi(self, w):
        return np.asarray(self._maps["psi"](w))

    def _jacobian(self, w):
        return np.asarray(self._maps["jacobian"](w))

    def _jvp(self, w, dw):
        return np.asarray(self._maps["jvp"](w, dw))

    def _vjp(self, w, g):
        return np.asarray(self._maps["vjp"](w, g))

    def _induced_step(self, w, g):
        return np.asarray(self._maps["step"](w, g))

    def _psi_batch(self, W):
        return np.asarray(self._maps["psi_batch"](W)) if len(W) else np.empty((0, self._q))

    def _vjp_batch(self, W, G):
        return np.asarray(self._maps["vjp_batch"](W, G)) if len(W) else np.empty((0, self._p))

    def warm(self, batch: int = 0, *, checks: bool = True) -> "JaxModel":
        """Compile every map now, so that no later call, and no example of a claim, pays a compilation:
        ψ and the products; with ``checks`` (the default) also J and the round-off analyses the claims
        use, whose cost grows as q·p (leave them out for a large model that only descends);
        ``psi_batch``/``vjp_batch`` for B = ``batch`` if given."""
        w, g = np.ones(self._p), np.ones(self._q)
        self.psi(w), self.jvp(w, w), self.vjp(w, g), self.induced_step(w, g)
        if checks:
            J = self.jacobian(w)
            self.psi_scale(w), self.jacobian_scale(w, J), self.curvature_step(w, w)
        if batch:
            self.psi_batch(np.ones((batch, self._p))), self.vjp_batch(np.ones((batch, self._p)), np.ones((batch, self._q)))
        return self

    def points(self, *, extreme: bool = False):
        """Entries 0 or of magnitude in [1e-4, bound] (extreme: the vector times 10^e, e ∈ −6…6)."""
        from .base import finite_vectors

        if self._points is not None:
            return self._points(extreme=extreme)
        return finite_vectors(self._p, self.bound, extreme=extreme)

    # --- round-off scales, from the error analysis of ψ's own program --------------
    def _scale_fn(self, what: str) -> Callable:
        if what not in self._scale_fns:
            if what == "psi":
                self._scale_fns[what] = _shared_psi_scale(self.fn, self._p, self.depth)
            else:
                self._scale_fns[what] = _shared_jacobian_magnitude(self.fn, self._p, self._q)
        return self._scale_fns[what]

    def psi_scale(self, w) -> float:
        """The magnitude S with roundoff(S, p, depth) ≥ ‖fl(ψ(w)) − ψ(w)‖: the error analysis's ‖R‖
        (:func:`roundoff_magnitude`) over p + 1 (roundoff's γ_{p+depth} holds p + 1 rounding units at
        least), and never below the default ‖ψ‖ + ‖J‖_F‖w‖/depth; one compiled call."""
        return float(self._scale_fn("psi")(self.check_w(w)))

    def jacobian_scale(self, w, J) -> float:
        """max(‖J‖_F, ‖R_J‖/(max(p, q) + 1)) with R_J the error analysis of J's own computation, column
        by column as the jvp J·e_j (``jacfwd``, p ≤ q) or row by row as the vjp Jᵀe_i (``jacrev``),
        primal rounding included: the products' comparisons multiply it by γ_{max(p,q)+depth} and the
        norms of their vectors."""
        w = self.check_w(w)
        R = float(np.linalg.norm(np.asarray(self._scale_fn("jacobian")(w))))
        return max(float(np.linalg.norm(J)), R / (max(self._p, self._q) + 1))

    def curvature_step(self, w, d) -> float:
        """3‖D²ψ[d, d]‖/‖D³ψ[d, d, d]‖ for the unit direction d: up to this step the cubic term of ψ's
        Taylor expansion along d is no larger than the quadratic one, so a Taylor test that starts
        there sees the quadratic regime (a saturated tanh bends within a few units of its argument:
        past the bend the remainder grows as h). ∞ where the third derivative vanishes."""
        from .base import unit
        from .validate import as_vector

        w, d = self.check_w(w), unit(as_vector("d", d, self._p))
        d2, d3 = (float(np.linalg.norm(np.asarray(t))) for t in self._maps["third"](w, d))
        if not (np.isfinite(d2) and np.isfinite(d3)) or d3 == 0:
            return np.inf
        return 3 * d2 / d3 if d2 > 0 else np.inf


@functools.lru_cache(maxsize=None)
def _shared_psi_scale(fn: Callable, p: int, depth: int) -> Callable:
    R = roundoff_magnitude(fn, jax.ShapeDtypeStruct((p,), jnp.float64))
    jac = _compiled(fn, p)["_jacobian_fn"]

    def scale(w):
        default = jnp.linalg.norm(fn(w)) + jnp.linalg.norm(jac(w)) * jnp.linalg.norm(w) / depth
        return jnp.maximum(default, jnp.linalg.norm(R(w)) / (p + 1))

    return jax.jit(scale)


@functools.lru_cache(maxsize=None)
def _shared_jacobian_magnitude(fn: Callable, p: int, q: int) -> Callable:
    """w ↦ R_J (q×p): the analysis of one jvp (or vjp) program, mapped over the basis vectors, the
    very arithmetic ``jacfwd`` (``jacrev``) batches; a smaller program to trace than J's own."""
    vec = lambda n: jax.ShapeDtypeStruct((n,), jnp.float64)  # noqa: E731
    if p <= q:  # J = jacfwd: column j is the jvp along e_j
        R = roundoff_magnitude(lambda w, d: jax.jvp(fn, (w,), (d,))[1], vec(p), vec(p))
        return jax.jit(lambda w: jax.vmap(R, in_axes=(None, 0), out_axes=1)(w, jnp.eye(p)))
    R = roundoff_magnitude(lambda w, g: jax.vjp(fn, w)[1](g)[0], vec(p), vec(q))  # J = jacrev: row i is Jᵀe_i
    return jax.jit(lambda w: jax.vmap(R, in_axes=(None, 0), out_axes=0)(w, jnp.eye(q)))


class _Unraveled:
    """``w ↦ apply(unravel(w))``, hashable by its parts so that models of one apply share compilations."""

    def __init__(self, apply, unravel):
        self.apply, self.unravel = apply, unravel

    def __call__(self, w):
        return self.apply(self.unravel(w))

    def __hash__(self):
        return hash((self.apply, self.unravel))

    def __eq__(self, other):
        return isinstance(other, _Unraveled) and (self.apply, self.unravel) == (other.apply, other.unravel)


def _check_psi(fn: Callable, p: int) -> int:
    """q, after checking ψ by tracing it (no compilation): a float64 vector out, differentiable."""
    arg = jax.ShapeDtypeStruct((p,), jnp.float64)
    try:
        out = jax.eval_shape(fn, arg)
    except Exception as e:
        raise ValueError(f"psi must map a float64 vector of shape ({p},) to a vector, but tracing it raised "
                         f"{_first_line(e)}") from None
    if not hasattr(out, "shape") or not hasattr(out, "dtype"):
        raise ValueError(f"psi must return one array, but returns {type(out).__name__} {out!r:.80}")
    if len(out.shape) != 1 or out.shape[0] == 0:
        raise ValueError(f"psi must return a non-empty vector of shape (q,), but returns shape {out.shape}")
    if out.dtype != jnp.float64:
        raise ValueError(f"psi must return float64, but returns {out.dtype} (JAX computes in the dtype of "
                         f"its inputs and constants: cast them, or drop the cast to {out.dtype})")
    bad = sorted(_primitives(jax.make_jaxpr(fn)(arg).jaxpr, set()) & DISCONTINUOUS_PRIMITIVES)
    if bad:
        raise ValueError(f"psi must be continuous, but it uses the piecewise-constant primitive{'s' * (len(bad) > 1)} "
                         f"{', '.join(bad)}, whose derivative JAX takes as 0")
    q = int(out.shape[0])
    for what, f, args in (("jvp", lambda w, d: jax.jvp(fn, (w,), (d,))[1], (arg, arg)),
                          ("vjp", lambda w, g: jax.vjp(fn, w)[1](g)[0],
                           (arg, jax.ShapeDtypeStruct((q,), jnp.float64)))):
        try:
            jax.eval_shape(f, *args)
        except Exception as e:
            raise ValueError(f"psi must be differentiable by JAX, but its {what} raised {_first_line(e)}") from None
    return q
