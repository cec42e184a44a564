import Foundation
import ISA

/// The cycles-per-block section: how it was measured, the table, one figure per width.
enum BlockSection {
    static let unitNames = ["load/store", "vector", "reduction", "ternary"]

    static func text(_ r: BenchResults) -> [String] {
        let s = r.sweep
        let cores = s.banks.map { s.core($0) }
        let p = cores.first!
        var md = [
            "Each block is block 0 of a synthetic one-layer checkpoint of that shape (`SyntheticCheckpoint`, seed 1, "
                + "I from docs/model.md), compiled for the core and run for one token (the embedding of token 1) on the generated "
                + "core in Verilator, in lock step with the interpreter (`Runner.BuildSession` on a `CosimEngine`). "
                + "Core: \(Sweep.describe(p, banks: false)), \(s.banks.map(String.init).joined(separator: ", ")) "
                + "bank(s); memory latency \(s.latency) cycles and "
                + "back-pressure \(s.backpressure) (`waitrequest` with that probability per cycle and bank, read-data gaps "
                + "at half of it), as in `make demo`.",
            "",
            "The counters are the core's own CSRs, read at the end of the run. Idle = cycles − busy, per unit. "
                + "*Ternary waiting* is the part of the ternary unit's busy time without weights (busy − weight beats / "
                + "beats it can take per cycle: header latency, "
                + "activation copy, beats not yet delivered): the ternary unit stalled on memory. *Memory stall* counts "
                + "cycles with a command held by `waitrequest` or a unit waiting for read data; *issue stall* counts "
                + "cycles the issue stage held an instruction it could not dispatch. Utilization = weight beats per cycle.",
            "",
        ]
        let rows: [[String]] = r.blocks.map { m in
            let head = ["\(m.d)", "\(m.intermediate)", m.packing.label, "\(m.banks)"]
            guard let c = m.counters else { return head + ["not available"] + Array(repeating: "", count: 9) }
            return head + [Report.int(c.cycles), Report.f(c.utilization, 3)] + c.busy.map { Report.int($0) }
                + [Report.int(c.ternaryWaiting(beatsPerCycle: Sweep.beatsPerCycle(r.sweep.core(m.banks)))), Report.int(c.memoryStall), Report.int(c.issueStall),
                   m.checked ? "yes" : "no"]
        }
        md += Report.table(["d", "I", "packing", "banks", "cycles", "utilization", "busy load/store", "busy vector",
                            "busy reduction", "busy ternary", "ternary waiting", "memory stall", "issue stall", "lock step agreed"], rows)
        let notes = Array(Set(r.blocks.compactMap { m in m.note.map { "\($0)" } })).sorted()
        if !notes.isEmpty {
            md += [""] + notes.map { note in
                let which = r.blocks.filter { $0.note == note }.map { "d = \($0.d) \($0.packing.label) \($0.banks) bank(s)" }
                return "- \(note): \(which.joined(separator: "; "))."
            }
        }
        if let paper = r.blocks.first(where: { $0.d == 512 && $0.counters != nil })?.counters {
            md += ["", "For comparison, the paper's core took about 2.58 M cycles for a d = 512 block (BOARD.md): "
                   + String(format: "%.0fx", 2.58e6 / Double(paper.cycles)) + " the cycles measured here at \(r.blocks.first { $0.d == 512 }!.banks) bank(s)."]
        }
        return md
    }

    static func figure(_ r: BenchResults, d: Int) -> String? {
        let runs = r.blocks.filter { $0.d == d && $0.counters != nil }
        guard !runs.isEmpty else { return nil }
        let groups = runs.map { m -> (label: String, bars: [[Double]]) in
            let c = m.counters!
            var bars: [[Double]] = (0..<3).map { [Double(c.busy[$0]), 0, Double(c.idle($0))] }
            let b = Sweep.beatsPerCycle(r.sweep.core(m.banks))
            bars.append([Double(c.streaming(beatsPerCycle: b)), Double(c.ternaryWaiting(beatsPerCycle: b)), Double(c.idle(3))])
            return ("\(m.banks) bank\(m.banks == 1 ? "" : "s"), \(m.packing == .twoBit ? "2-bit" : "base-3")", bars)
        }
        return BarChart(title: "Cycles per block, d = \(d) (one token, by unit)", yLabel: "cycles", groups: groups,
                        barNames: ["LS", "V", "R", "T"],
                        segmentNames: ["busy (ternary: taking weights)", "stalled on memory", "idle"]).svg()
    }
}
