#!/usr/bin/env python3
"""NumPy yardstick for `trit bench-interp --block`: float32 `W @ x` over the
seven matrix-vector products of one HGRN-Bit block (i, f, g, o: d x d;
gate, up: I x d; down: d x I), one BLAS thread, best of N rounds.

    python3 bench/numpy_matvec.py [--hidden 2048] [--intermediate 5632] [--rounds 7] [--json]
"""
import os

# One thread, set before NumPy loads its BLAS.
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

import argparse
import json
import time

import numpy as np


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--hidden", type=int, default=2048)
    p.add_argument("--intermediate", type=int, default=5632)
    p.add_argument("--rounds", type=int, default=7, help="timed rounds; the best is reported")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    d, n = a.hidden, a.intermediate
    shapes = [(d, d)] * 4 + [(n, d)] * 2 + [(d, n)]
    rng = np.random.default_rng(1)
    mats = [rng.standard_normal(s, dtype=np.float32) for s in shapes]
    xs = {c: rng.standard_normal(c, dtype=np.float32) for c in {d, n}}

    def block():
        for w in mats:
            w @ xs[w.shape[1]]

    block()  # warm-up
    # Wall time, and this thread's CPU time (what the block costs on a machine shared with other work).
    best = best_cpu = float("inf")
    for _ in range(a.rounds):
        t, c = time.perf_counter(), time.thread_time()
        block()
        best = min(best, time.perf_counter() - t)
        best_cpu = min(best_cpu, time.thread_time() - c)
    macs = sum(r * c for r, c in shapes)
    if a.json:
        print(json.dumps({"hidden": d, "intermediate": n, "rounds": a.rounds, "seconds_per_block": best, "cpu_seconds_per_block": best_cpu,
                          "multiply_adds_per_second": macs / best, "numpy": np.__version__}))
    else:
        print(f"NumPy {np.__version__} float32 W @ x, d = {d}, I = {n} block (7 products, {macs:,} weights), "
              f"one thread: {best * 1e3:.3f} ms per block (best of {a.rounds}; thread CPU time {best_cpu * 1e3:.3f} ms), "
              f"{macs / best:.3e} multiply-adds/s")


if __name__ == "__main__":
    main()
