"""Timing of the descent engines (a script, not a test).

    python benchmarks/bench_descent.py [--steps 20000] [--repeat 3]

Prints two tables: steps per second of :func:`gradient_descent` for every member of the zoo at
its small default size, and the batched α-sweep (:func:`alpha_sweep`) against a Python loop of
single runs over the same α. Times are the best of ``--repeat`` runs (wall clock,
``time.perf_counter``); every run uses the whole step budget (``tol=0``).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import overparam.parameterizations as P  # noqa: E402
from overparam.descent import (  # noqa: E402
    alpha_sweep,
    batched_descent,
    curvature,
    gradient_descent,
    squared_loss,
    uniform_initial,
)


def best_of(repeat, fn):
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def zoo_table(steps, repeat):
    rng = np.random.default_rng(0)
    rows = []
    for param in P.zoo():
        q = param.n_canonical
        X = rng.standard_normal((max(1, q - 1), q)) / np.sqrt(max(1, q - 1))
        loss = squared_loss(X, X @ rng.standard_normal(q))
        w0 = param.sample(1, scale=0.5)
        lr = 0.05 / max(curvature(param, w0, loss), 1e-3)
        dt, r = best_of(repeat, lambda: gradient_descent(param, w0, loss, lr=lr, steps=steps, tol=0))
        rows.append((param.label, param.n_params, q, r.steps / dt, r.status))
    print(f"\ngradient_descent, {steps} steps, squared loss with n = q − 1 examples")
    print(f"{'parameterization':36s} {'p':>4s} {'q':>3s} {'steps/s':>10s} {'µs/step':>8s}  status")
    for label, p, q, sps, status in rows:
        print(f"{label:36s} {p:4d} {q:3d} {sps:10.0f} {1e6 / sps:8.1f}  {status}")
    return rows


def sweep_table(steps, repeat, q=20, n=8):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((n, q)) / np.sqrt(n)
    theta = np.zeros(q)
    theta[:3] = 1.0
    loss = squared_loss(X, X @ theta)
    rows = []
    for param in (P.Squared(q), P.SignedSquared(q), P.Inverse(q)):
        for B in (1, 8, 64, 256):
            alphas = np.geomspace(0.1, 1.0, B)
            lrs = np.array([0.05 / curvature(param, uniform_initial(param, a), loss) for a in alphas])
            t_batch, res = best_of(repeat, lambda: alpha_sweep(param, alphas, loss, lr=lrs, steps=steps, tol=0))
            loop_B = min(B, 8)  # time a few single runs and scale: the loop is linear in B
            t_loop, _ = best_of(repeat, lambda: [gradient_descent(param, uniform_initial(param, a), loss, lr=lr,
                                                                  steps=steps, tol=0)
                                                 for a, lr in zip(alphas[:loop_B], lrs[:loop_B])])
            t_loop *= B / loop_B
            rows.append((param.family, B, B * steps / t_batch, B * steps / t_loop, t_loop / t_batch,
                         res.counts()["diverged"]))
    N, B = 10, 256
    W0 = np.random.default_rng(2).standard_normal((B, N))
    chain = P.DeepLinear(1, N)
    loss1 = squared_loss([[1.0]], [1.0])
    t_batch, _ = best_of(repeat, lambda: batched_descent(chain, W0, loss1, lr=1e-3, steps=steps, tol=0))
    t_loop, _ = best_of(repeat, lambda: [gradient_descent(chain, w, loss1, lr=1e-3, steps=steps, tol=0)
                                         for w in W0[:8]])
    t_loop *= B / 8
    rows.append((f"chain N={N}", B, B * steps / t_batch, B * steps / t_loop, t_loop / t_batch, 0))
    print(f"\nbatched sweep vs a Python loop of single runs, {steps} steps, q = {q}, n = {n}")
    print(f"{'family':16s} {'B':>4s} {'batched run-steps/s':>20s} {'loop run-steps/s':>17s} {'speed-up':>9s}")
    for fam, B, sb, sl, su, _ in rows:
        print(f"{fam:16s} {B:4d} {sb:20.0f} {sl:17.0f} {su:8.1f}×")
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, {platform.system()}, "
          f"{os.cpu_count()} CPUs, load average {load}")
    zoo_table(args.steps, args.repeat)
    sweep_table(max(args.steps // 10, 100), args.repeat)


if __name__ == "__main__":
    main()
