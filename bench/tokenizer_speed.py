#!/usr/bin/env python3
"""The `tokenizers` library (Rust, through Python) encoding a text on one thread.

`make bench` runs this beside Trit's Swift tokenizer on the same file and the
same tokenizer.json: MB/s (10^6 UTF-8 bytes per second) for the whole text in
one `encode`, and line by line in one `encode_batch`, best of --rounds; and a
checksum of the whole text's ids, which Trit's must equal.
Run it with RAYON_NUM_THREADS=1 (the benchmark does).
"""
import argparse
import json
import time

import tokenizers
from tokenizers import Tokenizer


def best_seconds(f, rounds):
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tokenizer", required=True)
    p.add_argument("--text", required=True)
    p.add_argument("--rounds", type=int, default=5)
    a = p.parse_args()
    t = Tokenizer.from_file(a.tokenizer)
    with open(a.text, encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    n = len(text.encode("utf-8"))
    ids = t.encode(text).ids
    checksum = sum((k + 1) * i for k, i in enumerate(ids)) % (1 << 61)
    whole = best_seconds(lambda: t.encode(text), a.rounds)
    batch = best_seconds(lambda: t.encode_batch(lines), a.rounds)
    print(json.dumps({"tokenizers": tokenizers.__version__, "bytes": n, "ids": len(ids), "checksum": checksum,
                      "whole_mb_s": n / whole / 1e6, "lines_mb_s": n / batch / 1e6}))


if __name__ == "__main__":
    main()
