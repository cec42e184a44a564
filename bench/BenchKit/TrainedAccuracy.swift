import Compiler
import Foundation
import ISA
import Model
import Interpreter
import Runner

/// Perplexity of the trained model in fixtures/trained/S (made by the
/// official code) on its validation split: the integer pipeline on the
/// interpreter at several fraction widths, and the float reference once.
public struct AccuracyMeasurement: Sendable {
    public struct Point: Sendable {
        public var fracBits: Int
        public var meanNLL: Double
        public var seconds: Double
        /// Elements the pipeline saturated over the run (all instruction kinds).
        public var saturations: Int
    }
    public var official: Double
    public var positions: Int
    public var windows: Int
    public var reference: Double
    public var argmaxAgreement: Double
    public var peaks: ActivationPeaks
    public var points: [Point]
}

enum TrainedAccuracy {
    /// `windows` nil: the whole split, compared with the README's official figure;
    /// else the first windows, compared with the official per-window NLLs.
    static func measure(root: URL, windows: Int?, fracBits: [Int], log: (String) -> Void) throws -> AccuracyMeasurement {
        let dir = root.appendingPathComponent("fixtures/trained/S").path
        let ckpt = try Checkpoint(directory: root.appendingPathComponent("models/shakespeare").path)
        var ids = try NPY.read(path: dir + "/val_ids.npy").values.map { Int($0) }
        if let w = windows { ids = Array(ids.prefix(256 * w + 1)) }
        let official = try officialMeanNLL(dir, windows: windows)
        var points: [AccuracyMeasurement.Point] = []
        var result: AccuracyMeasurement?
        for f in fracBits {
            var target = CoreConfig.standard
            target.fracBits = f
            let build = try ModelCompiler.compile(ckpt, head: true, target: target)
            let session = try BuildSession(manifest: build.manifest, program: build.program, memory: build.memory,
                                           engine: InterpreterEngine(config: target))
            let table = try EmbeddingTable(vocab: ckpt.config.vocabSize, width: ckpt.config.hiddenSize, values: build.embeddings!)
            let reference = result == nil ? try FloatReference(source: ckpt, layers: 0...(ckpt.config.layers - 1), head: true) : nil
            reference?.trackPeaks = true
            let clock = Date()
            let e = try Evaluation.run(session, embeddings: table, ids: ids, window: 256, reference: reference)
            let seconds = Date().timeIntervalSince(clock)
            log(String(format: "trained model, Q%d.%d: mean NLL %.6f (%.1f s)", 31 - f, f, e.meanNLL, seconds))
            points.append(.init(fracBits: f, meanNLL: e.meanNLL, seconds: seconds, saturations: e.saturations.total))
            if let reference, let r = e.referenceMeanNLL, let a = e.argmaxAgreement {
                result = AccuracyMeasurement(official: official, positions: e.positions, windows: e.windows.count, reference: r,
                                             argmaxAgreement: a, peaks: reference.peaks, points: [])
            }
        }
        result!.points = points
        return result!
    }

    /// The official mean NLL over the same windows, from its per-window figures.
    static func officialMeanNLL(_ dir: String, windows: Int?) throws -> Double {
        let mean = try NPY.read(path: dir + "/val_window_mean_nll.npy").values
        let count = try NPY.read(path: dir + "/val_window_len.npy").values
        let n = windows ?? mean.count
        let total = (0..<n).reduce(0.0) { $0 + mean[$1] * count[$1] }
        return total / count.prefix(n).reduce(0, +)
    }
}
