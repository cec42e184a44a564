import HDL
import ISA

/// `Numeric.rsqrtCore` as a pipeline: for an unsigned `m` > 0, the mantissa
/// `y` (Q1.31, 2^30 ... 2^31) and the even exponent `e` (0 ... 62) with
/// 1/sqrt(m) ~= y * 2^(-31 - e/2), bit for bit. Shared by the element-wise
/// `rsqrt` and RMSNorm.
///
/// No valid signal: a new `m` may enter every cycle and its `y`, `e` appear
/// on the outputs exactly `latency` clock edges later (outputs are
/// registered). For `m` = 0 (outside the contract) the outputs are
/// meaningless. Stages (one wide multiplier at most in each):
/// 1 find the leading one (two cycles), 2 normalize to N (Q2.30, two cycles), 3 read the RSQRT
/// table, 4 step * r, 5 interpolate y0, 6 y0^2, 7 N * t, 8 3 - u, 9 y0 * (3 - u)
/// (the three wide products are `splitProduct`s, `productLatency` cycles each).
///
/// Widths follow from the table (checked over every N in [2^30, 2^32)):
/// steps < 2^24, y0 and t <= 2^31, u in [2^31 - 6, 2^31 + 96793], y <= 2^31.
public struct RsqrtCore: Module {
    public init() {}

    public static let inputBits = 64
    public static let mantissaBits = 32
    public static let exponentBits = 6

    /// Clock edges from `m` to `y`, `e`.
    public var latency: Int { 8 + 3 * Self.productLatency }

    /// Cycles of each wide product (at most 32 x 33 bits: four pieces).
    static let productLatency = SplitProduct.latency(32, 33, signed: false)

    public func build(_ m: ModuleBuilder) {
        let input = m.input("m", .uint(Self.inputBits))
        let yOut = m.output("y", .uint(Self.mantissaBits))
        let eOut = m.output("e", .uint(Self.exponentBits))

        // 1: e = msb(m) rounded down to even (two steps: the index has a
        // register inside).
        let msb = m.mostSignificantOneIndexRegistered("msb", input)
        let e1 = m.regNext("e1", cat(msb[5, 1], lit(0, width: 1)))
        let m1 = m.regNext("m1", m.regNext("m0", input))

        // 2: N = m >> (e - 30) or m << (30 - e): bit e moves to bit 30, which
        // is bit 62 of m << (62 - e) (never loses a bit: msb(m) <= e + 1).
        // Two cycles: by the amount's multiple of 8, then by the rest.
        let amount = m.wire("amount", lit(62, width: 6) - e1)
        let coarse = m.regNext("coarse_shifted", m1 << cat(amount[5, 3], lit(0, width: 3)))
        let fine = m.regNext("fine_amount", amount[2, 0])
        let n2 = m.regNext("n2", (coarse << fine)[63, 32])
        let e2 = m.regNext("e2", m.regNext("e1_delayed", e1))

        // 3: j = (N >> 24) - 64 addresses the table (RSQRT[j], RSQRT[j] - RSQRT[j+1]).
        let table = InterpolationTable(m, "rsqrt_table", table: Numeric.rsqrtTable, intervals: 192)
        table.address.set(n2[31, 24] - lit(64, width: 8))
        let r3 = m.regNext("r3", n2[23, 0])
        let n3 = m.regNext("n3", n2)
        let e3 = m.regNext("e3", e2)

        // 4: (RSQRT[j] - RSQRT[j+1]) * r.
        let product4 = m.regNext("product4", table.step * r3)
        let base4 = m.regNext("base4", table.base)
        let n4 = m.regNext("n4", n3)
        let e4 = m.regNext("e4", e3)

        // 5: y0 = RSQRT[j] - floor(step * r / 2^24).
        let y05 = m.regNext("y0_5", base4.extend(to: 32) - (product4 >> 24).extend(to: 32))
        let n5 = m.regNext("n5", n4)
        let e5 = m.regNext("e5", e4)

        // 6: t = (y0 * y0) >> 31.
        let later = Self.productLatency
        let t6 = (m.splitProduct("t6", y05, y05) >> 31).truncate(to: 32)
        let y06 = m.pipelineDelay("y0_6", y05, cycles: later)
        let n6 = m.pipelineDelay("n6", n5, cycles: later)
        let e6 = m.pipelineDelay("e6", e5, cycles: later)

        // 7: u = (N * t) >> 30.
        let u7 = (m.splitProduct("u7", n6, t6) >> 30).truncate(to: 32)
        let y07 = m.pipelineDelay("y0_7", y06, cycles: later)
        let e7 = m.pipelineDelay("e7", e6, cycles: later)

        // 8: 3 * 2^31 - u (it can exceed 2^32: 33 bits), registered so the
        // subtract's carry chain does not lead into the multiplier.
        let correction = m.regNext("correction", lit(3 << 31, width: 33) - u7.extend(to: 33))
        let y08 = m.regNext("y0_8", y07)
        let e8 = m.regNext("e8", e7)

        // 9: y = (y0 * (3 * 2^31 - u)) >> 32.
        yOut.set((m.splitProduct("y9", y08.extend(to: 33), correction) >> 32).truncate(to: 32))
        eOut.set(m.pipelineDelay("e9", e8, cycles: later))
    }
}
