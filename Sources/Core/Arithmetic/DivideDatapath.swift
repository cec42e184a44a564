import HDL
import ISA

/// `Numeric.div` (Q.F / Q.F -> Q.F) as a pipeline, bit for bit, including
/// division by zero (2^31 - 1, -2^31 or 0 by the sign of `a`) and -2^31.
///
/// A new (`a`, `b`) may enter every cycle; `q` appears `latency` clock edges
/// later (registered). Stages: 1 magnitude of b, then the reciprocal
/// (`ReciprocalDatapath`), then a * y, the rounding shift by 31 + p - F,
/// and the sign and saturation. `saturated` comes with `q`: set when the
/// value was clamped (`Numeric.divReporting`: b = 0 with a != 0, or a
/// quotient out of range).
public struct DivideDatapath: Module {
    public let fracBits: Int

    public init(fracBits: Int = CoreConfig.standard.fracBits) { self.fracBits = fracBits }

    public var parameters: [Parameter] { [Parameter("F", fracBits)] }

    var reciprocal: ReciprocalDatapath { ReciprocalDatapath() }

    /// Clock edges from `a`, `b` to `q`.
    public var latency: Int { reciprocal.latency + 3 + Self.productLatency }

    /// Cycles of a * y (32 x 33 bits, a `splitProduct`).
    static let productLatency = SplitProduct.latency(32, 33, signed: true)

    public func build(_ m: ModuleBuilder) {
        guard m.require(CoreConfig.fracBitsRange.contains(fracBits),
                        "fraction bits must be in \(CoreConfig.fracBitsRange), got \(fracBits)") else { return }
        let a = m.input("a", .sint(32))
        let b = m.input("b", .sint(32))
        let q = m.output("q", .sint(32))
        let saturated = m.output("saturated", .bool)

        // 1: |b| (2^31 for -2^31 is still right as a UInt), and the special cases.
        let magnitude1 = m.regNext("magnitude1", mux(b < slit(0, width: 32), -b, b).asUInt)
        let zero1 = m.regNext("b_zero1", b == slit(0, width: 32))
        let negative1 = m.regNext("b_negative1", b < slit(0, width: 32))
        let a1 = m.regNext("a1", a)

        let recip = m.instance(reciprocal, "recip")
        recip.b.set(mux(zero1, lit(1, width: 32), magnitude1))
        let delay = reciprocal.latency
        let a8 = m.pipelineDelay("a", a1, cycles: delay)
        let zero8 = m.pipelineDelay("b_zero", zero1, cycles: delay)
        let negative8 = m.pipelineDelay("b_negative", negative1, cycles: delay)

        // 9: a * y exactly (|a * y| <= 2^62); the shift s = 31 + p - F >= 7, kept as s - 1.
        let y = cat(lit(0, width: 1), recip.y).asSInt
        let later = Self.productLatency
        let product9 = m.splitProduct("product9", a8, y).truncate(to: 64)
        let shiftMinusOne9 = m.pipelineDelay("shift9", recip.p.extend(to: 6) + lit(30 - fracBits, width: 6), cycles: later)
        let zero9 = m.pipelineDelay("b_zero9", zero8, cycles: later)
        let negative9 = m.pipelineDelay("b_negative9", negative8, cycles: later)
        let aSign9 = m.pipelineDelay("a_negative9", a8 < slit(0, width: 32), cycles: later)
        let aZero9 = m.pipelineDelay("a_zero9", a8 == slit(0, width: 32), cycles: later)

        // 10: q = rshr(a * y, s).
        let quotient10 = m.regNext("quotient10", m.roundingShiftRight("product_shifted", product9, byOneLessThan: shiftMinusOne9))
        let zero10 = m.regNext("b_zero10", zero9)
        let negative10 = m.regNext("b_negative10", negative9)
        let aSign10 = m.regNext("a_negative10", aSign9)
        let aZero10 = m.regNext("a_zero10", aZero9)

        // 11: the sign of b, saturation; b = 0 saturates by the sign of a.
        let byZero = mux(aZero10, slit(0, width: 32),
                         mux(aSign10, slit(Int(Int32.min), width: 32), slit(Int(Int32.max), width: 32)))
        let signed = m.wire("signed_quotient", mux(negative10, -quotient10, quotient10))
        q.set(m.regNext("q11", mux(zero10, byZero, saturatedToInt32(signed))))
        saturated.set(m.regNext("saturated11", mux(zero10, !aZero10, exceedsInt32(signed))))
    }
}
