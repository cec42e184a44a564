import Foundation
import Model

/// How the next token is chosen from the logits: greedy (temperature 0),
/// or sampled from softmax(logits / temperature) after top-k, then top-p
/// (nucleus) filtering, the order Hugging Face's `generate` applies them.
/// Seeded: the same seed, logits and settings give the same tokens.
public struct SamplingOptions: Sendable, Equatable {
    /// 0: greedy (argmax, the lowest id on a tie).
    public var temperature: Double
    /// Keep the k most likely tokens (nil: all).
    public var topK: Int?
    /// Keep the smallest set of most likely tokens whose probability reaches p (1: all).
    public var topP: Double
    public var seed: UInt64

    public init(temperature: Double = 0, topK: Int? = nil, topP: Double = 1, seed: UInt64 = 0) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.seed = seed
    }

    public static let greedy = SamplingOptions()
    public var isGreedy: Bool { temperature == 0 }

    /// What is wrong with these settings, empty when they make sense.
    public var problems: [String] {
        var out: [String] = []
        if !(temperature >= 0 && temperature.isFinite) { out.append("--temperature must be a finite number >= 0, got \(temperature)") }
        if let k = topK, k < 1 { out.append("--top-k must be at least 1, got \(k)") }
        if !(topP > 0 && topP <= 1) { out.append("--top-p must be in (0, 1], got \(topP)") }
        if isGreedy && (topK != nil || topP != 1) { out.append("--top-k and --top-p need a --temperature above 0 (without one, decoding is greedy)") }
        return out
    }
}

/// Picks tokens by `SamplingOptions`, drawing from its own seeded generator.
public struct Sampler {
    public let options: SamplingOptions
    private var random: SeededRandom

    public init(_ options: SamplingOptions) throws {
        guard options.problems.isEmpty else { throw RunnerError.input(options.problems.joined(separator: "; ")) }
        self.options = options
        random = SeededRandom(seed: options.seed)
    }

    /// The next token for these logits (one per vocabulary entry).
    public mutating func next(_ logits: [Double]) -> Int {
        if options.isGreedy { return argmax(logits) }
        let candidates = Self.candidates(logits, options)
        let total = candidates.reduce(0) { $0 + $1.probability }
        var u = random.uniform() * total
        for c in candidates {
            u -= c.probability
            if u < 0 { return c.id }
        }
        return candidates[candidates.count - 1].id
    }

    /// The tokens that may be drawn, most likely first (ties by id), with
    /// their unnormalized probabilities after top-k and top-p. With top-k,
    /// only the k best are ordered and exponentiated: a vocabulary of 32,000
    /// is not sorted at every token.
    static func candidates(_ logits: [Double], _ o: SamplingOptions) -> [(id: Int, probability: Double)] {
        let top = logits.max() ?? 0
        let order = o.topK.map { mostLikely(logits, $0) }
            ?? logits.indices.sorted { logits[$0] != logits[$1] ? logits[$0] > logits[$1] : $0 < $1 }
        var all = order.map { (id: $0, probability: exp((logits[$0] - top) / o.temperature)) }
        if o.topP < 1 {
            let total = all.reduce(0) { $0 + $1.probability }
            var sum = 0.0
            var keep = 0
            while keep < all.count && sum < o.topP * total {
                sum += all[keep].probability
                keep += 1
            }
            all.removeSubrange(max(keep, 1)...)
        }
        return all
    }

    /// The ids of the `k` largest logits, largest first (ties by id): one
    /// pass keeping a sorted list of k, so O(V log k) for V logits.
    static func mostLikely(_ logits: [Double], _ k: Int) -> [Int] {
        var best: [Int] = []
        best.reserveCapacity(k + 1)
        func before(_ a: Int, _ b: Int) -> Bool { logits[a] != logits[b] ? logits[a] > logits[b] : a < b }
        for id in logits.indices {
            if best.count == k, let last = best.last, !before(id, last) { continue }
            var lo = 0, hi = best.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if before(best[mid], id) { lo = mid + 1 } else { hi = mid }
            }
            best.insert(id, at: lo)
            if best.count > k { best.removeLast() }
        }
        return best
    }
}
