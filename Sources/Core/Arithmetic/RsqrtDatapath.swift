import HDL
import ISA

/// The element-wise `rsqrt` (`Numeric.rsqrt`, Q.F -> Q.F) as a pipeline, bit
/// for bit: `RsqrtCore` of x << F, then y * 2^(2F - 31 - e/2), rounded by
/// `rshr` when the exponent is negative and shifted left with saturation
/// otherwise; x <= 0 gives 2^31 - 1.
///
/// A new `x` may enter every cycle; `y` appears `latency` clock edges later
/// (registered). Stages: 1 form M, then `RsqrtCore`, then 3 to scale (k
/// beside y; the shift and rounding; the int32 saturation).
/// `saturated` comes with `y` (`Numeric.rsqrtReporting`: x <= 0, or a
/// scaled value above 2^31 - 1).
public struct RsqrtDatapath: Module {
    public let fracBits: Int

    public init(fracBits: Int = CoreConfig.standard.fracBits) { self.fracBits = fracBits }

    public var parameters: [Parameter] { [Parameter("F", fracBits)] }

    var core: RsqrtCore { RsqrtCore() }

    /// Clock edges from `x` to `y`.
    public var latency: Int { core.latency + 4 }

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
        let bad = m.pipelineDelay("nonpositive", m.regNext("nonpositive1", !positive), cycles: self.core.latency + 2)

        // Last three stages (one was 7 LUT levels and a 64-bit carry chain):
        // k = 2F - 31 - e/2 beside y; for k <= 0, rshr(y, -k) (y itself when
        // k = 0), for k > 0, y << k saturated (k >= 32 always saturates:
        // y >= 2^30); then the int32 saturation.
        let halfE = core.e[5, 1].extend(to: 8).asSInt
        let k = m.regNext("k", slit(2 * f - 31, width: 8) - halfE)
        let mantissa = m.regNext("mantissa", core.y).extend(to: 64)
        let rightShiftMinusOne = (slit(-1, width: 8) - k).asUInt.truncate(to: 6)
        let rounded = mux(k == slit(0, width: 8), mantissa,
                          m.roundingShiftRight("mantissa_shifted", mantissa, byOneLessThan: rightShiftMinusOne))
        let leftShifted = mux(k >= slit(32, width: 8), lit(Int(Int64.max), width: 64),
                              mantissa << k.asUInt.truncate(to: 5).extend(to: 6))
        let scaledResult = m.regNext("scaled", mux(k > slit(0, width: 8), leftShifted, rounded))
        y.set(m.regNext("y_out", mux(bad, slit(Int(Int32.max), width: 32), saturatedUnsignedToInt32(scaledResult))))
        saturated.set(m.regNext("saturated_out", bad || exceedsUnsignedInt32(scaledResult)))
    }
}
