import Foundation
import Testing
import TestSupport

/// Every committed generated SystemVerilog file (both board presets, the
/// ISA decoder, the example circuits) is clean in slang too, beside
/// Verilator and Yosys: zero diagnostics with -Wextra (`tools/slang_lint.py`;
/// `make deps` installs `pyslang`).
struct SlangLintTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: ["generated/rtl/generic", "generated/rtl/d5005", "generated/rtl/isa", "generated/rtl/examples"])
    func committedSystemVerilogIsSlangClean(_ directory: String) throws {
        let r = try runOnPath("python3", [Self.root.appendingPathComponent("tools/slang_lint.py").path,
                                          Self.root.appendingPathComponent(directory).path])
        #expect(!r.error.contains("No module named 'pyslang'"), "pyslang is missing: run `make deps` (python3 -m pip install pyslang)")
        #expect(r.status == 0, "\(directory):\n\(r.output)\(r.error)")
    }
}
