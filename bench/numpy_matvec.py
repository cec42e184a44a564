#!/usr/bin/env python3
"""NumPy's time for the seven matrix-vector products of one HGRN-Bit block.

The yardstick for the interpreter benchmark: float32 `W @ x` on the block's
shapes (i, f, g, o: d x d; gate, up: I x d; down: d x I), seven distinct
matrices, one BLAS thread unless the caller says otherwise. Prints seconds
per block (best of several runs), or one JSON object with --json.
"""
import argparse
import json
import os

# One BLAS thread, set before NumPy loads its BLAS.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import time  # noqa: E402

import numpy as np  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--d", type=int, default=2048)
    ap.add_argument("--intermediate", type=int, default=5632)
    ap.add_argument("--repeats", type=int, default=20, help="blocks per timed run")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()

    d, i = a.d, a.intermediate
    shapes = [(d, d)] * 4 + [(i, d)] * 2 + [(d, i)]
    rng = np.random.default_rng(1)
    mats = [rng.standard_normal(s, dtype=np.float32) for s in shapes]
    x = {n: rng.standard_normal(n, dtype=np.float32) for n in (d, i)}

    def block():
        for w in mats:
            w @ x[w.shape[1]]

    block()
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(a.repeats):
            block()
        best = min(best, (time.perf_counter() - t) / a.repeats)
    macs = sum(r * c for r, c in shapes)
    if a.json:
        print(json.dumps({"d": d, "intermediate": i, "seconds_per_block": best, "multiply_adds": macs,
                          "numpy": np.__version__, "blas_threads": os.environ["OPENBLAS_NUM_THREADS"]}))
    else:
        print(f"NumPy {np.__version__} float32, d = {d}, I = {i}: {best * 1e3:.3f} ms per block "
              f"({macs / best:.3e} multiply-adds/s)")


if __name__ == "__main__":
    main()
