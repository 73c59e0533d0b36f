"""Checks of the arguments every engine shares: the parameterization, the loss and the stopping options."""

from __future__ import annotations

import numpy as np

from overparam.parameterizations.validate import as_positive, describe_array

__all__ = ["CRITERIA", "check_loss", "check_param", "maps", "common_options", "max_loss_bound"]

#: what a run's ``tol`` applies to: the loss, or the norm of the parametric gradient
CRITERIA = ("loss", "grad")


def check_loss(loss, q: int):
    """``loss`` if it is a canonical loss on R^q (see :mod:`overparam.descent.losses`)."""
    if not hasattr(loss, "value_and_grad") or not hasattr(loss, "n_canonical"):
        raise ValueError(
            f"loss must be a canonical loss such as squared_loss(X, y) or FunctionLoss(value, grad, q), "
            f"but got {describe_array(loss)}"
        )
    if loss.n_canonical != q:
        raise ValueError(
            f"loss must act on the canonical space of dimension q = {q}, but it has dimension {loss.n_canonical}"
        )
    return loss


def check_param(param):
    """``param`` if it has what an engine calls: psi, vjp, n_params and n_canonical."""
    for attr in ("psi", "vjp", "n_params", "n_canonical"):
        if not hasattr(param, attr):
            raise ValueError(
                f"param must be a parameterization with psi, vjp, n_params and n_canonical, "
                f"but {describe_array(param)} has no {attr!r}"
            )
    return param


def maps(param, batched: bool = False):
    """(ψ, (w, g) ↦ Jᵀg) on input the engine has validated; ``batched``: row-wise on (B, p) arrays.

    A parameterization's unchecked maps (vectorized where its class has a closed form); for
    any other object its public ``psi`` and ``vjp``, row by row when batched.
    """
    if hasattr(param, "unchecked_maps"):
        return param.unchecked_maps(batched)
    if not batched:
        return param.psi, param.vjp
    return ((lambda W: np.stack([param.psi(w) for w in W])),
            (lambda W, G: np.stack([param.vjp(w, g) for w, g in zip(W, G)])))


def common_options(steps, tol, criterion, divergence_factor):
    """The stopping options, validated: (steps, tol, criterion, divergence_factor)."""
    steps = as_positive("steps", steps, integer=True, minimum=0, strict=False)
    tol = as_positive("tol", tol, minimum=0.0, strict=False)
    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be one of {CRITERIA}, but got {criterion!r}")
    divergence_factor = as_positive("divergence_factor", divergence_factor, minimum=1.0)
    return steps, tol, criterion, divergence_factor


def max_loss_bound(max_loss, L0, divergence_factor):
    """The loss above which a run has diverged: ``max_loss``, or divergence_factor·max(|L₀|, 1)."""
    if max_loss is None:
        return divergence_factor * max(abs(L0), 1.0)
    max_loss = float(max_loss)
    if not max_loss > L0:
        raise ValueError(f"max_loss must exceed the initial loss {L0:.6g}, but got {max_loss}")
    return max_loss

