r"""B descent runs as one vectorised loop: :func:`batched_descent` and the α-sweep.

The engine iterates on arrays of shape (B, p) with the parameterization's row-wise maps
(``psi_batch``/``vjp_batch``, closed forms where its class has one, row by row otherwise).
Each member stops on its own and :meth:`BatchDescentResult.member` returns what
:func:`overparam.descent.gradient_descent` would have reported for it, up to the round-off of the batched
products (gemm instead of gemv). In a stable run that difference stays at round-off; in an
unstable or chaotic one (η·ρ(∇²_w L) > 2 somewhere) it grows like any other perturbation.
"""

from __future__ import annotations

import math

import numpy as np

from overparam.parameterizations.validate import as_matrix, as_positive, as_vector, describe_array

from .arguments import check_loss, check_param, common_options, maps
from .recording import Recorder, check_cap, check_every, histories
from .results import BatchDescentResult

__all__ = ["batched_descent", "uniform_initial", "alpha_sweep", "compacted_descent"]


#: OpenBLAS runs a dot product of more entries than this on several threads, which is slow on a busy machine
_BLAS_DOT_SINGLE_THREAD = 10_000


def _squares(a) -> float:
    """Σ a², by BLAS's dot where it runs on one thread (the cheapest call), else by einsum's own loop."""
    return float(np.vdot(a, a)) if a.size <= _BLAS_DOT_SINGLE_THREAD else float(np.einsum("ij,ij->", a, a))


def _all_healthy(L, Theta, G, W, max_loss) -> bool:
    """Every row healthy, decided on the whole batch at once: the sum of the losses and of the squared
    entries of G, Θ and W is finite (a sum is finite only when every term is, so no row's squared norm
    overflowed) and every loss is within its bound. Anything else goes to the per-row check."""
    s = float(L.sum()) + _squares(G) + _squares(Theta) + _squares(W)
    return math.isfinite(s) and bool((L <= max_loss).all())


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
    :func:`gradient_descent`; a stopped row is frozen. The loss is any canonical loss
    (:mod:`overparam.descent.losses`). ``max_loss`` may be a scalar or (B,).

    The maps are the parameterization's ``psi_batch``/``vjp_batch``: closed forms for the
    element-wise maps, the scalar chain θ = w₁⋯w_N (``DeepLinear(d=1, N)``) and the matrix
    factorizations (one batched matrix product per layer), row by row for the others (correct,
    not faster).

    Returns:
        A :class:`BatchDescentResult`; ``.member(b)`` is run b as a :class:`DescentResult`.
    """
    param = check_param(param)
    p, q = param.n_params, param.n_canonical
    W = as_matrix("W0", W0, (None, p)).copy()
    B = len(W)
    if B == 0:
        raise ValueError("W0 must hold at least one row (one initial point), but got 0 rows")
    if hasattr(param, "check_w"):
        for b in range(B):
            param.check_w(W[b], f"W0[{b}]")
    loss = check_loss(loss, q)
    lr = np.broadcast_to(np.asarray(lr, dtype=float), (B,)).copy() if np.ndim(lr) == 0 else \
        as_vector("lr", lr, B).copy()
    if not (np.all(np.isfinite(lr)) and np.all(lr > 0)):
        raise ValueError(f"lr must be positive and finite, but got {lr[~(np.isfinite(lr) & (lr > 0))][:3]}")
    steps, tol, criterion, divergence_factor = common_options(steps, tol, criterion, divergence_factor)
    record_every = check_every("record_every", record_every)
    loss_every = check_every("loss_every", loss_every) or 1
    max_records = check_cap(max_records)
    psi, vjp = maps(param, batched=True)

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
        losses = Recorder(loss_every, max_records, (B,))
        traj = Recorder(record_every, max_records, (B, q))
        losses.offer(0, L)
        traj.offer(0, Theta)
        k = 0
        all_active = True  # fast path: no member has stopped, no masking needed
        lr_col = lr[:, None]
        by_loss = criterion == "loss"
        while True:
            crit = L if by_loss else np.sqrt(np.einsum("bi,bi->b", G, G))
            if float(crit.min()) <= tol:
                done = (crit <= tol) & active
                if done.any():
                    status[done] = "converged"
                    nsteps[done] = k
                    active &= ~done
                    all_active = False
            if k >= steps or not (all_active or active.any()):
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
                    nsteps[bad] = k
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
            losses.offer(k, L)
            traj.offer(k, Theta)
        nsteps[active] = k  # the rows that ran to the end (the others were set when they stopped)
        lv, ls, tv, ts = histories(k, losses, L, traj, Theta)
    return BatchDescentResult(W=W, Theta=Theta, loss=L.copy(), grad_norm=np.sqrt(np.einsum("bi,bi->b", G, G)),
                              steps=nsteps, status=status.astype(str), diverged_at=diverged_at,
                              losses=lv, loss_steps=ls, trajectory=tv, trajectory_steps=ts, lr=lr)


def uniform_initial(param, alpha: float) -> np.ndarray:
    r"""The uniform initialization of scale α, ``param.uniform_initial(α)``.

    Squared, Inverse, Identity: w₀ = α·1 (so θ₀ = α²·1, α⁻¹·1, α·1).
    SignedSquared: u₀ = v₀ = α·1 (θ₀ = 0), as in Woodworth et al. 2020.
    """
    alpha = as_positive("alpha", alpha)
    if not hasattr(param, "uniform_initial"):
        raise ValueError(f"param must be a parameterization with a uniform initialization, but got {param!r}")
    return param.uniform_initial(alpha)


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



def compacted_descent(param, W0, loss, *, lr, steps: int, tol: float, chunk: int = 250,
                      divergence_factor: float = 1e12):
    r""":func:`batched_descent` of every row of W0 to loss ≤ ``tol`` within ``steps``, in chunks of ``chunk`` steps,
    each carrying on only the rows still running.

    The same descent as one batched run (descent has no memory; the divergence bound of each row is fixed by its
    initial loss, divergence_factor·max(|ℓ₀|, 1), as there), at the cost of the steps the running rows need
    rather than of the slowest row's for all. ``loss`` is a loss with ``rows(idx)`` (the loss of those rows, e.g.
    :class:`overparam.descent.losses.StackedSquaredLoss`) or one loss shared by every row.

    Returns:
        (W, Θ, status, steps): the final iterates, ``"converged"``/``"budget"``/``"diverged"`` and the steps taken,
        one per row.
    """
    W = as_matrix("W0", W0, (None, param.n_params)).copy()
    B = len(W)
    lr = np.broadcast_to(np.asarray(lr, dtype=float), (B,)).copy()
    chunk = int(as_positive("chunk", chunk, integer=True))

    def part(idx):
        return loss.rows(idx) if hasattr(loss, "rows") else loss

    psi, _ = maps(param, batched=True)
    L0 = part(np.arange(B)).value_and_grad_batch(psi(W))[0]
    max_loss = divergence_factor * np.maximum(np.abs(L0), 1.0)
    Theta = psi(W)
    status = np.full(B, "budget", dtype=object)
    taken = np.zeros(B, dtype=np.int64)
    active = np.arange(B)
    done = 0
    while done < steps and len(active):
        n = min(chunk, steps - done)
        r = batched_descent(param, W[active], part(active), lr=lr[active], steps=n, tol=tol, loss_every=n,
                            max_loss=max_loss[active])
        W[active], Theta[active] = r.W, r.Theta
        taken[active] = done + r.steps
        status[active] = r.status
        active = active[r.status == "budget"]
        done += n
    return W, Theta, status.astype(str), taken
