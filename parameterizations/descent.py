r"""Gradient descent through a parameterization, and its canonical counterpart.

Notation as in the rest of the package: w ∈ R^p, θ = ψ(w) ∈ R^q, J(w) = ∂θ/∂w (q×p).

Losses live in the canonical space. :class:`SquaredLoss` is

    L(θ) = ½‖Xθ − y‖²,   ∇_θL = Xᵀ(Xθ − y),   ∇²_θL = XᵀX,

and :class:`CanonicalLoss` wraps any pair of callables θ ↦ ℓ(θ), θ ↦ ∂ℓ/∂θ.

The **parametric step** (:func:`gradient_descent`) is the chain rule applied once:

    w ← w − η ∇_w(ℓ∘ψ)(w) = w − η J(w)ᵀ ∇_θℓ(ψ(w)),

computed with ``param.vjp`` and never with J. The **canonical step**
(:func:`canonical_descent`) is θ ← θ − η∇_θℓ(θ), the same engine run on the identity.

Every run stops for one of three reasons, reported in ``status``:

* ``"converged"`` — the stopping quantity fell to ``tol``: the loss (``criterion="loss"``),
  or the parametric gradient norm ‖∇_w L‖ (``criterion="grad"``);
* ``"budget"`` — the step budget (or, for :func:`gradient_flow`, the time budget) ran out;
* ``"diverged"`` — an iterate had a non-finite loss, θ, w or gradient (a squared norm that
  overflows counts), or a loss above ``max_loss`` (default ``divergence_factor·max(|L₀|, 1)``
  with ``divergence_factor = 1e12``). The offending iterate is *not* returned: ``w``, ``theta``
  and the histories stop at the last healthy iterate, and ``diverged_at`` is the index of the
  offending one. No NaN ever reaches a result; floating-point warnings are silenced inside.

Vectorised sweeps (:func:`batched_descent`, :func:`alpha_sweep`) run B independent descents
as one numpy loop over arrays of shape (B, p), with closed-form batched ψ and Jᵀ for the
element-wise maps (Identity, Squared, SignedSquared, Inverse, Polar) and for the scalar deep
chain θ = w₁⋯w_N (``DeepLinear(d=1, N)``, Shamir 2018); other members run row by row.
Each member stops on its own and :meth:`BatchDescentResult.member` returns what
:func:`gradient_descent` would have reported for it, up to the round-off of the batched
products (gemm instead of gemv). In a stable run that difference stays at round-off; in an
unstable or chaotic one (η·ρ(∇²_w L) > 2 somewhere) it grows like any other perturbation.

:func:`gradient_flow` approximates ẇ = −∇_w L(ψ(w)) by descent with a step size
η = c/ρ, ρ the spectral radius of the parametric Hessian ∇²_w L, re-estimated along the way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ._validate import as_matrix, as_positive, as_vector, describe_array
from .base import Parameterization
from .elementwise import Inverse, Polar, SignedSquared, Squared
from .linear import Identity, MatrixFactorization

__all__ = [
    "SquaredLoss",
    "CanonicalLoss",
    "DescentResult",
    "BatchDescentResult",
    "gradient_descent",
    "canonical_descent",
    "batched_descent",
    "alpha_sweep",
    "uniform_initial",
    "gradient_flow",
    "curvature",
    "STATUSES",
]

#: the possible values of ``status``
STATUSES = ("converged", "budget", "diverged")
_CRITERIA = ("loss", "grad")


# --------------------------------------------------------------------------------------
# losses
# --------------------------------------------------------------------------------------
class SquaredLoss:
    r"""L(θ) = ½‖Xθ − y‖² on data X (n×q), y (n).

    ∇L(θ) = Xᵀ(Xθ − y), ∇²L = XᵀX. Works on one θ (shape (q,)) or a batch (shape (B, q)),
    row by row.
    """

    def __init__(self, X, y):
        self.X = as_matrix("X", X, (None, None))
        n, q = self.X.shape
        if n == 0 or q == 0:
            raise ValueError(f"X must have at least one row and one column, but got shape {self.X.shape}")
        self.y = as_vector("y", y, n)

    @property
    def n_canonical(self) -> int:
        """q, the number of columns of X."""
        return self.X.shape[1]

    @property
    def n_samples(self) -> int:
        """n, the number of rows of X."""
        return self.X.shape[0]

    def value(self, theta) -> float:
        """½‖Xθ − y‖²."""
        r = self.X @ theta - self.y
        return 0.5 * float(r @ r)

    def grad(self, theta) -> np.ndarray:
        """Xᵀ(Xθ − y)."""
        return (self.X @ theta - self.y) @ self.X

    def value_and_grad(self, theta):
        """(L(θ), ∇L(θ)) sharing the residual Xθ − y."""
        r = self.X @ theta - self.y
        return 0.5 * float(r @ r), r @ self.X

    def value_and_grad_batch(self, Theta):
        """Row-wise (L, ∇L) for Θ of shape (B, q): shapes (B,) and (B, q)."""
        R = Theta @ self.X.T - self.y
        return 0.5 * np.einsum("bi,bi->b", R, R), R @ self.X

    def hessian_factor(self, theta=None) -> np.ndarray:
        """B with ∇²L = BᵀB (here B = X, at every θ)."""
        return self.X

    def __repr__(self):
        return f"<SquaredLoss n={self.n_samples}, q={self.n_canonical}>"


class CanonicalLoss:
    r"""A general canonical loss from callables: ``value(θ) -> float``, ``grad(θ) -> (q,)``.

    Args:
        value: θ ↦ ℓ(θ).
        grad: θ ↦ ∂ℓ/∂θ, an array of shape (q,).
        q: the canonical dimension (checked against the parameterization).
        vectorized: the callables also accept Θ of shape (B, q) and return (B,) and (B, q);
            otherwise the batched engine calls them row by row.
        hessian: optional θ ↦ ∇²ℓ(θ) (q×q, positive semi-definite), used by :func:`curvature`
            only through its factor; not needed by the descent engines.
    """

    def __init__(self, value: Callable, grad: Callable, q: int, *, vectorized: bool = False,
                 hessian: Callable | None = None, name: str = "canonical loss"):
        for nm, f in (("value", value), ("grad", grad)):
            if not callable(f):
                raise ValueError(f"{nm} must be callable θ ↦ …, but got {describe_array(f)}")
        if hessian is not None and not callable(hessian):
            raise ValueError(f"hessian must be callable θ ↦ q×q matrix or None, but got {describe_array(hessian)}")
        self._value, self._grad, self._hessian = value, grad, hessian
        self._q = as_positive("q", q, integer=True)
        self.vectorized = bool(vectorized)
        self.name = str(name)

    @property
    def n_canonical(self) -> int:
        return self._q

    def value(self, theta) -> float:
        return float(self._value(theta))

    def grad(self, theta) -> np.ndarray:
        return np.asarray(self._grad(theta), dtype=float)

    def value_and_grad(self, theta):
        return float(self._value(theta)), np.asarray(self._grad(theta), dtype=float)

    def value_and_grad_batch(self, Theta):
        if self.vectorized:
            return (np.asarray(self._value(Theta), dtype=float).reshape(len(Theta)),
                    np.asarray(self._grad(Theta), dtype=float).reshape(Theta.shape))
        vals = np.empty(len(Theta))
        grads = np.empty_like(Theta)
        for b, th in enumerate(Theta):
            vals[b] = self._value(th)
            grads[b] = self._grad(th)
        return vals, grads

    def hessian_factor(self, theta) -> np.ndarray:
        """B with ∇²ℓ(θ) = BᵀB, from ``hessian`` (negative eigenvalues clipped to 0)."""
        if self._hessian is None:
            raise ValueError(f"{self.name} has no hessian callable; pass hessian=θ ↦ ∇²ℓ(θ)")
        H = as_matrix("hessian(theta)", self._hessian(theta), (self._q, self._q))
        s, V = np.linalg.eigh(0.5 * (H + H.T))
        return np.sqrt(np.clip(s, 0, None))[:, None] * V.T

    def __repr__(self):
        return f"<CanonicalLoss {self.name!r} q={self._q}>"


def _check_loss(loss, q: int):
    if not hasattr(loss, "value_and_grad") or not hasattr(loss, "n_canonical"):
        raise ValueError(
            f"loss must be a SquaredLoss(X, y) or CanonicalLoss(value, grad, q), but got {describe_array(loss)}"
        )
    if loss.n_canonical != q:
        raise ValueError(
            f"loss must act on the canonical space of dimension q = {q}, but it has dimension {loss.n_canonical}"
        )
    return loss


def _check_param(param):
    for attr in ("psi", "vjp", "n_params", "n_canonical"):
        if not hasattr(param, attr):
            raise ValueError(
                f"param must be a parameterization with psi, vjp, n_params and n_canonical, "
                f"but {describe_array(param)} has no {attr!r}"
            )
    return param


def _maps(param):
    """(ψ, Jᵀ·) on already validated vectors: the private fast path for the zoo."""
    if isinstance(param, Parameterization):
        return param._psi, param._vjp
    return param.psi, param.vjp


# --------------------------------------------------------------------------------------
# bounded-memory recording
# --------------------------------------------------------------------------------------
class _Recorder:
    """Rows recorded at steps 0, k, 2k, … and at the last step.

    With a cap ``max_records`` the buffer never holds more rows: when full, every other
    row is dropped and k doubles, so the rows stay evenly spread over the run.
    """

    def __init__(self, every, cap, shape):
        self.every = every
        self.cap = cap
        self.shape = tuple(shape)
        self.n = 0
        size = 64 if cap is None else min(cap, 64)
        self.buf = np.empty((size, *self.shape)) if every else np.empty((0, *self.shape))
        self.steps = np.empty(size if every else 0, dtype=np.int64)

    def _thin(self):
        keep = slice(0, self.n, 2)
        m = len(range(0, self.n, 2))
        self.buf[:m] = self.buf[keep].copy()
        self.steps[:m] = self.steps[keep].copy()
        self.n = m
        self.every *= 2

    def _append(self, k, x):
        if self.n == len(self.buf):
            new = 2 * len(self.buf) if self.cap is None else min(2 * len(self.buf), self.cap)
            self.buf = np.concatenate([self.buf, np.empty((new - len(self.buf), *self.shape))])
            self.steps = np.concatenate([self.steps, np.empty(new - len(self.steps), dtype=np.int64)])
        self.buf[self.n] = x
        self.steps[self.n] = k
        self.n += 1

    def offer(self, k, x):
        if not self.every or k % self.every:
            return
        if self.cap is not None and self.n == self.cap:
            self._thin()
            if k % self.every:
                return
        self._append(k, x)

    def finish(self, k, x):
        if not self.every or (self.n and self.steps[self.n - 1] == k):
            return
        if self.cap is not None and self.n == self.cap:
            self._thin()
        self._append(k, x)

    def arrays(self):
        return self.buf[: self.n].copy(), self.steps[: self.n].copy()


def _check_every(name, every):
    if every is None or every == 0:
        return 0
    return as_positive(name, every, integer=True)


def _check_cap(max_records):
    if max_records is None:
        return None
    return as_positive("max_records", max_records, integer=True, minimum=2, strict=False)


# --------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DescentResult:
    r"""What one descent run did.

    Attributes:
        w: the final parameters (the last healthy iterate if the run diverged).
        theta: ψ(w).
        loss: L(ψ(w)), the final loss.
        grad_norm: ‖∇_w L‖ at the final iterate (for canonical descent, ‖∇_θ L‖).
        steps: number of updates applied to reach ``w``.
        status: ``"converged"``, ``"budget"`` or ``"diverged"``.
        diverged_at: index of the first unhealthy iterate (``steps + 1``), else ``None``.
        message: one line saying why the run stopped.
        losses, loss_steps: the loss history, recorded at ``loss_steps`` (every step by
            default, always including 0 and ``steps``).
        trajectory, trajectory_steps: θ recorded at ``trajectory_steps`` (shape (m, q));
            empty unless ``record_every`` was given.
        lr: the (last) step size.
        time: Σ of the step sizes used, the flow time the run approximates.
    """

    w: np.ndarray
    theta: np.ndarray
    loss: float
    grad_norm: float
    steps: int
    status: str
    diverged_at: int | None
    message: str
    losses: np.ndarray = field(repr=False)
    loss_steps: np.ndarray = field(repr=False)
    trajectory: np.ndarray = field(repr=False)
    trajectory_steps: np.ndarray = field(repr=False)
    lr: float = np.nan
    time: float = 0.0

    @property
    def converged(self) -> bool:
        return self.status == "converged"

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"


@dataclass(frozen=True)
class BatchDescentResult:
    r"""What B simultaneous descent runs did (member b is row b everywhere).

    Attributes:
        W: final parameters, (B, p).  Theta: ψ row by row, (B, q).
        loss, grad_norm: final values, (B,).
        steps: updates applied per member, (B,) int.
        status: (B,) array of ``"converged"``/``"budget"``/``"diverged"``.
        diverged_at: (B,) int, −1 where the member did not diverge.
        losses, loss_steps: history, (m, B) at global steps (m,); after a member stops its
            column repeats its final loss.
        trajectory, trajectory_steps: θ history, (r, B, q) at (r,); frozen after a stop.
        lr: (B,) step sizes.
    """

    W: np.ndarray
    Theta: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    steps: np.ndarray
    status: np.ndarray
    diverged_at: np.ndarray
    losses: np.ndarray = field(repr=False)
    loss_steps: np.ndarray = field(repr=False)
    trajectory: np.ndarray = field(repr=False)
    trajectory_steps: np.ndarray = field(repr=False)
    lr: np.ndarray = field(repr=False, default=None)

    def __len__(self):
        return len(self.W)

    def member(self, b: int) -> DescentResult:
        """Member b as a :class:`DescentResult`: histories cut at its own last step."""
        B = len(self.W)
        if isinstance(b, bool) or not isinstance(b, (int, np.integer)) or not -B <= b < B:
            raise ValueError(f"b must be an integer index in range({B}), but got {b!r}")
        s = int(self.steps[b])

        def cut(values, at):
            keep = at <= s
            v, a = values[keep], at[keep]
            if len(a) == 0 or a[-1] != s:  # the final iterate, frozen in later rows
                v = np.concatenate([v, values[-1:]]) if len(values) else v
                a = np.concatenate([a, [s]]) if len(values) else a
            return v, a

        losses, loss_steps = cut(self.losses[:, b], self.loss_steps)
        traj, traj_steps = cut(self.trajectory[:, b], self.trajectory_steps)
        da = int(self.diverged_at[b])
        return DescentResult(
            w=self.W[b].copy(), theta=self.Theta[b].copy(), loss=float(self.loss[b]),
            grad_norm=float(self.grad_norm[b]), steps=s, status=str(self.status[b]),
            diverged_at=None if da < 0 else da, message=_message(str(self.status[b]), s, da, None),
            losses=losses, loss_steps=loss_steps, trajectory=traj, trajectory_steps=traj_steps,
            lr=float(self.lr[b]), time=float(self.lr[b]) * s,
        )

    def counts(self) -> dict:
        """How many members ended with each status."""
        return {st: int(np.sum(self.status == st)) for st in STATUSES}


def _message(status, steps, diverged_at, bad):
    if status == "diverged":
        extra = "" if bad is None else f": {bad}"
        return f"diverged at step {diverged_at}{extra}; returned the iterate of step {steps}"
    if status == "converged":
        return f"converged after {steps} steps"
    return f"budget exhausted after {steps} steps"


# --------------------------------------------------------------------------------------
# the engine
# --------------------------------------------------------------------------------------
def _common_options(steps, tol, criterion, divergence_factor):
    steps = as_positive("steps", steps, integer=True, minimum=0, strict=False)
    tol = as_positive("tol", tol, minimum=0.0, strict=False)
    if criterion not in _CRITERIA:
        raise ValueError(f"criterion must be one of {_CRITERIA}, but got {criterion!r}")
    divergence_factor = as_positive("divergence_factor", divergence_factor, minimum=1.0)
    return steps, tol, criterion, divergence_factor


def _max_loss(max_loss, L0, divergence_factor):
    if max_loss is None:
        return divergence_factor * max(abs(L0), 1.0)
    max_loss = float(max_loss)
    if not max_loss > L0:
        raise ValueError(f"max_loss must exceed the initial loss {L0:.6g}, but got {max_loss}")
    return max_loss


def _health(L, theta, G, w, max_loss):
    """None if the iterate is healthy, else a description of what went wrong."""
    g2 = float(G @ G)
    s = L + g2 + float(theta @ theta) + float(w @ w)
    if np.isfinite(s):
        return None if L <= max_loss else f"loss {L:.6g} above the bound {max_loss:.6g}"
    if not np.isfinite(L):
        return f"loss is {L}"
    for name, v in (("gradient", G), ("theta", theta), ("w", w)):
        if not np.isfinite(v).all():
            return f"{name} is not finite"
    return "a squared norm overflowed"


def _descend(psi, vjp, w0, loss, *, lr_policy, steps, tol, criterion, record_every, loss_every,
             max_records, max_loss, divergence_factor, time_budget=np.inf) -> DescentResult:
    """The loop shared by every single-run engine; ``lr_policy(k, w, L, L_prev) -> η``."""
    q = loss.n_canonical
    with np.errstate(all="ignore"):
        w = np.array(w0, dtype=float)
        theta = np.asarray(psi(w), dtype=float)
        if theta.shape != (q,):
            raise ValueError(f"param.psi must return a vector of shape ({q},), but returned shape {theta.shape}")
        L, g = loss.value_and_grad(theta)
        g = np.asarray(g, dtype=float)
        if g.shape != (q,):
            raise ValueError(f"loss gradient must have shape ({q},), but has shape {g.shape}")
        G = np.asarray(vjp(w, g), dtype=float)
        bad = _health(L, theta, G, w, np.inf)
        if bad is not None:
            raise ValueError(f"w0 must give a finite loss and gradient, but at w0 the {bad}")
        max_loss = _max_loss(max_loss, L, divergence_factor)

        losses = _Recorder(loss_every, max_records, ())
        traj = _Recorder(record_every, max_records, (q,))
        losses.offer(0, L)
        traj.offer(0, theta)
        k, status, diverged_at, why, eta, t = 0, "budget", None, None, np.nan, 0.0
        L_prev, time_up = np.inf, not time_budget > 0
        while True:
            gn = float(np.sqrt(G @ G))
            if (L if criterion == "loss" else gn) <= tol:
                status = "converged"
                break
            if k >= steps or time_up:
                break
            eta = lr_policy(k, w, L, L_prev)
            if t + eta >= time_budget:  # land on the time budget exactly
                eta, time_up = time_budget - t, True
            w_new = w - eta * G
            try:
                theta_new = np.asarray(psi(w_new), dtype=float)
                L_new, g_new = loss.value_and_grad(theta_new)
                G_new = np.asarray(vjp(w_new, np.asarray(g_new, dtype=float)), dtype=float)
                why = _health(L_new, theta_new, G_new, w_new, max_loss)
            except ValueError as exc:  # a validating map refusing a non-finite or out-of-domain iterate
                why = f"ValueError from the map or the loss: {exc}"
            if why is not None:
                status, diverged_at = "diverged", k + 1
                break
            k += 1
            t += eta
            L_prev = L
            w, theta, L, G = w_new, theta_new, L_new, G_new
            losses.offer(k, L)
            traj.offer(k, theta)
        losses.finish(k, L)
        traj.finish(k, theta)
    lv, ls = losses.arrays()
    tv, ts = traj.arrays()
    return DescentResult(w=w, theta=theta, loss=float(L), grad_norm=float(np.sqrt(G @ G)), steps=k,
                         status=status, diverged_at=diverged_at, message=_message(status, k, diverged_at, why),
                         losses=lv, loss_steps=ls, trajectory=tv, trajectory_steps=ts, lr=float(eta), time=t)


def gradient_descent(param, w0, loss, *, lr: float, steps: int = 10_000, tol: float = 1e-12,
                     criterion: str = "loss", record_every: int | None = None, loss_every: int = 1,
                     max_records: int | None = None, divergence_factor: float = 1e12,
                     max_loss: float | None = None) -> DescentResult:
    r"""Parametric gradient descent w ← w − η J(w)ᵀ∇_θℓ(ψ(w)) from w₀.

    Args:
        param: any parameterization with ``psi``, ``vjp``, ``n_params``, ``n_canonical``.
        w0: the initial parameters, a vector of length p.
        loss: a :class:`SquaredLoss` or :class:`CanonicalLoss` on R^q.
        lr: the step size η > 0.
        steps: the step budget (≥ 0).
        tol: stop as ``"converged"`` once L ≤ tol (``criterion="loss"``) or ‖∇_w L‖ ≤ tol
            (``criterion="grad"``). The check is made at every iterate, w₀ included.
        record_every: record θ every this many steps (and at the last step); ``None``: off.
        loss_every: record the loss every this many steps (and at the last step).
        max_records: cap on the rows of each history; when reached, every other row is
            dropped and the recording interval doubles (memory stays O(max_records)).
        divergence_factor, max_loss: the run diverges when the loss exceeds ``max_loss``
            (default ``divergence_factor·max(|L₀|, 1)``) or anything is non-finite.

    Returns:
        A :class:`DescentResult`.

    Raises:
        ValueError: on malformed input, or if w₀ itself gives a non-finite loss or gradient.
    """
    param = _check_param(param)
    w0 = param.check_w(w0, "w0") if hasattr(param, "check_w") else as_vector("w0", w0, param.n_params)
    loss = _check_loss(loss, param.n_canonical)
    lr = as_positive("lr", lr)
    steps, tol, criterion, divergence_factor = _common_options(steps, tol, criterion, divergence_factor)
    psi, vjp = _maps(param)
    return _descend(psi, vjp, w0, loss, lr_policy=lambda *_: lr, steps=steps, tol=tol, criterion=criterion,
                    record_every=_check_every("record_every", record_every),
                    loss_every=_check_every("loss_every", loss_every) or 1,
                    max_records=_check_cap(max_records), max_loss=max_loss, divergence_factor=divergence_factor)


def canonical_descent(theta0, loss, *, lr: float, **options) -> DescentResult:
    r"""Canonical gradient descent θ ← θ − η∇_θℓ(θ): :func:`gradient_descent` on the identity.

    Same options and result as :func:`gradient_descent` (there ``w`` equals ``theta``). For the
    squared loss it converges for every start iff η < 2/λ_max(XᵀX) (on range(Xᵀ)).
    """
    q = getattr(loss, "n_canonical", None)
    if q is None:
        _check_loss(loss, 0)
    return gradient_descent(Identity(q), theta0, loss, lr=lr, **options)


# --------------------------------------------------------------------------------------
# batched engine
# --------------------------------------------------------------------------------------
def _scalar_chain(param) -> bool:
    return isinstance(param, MatrixFactorization) and param.m == 1 and param.n == 1 and all(
        h == 1 for h in param.widths)


def _batched_maps(param):
    """(Ψ, VJP) on arrays (B, p) → (B, q) and ((B, p), (B, q)) → (B, p)."""
    if isinstance(param, Identity):
        return (lambda W: W.copy()), (lambda W, G: G.copy())
    if isinstance(param, Squared):
        return (lambda W: W * W), (lambda W, G: 2 * W * G)
    if isinstance(param, SignedSquared):
        q = param.n_canonical

        def psi(W):
            U, V = W[:, :q], W[:, q:]
            return U * U - V * V

        def vjp(W, G):
            return np.concatenate([2 * W[:, :q] * G, -2 * W[:, q:] * G], axis=1)

        return psi, vjp
    if isinstance(param, Inverse):
        return (lambda W: 1.0 / W), (lambda W, G: -G / (W * W))
    if isinstance(param, Polar):
        def psi(W):
            return W[:, :1] * np.stack([np.cos(W[:, 1]), np.sin(W[:, 1])], axis=1)

        def vjp(W, G):
            c, s = np.cos(W[:, 1]), np.sin(W[:, 1])
            return np.stack([c * G[:, 0] + s * G[:, 1], W[:, 0] * (-s * G[:, 0] + c * G[:, 1])], axis=1)

        return psi, vjp
    if _scalar_chain(param):
        def others(W):  # ∂(w₁⋯w_N)/∂w_i = Π_{j≠i} w_j via prefix and suffix products
            B, N = W.shape
            pre = np.ones((B, N))
            suf = np.ones((B, N))
            pre[:, 1:] = np.cumprod(W[:, :-1], axis=1)
            suf[:, :-1] = np.cumprod(W[:, :0:-1], axis=1)[:, ::-1]
            return pre * suf

        return (lambda W: np.prod(W, axis=1, keepdims=True)), (lambda W, G: G[:, :1] * others(W))
    psi1, vjp1 = _maps(param)
    return (lambda W: np.stack([psi1(w) for w in W])), (lambda W, G: np.stack([vjp1(w, g) for w, g in zip(W, G)]))


def _all_healthy(L, Theta, G, W, max_loss) -> bool:
    """Every row healthy: finite losses within the bound and entries below 1e150 (so no squared
    norm can overflow). Element-wise reductions only: a BLAS dot over B·p entries may go
    multi-threaded, which is slow on a busy machine. Anything else goes to the per-row check."""
    if not (np.isfinite(L.sum()) and np.all(L <= max_loss)):
        return False
    return bool(max(np.max(np.abs(a)) for a in (G, Theta, W)) < 1e150)


def _health_batch(L, Theta, G, W, max_loss):
    """(B,) bool: the rows that are healthy."""
    s = L + np.einsum("bi,bi->b", G, G) + np.einsum("bi,bi->b", Theta, Theta) + np.einsum("bi,bi->b", W, W)
    return np.isfinite(s) & (L <= max_loss)


def batched_descent(param, W0, loss, *, lr, steps: int = 10_000, tol: float = 1e-12, criterion: str = "loss",
                    record_every: int | None = None, loss_every: int = 1, max_records: int | None = None,
                    divergence_factor: float = 1e12, max_loss=None) -> BatchDescentResult:
    r"""B independent runs of :func:`gradient_descent` as one vectorised loop.

    Row b of ``W0`` (shape (B, p)) starts run b with step size ``lr[b]`` (a scalar is shared).
    Each run stops on its own criterion, status and divergence exactly as in
    :func:`gradient_descent`; a stopped row is frozen. The loss must be a :class:`SquaredLoss`
    or a :class:`CanonicalLoss` (vectorised or not). ``max_loss`` may be a scalar or (B,).

    Closed-form batched maps exist for Identity, Squared, SignedSquared, Inverse, Polar and the
    scalar chain θ = w₁⋯w_N (``DeepLinear(d=1, N)``); other parameterizations run row by row
    (correct, not faster).

    Returns:
        A :class:`BatchDescentResult`; ``.member(b)`` is run b as a :class:`DescentResult`.
    """
    param = _check_param(param)
    p, q = param.n_params, param.n_canonical
    W = as_matrix("W0", W0, (None, p)).copy()
    B = len(W)
    if B == 0:
        raise ValueError("W0 must hold at least one row (one initial point), but got 0 rows")
    if hasattr(param, "check_w"):
        for b in range(B):
            param.check_w(W[b], f"W0[{b}]")
    loss = _check_loss(loss, q)
    lr = np.broadcast_to(np.asarray(lr, dtype=float), (B,)).copy() if np.ndim(lr) == 0 else \
        as_vector("lr", lr, B).copy()
    if not (np.all(np.isfinite(lr)) and np.all(lr > 0)):
        raise ValueError(f"lr must be positive and finite, but got {lr[~(np.isfinite(lr) & (lr > 0))][:3]}")
    steps, tol, criterion, divergence_factor = _common_options(steps, tol, criterion, divergence_factor)
    record_every = _check_every("record_every", record_every)
    loss_every = _check_every("loss_every", loss_every) or 1
    max_records = _check_cap(max_records)
    psi, vjp = _batched_maps(param)

    with np.errstate(all="ignore"):
        Theta = psi(W)
        L, Gt = loss.value_and_grad_batch(Theta)
        G = vjp(W, Gt)
        ok = _health_batch(L, Theta, G, W, np.inf)
        if not ok.all():
            b = int(np.flatnonzero(~ok)[0])
            raise ValueError(f"W0 must give finite losses and gradients, but row {b} does not (loss {L[b]})")
        if max_loss is None:
            ML = divergence_factor * np.maximum(np.abs(L), 1.0)
        else:
            ML = np.broadcast_to(np.asarray(max_loss, dtype=float), (B,)).copy()
            if not np.all(ML > L):
                b = int(np.flatnonzero(~(ML > L))[0])
                raise ValueError(f"max_loss must exceed the initial loss, but for row {b} it is {ML[b]} ≤ {L[b]}")

        active = np.ones(B, dtype=bool)
        status = np.full(B, "budget", dtype=object)
        diverged_at = np.full(B, -1, dtype=np.int64)
        nsteps = np.zeros(B, dtype=np.int64)
        losses = _Recorder(loss_every, max_records, (B,))
        traj = _Recorder(record_every, max_records, (B, q))
        losses.offer(0, L)
        traj.offer(0, Theta)
        k = 0
        all_active = True  # fast path: no member has stopped, no masking needed
        lr_col = lr[:, None]
        while True:
            crit = L if criterion == "loss" else np.sqrt(np.einsum("bi,bi->b", G, G))
            done = crit <= tol
            if done.any():
                done &= active
                status[done] = "converged"
                active &= ~done
                all_active = all_active and not done.any()
            if k >= steps or not active.any():
                break
            W_new = W - lr_col * G
            Theta_new = psi(W_new)
            L_new, Gt_new = loss.value_and_grad_batch(Theta_new)
            G_new = vjp(W_new, Gt_new)
            if not _all_healthy(L_new, Theta_new, G_new, W_new, ML):
                healthy = _health_batch(L_new, Theta_new, G_new, W_new, ML)
                bad = active & ~healthy
                if bad.any():
                    status[bad] = "diverged"
                    diverged_at[bad] = k + 1
                    active &= healthy
                    all_active = False
            k += 1
            if all_active:
                W, Theta, G, L = W_new, Theta_new, G_new, L_new
            else:
                upd = active[:, None]
                W = np.where(upd, W_new, W)
                Theta = np.where(upd, Theta_new, Theta)
                G = np.where(upd, G_new, G)
                L = np.where(active, L_new, L)
            nsteps[active] = k
            losses.offer(k, L)
            traj.offer(k, Theta)
        losses.finish(k, L)
        traj.finish(k, Theta)
    lv, ls = losses.arrays()
    tv, ts = traj.arrays()
    return BatchDescentResult(W=W, Theta=Theta, loss=L.copy(), grad_norm=np.sqrt(np.einsum("bi,bi->b", G, G)),
                              steps=nsteps, status=status.astype(str), diverged_at=diverged_at,
                              losses=lv, loss_steps=ls, trajectory=tv, trajectory_steps=ts, lr=lr)


def uniform_initial(param, alpha: float) -> np.ndarray:
    r"""The uniform initialization of scale α for an element-wise parameterization.

    Squared, Inverse, Identity: w₀ = α·1 (so θ₀ = α²·1, α⁻¹·1, α·1).
    SignedSquared: u₀ = v₀ = α·1 (θ₀ = 0), as in Woodworth et al. 2020.
    """
    alpha = as_positive("alpha", alpha)
    if isinstance(param, (Identity, Squared, SignedSquared, Inverse)):
        return np.full(param.n_params, alpha)
    raise ValueError(
        f"param must be Identity, Squared, SignedSquared or Inverse for a uniform initialization, "
        f"but got {param!r}"
    )


def alpha_sweep(param, alphas, loss, *, lr, **options) -> BatchDescentResult:
    r"""Descent from w₀ = :func:`uniform_initial` (param, α) for every α in ``alphas``, batched.

    ``lr`` is a scalar, an array matching ``alphas``, or a callable α ↦ η (the local curvature
    scales with α: K = diag(4α²) for Squared at w₀, so a useful choice is η ∝ 1/α² there).
    Other options as in :func:`batched_descent`; row b of the result belongs to ``alphas[b]``.
    """
    alphas = np.atleast_1d(np.asarray(alphas, dtype=float))
    if alphas.ndim != 1 or len(alphas) == 0:
        raise ValueError(f"alphas must be a non-empty 1-d array of scales, but got {describe_array(alphas)}")
    W0 = np.stack([uniform_initial(param, a) for a in alphas])
    if callable(lr):
        lr = np.array([float(lr(a)) for a in alphas])
    return batched_descent(param, W0, loss, lr=lr, **options)


# --------------------------------------------------------------------------------------
# gradient flow
# --------------------------------------------------------------------------------------
def _parametric_grad(psi, vjp, loss):
    def grad(w):
        return np.asarray(vjp(w, loss.value_and_grad(np.asarray(psi(w), dtype=float))[1]), dtype=float)

    return grad


def curvature(param, w, loss, *, iters: int = 30, v0=None, rel_step: float = 1e-5, return_vector: bool = False):
    r"""An estimate of ρ(∇²_w L), the spectral radius of the parametric Hessian at w.

    ∇²_w L = Jᵀ(∇²ℓ)J + Σ_i (∂ℓ/∂θ_i)∇²ψ_i: both the Gauss–Newton part (whose non-zero
    eigenvalues are those of X K Xᵀ for the squared loss) and the residual part, which dominates
    near a saddle such as w = 0. Power iteration on Hessian–vector products taken as central
    differences of the parametric gradient, Hv ≈ (∇L(w+εv) − ∇L(w−εv))/(2ε), ε = rel_step·max(‖w‖, 1e-8).
    The estimate is max_k ‖Hv_k‖ over unit iterates v_k, a lower bound on ρ that is close after a
    few iterations from a random (or warm) start.

    Returns:
        ρ, or (ρ, v) with the last unit vector v (to warm-start the next call).
    """
    param = _check_param(param)
    w = as_vector("w", w, param.n_params)
    loss = _check_loss(loss, param.n_canonical)
    iters = as_positive("iters", iters, integer=True)
    grad = _parametric_grad(*_maps(param), loss)
    if v0 is None:
        v = np.random.default_rng(0).standard_normal(param.n_params)
    else:
        v = as_vector("v0", v0, param.n_params).copy()
    nv = np.linalg.norm(v)
    v = v / nv if nv > 0 else np.ones_like(v) / np.sqrt(len(v))
    eps = rel_step * max(float(np.linalg.norm(w)), 1e-8)
    rho = 0.0
    with np.errstate(all="ignore"):
        for _ in range(iters):
            Hv = (grad(w + eps * v) - grad(w - eps * v)) / (2 * eps)
            n = float(np.linalg.norm(Hv))
            if not np.isfinite(n):
                raise ValueError(f"the Hessian at w is not finite (‖Hv‖ = {n}); w is outside the loss's domain")
            rho = max(rho, n)
            if n == 0:
                break
            v = Hv / n
    return (rho, v) if return_vector else rho


def gradient_flow(param, w0, loss, *, t_max: float = np.inf, steps: int = 100_000, c: float = 0.1,
                  reestimate_every: int = 25, rel_move: float = 0.05, lr_max: float = np.inf,
                  power_iters: int = 20, tol: float = 1e-12, criterion: str = "loss",
                  record_every: int | None = None, loss_every: int = 1, max_records: int | None = None,
                  divergence_factor: float = 1e12, max_loss: float | None = None) -> DescentResult:
    r"""Gradient flow ẇ = −J(w)ᵀ∇_θℓ(ψ(w)) approximated by descent with curvature-scaled steps.

    The step is η = min(c/ρ, lr_max), ρ = :func:`curvature` (the spectral radius of ∇²_w L;
    ``power_iters`` iterations at the start, a quarter of them warm-started afterwards),
    re-estimated every ``reestimate_every`` steps, whenever w has moved by more than
    ``rel_move·‖w‖`` since the last estimate, and whenever the loss went up (a flow never
    increases the loss; each such event also halves c for the rest of the run). With c well
    below 2 the iterates are stable and follow the flow with an error O(η) per unit time: the
    distance to the flow at a fixed time, and to its limit point, shrinks about linearly with c
    (measured: c = 0.2 → 0.05 divides it by 4 on a Squared example).

    The run stops at flow time ``t_max`` (Σ η ≥ t_max, status ``"budget"``), at the step budget,
    or as in :func:`gradient_descent`. The result's ``time`` is the flow time reached and ``lr``
    the last step size. For a fixed, known-safe step use :func:`gradient_descent` instead.
    """
    param = _check_param(param)
    w0 = param.check_w(w0, "w0") if hasattr(param, "check_w") else as_vector("w0", w0, param.n_params)
    loss = _check_loss(loss, param.n_canonical)
    c = as_positive("c", c)
    if c >= 2:
        raise ValueError(f"c must be below 2 (η·ρ < 2 is the stability limit), but got {c}")
    t_max = float(t_max)
    if not t_max > 0:
        raise ValueError(f"t_max must be positive, but got {t_max}")
    lr_max = float(lr_max)
    if not lr_max > 0:
        raise ValueError(f"lr_max must be positive, but got {lr_max}")
    reestimate_every = as_positive("reestimate_every", reestimate_every, integer=True)
    rel_move = as_positive("rel_move", rel_move)
    power_iters = as_positive("power_iters", power_iters, integer=True)
    steps, tol, criterion, divergence_factor = _common_options(steps, tol, criterion, divergence_factor)
    psi, vjp = _maps(param)

    state = {"v": None, "w_est": None, "k_est": -1, "eta": None, "c": c}

    def estimate(w, iters):
        rho, state["v"] = curvature(param, w, loss, iters=iters, v0=state["v"], return_vector=True)
        eta = lr_max if rho == 0 else min(state["c"] / rho, lr_max)
        if not np.isfinite(eta):
            eta = 1.0 if state["eta"] is None else 10 * state["eta"]
        if state["eta"] is not None:
            eta = min(eta, 10 * state["eta"])  # no sudden jumps at flat points
        state["eta"], state["w_est"] = eta, w.copy()

    def policy(k, w, L, L_prev):
        if L > L_prev:
            state["c"] *= 0.5
            state["k_est"] = k
            estimate(w, 2 * power_iters)
        elif (state["eta"] is None or k - state["k_est"] >= reestimate_every
              or np.linalg.norm(w - state["w_est"]) > rel_move * np.linalg.norm(state["w_est"])):
            state["k_est"] = k
            # a warm start from the last top eigenvector needs few iterations
            estimate(w, power_iters if state["v"] is None else max(5, power_iters // 4))
        return state["eta"]

    return _descend(psi, vjp, w0, loss, lr_policy=policy, steps=steps, tol=tol, criterion=criterion,
                    record_every=_check_every("record_every", record_every),
                    loss_every=_check_every("loss_every", loss_every) or 1,
                    max_records=_check_cap(max_records), max_loss=max_loss, divergence_factor=divergence_factor,
                    time_budget=t_max)
