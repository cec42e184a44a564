import HDL
import ISA

/// `Numeric.div` (Q.F / Q.F -> Q.F) as a pipeline, bit for bit, including
/// division by zero (2^31 - 1, -2^31 or 0 by the sign of `a`) and -2^31.
///
/// A new (`a`, `b`) may enter every cycle; `q` appears `latency` clock edges
/// later (registered). Stages: 1 magnitude of b, then the reciprocal
/// (`ReciprocalDatapath`), then a * y, the rounding shift by 31 + p - F (two
/// cycles), the sign, and the saturation. `saturated` comes with `q`: set
/// when the value was clamped (`Numeric.divReporting`: b = 0 with a != 0, or a
/// quotient out of range).
public struct DivideDatapath: Module {
    public let fracBits: Int

    public init(fracBits: Int = CoreConfig.standard.fracBits) { self.fracBits = fracBits }

    public var parameters: [Parameter] { [Parameter("F", fracBits)] }

    var reciprocal: ReciprocalDatapath { ReciprocalDatapath() }

    /// Clock edges from `a`, `b` to `q`.
    public var latency: Int { reciprocal.latency + 5 + Self.productLatency }

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

        // 10, 11: q = rshr(a * y, s), whole bytes of the shift first.
        let quotient11 = m.regNext("quotient11", m.roundingShiftRightInTwoSteps("product", product9, byOneLessThan: shiftMinusOne9))
        let zero11 = m.pipelineDelay("b_zero_round", zero9, cycles: 2)
        let negative11 = m.pipelineDelay("b_negative_round", negative9, cycles: 2)

        // 12: the sign of b (a 64-bit negation, alone in its cycle).
        let signed12 = m.regNext("signed_quotient12", mux(negative11, -quotient11, quotient11))
        let zero12 = m.regNext("b_zero12", zero11)

        // 13: saturation; b = 0 saturates by the sign of a.
        let aSign12 = m.pipelineDelay("a_negative_late", aSign9, cycles: 3)
        let aZero12 = m.pipelineDelay("a_zero_late", aZero9, cycles: 3)
        let byZero = mux(aZero12, slit(0, width: 32),
                         mux(aSign12, slit(Int(Int32.min), width: 32), slit(Int(Int32.max), width: 32)))
        q.set(m.regNext("q13", mux(zero12, byZero, saturatedToInt32(signed12))))
        saturated.set(m.regNext("saturated13", mux(zero12, !aZero12, exceedsInt32(signed12))))
    }
}
