"""Time and peak memory of the matrix-free products, against the floor of two passes over the weights.

For p from 10² to 10⁶ parameters:

* the two-layer linear net with k = d (d = 10 … 1000, p = kd + k);
* the deep linear net with N = 8 layers, hidden width 10 and input dimension
  d = 10 … 10⁵ (p = 10d + 6·10² + 10, so p ≈ 10⁶ at d = 10⁵);

the table lists, per size, the best time over interleaved rounds (``timeit``) and
the peak of the memory allocated during one call (``tracemalloc``, which sees
numpy's buffers) of ``jvp``, ``vjp``, ``induced_step``, of building J (only where
J's q·p·8 bytes stay under 200 MB), of the *floor*: the two matrix-vector products
any K g needs, h = U g then Uᵀh (for the deep net: the same with its largest layer
W₁, which holds all but ~600 of the weights), and of *check*: a separate finite
check of w and g, the validation the other public products make. The ratio
induced_step / floor is the figure of merit; the aim is ≤ 1.5. A separate check
reads w once more on top of the floor's two reads (check / floor ≈ 0.5 at large
p), so these two families fold the check of w into the products (see
TwoLayerLinear.induced_step).

Run ``python benchmarks/bench_products.py`` (``--quick`` for a smoke run of the
small sizes; ``--results benchmarks/RESULTS.md`` to write the table there).
BLAS runs on one thread unless ``--threads`` says otherwise, so that the numbers
do not depend on what else the machine runs.
"""

from __future__ import annotations

import argparse
import os
import sys


def _parse(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only, fewer repeats (a smoke run)")
    ap.add_argument("--repeat", type=int, default=None, help="timing rounds; the best is kept (default 15, quick 3)")
    ap.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    ap.add_argument("--results", default=None, help="also write the table, as Markdown, to this file")
    return ap.parse_args(argv)


ARGS = _parse() if __name__ == "__main__" else _parse([])
# the BLAS reads its thread count when numpy loads
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import platform  # noqa: E402
import time  # noqa: E402
import timeit  # noqa: E402
import tracemalloc  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from overparam.parameterizations import DeepLinear, TwoLayerLinear  # noqa: E402
from overparam.parameterizations.validate import as_vector  # noqa: E402

J_LIMIT = 200e6  # bytes: build J only below this

OPS = ("jvp", "vjp", "induced_step", "floor", "jacobian", "check")


def best_times(fns: dict, repeat: int, budget: float = 0.02) -> dict:
    """Best seconds per call of each function, timed in interleaved rounds.

    Each round times every function once (as many calls as fill ``budget`` seconds);
    the best of ``repeat`` rounds is kept. Interleaving makes a load spike on a
    shared machine hit all the columns of a row alike, not one.
    """
    numbers = {}
    for k, f in fns.items():
        f()  # warm up: lazy imports, caches, first-touch of memory
        once = min(timeit.repeat(f, number=1, repeat=3))
        numbers[k] = max(1, int(budget / max(once, 1e-7)))
    best = {k: float("inf") for k in fns}
    for _ in range(repeat):
        for k, f in fns.items():
            n = numbers[k]
            best[k] = min(best[k], timeit.timeit(f, number=n) / n)
    return best


def peak_bytes(fn) -> int:
    """Peak of the memory allocated (and traced) during one call."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return max(peak - base, 0)


def cases(quick: bool):
    tl = [10, 32] if quick else [10, 32, 100, 316, 1000]
    dl = [10, 100, 1000] if quick else [10, 100, 1000, 10_000, 100_000]
    for d in tl:
        yield TwoLayerLinear(k=d, d=d)
    for d in dl:
        yield DeepLinear(d=d, N=8, width=10)


def calls(m, rng):
    """The callables to measure on member ``m`` at a random point."""
    w = m.sample(rng)
    dw = rng.standard_normal(m.n_params)
    g = rng.standard_normal(m.n_canonical)
    if isinstance(m, TwoLayerLinear):
        big, _ = m.unpack(w)  # U, k×d
    else:
        big = m.unpack(w)[0]  # W₁, width×d
    p, q = m.n_params, m.n_canonical
    out = {
        "jvp": lambda: m.jvp(w, dw),
        "vjp": lambda: m.vjp(w, g),
        "induced_step": lambda: m.induced_step(w, g),
        # a separate finite check of w (p entries) and g (q entries)
        "check": lambda: (m.check_w(w), as_vector("g", g, q)),
        "floor": lambda: big.T @ (big @ g),
    }
    if q * p * 8 < J_LIMIT:
        out["jacobian"] = lambda: m.jacobian(w)
    return out


def fmt_time(s: float) -> str:
    return f"{s * 1e6:.3g} µs" if s < 1e-3 else f"{s * 1e3:.3g} ms"


def fmt_bytes(b: int) -> str:
    if b < 1e3:
        return f"{b} B"
    if b < 1e6:
        return f"{b / 1e3:.3g} kB"
    return f"{b / 1e6:.3g} MB"


def run(args) -> str:
    repeat = args.repeat or (3 if args.quick else 15)
    rng = np.random.default_rng(0)
    header = "| model | p | q | " + " | ".join(OPS) + " | induced_step / floor | check / floor |"
    rows = [header, "|" + "---|" * (len(OPS) + 5)]
    print(header, flush=True)
    for m in cases(args.quick):
        fns = calls(m, rng)
        t = best_times(fns, repeat)
        mem = {k: peak_bytes(f) for k, f in fns.items()}
        cells = [f"{fmt_time(t[k])}<br>{fmt_bytes(mem[k])}" if k in t else "— (J > 200 MB)" for k in OPS]
        ratio = t["induced_step"] / t["floor"]
        extra = t["check"] / t["floor"]
        row = f"| {m.label} | {m.n_params:,} | {m.n_canonical:,} | " + " | ".join(cells) + f" | {ratio:.2f} | {extra:.2f} |"
        rows.append(row)
        print(row, flush=True)
    return "\n".join(rows)


def main() -> None:
    args = ARGS
    started = time.strftime("%Y-%m-%d %H:%M")
    table = run(args)
    cmd = "python benchmarks/bench_products.py" + (" --quick" if args.quick else "") + (
        f" --threads {args.threads}" if args.threads != 1 else "") + (f" --repeat {args.repeat}" if args.repeat else "")
    env = (f"numpy {np.__version__}, Python {platform.python_version()}, {platform.machine()}, "
           f"{os.cpu_count()} CPUs, BLAS threads {args.threads}, load average {os.getloadavg()[0]:.1f} at the start")
    if args.results:
        with open(args.results, "w") as f:
            f.write(RESULTS_TEMPLATE.format(cmd=cmd, when=started, env=env, table=table))
        print(f"\nwritten to {args.results}")


RESULTS_TEMPLATE = """\
# Benchmark: the matrix-free products

Measured with

```bash
{cmd} --results benchmarks/RESULTS.md
```

on {when} ({env}).

Each cell is the best time per call over interleaved rounds (`timeit`) and, below
it, the peak memory allocated during one call (`tracemalloc`). *floor* is the two
matrix-vector products any K g needs, h = U g then Uᵀh (deep net: with its largest
layer W₁, 10×d); *check* is a separate finite check of w and g, as the other public
products make. J is built only where its q·p·8 bytes stay below 200 MB.

{table}

The aim is induced_step ≤ 1.5 × floor at large p. A separate finite check of w
reads the weights a third time (*check / floor* ≈ 0.4–0.6 at p ≈ 10⁶), so the
two-layer and the deep linear `induced_step` fold the check of the large layer
into the product that reads it anyway (h = Ug: a NaN or ±inf in U makes h
non-finite, inf·0 being NaN) and scan w only when h is not finite; the small
layers, g and the result are checked as usual. What remains above the floor for
the deep net is work on q = d = 10⁵-vectors (checking g and the result, adding
‖A₁‖²g), a tenth of p each. jvp and vjp check w and their other argument in
separate passes; vjp's time at p ≈ 10⁶ is mostly the first touch of the fresh
8 MB it returns. At small p every ratio measures Python's per-call overhead
(argument checks, a few dozen numpy calls for N = 8 layers), not arithmetic.
Times on a shared machine vary by ±20 % from run to run; the best of the
interleaved rounds is the most stable figure.
"""


if __name__ == "__main__":
    main()
