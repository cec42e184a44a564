import Foundation
import HDL
import HDLEmit

/// Checks emitted SystemVerilog with the tools a hardware engineer would:
/// `verilator --lint-only -Wall` (every warning counts, none waived) and
/// Yosys (`read_verilog -sv`, optionally a generic `synth`).
public enum Lint {
    /// Write `files` into a fresh temporary directory and return it.
    public static func writeTemporary(_ files: [EmittedFile]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("trit-lint-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for f in files {
            try f.contents.write(to: dir.appendingPathComponent(f.name), atomically: true, encoding: .utf8)
        }
        return dir
    }

    /// Verilator's complaints about the design (empty when clean).
    public static func verilator(_ files: [EmittedFile], top: String) throws -> String {
        let dir = try writeTemporary(files)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try ExternalTool.run("verilator", ["--lint-only", "-Wall", "--top-module", top] + files.map(\.name), in: dir)
        return r.succeeded && r.output.isEmpty ? "" : r.output
    }

    /// Yosys's complaints (empty when clean). With `synthesize`, also runs a
    /// generic `synth` and returns its statistics in `stats`.
    public static func yosys(_ files: [EmittedFile], top: String, synthesize: Bool = false) throws -> (problems: String, stats: String) {
        let dir = try writeTemporary(files)
        defer { try? FileManager.default.removeItem(at: dir) }
        var script = files.map { "read_verilog -sv \($0.name)" }.joined(separator: "; ")
        script += "; hierarchy -check -top \(top)"
        if synthesize { script += "; synth -top \(top); stat" }
        // Quiet unless synthesizing, where the statistics are the point.
        let r = try ExternalTool.run("yosys", (synthesize ? [] : ["-q"]) + ["-p", script], in: dir)
        if !r.succeeded { return (r.output, "") }
        let warnings = r.output.split(separator: "\n").filter { $0.contains("Warning") || $0.contains("ERROR") }
        return (warnings.joined(separator: "\n"), r.output)
    }

    /// Emit `design` and lint it with both tools; empty when clean.
    public static func check(_ design: Design) throws -> String {
        let files = SystemVerilogEmitter().files(for: design)
        let v = try verilator(files, top: design.top.name)
        let y = try yosys(files, top: design.top.name).problems
        return [v, y].filter { !$0.isEmpty }.joined(separator: "\n")
    }
}
