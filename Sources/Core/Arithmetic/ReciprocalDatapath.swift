import HDL
import ISA

/// `Numeric.reciprocal` as a pipeline: for a magnitude `b` in 1 ... 2^31,
/// the mantissa `y` (Q1.31, 2^30 ... 2^31) and exponent `p` (0 ... 31) with
/// 1/b ~= y * 2^(-31-p), bit for bit. Used by `div` and the sigmoid.
///
/// No valid signal: a new `b` may enter every cycle; `y`, `p` appear
/// `latency` clock edges later (registered). `b` = 0 gives meaningless
/// outputs. Stages: 1 leading one, 2 normalize to M (Q1.31), 3 RECIP table,
/// 4 step * r, 5 interpolate y0, 6 e = M * y0 (a `splitProduct`), 7 2 - e,
/// 8 y = y0 * (2 - e) (a `splitProduct`).
///
/// Widths (checked over every M in [2^31, 2^32)): steps < 2^23,
/// y0 <= 2^31, e in [2^31 - 1, 2^31 + 8160], y <= 2^31.
public struct ReciprocalDatapath: Module {
    public init() {}

    /// Cycles of each wide product (32 x 32 and 32 x 33 bits: four pieces).
    static let productLatency = SplitProduct.latency(32, 33, signed: false)

    /// Clock edges from `b` to `y`, `p`.
    public var latency: Int { 6 + 2 * Self.productLatency }

    public func build(_ m: ModuleBuilder) {
        let input = m.input("b", .uint(32))
        let yOut = m.output("y", .uint(32))
        let pOut = m.output("p", .uint(5))

        // 1: p = msb(b).
        let p1 = m.regNext("p1", m.mostSignificantOneIndex("msb", input))
        let b1 = m.regNext("b1", input)

        // 2: M = b << (31 - p), in [2^31, 2^32).
        let m2 = m.regNext("m2", b1 << (lit(31, width: 5) - p1))
        let p2 = m.regNext("p2", p1)

        // 3: i = (M >> 23) - 256 is M[30:23] (M[31] is set).
        let table = InterpolationTable(m, "recip_table", table: Numeric.recipTable, intervals: 256)
        table.address.set(m2[30, 23])
        let r3 = m.regNext("r3", m2[22, 0])
        let m3 = m.regNext("m3", m2)
        let p3 = m.regNext("p3", p2)

        // 4: (RECIP[i] - RECIP[i+1]) * r.
        let product4 = m.regNext("product4", table.step * r3)
        let base4 = m.regNext("base4", table.base)
        let m4 = m.regNext("m4", m3)
        let p4 = m.regNext("p4", p3)

        // 5: y0 = RECIP[i] - floor(step * r / 2^23).
        let y05 = m.regNext("y0_5", base4.extend(to: 32) - (product4 >> 23).extend(to: 32))
        let m5 = m.regNext("m5", m4)
        let p5 = m.regNext("p5", p4)

        // 6: e = floor(M * y0 / 2^31) (33 bits: it may pass 2^32 in principle).
        let later = Self.productLatency
        let e6 = m.splitProduct("e6", m5, y05) >> 31
        let y06 = m.pipelineDelay("y0_6", y05, cycles: later)
        let p6 = m.pipelineDelay("p6", p5, cycles: later)

        // 7: 2^32 - e, registered so the subtract does not lead into the multiplier.
        let correction = m.regNext("correction", lit(1 << 32, width: 33) - e6)
        let y07 = m.regNext("y0_7", y06)
        let p7 = m.regNext("p7", p6)

        // 8: y = floor(y0 * (2^32 - e) / 2^31).
        yOut.set((m.splitProduct("y8", y07.extend(to: 33), correction) >> 31).truncate(to: 32))
        pOut.set(m.pipelineDelay("p8", p7, cycles: later))
    }
}
