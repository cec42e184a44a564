@testable import Core
import HDL
import HDLEmit
import HDLSim
import Testing
import TestSupport

/// `splitProduct` against Swift's full-width products, for the shapes the
/// core uses, and its depth in the Intel flow.
@Suite(.serialized) struct SplitProductTests {
    struct Shape: CustomStringConvertible, Sendable {
        var aBits: Int, bBits: Int, signed: Bool
        var description: String { "\(signed ? "s" : "u")\(aBits) x \(bBits)" }
        var latency: Int { SplitProduct.latency(aBits, bBits, signed: signed) }

        var probe: InlineModule {
            let shape = self
            return InlineModule("SplitProductProbe", parameters: [Parameter("A", aBits), Parameter("B", bBits), Parameter("S", signed ? 1 : 0)]) { m in
                let type = { (w: Int) -> HWType in shape.signed ? .sint(w) : .uint(w) }
                let a = m.input("a", type(shape.aBits)), b = m.input("b", type(shape.bBits))
                m.output("p", type(shape.aBits + shape.bBits)).set(m.splitProduct("product", a, b))
            }
        }
    }

    static let shapes = [Shape(aBits: 32, bBits: 64, signed: true), Shape(aBits: 32, bBits: 32, signed: true),
                         Shape(aBits: 33, bBits: 32, signed: false), Shape(aBits: 27, bBits: 27, signed: true),
                         Shape(aBits: 9, bBits: 23, signed: false)]

    /// A random operand of `bits` (<= 64) as its low bits, with the edges often.
    static func operand(_ bits: Int, signed: Bool, _ rng: inout SplitMix64) -> Int64 {
        let top = bits == 64 ? UInt64.max : (UInt64(1) << UInt64(bits)) - 1
        let raw: UInt64
        switch rng.int(0...5) {
        case 0: raw = 0
        case 1: raw = top
        case 2: raw = signed ? top >> 1 : 1
        case 3: raw = signed ? (top >> 1) + 1 : top - 1
        default: raw = rng.next() & top
        }
        // Sign-extend a signed operand from its top bit.
        guard signed, bits < 64 else { return Int64(bitPattern: raw) }
        let shift = Int64(64 - bits)
        return (Int64(bitPattern: raw) << shift) >> shift
    }

    @Test(arguments: shapes) func matchesSwift(_ shape: Shape) throws {
        let seed = testSeed(0x5350_5052)
        var rng = SplitMix64(seed: seed)
        let width = shape.aBits + shape.bBits
        let inputs = (0..<iterations(300)).map { _ in
            (Self.operand(shape.aBits, signed: shape.signed, &rng), Self.operand(shape.bBits, signed: shape.signed, &rng))
        }
        let sim = try Simulator(elaborate(shape.probe))
        try sim.reset()
        var failures = 0
        try runPipeline(sim, latency: shape.latency, inputs: inputs, drive: { a, b in
            try sim.poke("a", BitVector(width: shape.aBits, words: [UInt64(bitPattern: a)]).bits(0, count: shape.aBits))
            try sim.poke("b", BitVector(width: shape.bBits, words: [UInt64(bitPattern: b)]).bits(0, count: shape.bBits))
        }) { i, operands in
            let (a, b) = operands
            let (high, low): (UInt64, UInt64)
            if shape.signed {
                let p = a.multipliedFullWidth(by: b)
                (high, low) = (UInt64(bitPattern: p.high), p.low)
            } else {
                let p = UInt64(bitPattern: a).multipliedFullWidth(by: UInt64(bitPattern: b))
                (high, low) = (p.high, p.low)
            }
            let want = BitVector(width: 128, words: [low, high]).bits(0, count: width)
            let got = try sim.peekBits("p")
            if got != want {
                failures += 1
                if failures <= 5 { Issue.record("seed \(seed): \(shape) product \(i): \(a) * \(b): RTL \(got.words), Swift \(want.words)") }
            }
        }
        #expect(failures == 0, "seed \(seed): \(failures) of \(inputs.count) products differ")
    }

    /// The point: each piece is one DSP between registers and each sum a
    /// two-operand add, so no stage is deeper than 4 LUT levels (a 64 x 32
    /// product in one cycle was 22).
    @Test func noStageIsDeeperThanFourLUTLevels() throws {
        let path = try deepestPath(of: Self.shapes[0].probe)
        #expect(path.lutLevels <= 4, "deepest path \(path.start) -> \(path.end): \(path.lutLevels) LUT levels")
    }
}
