import Foundation

/// The batched-decode section: tokens per cycle as streams share each
/// weight pass, prefill against token-by-token decoding, and the aggregate
/// decode rate they project to.
enum BatchSection {
    /// ternip (the paper's successor) on an Alveo U250, 370M model: measured, 4 units x 6-token batches.
    static let ternipTokensPerSecond = 1_943.0

    static func count(_ v: UInt64?) -> String { v.map { Report.int(Int($0)) } ?? "–" }

    static func decodeRow(_ m: BatchMeasurement) -> [String] {
        let c = m.counters
        let perToken: String = m.cyclesPerToken.map { Report.int(Int($0.rounded())) } ?? "–"
        let single: String = m.singleStreamCycles.map { Report.int(Int($0) / m.streams) } ?? "–"
        let ratio: String = m.speedup.map { String(format: "%.2fx", $0) } ?? "–"
        let busy: [String] = (0..<4).map { u in count(c?.busy[u]) }
        return ["\(m.d)", "\(m.intermediate)", "\(m.banks)", "\(m.streams)", count(c?.cycles), perToken, single, ratio] + busy + [m.note ?? ""]
    }

    static func text(_ r: BenchResults) -> [String] {
        let decode = r.batches.filter { $0.kind == .decode }
        guard !r.batches.isEmpty else { return ["Not measured in this run."] }
        var md = [
            "A core of B streams (`--batch B`) runs B sequences per token step: every `tmatmul` streams its matrix once "
                + "for all of them, the element-wise and reduction work runs once per stream. Each row is block 0 of a "
                + "synthetic one-layer checkpoint (seed 1, 2-bit weights) compiled for B streams, one step with the "
                + "embeddings of tokens 1...B as the streams' inputs, on the generated core in Verilator in lock step with "
                + "the interpreter (same latency and back-pressure as above). *One stream* is B times the cycles of the "
                + "one-stream block measured above; the ratio is tokens per cycle at B over tokens per cycle at one stream.",
            "",
        ]
        md += Report.table(["d", "I", "banks", "streams", "cycles per step", "cycles per token", "one stream, cycles per token",
                            "tokens per cycle vs one stream", "busy load/store", "busy vector", "busy reduction", "busy ternary", "note"],
                           decode.map(decodeRow))
        if let p = r.batches.first(where: { $0.kind == .prefill }) {
            md += ["", "**Prefill.** A \(p.tokens)-token prompt (the embeddings of tokens 1...\(p.tokens)) through the prefill "
                   + "program of a \(p.streams)-stream core (`--batch \(p.streams) --prefill \(p.tokens)`: \(p.tokens / p.streams) runs of "
                   + "\(p.streams) consecutive tokens, `macp` chaining the recurrence), against the same \(p.tokens) tokens decoded "
                   + "one at a time by the one-stream build on the one-stream core, both measured here, one bank.", ""]
            md += Report.table(["d", "streams", "prompt tokens", "prefill cycles", "cycles per token", "decode cycles (one stream)",
                                "cycles per token", "fewer cycles per token", "note"], [[
                "\(p.d)", "\(p.streams)", "\(p.tokens)", p.counters.map { Report.int(Int($0.cycles)) } ?? "–",
                p.cyclesPerToken.map { Report.int(Int($0.rounded())) } ?? "–", p.singleStreamCycles.map { Report.int(Int($0)) } ?? "–",
                p.singleStreamCycles.map { Report.int(Int($0) / p.tokens) } ?? "–", p.speedup.map { String(format: "%.2fx", $0) } ?? "–",
                p.note ?? ""]])
        }
        md += ["", "**Aggregate decode rate (a projection).** As in the projection above, from the measured step: tokens/s = "
               + "B × clock / (cycles per step × layers + head cycles), the head **estimated** from its weight beats at the "
               + "step's measured beat rate, the clock **assumed**. The bandwidth limit at B streams is B times the batch-1 "
               + "limit (each weight read once per step). ternip measured \(Report.int(Int(ternipTokensPerSecond))) tokens/s for "
               + "the 370M model on an Alveo U250 (4 DDR4 banks, 300 MHz, 24 lanes).", ""]
        let estimated = IntelResourcesSection.clock(r)
        let rows: [[String]] = r.sweep.models.flatMap { model in
            decode.filter { $0.d == model.d && $0.intermediate == model.intermediate }.compactMap { m -> [String]? in
                guard let c = m.counters, c.weightBeats > 0 else { return nil }
                let beats = Projection.headBeats(model, maxVectorLength: r.sweep.core(m.banks).isa.maxVectorLength, packing: .twoBit)
                let cycles = Double(c.cycles) * Double(model.layers) + Double(beats) / c.utilization
                let rate = { (clock: Double) in Double(m.streams) * clock / cycles }
                let one = r.projections.first { $0.model == model && $0.banks == m.banks && $0.packing == .twoBit }
                return [model.name, "\(m.banks)", "\(m.streams)", ProjectionSection.rate(rate(Projection.clock)),
                        ProjectionSection.rate(rate(Projection.upperClock)),
                        estimated.map { ProjectionSection.rate(rate($0)) } ?? "not estimated",
                        one.map { ProjectionSection.rate($0.tokensPerSecond(clock: Projection.clock)) } ?? "–",
                        ProjectionSection.rate(Double(m.streams) * Projection.bandwidthLimit(model, tritsPerByte: 4)),
                        model.name == "370M" ? Report.int(Int(ternipTokensPerSecond)) : "–"]
            }
        }
        md += Report.table(["model", "banks", "streams", "tokens/s at \(Int(Projection.clock / 1e6)) MHz (projected)",
                            "tokens/s at \(Int(Projection.upperClock / 1e6)) MHz (projected)",
                            "tokens/s at the estimated " + (estimated.map { "\(Int(($0 / 1e6).rounded())) MHz" } ?? "clock")
                                + " (Intel resources below)",
                            "one stream at \(Int(Projection.clock / 1e6)) MHz (projected)", "bandwidth limit at B, 2-bit",
                            "ternip (measured, U250)"], rows)
        return md
    }
}
