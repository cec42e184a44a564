import Foundation
import Runner
import Testing

/// Greedy and seeded sampling: the rules of `SamplingOptions`, checked on
/// logits whose probabilities are known exactly.
struct SamplingTests {
    /// Probabilities 1/7, 2/7, 4/7 at temperature 1.
    static let logits = [0, log(2.0), log(4.0)]

    func frequencies(_ o: SamplingOptions, draws: Int = 70_000, logits: [Double] = Self.logits) throws -> [Double] {
        var sampler = try Sampler(o)
        var counts = [Int](repeating: 0, count: logits.count)
        for _ in 0..<draws { counts[sampler.next(logits)] += 1 }
        return counts.map { Double($0) / Double(draws) }
    }

    @Test func greedyIsTheArgmaxWithTheLowestIdOnATie() throws {
        var sampler = try Sampler(.greedy)
        #expect(sampler.next(Self.logits) == 2)
        #expect(sampler.next([1, 3, 3, 0]) == 1)
    }

    @Test func samplingFollowsTheSoftmax() throws {
        let seed: UInt64 = 11
        let f = try frequencies(SamplingOptions(temperature: 1, seed: seed))
        for (got, expected) in zip(f, [1.0 / 7, 2.0 / 7, 4.0 / 7]) { #expect(abs(got - expected) < 0.01, "seed \(seed): \(f)") }
        // Temperature 2 flattens: probabilities proportional to 1, sqrt 2, 2.
        let flat = try frequencies(SamplingOptions(temperature: 2, seed: seed))
        let z = 1 + 2.0.squareRoot() + 2
        for (got, expected) in zip(flat, [1 / z, 2.0.squareRoot() / z, 2 / z]) { #expect(abs(got - expected) < 0.01, "seed \(seed): \(flat)") }
    }

    @Test func topKAndTopPKeepTheMostLikely() throws {
        let k2 = try frequencies(SamplingOptions(temperature: 1, topK: 2, seed: 3))
        #expect(k2[0] == 0 && abs(k2[1] - 1.0 / 3) < 0.01, "\(k2)")
        #expect(try frequencies(SamplingOptions(temperature: 5, topK: 1, seed: 3), draws: 1000) == [0, 0, 1])
        // 4/7 = 0.571 reaches p = 0.5 alone; p = 0.6 also needs 2/7.
        #expect(try frequencies(SamplingOptions(temperature: 1, topP: 0.5, seed: 3), draws: 1000) == [0, 0, 1])
        let p6 = try frequencies(SamplingOptions(temperature: 1, topP: 0.6, seed: 3))
        #expect(p6[0] == 0 && abs(p6[1] - 1.0 / 3) < 0.01, "\(p6)")
    }

    @Test func aSeedReproducesItsTokens() throws {
        let logits = (0..<100).map { Double($0 % 7) / 3 }
        func draw(_ seed: UInt64) throws -> [Int] {
            var s = try Sampler(SamplingOptions(temperature: 0.8, topK: 50, topP: 0.9, seed: seed))
            return (0..<50).map { _ in s.next(logits) }
        }
        #expect(try draw(5) == draw(5))
        #expect(try draw(5) != draw(6))
    }

    @Test func nonsensicalSettingsAreRefusedByName() {
        let cases: [(SamplingOptions, String)] = [
            (SamplingOptions(temperature: -1), "--temperature must be a finite number >= 0, got -1.0"),
            (SamplingOptions(temperature: .nan), "--temperature"),
            (SamplingOptions(temperature: 1, topK: 0), "--top-k must be at least 1, got 0"),
            (SamplingOptions(temperature: 1, topP: 0), "--top-p must be in (0, 1], got 0.0"),
            (SamplingOptions(temperature: 1, topP: 1.5), "--top-p must be in (0, 1], got 1.5"),
            (SamplingOptions(topK: 5), "need a --temperature above 0"),
        ]
        for (options, message) in cases {
            #expect(throws: RunnerError.self) { try Sampler(options) }
            #expect(options.problems.contains { $0.contains(message) }, "\(options.problems)")
        }
    }
}
