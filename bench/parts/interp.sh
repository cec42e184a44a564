#!/usr/bin/env bash
# Interpreter section of bench/REPORT.md: tmatmul rate against NumPy (see bench/interp_bench.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 bench/interp_bench.py --section "$1"
