import TritJSON
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
            + (m.streams > 1 ? " step of \(m.streams) streams" : "")
            + (m.prefillLength.map { ", prefill of up to \($0) tokens" } ?? "")
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
    public static func json(_ run: TokenRun, cards: [BuildManifest], loads: [LoadReport]) -> JSON {
        let m = span(cards)
        var o: JSONObject = [
            "tokens": .int(run.tokens.count),
            "layers": .array([.int(m.firstLayer), .int(m.firstLayer + m.layerCount - 1)]),
            "head": .bool(m.head),
            "instructions": .array(run.tokens.map { .int($0.step.instructions) }),
            "saturations": .int(run.saturationTotal),
            "saturations_by_instruction": run.saturations.json,
            "clamped_inputs": .int(run.clampedInputs),
            "cards": .int(cards.count),
            "load": .array(loads.map(\.json)),
        ]
        let counters = run.tokens.compactMap(\.step.counters)
        if !counters.isEmpty {
            o["cycles"] = .array(counters.map { .int(Int($0.cycles)) })
            o["utilization"] = .array(counters.map { .rounded($0.utilization, 6) })
        }
        let details = run.tokens.compactMap(\.step.run.detail)
        if !details.isEmpty { o["core"] = .array(details.map(\.json)) }
        func agreement(_ a: Agreement?) -> JSON {
            .optional(a) { .object(["cosine": .rounded($0.cosine, 9), "relative_l2": .rounded($0.relativeL2, 9)]) }
        }
        o["worst_block_output"] = agreement(run.worstBlockOutput)
        o["worst_state"] = agreement(run.worstState)
        o["worst_output"] = agreement(run.worstOutput)
        o["argmax"] = .array(run.tokens.compactMap(\.argmax).map { .int($0.build) })
        o["argmax_agreement"] = .optional(run.argmaxAgreement) { .double(Double($0)) }
        return .object(o)
    }

    static func show(_ a: Agreement) -> String {
        String(format: "cos %.6f, rel L2 %.3f%%", a.cosine, 100 * a.relativeL2)
    }

    static func bytes(_ n: Int) -> String {
        n >= 1 << 20 ? String(format: "%.1f MiB", Double(n) / Double(1 << 20)) : String(format: "%.1f KiB", Double(n) / 1024)
    }
}
