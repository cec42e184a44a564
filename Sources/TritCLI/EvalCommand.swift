import TritJSON
import ArgumentParser
import Compiler
import DeviceAPI
import Foundation
import Model
import Runner

/// `trit eval BUILD --tokens IDS.npy`: mean negative log-likelihood and
/// perplexity of a build compiled with its head, over windows of a token stream.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Perplexity of a build compiled with --head over a token stream.",
        discussion: """
            The ids (a 1-D .npy file of integers, no BOS added) are cut into non-overlapping windows of \
            --window inputs; window w feeds ids[N*w ..< N*w+N] and predicts the ids one later; each window \
            starts from a zero recurrent state. Mean NLL is the sum over all predicted positions divided by \
            their number, perplexity its exponential. --reference CKPT runs the float reference on the same \
            windows and reports its figures and how often both predict the same token. --engine cosim runs \
            every token on the D5005 core in Verilator, in lock step with the interpreter (slow: use --max-windows).
            """)

    @Argument(help: "Build directory (compiled from layer 0 with --head; or for several cards, with --cards).")
    var build: String

    @Option(help: "Token ids (.npy, 1-D, int32 or int64).")
    var tokens: String

    @Option(help: "Inputs per window.")
    var window = 256

    @Option(help: "Evaluate only the first K windows.")
    var maxWindows: Int?

    @OptionGroup var engine: EngineOptions

    @Option(help: "Also run the float reference of this checkpoint on the same windows.")
    var reference: String?

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard window > 0 else { throw ValidationError("--window must be positive, got \(window)") }
        if let k = maxWindows, k < 1 { throw ValidationError("--max-windows must be at least 1, got \(k)") }
    }

    func run() throws {
        try exitOnError(prefix: build) { try execute() }
    }

    func execute() throws {
        let model = try CompiledModel(path: build)
        let m = model.last
        guard m.head, model.first.firstLayer == 0, let table = model.embeddings else {
            throw ValidationError("\(build): evaluation needs a build compiled from layer 0 with --head")
        }
        let embeddings = try EmbeddingTable(vocab: m.model.vocabSize, width: m.model.hiddenSize, values: table)
        var ids = try readTokenIds(tokens)
        if let k = maxWindows { ids = Array(ids.prefix(k * window + 1)) }
        let ref = try reference.map { try fullModelReference($0, m.model) }
        ref?.trackPeaks = true
        let session = try model.stepper(engine)
        let clock = Date()
        let e = try Evaluation.run(session, embeddings: embeddings, ids: ids, window: window, reference: ref) { done, total in
            if !json && (done % 10 == 0 || done == total) { ISAToolFiles.stderr("window \(done)/\(total)") }
        }
        let seconds = Date().timeIntervalSince(clock)
        for w in e.warnings(width: m.model.hiddenSize) { ISAToolFiles.stderr(w) }
        let range = Double(1 << (31 - m.target.fracBits))
        print(json ? Self.json(e, window: window, seconds: seconds, peaks: ref?.peaks, range: range, loads: session.loads).serialized
                   : Self.text(e, window: window, seconds: seconds, peaks: ref?.peaks, range: range, format: m.target.formatName))
    }

    static func text(_ e: Evaluation, window: Int, seconds: Double, peaks: ActivationPeaks?, range: Double, format: String) -> String {
        var lines = [String(format: "%d positions in %d windows of %d: mean NLL %.5f nats, perplexity %.3f (%.1f s)",
                            e.positions, e.windows.count, window, e.meanNLL, e.perplexity, seconds)]
        lines.append(e.saturationTotal == 0 ? "no value saturated"
                     : "saturated elements: \(e.saturationTotal)" + (e.saturations.isEmpty ? "" : " (" + e.saturations.listing + ")"))
        if let r = e.referenceMeanNLL, let a = e.argmaxAgreement {
            lines.append(String(format: "float reference: mean NLL %.5f nats, perplexity %.3f; same predicted token at %.2f%% of positions",
                                r, Foundation.exp(r), 100 * a))
        }
        if let peaks {
            lines.append("largest magnitudes in the float model (\(format) reaches \(Int(range))): "
                         + peaks.named.map { String(format: "%@ %.2f", $0.name, $0.value) }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ e: Evaluation, window: Int, seconds: Double, peaks: ActivationPeaks?, range: Double, loads: [LoadReport]) -> JSON {
        var o: JSONObject = [
            "mean_nll": .double(e.meanNLL), "perplexity": .double(e.perplexity), "tokens": .int(e.positions),
            "windows": .int(e.windows.count), "window": .int(window), "seconds": .rounded(seconds, 3),
            "saturations": .int(e.saturationTotal), "saturations_by_instruction": e.saturations.json,
            "clamped_inputs": .int(e.clampedInputs), "load": .array(loads.map(\.json)),
        ]
        if let r = e.referenceMeanNLL, let a = e.argmaxAgreement {
            o["reference_mean_nll"] = .double(r)
            o["reference_perplexity"] = .double(Foundation.exp(r))
            o["argmax_agreement"] = .double(a)
        }
        if let peaks {
            o["reference_peaks"] = .object(JSONObject(peaks.named.map { ($0.name, .double($0.value)) }))
            o["format_range"] = .double(range)
        }
        return .object(o)
    }
}

/// Token ids from a 1-D .npy file of integers.
func readTokenIds(_ file: String) throws -> [Int] {
    let a = try NPY.read(path: file)
    guard a.shape.count == 1 else { throw ValidationError("\(file): shape \(a.shape), expected a 1-D array of token ids") }
    return try a.values.enumerated().map { k, v in
        guard v.isFinite, v == v.rounded(), abs(v) < 1e15 else { throw ValidationError("\(file): element \(k) (\(v)) is not a token id") }
        return Int(v)
    }
}
