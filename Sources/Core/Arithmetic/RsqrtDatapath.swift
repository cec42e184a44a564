import HDL
import ISA

/// The element-wise `rsqrt` (`Numeric.rsqrt`, Q.F -> Q.F) as a pipeline, bit
/// for bit: `RsqrtCore` of x << F, then y * 2^(2F - 31 - e/2), rounded by
/// `rshr` when the exponent is negative and shifted left with saturation
/// otherwise; x <= 0 gives 2^31 - 1.
///
/// A new `x` may enter every cycle; `y` appears `latency` clock edges later
/// (registered). Stages: 1 form M, then `RsqrtCore`, then 4 to scale (k's
/// cases and shift amounts beside y; the shifts; the rounding; the int32
/// saturation).
/// `saturated` comes with `y` (`Numeric.rsqrtReporting`: x <= 0, or a
/// scaled value above 2^31 - 1).
public struct RsqrtDatapath: Module {
    public let fracBits: Int

    public init(fracBits: Int = CoreConfig.standard.fracBits) { self.fracBits = fracBits }

    public var parameters: [Parameter] { [Parameter("F", fracBits)] }

    var core: RsqrtCore { RsqrtCore() }

    /// Clock edges from `x` to `y`.
    public var latency: Int { core.latency + 5 }

    public func build(_ m: ModuleBuilder) {
        let f = fracBits
        guard m.require(CoreConfig.fracBitsRange.contains(f),
                        "fraction bits must be in \(CoreConfig.fracBitsRange), got \(f)") else { return }
        let x = m.input("x", .sint(32))
        let y = m.output("y", .sint(32))
        let saturated = m.output("saturated", .bool)

        // 1: M = x << F for x > 0 (1 otherwise, to keep the core's input legal).
        let positive = x > slit(0, width: 32)
        let scaled = (x.asUInt << f).extend(to: RsqrtCore.inputBits)
        let m1 = m.regNext("m1", mux(positive, scaled, lit(1, width: RsqrtCore.inputBits)))
        let core = m.instance(self.core, "core")
        core.m.set(m1)
        let bad = m.pipelineDelay("nonpositive", m.regNext("nonpositive1", !positive), cycles: self.core.latency + 3)

        // Last four stages (the shift and its rounding in one were 6 LUT levels
        // and a 70-bit carry chain): k = 2F - 31 - e/2 and what it selects,
        // beside y; for k < 0, y >> (-k - 1) and for k > 0, y << k saturated
        // (k >= 32 always saturates: y >= 2^30); rshr's rounding, (shifted + 1)
        // >> 1, or y itself when k = 0; then the int32 saturation.
        let halfE = core.e[5, 1].extend(to: 8).asSInt
        let k = slit(2 * f - 31, width: 8) - halfE
        let kZero = m.regNext("k_zero", k == slit(0, width: 8))
        let kPositive = m.regNext("k_positive", k > slit(0, width: 8))
        let kBig = m.regNext("k_big", k >= slit(32, width: 8))
        // -k - 1 = e/2 - 2F + 30, from e directly (k is at least -46: 6 bits hold it).
        let rightMinusOne = m.regNext("right_minus_one", (halfE + slit(30 - 2 * f, width: 8)).asUInt.truncate(to: 6))
        let left = m.regNext("left_amount", k.asUInt.truncate(to: 5))
        let mantissa = m.regNext("mantissa", core.y)

        // Each shift in two steps: whole bytes, then the rest (0 ... 7), the right one with the rounding.
        func bytes(_ amount: Signal) -> Signal { cat(amount[amount.width! - 1, 3], lit(0, width: 3)) }
        let rounded = m.roundingShiftRightInTwoSteps("right", mantissa, byOneLessThan: rightMinusOne).extend(to: 64)
        let leftBytes = m.regNext("left_bytes", mantissa.extend(to: 64) << bytes(left))
        let leftBits = m.regNext("left_bits", left[2, 0])
        let mantissa2 = m.regNext("mantissa2", mantissa)
        let kZero2 = m.regNext("k_zero2", kZero), kPositive2 = m.regNext("k_positive2", kPositive)
        let kBig2 = m.regNext("k_big2", kBig)

        let leftShifted = mux(kBig2, lit(Int(Int64.max), width: 64), leftBytes << leftBits)
        let scaledResult = m.regNext("scaled", mux(kPositive2, leftShifted,
                                                   mux(kZero2, mantissa2.extend(to: 64), rounded)))
        y.set(m.regNext("y_out", mux(bad, slit(Int(Int32.max), width: 32), saturatedUnsignedToInt32(scaledResult))))
        saturated.set(m.regNext("saturated_out", bad || exceedsUnsignedInt32(scaledResult)))
    }
}
