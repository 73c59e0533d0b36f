"""How small, and how fast, false conjectures' counterexamples shrink (not a test).

    python benchmarks/bench_shrink.py [--runs N] [--profile NAME]

Each false conjecture runs N times with a fresh seed and no example database; each run prints
the sizes of the shrunk counterexample, ‖θ‖ there, and the seconds the run took (search and
shrink). The conjectures: the README's (the induced step within 45° of x); cos(Kθ, θ) ≥ 0.9,
once over ``m.points()`` (its cosine is 0/0 at θ = 0, so the shrinker lands on the origin,
which says nothing about a θ ≠ 0) and once over
:func:`overparam.parameterizations.special_points.nonzero_theta_points` (θ ≠ 0 by construction); and a
deep linear one. The smallest sizes that fail are stated beside each.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import settings  # noqa: E402

from overparam.parameterizations.special_points import nonzero_theta_points  # noqa: E402
from overparam.parameterizations.strategies import inputs  # noqa: E402
from overparam.theorems.core import Claim, expect, run_claim  # noqa: E402
from overparam.theorems.example_strategies import deep_linear, examples, two_layer  # noqa: E402


def _cos(a, b) -> float:
    with np.errstate(invalid="ignore", divide="ignore"):  # 0/0 at θ = 0 is NaN, and a failure
        return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def near_x(ex):
    m, w, x = ex["param"], ex["w"], ex["x"]
    z = m.induced_step(w, x)
    if np.any(z):
        expect(_cos(z, x), ">=", np.sqrt(0.5), "cos(Kx, x)")


def near_theta(ex):
    m, w = ex["param"], ex["w"]
    theta = m.psi(w)
    expect(_cos(m.induced_step(w, theta), theta), ">=", 0.9, "cos(Kθ, θ)")


def deep_near_x(ex):
    m, w, x = ex["param"], ex["w"], ex["x"]
    z = m.induced_step(w, x)
    if np.any(z):
        expect(_cos(z, x), ">=", 0.5, "cos(Kx, x)")


CONJECTURES = [
    ("README: cos(Kx, x) ≥ 1/√2, two-layer", "k=1 d=2",
     Claim("S1", "open", "cos(Kx, x) ≥ 1/√2", "bench", check=near_x, name="near_x",
           strategy=examples(two_layer(), x=lambda m: inputs(m.d)))),
    ("two-layer, θ ≠ 0: cos(Kθ, θ) ≥ 0.9 over m.points()", "k=2 d=2 (θ ≠ 0)",
     Claim("S2", "open", "cos(Kθ, θ) ≥ 0.9", "bench", check=near_theta, name="near_theta",
           strategy=examples(two_layer()))),
    ("two-layer, θ ≠ 0: cos(Kθ, θ) ≥ 0.9 over nonzero_theta_points", "k=2 d=2",
     Claim("S3", "open", "cos(Kθ, θ) ≥ 0.9", "bench", check=near_theta, name="near_theta",
           strategy=examples(two_layer(), w=nonzero_theta_points))),
    ("deep linear: cos(Kx, x) ≥ 1/2", "d=2 N=2 width=1",
     Claim("S4", "open", "cos(Kx, x) ≥ 1/2", "bench", check=deep_near_x, name="deep_near_x",
           strategy=examples(deep_linear(), x=lambda m: inputs(m.d)))),
]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--profile", default="default")
    args = ap.parse_args(argv)
    settings.load_profile(args.profile)
    for title, smallest, c in CONJECTURES:
        print(f"{title} (smallest failing sizes: {smallest})")
        for _ in range(args.runs):
            t0 = time.perf_counter()
            r = run_claim(c, overrides={"database": None, "derandomize": False})
            seconds = time.perf_counter() - t0
            ex = r.example or {}
            theta = ex["param"].psi(ex["w"]) if "param" in ex else np.array([np.nan])
            print(f"  {r.status:8s} {r.label:28s} ‖θ‖={np.linalg.norm(theta):<9.3g} found after {r.examples:4d} "
                  f"examples, {seconds:5.1f} s in all", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
