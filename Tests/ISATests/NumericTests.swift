import Foundation
import Testing
import TestSupport
@testable import ISA

/// The numeric contract against independent computations (exact integer
/// arithmetic or double precision with stated error bounds).
@Suite struct NumericTests {
    let f = 16
    let one = Int64(1) << 16
    func q(_ x: Double) -> Int32 { Int32((x * 65536).rounded()) }
    func d(_ v: Int32) -> Double { Double(v) / 65536 }

    // A deterministic sweep of raw inputs: dense near zero, sparse far out, and the extremes.
    var sweep: [Int32] {
        var s: [Int32] = [0, 1, -1, Int32.max, Int32.min, Int32.max - 1, Int32.min + 1, 65536, -65536]
        var x: Int64 = 1
        while x < Int64(Int32.max) { s.append(Int32(x)); s.append(Int32(-x)); s.append(Int32(clamping: x * 3 / 2)); x *= 2 }
        for k in stride(from: -20 * 65536, through: 20 * 65536, by: 977) { s.append(Int32(k)) }
        return s
    }

    @Test func saturationHelpers() {
        #expect(Numeric.sat32(Int64(Int32.max) + 1) == Int32.max)
        #expect(Numeric.sat32(Int64(Int32.min) - 1) == Int32.min)
        #expect(Numeric.sat32(-5) == -5)
        #expect(Numeric.rshr(3, 1) == 2)    // 1.5 -> 2 (half up)
        #expect(Numeric.rshr(-3, 1) == -1)  // -1.5 -> -1 (half up, toward +inf)
        #expect(Numeric.rshr(5, 0) == 5)
        #expect(Numeric.rshr(-5, 2) == -1)  // -1.25 -> -1
        #expect(Numeric.rshr(-6, 2) == -1)  // -1.5 -> -1
        #expect(Numeric.rshr(-7, 2) == -2)  // -1.75 -> -2
        #expect(Numeric.rshr(1 << 40, 63) == 0)
        #expect(Numeric.rshr(-(1 << 62) - 5, 63) == -1)
    }

    @Test func wideArithmetic() {
        // Exact 128-bit product shifted back: compare to a decomposition computed with 64-bit pieces.
        let cases: [(Int64, Int64, Int)] = [(Int64.max, 3, 2), (Int64.min, 1, 0), (-123456789123, 987654321, 30),
                                             (1 << 40, 1 << 40, 64), (-(1 << 40), 1 << 40, 64), (7, -9, 1)]
        for (a, b, s) in cases {
            let r = Numeric.mulShiftSat(a, b, s)
            let expect = (Double(a) * Double(b) / pow(2, Double(s))).rounded(.down) // exact enough for saturating cases
            if abs(expect) > 3e9 { #expect(r == (expect > 0 ? Int32.max : Int32.min)) }
        }
        #expect(Numeric.mulShiftSat(7, -9, 1) == -31)   // -31.5 -> -31 (half up)
        #expect(Numeric.mulShiftSat(-(1 << 40), 1 << 40, 64) == -65536)
        #expect(Numeric.mulShiftSat(1 << 40, 1 << 40, 64) == 65536)
        #expect(Numeric.Wide.product(-1, 1) == Numeric.Wide(high: -1, low: UInt64.max))
        #expect(Numeric.Wide.product(Int64.max, 2) == Numeric.Wide(high: 0, low: UInt64.max - 1))
        #expect(Numeric.Wide.product(1 << 62, 8) == Numeric.Wide(high: 2, low: 0))
        #expect(Numeric.Wide(high: -2, low: 0).shiftedRight(65) == Numeric.Wide(high: -1, low: UInt64.max))
    }

    @Test func elementwiseArithmetic() {
        for a in sweep.prefix(80) {
            for b in sweep.suffix(60) {
                let A = Int64(a), B = Int64(b)
                #expect(Numeric.add(a, b) == Int32(clamping: A + B))
                #expect(Numeric.sub(a, b) == Int32(clamping: A - B))
                let p = A * B
                // floor((p + 2^15) / 2^16) with floor division
                let num = p + 32768
                let fl = num >= 0 ? num / 65536 : -((-num + 65535) / 65536)
                #expect(Numeric.mul(a, b, f: f) == Int32(clamping: fl))
                #expect(Numeric.mac(1000, a, b, f: f) == Int32(clamping: 1000 + fl))
            }
        }
        // Saturation of multiply.
        #expect(Numeric.mul(q(200), q(200), f: f) == Int32.max)
        #expect(Numeric.mul(q(-200), q(200), f: f) == Int32.min)
        #expect(Numeric.mul(q(1.5), q(-2), f: f) == q(-3))
    }

    @Test func lowerBoundAffine() {
        // lb + (1 - lb) * f against doubles; exact when values are dyadic.
        #expect(Numeric.lba(q(0.5), q(0.25), f: f) == q(0.25 + 0.75 * 0.5))
        #expect(Numeric.lba(q(1), q(0.9), f: f) == q(1))
        #expect(Numeric.lba(0, q(0.3), f: f) == q(0.3))
        #expect(Numeric.lba(Int32.max, Int32.min, f: f) == Int32.max)   // huge (1-lb)*x saturates
        for x in stride(from: -3.0, through: 3.0, by: 0.37) {
            for lb in stride(from: 0.0, through: 1.0, by: 0.13) {
                let got = d(Numeric.lba(q(x), q(lb), f: f))
                #expect(abs(got - (lb + (1 - lb) * x)) < 3.0 / 65536, "x \(x) lb \(lb)")
            }
        }
    }

    @Test func tablesMatchTheirDefinitions() {
        #expect(Numeric.exp2Table.count == 257 && Numeric.recipTable.count == 257 && Numeric.rsqrtTable.count == 193)
        for k in 0...256 {
            #expect(abs(Double(Numeric.exp2Table[k]) - 2147483648.0 * pow(2, Double(k) / 256)) <= 0.5 + 1e-6 * 2147483648.0 * 1e-6)
            // recip entries are exact: round half up of 2^39/(256+k)
            let exact = (Int64(1) << 39) / Int64(256 + k)
            let rem = (Int64(1) << 39) % Int64(256 + k)
            #expect(Numeric.recipTable[k] == exact + (2 * rem >= Int64(256 + k) ? 1 : 0))
        }
        for j in 0...192 {
            #expect(abs(Double(Numeric.rsqrtTable[j]) - 2147483648.0 / (Double(64 + j) / 64).squareRoot()) <= 0.5000001)
        }
        #expect(Numeric.exp2Table[0] == 1 << 31 && Numeric.exp2Table[256] == 1 << 32)
        #expect(Numeric.recipTable[0] == 1 << 31 && Numeric.recipTable[256] == 1 << 30)
        #expect(Numeric.rsqrtTable[0] == 1 << 31 && Numeric.rsqrtTable[192] == 1 << 30)
        #expect(Numeric.log2eQ30 == Int64((1.4426950408889634 * 1073741824).rounded()))
    }

    @Test func exponential() {
        var worst = 0.0
        for k in stride(from: -14 * 65536, through: 11 * 65536, by: 311) {
            let x = Int32(k)
            let got = Numeric.exp(x, f: f)
            let truth = Foundation.exp(d(x)) * 65536
            if truth >= Double(Int32.max) { #expect(got == Int32.max, "x \(d(x))"); continue }
            let err = abs(Double(got) - truth)
            // 2e-6 relative (interpolation) plus half an ulp of rounding.
            worst = max(worst, err - 2e-6 * truth)
            #expect(err <= 2e-6 * truth + 0.51, "exp(\(d(x))) = \(got), want \(truth)")
        }
        #expect(worst <= 0.51)
        // Edges: large positive saturates, large negative underflows to zero, exp(0) = 1.
        #expect(Numeric.exp(Int32.max, f: f) == Int32.max)
        #expect(Numeric.exp(q(10.5), f: f) == Int32.max)
        #expect(Numeric.exp(Int32.min, f: f) == 0)
        #expect(Numeric.exp(q(-12), f: f) == 0)
        #expect(Numeric.exp(0, f: f) == 65536)
        #expect(Numeric.exp(q(10.3), f: f) > 0 && Numeric.exp(q(10.3), f: f) < Int32.max)
    }

    @Test func division() {
        let values: [Int32] = sweep
        for a in values.prefix(70) {
            for b in values.suffix(50) where b != 0 {
                let got = Numeric.div(a, b, f: f)
                let truth = Double(a) * 65536 / Double(b)
                if truth >= Double(Int32.max) { #expect(got == Int32.max); continue }
                if truth <= Double(Int32.min) { #expect(got == Int32.min); continue }
                #expect(abs(Double(got) - truth) <= abs(truth) * 4e-9 + 0.51, "\(a) / \(b): \(got) vs \(truth)")
            }
        }
        #expect(Numeric.div(q(1), 0, f: f) == Int32.max)
        #expect(Numeric.div(q(-1), 0, f: f) == Int32.min)
        #expect(Numeric.div(0, 0, f: f) == 0)
        #expect(Numeric.div(q(1), q(3), f: f) == 21845)
        #expect(Numeric.div(q(-6), q(3), f: f) == q(-2))
        #expect(Numeric.div(q(6), q(-0.5), f: f) == q(-12))
        #expect(Numeric.div(Int32.min, -1, f: f) == Int32.max)   // saturates
    }

    @Test func sigmoidFamily() {
        for k in stride(from: -40 * 65536, through: 40 * 65536, by: 523) {
            let x = Int32(k)
            let s = Numeric.sigmoid(x, f: f)
            let truth = 1 / (1 + Foundation.exp(-d(x))) * 65536
            #expect(abs(Double(s) - truth) <= 1.01, "sig(\(d(x))) = \(s) vs \(truth)")
            #expect(Numeric.csig(x, f: f) == 65536 - s)
            let silu = Numeric.silu(x, f: f)
            #expect(abs(Double(silu) - d(x) * truth) <= abs(d(x)) * 1.01 + 0.51, "silu(\(d(x)))")
        }
        // Monotone and symmetric to within one ulp; extremes.
        #expect(Numeric.sigmoid(0, f: f) == 32768)
        #expect(Numeric.sigmoid(Int32.max, f: f) == 65536)
        #expect(Numeric.sigmoid(Int32.min, f: f) == 0)
        #expect(Numeric.csig(Int32.min, f: f) == 65536)
        #expect(Numeric.silu(Int32.min, f: f) == 0)
        #expect(Numeric.silu(Int32.max, f: f) == Int32.max)
        #expect(Numeric.silu(q(-5), f: f) == q(-5 / (1 + Foundation.exp(5.0))) || abs(Numeric.silu(q(-5), f: f) - q(-5 / (1 + Foundation.exp(5.0)))) <= 5)
        var prev = Int32.min
        for k in stride(from: -12 * 65536, through: 12 * 65536, by: 97) {
            let s = Numeric.sigmoid(Int32(k), f: f)
            #expect(s >= prev)
            prev = s
        }
    }

    @Test func reciprocalSquareRoot() {
        for x in sweep where x > 0 {
            let got = Numeric.rsqrt(x, f: f)
            let truth = 65536 / d(x).squareRoot()
            if truth >= Double(Int32.max) { #expect(got == Int32.max); continue }
            #expect(abs(Double(got) - truth) <= truth * 4e-9 + 0.51, "rsqrt(\(d(x))) = \(got) vs \(truth)")
        }
        #expect(Numeric.rsqrt(0, f: f) == Int32.max)
        #expect(Numeric.rsqrt(-65536, f: f) == Int32.max)
        #expect(Numeric.rsqrt(Int32.min, f: f) == Int32.max)
        #expect(Numeric.rsqrt(q(4), f: f) == q(0.5))
        #expect(Numeric.rsqrt(q(1), f: f) == q(1))
        #expect(Numeric.rsqrt(1, f: f) == 1 << 24)   // 1/sqrt(2^-16) = 256
    }

    func rmsnorm(_ x: [Int32], _ w: [Int32], eps: UInt32) -> [Int32] {
        x.withUnsafeBufferPointer { b in
            let s = Numeric.rmsScale(b, epsQ: eps, f: f)
            return zip(x, w).map { Numeric.rmsApply($0, scale: s, weight: $1, f: f) }
        }
    }

    @Test func rmsNorm() {
        var rng = SplitMix64(seed: 7)
        for n in [1, 3, 64, 1000, 4096] {
            for scale in [1e-3, 0.5, 3.0, 200.0] {
                let xs = (0..<n).map { _ in q(rng.normal() * scale) }
                let ws = (0..<n).map { _ in q(1 + 0.2 * rng.normal()) }
                let eps: UInt32 = 4295   // 1e-6 in Q.32
                let got = rmsnorm(xs, ws, eps: eps)
                let ms = xs.map { d($0) * d($0) }.reduce(0, +) / Double(n) + Double(eps) / 4294967296
                let r = 1 / ms.squareRoot()
                for i in 0..<n {
                    let truth = d(xs[i]) * r * d(ws[i]) * 65536
                    // Two roundings: t (half an ulp, scaled by |w|) and the output (half an ulp).
                    #expect(abs(Double(got[i]) - truth) <= abs(truth) * 2e-6 + 0.5 * abs(d(ws[i])) + 0.51, "n \(n) scale \(scale) i \(i)")
                }
            }
        }
        // Zero vector: zeros with or without eps.
        #expect(rmsnorm([0, 0, 0], [65536, 65536, 65536], eps: 4295) == [0, 0, 0])
        #expect(rmsnorm([0, 0, 0], [65536, 65536, 65536], eps: 0) == [0, 0, 0])
        // Extreme inputs do not trap and stay bounded by sqrt(n) * w.
        let big = rmsnorm([Int32.max, Int32.min, Int32.max], [65536, 65536, 65536], eps: UInt32.max)
        for v in big { #expect(abs(Double(v)) <= 1.75 * 65536) }
        let tiny = rmsnorm([1, -1, 1, 0], [65536, 65536, 65536, 65536], eps: 0)
        #expect(tiny == [q(2 / 3.0.squareRoot()), -q(2 / 3.0.squareRoot()), q(2 / 3.0.squareRoot()), 0])
    }

    @Test func absmaxAndQuantization() {
        let xs: [Int32] = [q(-2.5), q(1), q(0.01), q(2.5), Int32(-3)]
        let a = xs.withUnsafeBufferPointer { Numeric.absmax($0) }
        #expect(a == q(2.5))
        #expect([Int32.min].withUnsafeBufferPointer { Numeric.absmax($0) } == Int32.max)
        #expect([Int32]().withUnsafeBufferPointer { Numeric.absmax($0) } == 0)
        let m = Numeric.quantMultiplier(a)
        #expect(xs.map { Numeric.quantize($0, multiplier: m) } == [-127, 51, 1, 127, 0])
        // Zero scale quantizes everything to 0.
        #expect(Numeric.quantMultiplier(0) == 0 && Numeric.quantMultiplier(-5) == 0)
        #expect(Numeric.quantize(q(3), multiplier: 0) == 0)
        // An inconsistent (too small) scale clamps instead of wrapping.
        let small = Numeric.quantMultiplier(1)
        #expect(Numeric.quantize(Int32.max, multiplier: small) == 127)
        #expect(Numeric.quantize(Int32.min, multiplier: small) == -128)
        // Against exact rational rounding on random data (ties cannot be hit by the multiplier
        // except within 2^-20 of a half, which the check allows).
        var rng = SplitMix64(seed: 11)
        for _ in 0..<2000 {
            let amax = Int32(rng.next() % 5_000_000 + 1)
            let span = UInt64(2 * Int64(amax) + 1)
            let x = Int32(Int64(rng.next() % span) - Int64(amax))
            let got: Int32 = Numeric.quantize(x, multiplier: Numeric.quantMultiplier(amax))
            let exact: Double = Double(x) * 127 / Double(amax)
            let frac: Double = exact - exact.rounded(.down)
            let want: Double = (exact + 0.5).rounded(.down)
            if abs(frac - 0.5) > 1e-6 { #expect(Double(got) == want, "x \(x) a \(amax)") }
        }
    }

    /// With A = 254 the multiplier is exactly 2^31, so an odd x lands on a
    /// half: ties go away from zero, as the official activation kernel rounds.
    @Test func quantTiesRoundAwayFromZero() {
        let m = Numeric.quantMultiplier(254)
        #expect(m == 1 << 31)
        let xs: [Int32] = [1, -1, 3, -3, 5, -5, 253, -253, 2, -2]
        #expect(xs.map { Numeric.quantize($0, multiplier: m) } == [1, -1, 2, -2, 3, -3, 127, -127, 1, -1])
        // Other rshr uses keep ties toward +infinity.
        #expect(Numeric.rshr(-1 << 31, 32) == 0 && Numeric.rshr(1 << 31, 32) == 1)
    }

    @Test func ternaryRescale() {
        // K = round(ws * a / 127) in Q.32, output = round(acc * K / 2^16) in Q.16.
        let ws = q(0.0213), a = q(3.7)
        let k = Numeric.matmulScale(weightScale: ws, activationScale: a)
        let exactK = Double(ws) * Double(a) / 127
        #expect(abs(Double(k) - exactK) <= 0.5)
        let accs: [Int32] = [0, 1, -1, 127, -128 * 4096, 300_000, (1 << 23) - 1]
        for acc in accs {
            let got: Int32 = Numeric.matmulOutput(acc, scale: k, f: f)
            let want: Double = Double(acc) * Double(k) / 65536
            #expect(abs(Double(got) - max(min(want, 2147483647), -2147483648)) <= 0.51)
        }
        #expect(Numeric.matmulScale(weightScale: -q(1), activationScale: q(1)) == Int64((-4294967296.0 / 127).rounded()))
        // Saturation of the rescale with a huge scale.
        let huge = Numeric.matmulScale(weightScale: Int32.max, activationScale: Int32.max)
        #expect(Numeric.matmulOutput(1 << 20, scale: huge, f: f) == Int32.max)
        #expect(Numeric.matmulOutput(-(1 << 20), scale: huge, f: f) == Int32.min)
    }

    @Test func otherFractionWidths() {
        // F = 12 and F = 24: spot checks of the same algorithms.
        for fb in [8, 12, 24] {
            let o = Int32(1) << Int32(fb)
            #expect(Numeric.exp(0, f: fb) == o)
            #expect(Numeric.sigmoid(0, f: fb) == o / 2)
            #expect(Numeric.rsqrt(4 * o, f: fb) == o / 2)
            #expect(Numeric.div(o, 2 * o, f: fb) == o / 2)
            let e1 = Double(Numeric.exp(o, f: fb)) / Double(o)
            #expect(abs(e1 - M_E) < 2.0 / Double(o) + 1e-5)
        }
    }

    @Test func decimalStrings() {
        #expect(Numeric.decimalString(65536, f: 16) == "1.0")
        #expect(Numeric.decimalString(-32768, f: 16) == "-0.5")
        #expect(Numeric.decimalString(1, f: 16) == "0.0000152587890625")
        #expect(Numeric.decimalString(Int64(Int32.min), f: 16) == "-32768.0")
        #expect(Numeric.decimalString(4295, f: 32).hasPrefix("0.00000100000761"))
    }

    @Test func digestDefinition() {
        #expect(Digest.of([Int32]()) == 0)
        #expect(Digest.of([Int32(5)]) == 5)
        // Element 1 rotated by 1, element 33 by 1 again.
        #expect(Digest.of([Int32(1), Int32(1)]) == 1 + 2)
        #expect(Digest.of([Int32(-1), Int32(Int32.min)]) == 0xFFFF_FFFF &+ 1)
        let v = (0..<64).map { _ in Int32(7) }
        // Repeated values do not cancel.
        #expect(Digest.of(v) != 0)
        var manual: UInt32 = 0
        for (i, e) in v.enumerated() { manual = manual &+ UInt32(bitPattern: e).rotatedLeft(by: i % 32) }
        #expect(Digest.of(v) == manual)
    }
}

extension UInt32 {
    func rotatedLeft(by r: Int) -> UInt32 { r == 0 ? self : (self << UInt32(r)) | (self >> UInt32(32 - r)) }
}
