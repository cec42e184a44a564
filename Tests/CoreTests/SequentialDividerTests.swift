import Core
import HDL
import HDLEmit
import HDLSim
import Testing
import TestSupport

/// The sequential divider against Swift's integer division, in the two
/// shapes the reduction unit uses it for: a full-width quotient (quant's
/// multiplier) and a 64-bit quotient of a wider dividend (RMSNorm's mean).
@Suite(.serialized) struct SequentialDividerTests {
    @Test func lintClean() throws {
        let design = try elaborate(SequentialDivider(dividendBits: 80, divisorBits: 31, quotientBits: 64, bitsPerCycle: 2))
        let files = SystemVerilogEmitter().files(for: design)
        let problems = try Lint.verilator(files, top: design.top.name)
        #expect(problems.isEmpty, "\(problems)")
        #expect(try Lint.yosys(files, top: design.top.name).problems.isEmpty)
    }

    /// A divisor of `bits` bits biased to the edges (1, powers of two, all ones).
    static func divisor(_ rng: inout SplitMix64, bits: Int) -> UInt64 {
        let top = (UInt64(1) << UInt64(bits)) - 1
        switch rng.below(6) {
        case 0: return 1
        case 1: return top
        case 2: return UInt64(1) << UInt64(rng.below(bits))
        case 3: return UInt64(rng.int(1...100))
        default:
            // A random width, so small and large divisors are both common.
            let w = rng.int(1...bits)
            return max(1, rng.next() & ((UInt64(1) << UInt64(w)) - 1))
        }
    }

    /// Divides (high, low) / divisor on the model; every case must satisfy
    /// high < divisor so the quotient fits 64 bits.
    func run(_ unit: SequentialDivider, cases: [(high: UInt64, low: UInt64, divisor: UInt64)], seed: UInt64) throws {
        let sim = try Simulator(elaborate(unit))
        try sim.reset()
        for (n, c) in cases.enumerated() {
            try sim.poke("start", true)
            try sim.poke("dividend", BitVector(width: unit.dividendBits, words: [c.low, c.high]))
            try sim.poke("divisor", c.divisor)
            try sim.step()
            try sim.poke("start", false)
            // Junk on the inputs after start must not matter.
            try sim.poke("dividend", BitVector(width: unit.dividendBits, words: [c.high &* 31, c.low]))
            try sim.poke("divisor", UInt64(1))
            var cycles = 1
            while try !sim.peekBool("done") {
                #expect(try sim.peekBool("busy") || cycles == unit.latency, "seed \(seed): busy fell early")
                try sim.step()
                cycles += 1
                if cycles > unit.latency + 2 { break }
            }
            #expect(cycles == unit.latency, "seed \(seed), case \(n): done after \(cycles) cycles, expected \(unit.latency)")
            let (q, r) = c.divisor.dividingFullWidth((high: c.high, low: c.low))
            let got = try sim.peekBits("quotient")
            let rem = try sim.peek("remainder")
            let expected = BitVector(width: unit.quotientBits, words: [q])
            #expect(got == expected && rem == r,
                    "seed \(seed), case \(n): (\(c.high):\(c.low)) / \(c.divisor) gave \(got) rem \(rem), expected \(q) rem \(r)")
            // Idle cycles between divisions keep the result.
            for _ in 0..<(n % 3) { try sim.step() }
            #expect(try sim.peekBits("quotient") == expected, "seed \(seed), case \(n): the quotient did not hold")
        }
    }

    @Test func fullQuotient() throws {
        // Quant: floor((127 * 2^32 + floor(A/2)) / A) for A in 1 ... 2^31 - 1.
        let seed = testSeed(0xD1F1_0001)
        var rng = SplitMix64(seed: seed)
        var cases: [(high: UInt64, low: UInt64, divisor: UInt64)] = []
        for _ in 0..<iterations(300) {
            let a = Self.divisor(&rng, bits: 31)
            let dividend = rng.chance(0.7) ? (UInt64(127) << 32) + a / 2 : rng.next() >> 24
            cases.append((0, dividend, a))
        }
        try run(SequentialDivider(dividendBits: 40, divisorBits: 31, bitsPerCycle: 1), cases: cases, seed: seed)
    }

    @Test func wideDividendShortQuotient() throws {
        // RMSNorm: S * 2^h / n with a quotient known to fit 64 bits.
        let seed = testSeed(0xD1F1_0002)
        var rng = SplitMix64(seed: seed)
        var cases: [(high: UInt64, low: UInt64, divisor: UInt64)] = []
        for _ in 0..<iterations(300) {
            let n = Self.divisor(&rng, bits: 31)
            let high = rng.chance(0.2) ? n - 1 : (rng.chance(0.2) ? 0 : rng.next() % n)
            let low = rng.chance(0.1) ? UInt64.max : rng.next()
            cases.append(((high & 0xFFFF), low, n))
        }
        // Keep the precondition: high < divisor after masking to the 16 spare bits.
        let legal = cases.filter { $0.high < $0.divisor }
        try run(SequentialDivider(dividendBits: 80, divisorBits: 31, quotientBits: 64, bitsPerCycle: 2), cases: legal, seed: seed)
    }

    /// A step is one subtract and one select however many bits it makes:
    /// within the 300 MHz depth budget of docs/silicon.md's rules, as the
    /// reduction unit's quant multiplier uses it.
    @Test func quantMultiplierIsAtMostFourLUTLevels() throws {
        let path = try deepestPath(of: QuantMultiplier())
        #expect(path.lutLevels <= 4, "deepest path \(path.start) -> \(path.end): \(path.lutLevels) LUT levels")
    }
}
