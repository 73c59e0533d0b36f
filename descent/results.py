"""What a descent run returns: :class:`DescentResult` (one run) and :class:`BatchDescentResult` (B runs)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["STATUSES", "StatusFlags", "DescentResult", "BatchDescentResult", "message"]

#: the possible values of ``status``
STATUSES = ("converged", "budget", "diverged")


class StatusFlags:
    """``converged`` and ``diverged`` read from a run's ``status`` (one of :data:`STATUSES`)."""

    status: str

    @property
    def converged(self) -> bool:
        return self.status == "converged"

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"


@dataclass(frozen=True)
class DescentResult(StatusFlags):
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
            diverged_at=None if da < 0 else da, message=message(str(self.status[b]), s, da, None),
            losses=losses, loss_steps=loss_steps, trajectory=traj, trajectory_steps=traj_steps,
            lr=float(self.lr[b]), time=float(self.lr[b]) * s,
        )

    def counts(self) -> dict:
        """How many members ended with each status."""
        return {st: int(np.sum(self.status == st)) for st in STATUSES}


def message(status, steps, diverged_at, bad):
    """The one line of a result saying why the run stopped; ``bad`` says what was wrong at ``diverged_at``."""
    if status == "diverged":
        extra = "" if bad is None else f": {bad}"
        return f"diverged at step {diverged_at}{extra}; returned the iterate of step {steps}"
    if status == "converged":
        return f"converged after {steps} steps"
    return f"budget exhausted after {steps} steps"

