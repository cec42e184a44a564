import Testing
import TestSupport
@testable import ISA

/// The `...Reporting` variants of `Numeric`: the flag is set exactly when
/// the exact (rounded) value was clamped (ISA.md, "Where values saturate").
@Suite struct SaturationFlagTests {
    let f = 16

    static func outside(_ v: Double) -> Bool { v > Double(Int32.max) || v < Double(Int32.min) }

    @Test func sumsAndProductsFlagExactlyTheClampedValues() {
        let seed = testSeed(0x5A7_F1A6)
        var rng = SplitMix64(seed: seed)
        for _ in 0..<iterations(20_000) {
            let a = Int32(truncatingIfNeeded: rng.next()) >> Int32(rng.int(0...20))
            let b = Int32(truncatingIfNeeded: rng.next()) >> Int32(rng.int(0...20))
            let d = Int32(truncatingIfNeeded: rng.next())
            let sum = Int64(a) + Int64(b), difference = Int64(a) - Int64(b)
            #expect(Numeric.addReporting(a, b).saturated == Self.outside(Double(sum)), "seed \(seed): add \(a) \(b)")
            #expect(Numeric.subReporting(a, b).saturated == Self.outside(Double(difference)), "seed \(seed): sub \(a) \(b)")
            let product = Numeric.rshr(Int64(a) * Int64(b), f)
            let mul = Numeric.mulReporting(a, b, f: f)
            #expect(mul.saturated == Self.outside(Double(product)) && mul.value == Numeric.mul(a, b, f: f), "seed \(seed): mul \(a) \(b)")
            #expect(Numeric.macReporting(d, a, b, f: f).saturated == Self.outside(Double(Int64(d) + product)), "seed \(seed): mac")
            // A clamped value is an edge; an unclamped one is the exact value.
            let r = Numeric.macReporting(d, a, b, f: f)
            #expect(r.saturated ? (r.value == Int32.max || r.value == Int32.min) : Int64(r.value) == Int64(d) + product)
        }
    }

    @Test func definedSaturatingCases() {
        let one = Int32(1) << Int32(f)
        // div by zero saturates unless a is 0.
        #expect(Numeric.divReporting(5, 0, f: f) == (Int32.max, true))
        #expect(Numeric.divReporting(-5, 0, f: f) == (Int32.min, true))
        #expect(Numeric.divReporting(0, 0, f: f) == (0, false))
        #expect(Numeric.divReporting(30000 * one, one / 2, f: f).saturated)
        #expect(Numeric.divReporting(Int32.min, -one, f: f) == (Int32.max, true))   // 2^31 does not fit
        // exp: the first saturating argument, and underflow is not saturation.
        let first = (0...Int32(12 * one)).first { Numeric.expReporting($0, f: f).saturated }!
        #expect(Numeric.exp(first - 1, f: f) < Int32.max && Numeric.exp(first, f: f) == Int32.max)
        #expect(abs(Double(first) / Double(one) - 15 * 0.6931471805599453) < 0.001, "\(first)")
        #expect(Numeric.expReporting(-30 * one, f: f) == (0, false))
        // rsqrt of x <= 0, and the left shift at 24 fraction bits.
        #expect(Numeric.rsqrtReporting(0, f: f) == (Int32.max, true))
        #expect(Numeric.rsqrtReporting(-1, f: f) == (Int32.max, true))
        #expect(!Numeric.rsqrtReporting(1, f: f).saturated)
        #expect(Numeric.rsqrtReporting(1, f: 24) == (Int32.max, true))
        // absmax of -2^31; quant codes past int8.
        var v: [Int32] = [3, Int32.min]
        #expect(v.withUnsafeBufferPointer { Numeric.absmaxReporting($0) } == (Int32.max, true))
        v = [3, -Int32.max]
        #expect(v.withUnsafeBufferPointer { Numeric.absmaxReporting($0) } == (Int32.max, false))
        let q = Numeric.quantMultiplier(2 * one)
        #expect(Numeric.quantizeReporting(4 * one, multiplier: q) == (127, true))
        #expect(Numeric.quantizeReporting(2 * one, multiplier: q) == (127, false))
        #expect(Numeric.quantizeReporting(-3 * one, multiplier: q) == (-128, true))
        // The ternary rescale.
        let k = Numeric.matmulScale(weightScale: one, activationScale: 30000 * one)
        #expect(Numeric.matmulOutputReporting(508, scale: k, f: f) == (Int32.max, true))
        #expect(!Numeric.matmulOutputReporting(127, scale: k, f: f).saturated)
        #expect(Numeric.matmulOutputReporting(-508, scale: k, f: f) == (Int32.min, true))
    }
}
