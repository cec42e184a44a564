import Core
import HDL
import HDLEmit
import HDLEmit
import HDLSim
import ISA
import Testing
import TestSupport

/// RMSNorm's scale on its own, at the largest vector length the contract
/// allows (65536), against `Numeric.rmsScale`: sums of squares from tiny to
/// the 79-bit maximum, every eps from 0 to 2^32 - 1.
@Suite(.serialized) struct RMSScaleTests {
    @Test func scalesMatchNumeric() throws {
        let seed = testSeed(0x125C_A1E0)
        var rng = SplitMix64(seed: seed)
        let f = CoreConfig.standard.fracBits
        let unit = RMSScale(maxVectorLength: CoreConfig.vectorLengthLimit, fracBits: f)
        let sim = try Simulator(elaborate(unit))
        try sim.reset()

        for n in 0..<iterations(200) {
            let count = [1, 2, 3, 65535, 65536, rng.int(1...65536), rng.int(1...64)][rng.below(7)]
            // A few distinct values repeated: the sum stays easy to form exactly.
            let palette: [Int32] = (0..<3).map { _ in
                switch rng.below(5) {
                case 0: return 0
                case 1: return Int32.min
                case 2: return Int32(rng.int(-3...3))
                case 3: return Int32((rng.normal() * 65536).rounded())
                default: return Int32(truncatingIfNeeded: rng.next())
                }
            }
            let x = (0..<count).map { _ in palette[rng.below(3)] }
            let eps: UInt32 = [0, 1, UInt32.max, 42950, UInt32(truncatingIfNeeded: rng.next())][rng.below(5)]
            let want = x.withUnsafeBufferPointer { Numeric.rmsScale($0, epsQ: eps, f: f) } ?? 0

            var low: UInt64 = 0, high: UInt64 = 0
            for v in x {
                let (l, c) = low.addingReportingOverflow(UInt64(v.magnitude) * UInt64(v.magnitude))
                low = l
                if c { high += 1 }
            }
            try sim.poke("start", true)
            try sim.poke("sum_squares", BitVector(width: unit.sumBits, words: [low, high]))
            try sim.poke("n", UInt64(count))
            try sim.poke("eps", UInt64(eps))
            try sim.step()
            try sim.poke("start", false)
            var cycles = 1
            while try !sim.peekBool("done") && cycles < 200 {
                try sim.step()
                cycles += 1
            }
            let got = try sim.peekSigned("scale")
            #expect(got == Int(want), "seed \(seed), case \(n): n \(count), values \(palette), eps \(eps): R \(got), expected \(want) after \(cycles) cycles")
        }
    }

    /// Every state fits the 300 MHz depth budget of docs/silicon.md's rules
    /// (4 LUT levels; finding h and shifting in one cycle was 23).
    @Test func statesAreAtMostFourLUTLevels() throws {
        let unit = RMSScale(maxVectorLength: 8192, fracBits: CoreConfig.standard.fracBits)
        let path = try deepestPath(of: unit)
        #expect(path.lutLevels <= 4, "deepest path \(path.start) -> \(path.end): \(path.lutLevels) LUT levels")
    }
}
