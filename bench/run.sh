#!/usr/bin/env bash
# Trit benchmarks: builds a release `trit`, runs every benchmark in one go,
# and writes bench/REPORT.md. Figures are ratios and rates measured here, on
# this machine, in this run; none is a timed assertion.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build -c release --product trit >/dev/null
trit=.build/release/trit
report=bench/REPORT.md
machine="$(uname -sm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //')"

{
  echo "# Trit benchmark report"
  echo
  echo "Machine: $machine. Produced by \`make bench\` (bench/run.sh)."
  echo
  echo "## Hardware DSL: elaborating and emitting a ternary adder tree"
  echo
  echo "| inputs | modules | lines of SV | elaborate (ms) | emit (ms) |"
  echo "|---|---|---|---|---|"
  for n in 64 256 1024; do
    "$trit" hdl-bench --inputs "$n" --repeats 5 --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
print("| {inputs} | {modules} | {lines} | {elaborate_ms:.2f} | {emit_ms:.2f} |".format(**r))'
  done
  echo
  echo "Command: \`.build/release/trit hdl-bench --inputs N --repeats 5\` (best of 5)."
} > "$report.tmp"

# Further sections are appended by the benchmark scripts beside this one.
for part in bench/parts/*.sh; do
  [ -e "$part" ] || continue
  echo >> "$report.tmp"
  bash "$part" "$trit" >> "$report.tmp"
done
mv "$report.tmp" "$report"
cat "$report"
