import Foundation
import Testing

/// Every committed generated SystemVerilog file (both board presets, the
/// ISA decoder, the example circuits) is clean in slang too, beside
/// Verilator and Yosys: zero diagnostics with -Wextra (`tools/slang_lint.py`;
/// `make deps` installs `pyslang`).
struct SlangLintTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: ["generated/rtl/generic", "generated/rtl/d5005", "generated/rtl/isa", "generated/rtl/examples"])
    func committedSystemVerilogIsSlangClean(_ directory: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", Self.root.appendingPathComponent("tools/slang_lint.py").path,
                       Self.root.appendingPathComponent(directory).path]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(!e.contains("No module named 'pyslang'"), "pyslang is missing: run `make deps` (python3 -m pip install pyslang)")
        #expect(p.terminationStatus == 0, "\(directory):\n\(o)\(e)")
    }
}
