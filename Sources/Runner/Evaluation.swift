import Foundation
import ISA
import Model

/// Perplexity of a build compiled with its head over a token stream, the
/// way language models are scored: the stream is cut into non-overlapping
/// windows of `window` inputs (window w feeds `ids[N w ..< N w + N]` and
/// predicts `ids[N w + 1 ..< N w + N + 1]`; the last one is shorter), each
/// run from a zero recurrent state. The mean negative log-likelihood is the
/// sum over all predicted positions divided by their number (len - 1).
public struct Evaluation {
    /// Negative log-likelihoods (nats) of one window's predicted positions.
    public struct Window {
        public var nll: [Double]
        /// The predicted token at each position (argmax of the logits).
        public var argmax: [Int]
        public var meanNLL: Double { nll.reduce(0, +) / Double(nll.count) }
    }

    public var windows: [Window] = []
    /// The float reference on the same windows, when asked for.
    public var reference: [Window]?
    /// Elements the pipeline saturated, per instruction kind, over every token.
    public var saturations = SaturationCounts()
    /// Every saturated element, also where only the core's counter knows them.
    public var saturationTotal = 0
    /// Input elements outside the fixed-point range, clamped when written.
    public var clampedInputs = 0

    /// The stderr warnings of this run (none when nothing was clamped).
    public func warnings(width: Int) -> [String] {
        RunWarnings.lines(saturations: saturations, total: saturationTotal, clampedInputs: clampedInputs, inputElements: width * positions, tokens: positions)
    }

    public var positions: Int { windows.reduce(0) { $0 + $1.nll.count } }
    public var meanNLL: Double { Self.mean(windows) }
    public var perplexity: Double { Foundation.exp(meanNLL) }
    public var referenceMeanNLL: Double? { reference.map(Self.mean) }
    /// Fraction of positions where the build and the reference predict the same token.
    public var argmaxAgreement: Double? {
        guard let reference else { return nil }
        let pairs = zip(windows, reference).flatMap { zip($0.argmax, $1.argmax) }
        return Double(pairs.filter { $0 == $1 }.count) / Double(pairs.count)
    }

    static func mean(_ w: [Window]) -> Double {
        let n = w.reduce(0) { $0 + $1.nll.count }
        return w.reduce(0) { $0 + $1.nll.reduce(0, +) } / Double(max(n, 1))
    }

    /// The windows' input ranges over a stream of `count` ids.
    public static func windows(count: Int, window: Int) -> [Range<Int>] {
        stride(from: 0, to: count - 1, by: window).map { $0..<min($0 + window, count - 1) }
    }

    /// Runs every window of `ids` through `session` (and `reference`, when
    /// given); `progress` is called after each window with (done, total).
    public static func run(_ session: TokenStepper, embeddings: EmbeddingTable, ids: [Int], window: Int,
                           reference: FloatReference? = nil, progress: ((Int, Int) -> Void)? = nil) throws -> Evaluation {
        guard session.head, session.firstLayer == 0 else {
            throw RunnerError.incompatible("evaluation needs a build compiled from layer 0 with --head")
        }
        guard window > 0 else { throw RunnerError.input("--window must be positive, got \(window)") }
        guard ids.count >= 2 else { throw RunnerError.input("evaluation needs at least 2 tokens, got \(ids.count)") }
        if let bad = ids.first(where: { !(0..<embeddings.vocab).contains($0) }) {
            throw RunnerError.input("token \(bad) is outside the vocabulary 0..<\(embeddings.vocab)")
        }
        var result = Evaluation()
        if reference != nil { result.reference = [] }
        let ranges = windows(count: ids.count, window: window)
        for (k, range) in ranges.enumerated() {
            try session.resetState()
            reference?.reset()
            var build = Window(nll: [], argmax: []), ref = Window(nll: [], argmax: [])
            for t in range {
                let x = try embeddings.row(ids[t])
                let step = try session.step(x)
                result.saturations = result.saturations.adding(step.saturations)
                result.saturationTotal += step.run.saturationTotal
                result.clampedInputs += step.clampedInputs
                build.append(logits: step.output, target: ids[t + 1])
                if let reference, let l = reference.step(x.map(Double.init)).logits {
                    ref.append(logits: l, target: ids[t + 1])
                }
            }
            result.windows.append(build)
            if reference != nil { result.reference!.append(ref) }
            progress?(k + 1, ranges.count)
        }
        return result
    }
}

extension Evaluation.Window {
    mutating func append(logits: [Double], target: Int) {
        nll.append(negativeLogLikelihood(logits, target: target))
        argmax.append(Runner.argmax(logits))
    }
}

/// `logsumexp(logits) - logits[target]`, computed stably.
public func negativeLogLikelihood(_ logits: [Double], target: Int) -> Double {
    let peak = logits.max() ?? 0
    var sum = 0.0
    for v in logits { sum += Foundation.exp(v - peak) }
    return peak + Foundation.log(sum) - logits[target]
}
