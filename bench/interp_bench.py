#!/usr/bin/env python3
"""Interpreter benchmark: the ternary product on packed trits against NumPy.

Builds the release `trit`, runs `trit bench-interp` (a 2048 x 2048 tmatmul
on one core), measures NumPy's float32 matrix-vector product on a matrix of
the same size in the same run (BLAS limited to one thread), and writes the
result into bench/REPORT.md between the interpreter-benchmark markers.
`make bench` runs it through bench/parts/interp.sh (`--section TRIT`).
NumPy is only the yardstick here; the product does not use Python.
"""
import json
import os
import platform
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROWS = COLS = 2048
REPS = 200
BEGIN, END = "<!-- interp-bench:begin -->", "<!-- interp-bench:end -->"


def sh(cmd):
    print("+ " + " ".join(cmd), file=sys.stderr)
    return subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout


def numpy_matvec(rows, cols, reps):
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    import numpy as np
    rng = np.random.default_rng(1)
    w = rng.standard_normal((rows, cols), dtype=np.float32)
    x = rng.standard_normal(cols, dtype=np.float32)
    for _ in range(5):
        w @ x
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(reps):
            w @ x
        best = min(best, (time.perf_counter() - t) / reps)
    return best, np.__version__


def section(trit_binary, build):
    """Runs the measurements and returns the report section (Markdown)."""
    trit = [trit_binary, "bench-interp", "--rows", str(ROWS), "--cols", str(COLS),
            "--reps", str(REPS), "--json"]
    runs = [json.loads(sh(trit)) for _ in range(3)]
    t_trit = min(r["seconds_per_matvec"] for r in runs)
    # NumPy in a child with one BLAS thread, so the variable takes effect before import.
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run([sys.executable, __file__, "--numpy"], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    t_np, np_version = json.loads(out)["seconds"], json.loads(out)["numpy"]
    ops = ROWS * COLS
    rate_trit, rate_np = ops / t_trit, ops / t_np
    return f"""{BEGIN}
## Interpreter: ternary product against NumPy

Measured by `bench/interp_bench.py` (standalone or through `make bench`) on {platform.processor() or platform.machine()}, {time.strftime('%Y-%m-%d')}.

| | time per {ROWS} x {COLS} product | rate |
|---|---|---|
| `trit bench-interp` (tmatmul on packed 2-bit trits, one core) | {t_trit * 1e3:.3f} ms | {rate_trit:.3e} trit-ops/s |
| NumPy {np_version} float32 `W @ x` (one BLAS thread) | {t_np * 1e3:.3f} ms | {rate_np:.3e} multiply-adds/s |

Ratio (interpreter rate / NumPy rate): **{rate_trit / rate_np:.2f}x**.

Commands (best of 3 runs each):

    {' '.join(build)}
    {' '.join(['.build/release/trit'] + trit[1:])}
    OPENBLAS_NUM_THREADS=1 python3 -c 'W @ x' on a {ROWS} x {COLS} float32 matrix, {REPS} repetitions

The interpreter's time includes the per-instruction table build from the int8
vector and the illegal-code scan of the weights, and the fixed-point rescale
of every output; NumPy's is the bare BLAS sgemv.
{END}
"""


def main():
    build = ["swift", "build", "-c", "release", "--product", "trit"]
    sh(build)
    binpath = sh(["swift", "build", "-c", "release", "--show-bin-path"]).strip()
    report = section(os.path.join(binpath, "trit"), build)
    path = os.path.join(ROOT, "bench", "REPORT.md")
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n\n"
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + report.strip() + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n" + report
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)
    print(report)


if __name__ == "__main__":
    if sys.argv[1:] == ["--numpy"]:
        t, v = numpy_matvec(ROWS, COLS, REPS)
        print(json.dumps({"seconds": t, "numpy": v}))
    elif len(sys.argv) == 3 and sys.argv[1] == "--section":
        # Used by bench/parts/interp.sh from `make bench`: the binary is already built.
        print(section(os.path.abspath(sys.argv[2]), ["swift", "build", "-c", "release", "--product", "trit"]).strip())
    else:
        main()
