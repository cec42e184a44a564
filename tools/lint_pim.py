#!/usr/bin/env python3
"""Elaborate Trit's D5005 AFU inside Intel's real Platform Interface Manager.

`make lint-pim PIM=DIR` runs this. DIR is the user's own checkout of
OFS/ofs-platform-afu-bbb; nothing of it is copied into Trit. The script

1. generates the D5005 PIM with the checkout's own `gen_ofs_plat_if` from its
   own configuration (`d5005_pac_ias_v2_0_1.ini` unless --config says
   otherwise), as `afu_synth_setup` and ASE would;
2. writes the `platform_afu_top_config.vh` the OPAE SDK's
   `afu_platform_config` would write for an `ofs_plat_afu` AFU;
3. elaborates the PIM's own ASE top (`ase_top_ofs_plat`: the real
   `ofs_plat_if`, with its nested interface arrays, clock crossings and
   burst mappers) around the AFU with slang (PyPI `pyslang`), and fails on
   any error, any warning in Trit's files, any module that is neither
   defined nor one of the vendor primitives below, and an AFU that was not
   elaborated.

Verilator cannot do this check: it cannot elaborate the PIM's nested
interface arrays (Verilator issue 6998, seen with 5.006 and 5.048), which is
why `make test` lints the shell against stand-ins instead (docs/shells.md).
"""

import argparse
import os
import subprocess
import sys
import tempfile

# Defined outside the PIM: Quartus IP (altsyncram, scfifo, ...), the FIM's
# HSSI interface, and ASE's C-backed emulators and memory models. They are
# black boxes here; any other unknown module is a failure.
VENDOR_PRIMITIVES = {
    "altsyncram", "altera_syncram", "scfifo", "dcfifo", "pr_hssi_if",
    "ccip_emulator", "emif_ddr4", "ase_sim_local_mem_avmm_bridge",
}

# What OPAE's afu_platform_config writes for an AFU of class `ofs_plat_afu`
# that ASE's top instantiates.
TOP_CONFIG = """`define AFU_TOP_REQUIRES_OFS_PLAT_IF_AFU 1
`define PLATFORM_SHIM_MODULE_NAME ofs_plat_afu
"""


def fail(message):
    sys.stderr.write(f"lint-pim: {message}\n")
    sys.exit(1)


def generate_pim(checkout, config, target):
    script = os.path.join(checkout, "plat_if_develop/ofs_plat_if/scripts/gen_ofs_plat_if")
    ini = os.path.join(checkout, "plat_if_develop/ofs_plat_if/src/config", config + ".ini")
    if not os.path.isfile(script):
        fail(f"{checkout} is not a checkout of OFS/ofs-platform-afu-bbb (no {script})")
    if not os.path.isfile(ini):
        fail(f"no PIM configuration {ini}")
    run = subprocess.run([sys.executable, script, "-c", ini, "-t", target],
                         capture_output=True, text=True)
    if run.returncode != 0:
        fail(f"gen_ofs_plat_if failed:\n{run.stdout}{run.stderr}")
    return os.path.join(target, "sim/platform_if_addenda.txt")


def afu_sources(afu):
    listing = os.path.join(afu, "sources.txt")
    if not os.path.isfile(listing):
        fail(f"{afu} has no sources.txt: make it with `trit rtl --board d5005 --out {afu}`")
    with open(listing) as f:
        names = [line.strip() for line in f if line.strip().endswith(".sv")]
    return [os.path.join(afu, name) for name in names]


def elaborate(addenda, include_dir, sources, ignore_unknown):
    import pyslang
    args = ["slang", "-F", addenda, "+incdir+" + include_dir, "--top", "ase_top_ofs_plat",
            # PIM code reads parameters through interface ports.
            "--allow-hierarchical-const", "--timescale", "1ps/1ps", "--error-limit", "0"]
    if ignore_unknown:
        args.append("--ignore-unknown-modules")
    driver = pyslang.driver.Driver()
    driver.addStandardArgs()
    if not (driver.parseCommandLine(" ".join(args + sources), pyslang.driver.CommandLineOptions())
            and driver.processOptions() and driver.parseAllSources()):
        fail("slang could not read the sources")
    compilation = driver.createCompilation()
    return driver, compilation


def diagnostics(driver, compilation):
    """(severity, file, line, message) of every diagnostic slang reports by default."""
    engine, sources = driver.diagEngine, driver.sourceManager
    out = []
    for diag in compilation.getAllDiagnostics():
        severity = engine.getSeverity(diag.code, diag.location)
        if severity == pyslang_severity().Ignored:
            continue
        name = os.path.abspath(sources.getFileName(diag.location))
        out.append((severity, name, sources.getLineNumber(diag.location),
                    engine.formatMessage(diag), diag))
    return out


def pyslang_severity():
    import pyslang
    return pyslang.DiagnosticSeverity


def elaborated_definitions(compilation):
    import pyslang
    names = set()

    def visit(symbol):
        if symbol.kind == pyslang.ast.SymbolKind.Instance:
            names.add(symbol.definition.name)
        return True
    compilation.getRoot().visit(visit)
    return names


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pim", required=True, help="a checkout of OFS/ofs-platform-afu-bbb")
    parser.add_argument("--afu", required=True, help="the output of `trit rtl --board d5005`")
    parser.add_argument("--config", default="d5005_pac_ias_v2_0_1", help="the PIM's platform .ini")
    options = parser.parse_args()
    try:
        import pyslang  # noqa: F401
    except ImportError:
        fail("pyslang is missing: python3 -m pip install pyslang")
    afu = os.path.abspath(options.afu)
    sources = afu_sources(afu)
    severity = pyslang_severity()
    with tempfile.TemporaryDirectory(prefix="trit-pim-") as work:
        addenda = generate_pim(os.path.abspath(options.pim), options.config, os.path.join(work, "pim"))
        with open(os.path.join(work, "platform_afu_top_config.vh"), "w") as f:
            f.write(TOP_CONFIG)

        # Pass 1: which modules are undefined? Only vendor primitives may be.
        driver, compilation = elaborate(addenda, work, sources, ignore_unknown=False)
        unknown = set()
        for _, _, _, _, diag in diagnostics(driver, compilation):
            if str(diag.code) in ("DiagCode(UnknownModule)", "DiagCode(UnknownInterface)"):
                unknown.update(str(a) for a in diag.args)
        if unknown - VENDOR_PRIMITIVES:
            fail("undefined modules: " + ", ".join(sorted(unknown - VENDOR_PRIMITIVES)))

        # Pass 2: with the primitives as black boxes, the design must be clean.
        driver, compilation = elaborate(addenda, work, sources, ignore_unknown=True)
        found = diagnostics(driver, compilation)
        errors = [d for d in found if d[0] in (severity.Error, severity.Fatal)]
        ours = [d for d in found if d[0] == severity.Warning and d[1].startswith(afu + os.sep)]
        theirs = [d for d in found if d[0] == severity.Warning and not d[1].startswith(afu + os.sep)]
        for _, name, line, message, _ in errors + ours:
            print(f"{name}:{line}: {message}")
        definitions = elaborated_definitions(compilation)
    trit = sorted(d for d in definitions if d.startswith("TritAfu_"))
    if errors or ours:
        fail(f"{len(errors)} errors, {len(ours)} warnings in Trit's files")
    if "ofs_plat_afu" not in definitions or not trit:
        fail("the AFU (ofs_plat_afu and TritAfu) was not elaborated")
    print(f"lint-pim: {options.config}: ase_top_ofs_plat with {trit[0]} elaborates cleanly with slang "
          f"({len(definitions)} module and interface definitions instantiated; "
          f"{len(theirs)} warnings in Intel's files; black boxes: {', '.join(sorted(unknown))})")


if __name__ == "__main__":
    main()
