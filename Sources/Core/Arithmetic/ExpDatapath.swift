import HDL
import ISA

/// `Numeric.exp` (e^x, Q.F -> Q.F) as a pipeline, bit for bit: x * log2(e),
/// split into the integer k and the fraction u, EXP2 interpolation, then
/// the rounding shift by s = 31 - F - k (2^31 - 1 when s <= 0, 0 when s > 40).
///
/// A new `x` may enter every cycle; `y` appears `latency` clock edges later
/// (registered). Stages: 1 T = x * LOG2E_Q30 (a `splitProduct`), 2 split T and read the table,
/// 3 step * r, 4 interpolate, 5 shift, round, saturate. `saturated` comes
/// with `y` (`Numeric.expReporting`: s <= 0, or s = 1 rounding up to 2^31).
///
/// Widths: the table steps are < 2^24 and the interpolated value stays
/// below 2^32 (EXP2[256] = 2^32 is only an end point).
public struct ExpDatapath: Module {
    public let fracBits: Int

    public init(fracBits: Int = CoreConfig.standard.fracBits) { self.fracBits = fracBits }

    public var parameters: [Parameter] { [Parameter("F", fracBits)] }

    /// Clock edges from `x` to `y`.
    public var latency: Int { 4 + Self.productLatency }

    /// Cycles of x * LOG2E (32 x 32 bits, a `splitProduct`).
    static let productLatency = SplitProduct.latency(32, 32, signed: true)

    public func build(_ m: ModuleBuilder) {
        let f = fracBits
        guard m.require(CoreConfig.fracBitsRange.contains(f),
                        "fraction bits must be in \(CoreConfig.fracBitsRange), got \(f)") else { return }
        let x = m.input("x", .sint(32))
        let y = m.output("y", .sint(32))
        let saturated = m.output("saturated", .bool)

        // 1: T = x * LOG2E_Q30, exact (|T| < 2^62), Q.(F+30).
        let t1 = m.splitProduct("t1", x, slit(Int(Numeric.log2eQ30), width: 32))

        // 2: k = floor(T / 2^(F+30)); u = the fraction's top 32 bits (Q0.32);
        // the table index is u >> 24. s = 31 - F - k decides the output range.
        let kBits = 64 - (f + 30)
        let k = m.wire("k", t1 >> (f + 30))
        let u = m.wire("u", t1.asUInt[f + 29, f - 2])
        let table = InterpolationTable(m, "exp2_table", table: Numeric.exp2Table, intervals: 256)
        table.address.set(u[31, 24])
        let r2 = m.regNext("r2", u[23, 0])
        let saturate2 = m.regNext("saturate2", k >= slit(31 - f, width: kBits))
        let underflow2 = m.regNext("underflow2", k < slit(-9 - f, width: kBits))
        let shiftMinusOne2 = m.regNext("shift2", (slit(30 - f, width: kBits) - k).asUInt.truncate(to: 6))

        // 3: (EXP2[i+1] - EXP2[i]) * r.
        let product3 = m.regNext("product3", table.step * r2)
        let base3 = m.regNext("base3", table.base)
        let saturate3 = m.regNext("saturate3", saturate2)
        let underflow3 = m.regNext("underflow3", underflow2)
        let shiftMinusOne3 = m.regNext("shift3", shiftMinusOne2)

        // 4: y = EXP2[i] + floor(step * r / 2^24) (Q.31 of 2^fraction, < 2^32).
        let interpolated4 = m.regNext("interpolated4", base3.extend(to: 32) + (product3 >> 24).extend(to: 32))
        let saturate4 = m.regNext("saturate4", saturate3)
        let underflow4 = m.regNext("underflow4", underflow3)
        let shiftMinusOne4 = m.regNext("shift4", shiftMinusOne3)

        // 5: rshr(y, s) for 1 <= s <= 40, saturated (s = 1 can round up to 2^31).
        let rounded = m.wire("rounded", m.roundingShiftRight("interpolated_shifted", interpolated4, byOneLessThan: shiftMinusOne4))
        let result = mux(saturate4, slit(Int(Int32.max), width: 32),
                         mux(underflow4, slit(0, width: 32), saturatedUnsignedToInt32(rounded)))
        y.set(m.regNext("y5", result))
        saturated.set(m.regNext("saturated5", saturate4 || (!underflow4 && exceedsUnsignedInt32(rounded))))
    }
}
