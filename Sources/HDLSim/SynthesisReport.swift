import Foundation
import HDLEmit

/// What a generic Yosys synthesis makes of a design: gates, flip-flops and
/// memories. Memories stay whole (`$mem_v2` cells, block RAM on an FPGA)
/// instead of being exploded into flip-flops and multiplexers.
public struct SynthesisReport: Sendable, Equatable {
    /// Every cell after synthesis; a memory counts as one cell.
    public var cells: Int
    /// Single-bit flip-flop cells (`$_DFF*`, `$_SDFF*`, `$_DFFE*`, ...).
    public var flipFlops: Int
    /// Memories kept as memories, and their bits (width times depth).
    public var memories: Int
    public var memoryBits: Int
    /// Cell count by Yosys cell type.
    public var cellTypes: [String: Int]
}

extension Lint {
    /// Generic synthesis of `files` with top module `top`, flattened, in the
    /// steps of Yosys's `synth` except `memory_map`: coarse-grain synthesis
    /// (which infers memories and keeps them unmapped), then techmap to
    /// gates, `abc -fast`, and `stat`.
    public static func synthesize(_ files: [EmittedFile], top: String) throws -> SynthesisReport {
        let dir = try writeTemporary(files)
        defer { try? FileManager.default.removeItem(at: dir) }
        var script = files.filter { $0.name.hasSuffix(".sv") || $0.name.hasSuffix(".v") }
            .map { "read_verilog -sv \($0.name)" }
        script += ["hierarchy -check -top \(top)", "synth -flatten -top \(top) -run :fine",
                   "opt -fast -full", "opt -full", "techmap", "opt -fast", "abc -fast", "opt -fast", "hierarchy -top \(top)",
                   "tee -q -o stat.txt stat", "tee -q -o memories.txt dump t:$mem_v2"]
        let r = try ExternalTool.run("yosys", ["-q", "-p", script.joined(separator: "; ")], in: dir)
        guard r.succeeded else { throw ExternalTool.Failure.failed(command: "yosys synthesis of \(top)", output: r.output) }
        let stat = try String(contentsOf: dir.appendingPathComponent("stat.txt"), encoding: .utf8)
        let memories = try String(contentsOf: dir.appendingPathComponent("memories.txt"), encoding: .utf8)
        return parse(stat: stat, memories: memories)
    }

    /// Reads `stat`'s per-type cell counts and the WIDTH and SIZE of every
    /// `$mem_v2` cell in `dump`'s output.
    static func parse(stat: String, memories: String) -> SynthesisReport {
        var types: [String: Int] = [:]
        var cells = 0
        var inCells = false
        for line in stat.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if line.contains("Number of cells:"), let n = fields.last.flatMap({ Int($0) }) {
                cells = n
                inCells = true
            } else if inCells, fields.count == 2, fields[0].hasPrefix("$"), let n = Int(fields[1]) {
                types[String(fields[0]), default: 0] += n
            } else if inCells {
                inCells = false
            }
        }
        let flipFlops = types.filter { t, _ in t.hasPrefix("$_") && (t.contains("DFF") || t.contains("DLATCH")) }
            .values.reduce(0, +)
        var memoryCount = 0, memoryBits = 0, width = 0, size = 0, inMemory = false
        func close() {
            if inMemory { memoryCount += 1; memoryBits += width * size }
            inMemory = false; width = 0; size = 0
        }
        for line in memories.split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count > 1, f[0] == "cell" { close(); inMemory = f[1] == "$mem_v2" }
            if inMemory, f.count == 3, f[0] == "parameter", let n = Int(f[2]) {
                if f[1] == "\\WIDTH" { width = n }
                if f[1] == "\\SIZE" { size = n }
            }
        }
        close()
        return SynthesisReport(cells: cells, flipFlops: flipFlops, memories: memoryCount, memoryBits: memoryBits,
                               cellTypes: types)
    }
}
