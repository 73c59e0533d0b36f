"""Histories of a descent run in bounded memory: rows kept at evenly spread steps."""

from __future__ import annotations

import numpy as np

from overparam.parameterizations.validate import as_positive

__all__ = ["Recorder", "histories", "check_every", "check_cap"]


class Recorder:
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


def histories(k, losses: Recorder, L, traj: Recorder, theta):
    """Both recorders closed at the last step k: (losses, loss_steps, trajectory, trajectory_steps)."""
    losses.finish(k, L)
    traj.finish(k, theta)
    return (*losses.arrays(), *traj.arrays())


def check_every(name, every):
    """A recording interval: 0 (off) for None or 0, else a positive integer."""
    if every is None or every == 0:
        return 0
    return as_positive(name, every, integer=True)


def check_cap(max_records):
    """The cap on recorded rows: None (no cap) or an integer ≥ 2."""
    if max_records is None:
        return None
    return as_positive("max_records", max_records, integer=True, minimum=2, strict=False)

