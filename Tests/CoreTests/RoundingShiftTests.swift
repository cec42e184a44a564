@testable import Core
import HDL
import HDLSim
import ISA
import Testing
import TestSupport

/// `roundingShiftRightInTwoSteps` against `Numeric.rshr`, with shift
/// amounts that have whole bytes (6 bits, as the divider's) and that have
/// none (3 bits: all of it in the second step), each two clock edges late.
@Suite struct RoundingShiftTests {
    static func probe(amountBits: Int) -> InlineModule {
        InlineModule("RoundingShiftProbe", parameters: [Parameter("K", amountBits)]) { m in
            let v = m.input("v", .sint(40))
            let sMinusOne = m.input("s_minus_one", .uint(amountBits))
            m.output("q", .sint(40)).set(m.regNext("rounded", m.roundingShiftRightInTwoSteps("v", v, byOneLessThan: sMinusOne)))
        }
    }

    @Test(arguments: [3, 6]) func matchesRshr(_ amountBits: Int) throws {
        let seed = testSeed(0x5253_4852)
        var rng = SplitMix64(seed: seed)
        let inputs = (0..<iterations(400)).map { _ -> (Int64, Int) in
            // A signed 40-bit value (the edges often) and an amount s - 1 in range.
            let v: Int64 = rng.int(0...4) == 0 ? [0, -1, (1 << 39) - 1, -(1 << 39)][rng.int(0...3)]
                : (Int64(bitPattern: rng.next()) << 24) >> 24
            return (v, rng.int(0...((1 << amountBits) - 1)))
        }
        let sim = try Simulator(elaborate(Self.probe(amountBits: amountBits)))
        try sim.reset()
        var failures = 0
        try runPipeline(sim, latency: 2, inputs: inputs, drive: { v, sMinusOne in
            try sim.poke("v", BitVector(width: 40, words: [UInt64(bitPattern: v)]).bits(0, count: 40))
            try sim.poke("s_minus_one", UInt64(sMinusOne))
        }) { i, input in
            let (v, sMinusOne) = input
            let want = Numeric.rshr(v, sMinusOne + 1)
            let raw = try sim.peek("q")
            let got = (Int64(bitPattern: raw) << 24) >> 24
            if got != want {
                failures += 1
                if failures <= 5 { Issue.record("seed \(seed): input \(i): rshr(\(v), \(sMinusOne + 1)): RTL \(got), Swift \(want)") }
            }
        }
        #expect(failures == 0, "seed \(seed): \(failures) of \(inputs.count) differ")
    }
}
