import Compiler
import DeviceAPI
import ISA
import Foundation

/// The paper's core (BOARD.md): one d = 512 block in 43 ms at 60 MHz.
public enum PaperCore {
    public static let cyclesPerBlockAt512 = 2_580_000
}

/// Human and machine-readable summaries of a token run.
public enum RunReport {
    /// One line describing what the build holds; a model compiled for
    /// several cards (`trit compile --cards N`) is described as one.
    public static func describe(_ cards: [BuildManifest]) -> String {
        let m = span(cards)
        let c = m.model
        let last = m.firstLayer + m.layerCount - 1
        let layers = m.layerCount == 1 ? "layer \(m.firstLayer)" : "layers \(m.firstLayer)..\(last)"
        return "\(layers) of \(c.layers) (d \(c.hiddenSize), I \(c.intermediateSize))\(m.head ? " + head (vocab \(c.vocabSize))" : ""), "
            + "\(m.instructions) instructions and \(bytes(m.weightBytes)) of packed weights per token"
            + (m.packing == Int(WeightPacking.base3.rawValue) ? " (base-3 packing)" : "")
            + (cards.count > 1 ? ", on \(cards.count) cards" : "")
    }

    public static func describe(_ m: BuildManifest) -> String { describe([m]) }

    /// The cards' manifests as one span of layers: the first card's start,
    /// the last card's head, layers, instructions and weights summed.
    static func span(_ cards: [BuildManifest]) -> BuildManifest {
        var m = cards[0]
        m.layerCount = cards.reduce(0) { $0 + $1.layerCount }
        m.head = cards[cards.count - 1].head
        m.instructions = cards.reduce(0) { $0 + $1.instructions }
        m.weightBytes = cards.reduce(0) { $0 + $1.weightBytes }
        return m
    }

    /// Lines for people: per token, then the worst agreement, then the core's figures.
    public static func lines(_ run: TokenRun, manifest: BuildManifest) -> [String] { lines(run, cards: [manifest]) }

    public static func lines(_ run: TokenRun, cards: [BuildManifest]) -> [String] {
        let m = span(cards)
        var out: [String] = []
        for (t, token) in run.tokens.enumerated() {
            var s = "token \(t): \(token.step.instructions) instructions"
            if let r = token.step.counters {
                s += ", \(r.cycles) cycles (\(r.cycles / UInt64(max(m.layerCount, 1))) per block), weight-beat utilization "
                    + String(format: "%.3f", r.utilization)
            }
            if let o = token.output { s += "; output " + show(o) }
            if let a = token.argmax { s += "; argmax \(a.build)" + (a.reference.map { " (reference \($0))" } ?? "") }
            out.append(s)
        }
        if let worst = run.worstBlockOutput, let state = run.worstState {
            out.append("against the float reference, worst over \(run.tokens.count) tokens and \(m.layerCount) blocks: "
                       + "block output \(show(worst)), recurrent state \(show(state))")
        }
        if let agree = run.argmaxAgreement {
            out.append(String(format: "logits argmax agrees with the reference on %.1f%% of steps", 100 * agree))
        }
        if let cycles = run.cycles, !run.tokens.isEmpty {
            let perBlock = Double(cycles) / Double(run.tokens.count * max(m.layerCount, 1))
            var s = String(format: "cycles per block (mean over tokens): %.0f", perBlock)
            if m.model.hiddenSize == 512 {
                s += String(format: "; the paper's core needed about %.2f M cycles for a d = 512 block: %.0fx fewer",
                            Double(PaperCore.cyclesPerBlockAt512) / 1e6, Double(PaperCore.cyclesPerBlockAt512) / perBlock)
            }
            out.append(s)
        }
        return out
    }

    /// One JSON object; `loads` has one entry per card.
    public static func json(_ run: TokenRun, cards: [BuildManifest], loads: [LoadReport]) -> String {
        let m = span(cards)
        var fields: [String] = [
            "\"tokens\": \(run.tokens.count)",
            "\"layers\": [\(m.firstLayer), \(m.firstLayer + m.layerCount - 1)]",
            "\"head\": \(m.head)",
            "\"instructions\": [\(run.tokens.map { String($0.step.instructions) }.joined(separator: ", "))]",
            "\"saturations\": \(run.saturationTotal)",
            "\"saturations_by_instruction\": \(run.saturations.json)",
            "\"clamped_inputs\": \(run.clampedInputs)",
            "\"cards\": \(cards.count)",
            "\"load\": [\(loads.map(\.json).joined(separator: ", "))]",
        ]
        let counters = run.tokens.compactMap(\.step.counters)
        if !counters.isEmpty {
            fields.append("\"cycles\": [\(counters.map { String($0.cycles) }.joined(separator: ", "))]")
            fields.append("\"utilization\": [\(counters.map { String(format: "%.6f", $0.utilization) }.joined(separator: ", "))]")
        }
        let details = run.tokens.compactMap(\.step.run.detail)
        if !details.isEmpty { fields.append("\"core\": [\(details.map(\.json).joined(separator: ", "))]") }
        func agreement(_ a: Agreement?) -> String {
            a.map { String(format: "{\"cosine\": %.9f, \"relative_l2\": %.9f}", $0.cosine, $0.relativeL2) } ?? "null"
        }
        fields.append("\"worst_block_output\": \(agreement(run.worstBlockOutput))")
        fields.append("\"worst_state\": \(agreement(run.worstState))")
        fields.append("\"worst_output\": \(agreement(run.worstOutput))")
        fields.append("\"argmax\": [\(run.tokens.compactMap(\.argmax).map { String($0.build) }.joined(separator: ", "))]")
        fields.append("\"argmax_agreement\": \(run.argmaxAgreement.map { String($0) } ?? "null")")
        return "{" + fields.joined(separator: ", ") + "}"
    }

    static func show(_ a: Agreement) -> String {
        String(format: "cos %.6f, rel L2 %.3f%%", a.cosine, 100 * a.relativeL2)
    }

    static func bytes(_ n: Int) -> String {
        n >= 1 << 20 ? String(format: "%.1f MiB", Double(n) / Double(1 << 20)) : String(format: "%.1f KiB", Double(n) / 1024)
    }
}
