import HDL
import HDLLib
import HDLSim
import Testing

@Suite struct AdderTreeSimulationTests {
    static let inputs = 64

    /// Random int8 activations, weighted towards the extremes (-128 above all).
    static func activations(_ rng: inout SplitMix64) -> [Int] {
        (0..<inputs).map { _ in
            switch rng.int(0...9) {
            case 0: return -128
            case 1: return 127
            default: return rng.int(-128...127)
            }
        }
    }

    /// Random 2-bit trit codes, all four (including the unused `10`).
    static func trits(_ rng: inout SplitMix64) -> [Int] {
        (0..<inputs).map { _ in rng.int(0...3) }
    }

    /// `01` adds, `11` subtracts, `00` and `10` skip.
    static func model(_ x: [Int], _ codes: [Int]) -> Int {
        zip(x, codes).reduce(0) { sum, p in
            switch p.1 {
            case 1: return sum + p.0
            case 3: return sum - p.0
            default: return sum
            }
        }
    }

    static func poke(_ sim: Simulator, _ x: [Int], _ codes: [Int]) throws {
        try sim.poke("x", elements: x)
        var words = [UInt64](repeating: 0, count: (2 * inputs + 63) / 64)
        for (i, c) in codes.enumerated() { words[(2 * i) / 64] |= UInt64(c) << UInt64((2 * i) % 64) }
        try sim.poke("trits", BitVector(width: 2 * inputs, words: words))
    }

    /// Hand-picked corners: every input -128 subtracted (the largest sum),
    /// every input -128 added (the smallest), and all of one code.
    static func corners() -> [([Int], [Int])] {
        let n = inputs
        return [
            (Array(repeating: -128, count: n), Array(repeating: 3, count: n)),
            (Array(repeating: -128, count: n), Array(repeating: 1, count: n)),
            (Array(repeating: 127, count: n), Array(repeating: 1, count: n)),
            (Array(repeating: 127, count: n), Array(repeating: 2, count: n)),
            (Array(repeating: -1, count: n), Array(repeating: 0, count: n)),
        ]
    }

    @Test func combinationalTreeMatchesSum() throws {
        let seed = testSeed(0x7E57)
        var rng = SplitMix64(seed: seed)
        let tree = TernaryAdderTree(inputs: Self.inputs, width: 8)
        let sim = try simulate(tree)
        #expect(!sim.isSequential)
        #expect(try sim.port("sum").width == tree.sumWidth)
        var vectors = Self.corners()
        for _ in 0..<iterations(300) { vectors.append((Self.activations(&rng), Self.trits(&rng))) }
        for (n, (x, codes)) in vectors.enumerated() {
            try Self.poke(sim, x, codes)
            sim.eval()
            let sum = try sim.peekSigned("sum"), expected = Self.model(x, codes)
            try #require(sum == expected, "seed \(seed), vector \(n): sum \(sum), model \(expected)\nx \(x)\ntrits \(codes)")
        }
    }

    @Test func pipelinedTreeMatchesSumAfterItsLatency() throws {
        let seed = testSeed(0x9199)
        var rng = SplitMix64(seed: seed)
        let tree = TernaryAdderTree(inputs: Self.inputs, width: 8, registerAbove: 16)
        #expect(tree.latency == 3)
        let sim = try simulate(tree)
        try sim.reset()
        // A new vector every cycle; each sum appears `latency` edges later.
        var vectors = Self.corners()
        for _ in 0..<iterations(300) { vectors.append((Self.activations(&rng), Self.trits(&rng))) }
        var sent: [Int] = []
        for (n, (x, codes)) in vectors.enumerated() {
            try Self.poke(sim, x, codes)
            try sim.step()
            sent.append(Self.model(x, codes))
            let oldest = n - tree.latency + 1
            if oldest >= 0 {
                let sum = try sim.peekSigned("sum")
                try #require(sum == sent[oldest], "seed \(seed), cycle \(n): sum \(sum), model of vector \(oldest) \(sent[oldest])")
            }
        }
    }
}
