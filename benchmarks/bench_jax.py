"""The JAX wrapper's cost against JAX itself: what JaxModel adds to a hand-jitted function.

* **Large** (p ≈ 10⁶): a tanh network θ = tanh(XW₁ᵀ + b)a on n = 64 fixed inputs in R^1000, width
  1000 (p = 1,002,000, q = 64). ``m.induced_step(w, g)`` against ``jax.jit(jvp∘vjp)`` written by
  hand, called on the same numpy arrays (and on arrays already on the device, for reference). The
  aim: within 1.5×.
* **Small** (p ≈ 100): the shipped ``mlp(n=5, d=4, width=7)`` (p = 98, q = 5). ``m.psi``, ``m.vjp``
  and ``m.induced_step`` against the jitted function called directly, its result turned into numpy.
  The aim: the wrapper's per-call time within 2× (its validation of w and of the result is the overhead).
* **Compilation**: seconds of CPU to compile every map of the small model (``warm()``), once.

Best of interleaved rounds (``timeit``); the load average is printed beside the numbers, since the
machine is shared. XLA runs on one thread (as bench_products.py runs BLAS), so that the numbers do not
depend on what else the machine runs. Run ``python benchmarks/bench_jax.py`` (``--quick``: fewer rounds).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import timeit

# XLA reads its flags when JAX loads, the BLAS its thread count when numpy loads: one thread each (the
# wrapper's finite check of w is a BLAS dot; threads that spin on a loaded machine made it 12 ms, not 0.3)
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from overparam.parameterizations.jax_model import JaxModel, jax, jnp  # noqa: E402
from overparam.parameterizations.jax_zoo import mlp  # noqa: E402


def _best(fns: dict, number: int, repeat: int) -> dict:
    """Best wall time per call of each function, rounds interleaved so that a burst of load hits all
    alike; and under ``name + "-cpu"`` the best CPU time (one thread: the work itself, which the load
    of other processes does not change)."""
    best = {k: np.inf for k in fns} | {k + "-cpu": np.inf for k in fns}
    for _ in range(repeat):
        for k, f in fns.items():
            c = time.process_time()
            best[k] = min(best[k], timeit.timeit(f, number=number) / number)
            best[k + "-cpu"] = min(best[k + "-cpu"], (time.process_time() - c) / number)
    return best


def _fmt(t: float) -> str:
    return f"{t * 1e6:8.1f} µs" if t < 1e-3 else f"{t * 1e3:8.2f} ms"


def large(repeat: int) -> None:
    n, d, k = 64, 1000, 1000
    X = np.random.default_rng(0).standard_normal((n, d)) / np.sqrt(d)

    def psi(w):
        W, b, a = w[:k * d].reshape(k, d), w[k * d:k * d + k], w[k * d + k:]
        return jnp.tanh(X @ W.T + b) @ a

    p = k * d + 2 * k
    m = JaxModel(psi, p, name="wide").warm(checks=False)
    rng = np.random.default_rng(1)
    w, g = rng.standard_normal(p) / np.sqrt(d), rng.standard_normal(n)

    @jax.jit
    def hand(w, g):
        return jax.jvp(psi, (w,), (jax.vjp(psi, w)[1](g)[0],))[1]

    wd, gd = jnp.asarray(w), jnp.asarray(g)
    assert np.allclose(m.induced_step(w, g), np.asarray(hand(w, g)))
    t = _best({"wrapper": lambda: m.induced_step(w, g), "hand": lambda: np.asarray(hand(w, g)),
               "hand-device": lambda: hand(wd, gd).block_until_ready()}, 5, repeat)
    print(f"large: p = {p:,}, q = {n}: induced step (wall, and CPU)")
    print(f"  JaxModel.induced_step(w, g)            {_fmt(t['wrapper'])} {_fmt(t['wrapper-cpu'])}")
    for name, what in (("hand", "hand-jitted jvp∘vjp, numpy in and out"),
                       ("hand-device", "hand-jitted, arrays on the device    ")):
        print(f"  {what}  {_fmt(t[name])} {_fmt(t[name + '-cpu'])}   ratio {t['wrapper'] / t[name]:.2f}, CPU "
              f"{t['wrapper-cpu'] / t[name + '-cpu']:.2f} (aim ≤ 1.5)")


def small(repeat: int) -> None:
    t0 = time.process_time()
    m = mlp(n=5, d=4, width=7).warm()
    compile_cpu = time.process_time() - t0
    rng = np.random.default_rng(2)
    w, g = rng.standard_normal(m.n_params), rng.standard_normal(m.n_canonical)
    maps = m._maps  # the very functions the wrapper calls, called directly
    fns = {"psi": lambda: m.psi(w), "psi-direct": lambda: np.asarray(maps["psi"](w)),
           "vjp": lambda: m.vjp(w, g), "vjp-direct": lambda: np.asarray(maps["vjp"](w, g)),
           "step": lambda: m.induced_step(w, g), "step-direct": lambda: np.asarray(maps["step"](w, g))}
    t = _best(fns, 50, 3 * repeat)  # short rounds, many: one of them runs while the machine is quiet
    print(f"small: {m.label}: per call")
    for name in ("psi", "vjp", "step"):
        print(f"  {name:5s} JaxModel {_fmt(t[name])}   jitted directly {_fmt(t[name + '-direct'])}   ratio "
              f"{t[name] / t[name + '-direct']:.2f}, CPU {t[name + '-cpu'] / t[name + '-direct-cpu']:.2f} (aim ≤ 2)")
    print(f"compiling every map of {m.label} (warm()): {compile_cpu:.2f} s of CPU")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    args = ap.parse_args(argv)
    repeat = 3 if args.quick else 15
    print(f"JAX {jax.__version__}, {jax.devices()[0].platform}; load average {os.getloadavg()[0]:.2f} "
          f"{os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    small(repeat)
    large(repeat)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
