import Foundation
import ISA

/// The decode projection: measured block cycles turned into tokens/s under a stated clock.
enum ProjectionSection {
    static func text(_ r: BenchResults) -> [String] {
        var md = [
            "Tokens/s = clock / (cycles per block × layers + head cycles). Cycles per block are the ones measured "
                + "above at the model's d (one block, one token); all layers of a model have the same shape. The head "
                + "(lm_head, vocab × d trits in chunks of max-VL rows) was not simulated: its cycles are **estimated** "
                + "as its weight beats divided by the block's measured weight beats per cycle. The clock is an "
                + "**assumption**: \(Int(Projection.clock / 1e6)) MHz, with \(Int(Projection.upperClock / 1e6)) MHz "
                + "(the DDR4 user clock of BOARD.md) as the upper line; nothing can be placed and routed for the "
                + "Stratix 10 here. Host work (embedding lookup, argmax, starting the program) is not counted.",
            "",
            "Bandwidth limit = 76.8 GB/s (four DDR4 banks) / weight bytes per token, where every ternary weight of "
                + "every block and of lm_head is read once per token (batch 1): 4 trits per byte at 2-bit packing, "
                + "5 per byte at base-3 (1.6-bit). The paper projected about 24 tokens/s for its 1.3B model.",
            "",
        ]
        guard !r.projections.isEmpty else {
            return md + ["No model shape was measured in this run (the block sweep did not include its d)."]
        }
        let rows: [[String]] = r.projections.map { p in
            [p.model.name, "\(p.model.d)", "\(p.model.layers)", p.packing.label, "\(p.banks)", Report.int(p.blockCycles),
             Report.int(Int(p.headCyclesEstimate.rounded())), Report.int(Int(p.cyclesPerToken.rounded())),
             rate(p.tokensPerSecond(clock: Projection.clock)), rate(p.tokensPerSecond(clock: Projection.upperClock)),
             rate(Projection.bandwidthLimit(p.model, tritsPerByte: 4)), rate(Projection.bandwidthLimit(p.model, tritsPerByte: 5)),
             Projection.paperTokensPerSecond[p.model.name].map { rate($0) } ?? "–"]
        }
        md += Report.table(["model", "d", "layers", "packing", "banks", "cycles per block (measured)", "head cycles (estimate)",
                            "cycles per token", "tokens/s at \(Int(Projection.clock / 1e6)) MHz (projected)",
                            "tokens/s at \(Int(Projection.upperClock / 1e6)) MHz (projected)", "bandwidth limit, 2-bit",
                            "bandwidth limit, 1.6-bit", "paper"], rows)
        return md
    }

    /// Tokens/s: one decimal below 100, whole numbers with separators above.
    static func rate(_ v: Double) -> String { v < 100 ? Report.f(v) : Report.int(Int(v.rounded())) }

    static func figure(_ r: BenchResults) -> String? {
        guard !r.projections.isEmpty else { return nil }
        let configs = Array(Set(r.projections.map { "\($0.banks)|\($0.packing.rawValue)" })).sorted()
        func name(_ key: String) -> String {
            let parts = key.split(separator: "|")
            return "\(parts[0]) bank(s), \(parts[1] == "0" ? "2-bit" : "base-3"), \(Int(Projection.clock / 1e6)) MHz"
        }
        let models = r.sweep.models.filter { m in r.projections.contains { $0.model == m } }
        let groups = models.map { m -> (label: String, bars: [[Double]]) in
            var bars = configs.map { key in
                [r.projections.first { "\($0.banks)|\($0.packing.rawValue)" == key && $0.model == m }?
                    .tokensPerSecond(clock: Projection.clock) ?? 0]
            }
            bars.append([Projection.bandwidthLimit(m, tritsPerByte: 4)])
            bars.append([Projection.bandwidthLimit(m, tritsPerByte: 5)])
            bars.append([Projection.paperTokensPerSecond[m.name] ?? 0])
            return (m.name, bars)
        }
        return BarChart(title: "Decode tokens/s on a D5005 (projection; clock assumed)", yLabel: "tokens/s", groups: groups,
                        barNames: configs.map(name) + ["bandwidth limit, 2-bit", "bandwidth limit, 1.6-bit", "paper's projection"],
                        log: true).svg()
    }
}
