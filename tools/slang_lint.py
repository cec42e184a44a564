#!/usr/bin/env python3
"""Lint SystemVerilog with slang (PyPI `pyslang`): every diagnostic slang
reports by default, plus -Wextra, counts; the exit status is 1 if any.

    python3 tools/slang_lint.py [--top NAME] FILE_OR_DIRECTORY...

Each argument that is a directory contributes its *.sv files (a board
directory's `ofs_plat_afu.sv` is left out: it needs Intel's PIM, which
`make lint-pim` brings). Files are elaborated together; with several
designs in one set, every uninstantiated module is a top.
"""
import argparse
import os
import sys

import pyslang


def sources(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            out += sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(".sv") and f != "ofs_plat_afu.sv")
        else:
            out.append(p)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--top")
    parser.add_argument("paths", nargs="+")
    a = parser.parse_args()
    files = sources(a.paths)
    if not files:
        sys.exit("slang_lint: no .sv files in " + " ".join(a.paths))
    args = ["slang", "--timescale", "1ns/1ps", "-Wextra", "--error-limit", "0"] + (["--top", a.top] if a.top else [])
    driver = pyslang.driver.Driver()
    driver.addStandardArgs()
    if not (driver.parseCommandLine(" ".join(args + files), pyslang.driver.CommandLineOptions())
            and driver.processOptions() and driver.parseAllSources()):
        sys.exit("slang_lint: slang could not read the sources")
    compilation = driver.createCompilation()
    engine, manager = driver.diagEngine, driver.sourceManager
    count = 0
    for d in compilation.getAllDiagnostics():
        if engine.getSeverity(d.code, d.location) == pyslang.DiagnosticSeverity.Ignored:
            continue
        count += 1
        print(f"{manager.getFileName(d.location)}:{manager.getLineNumber(d.location)}: {engine.formatMessage(d)}")
    print(f"slang: {len(files)} files, {count} diagnostics", file=sys.stderr)
    sys.exit(1 if count else 0)


if __name__ == "__main__":
    main()
