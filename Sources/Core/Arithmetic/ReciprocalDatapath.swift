import HDL
import ISA

/// `Numeric.reciprocal` as a pipeline: for a magnitude `b` in 1 ... 2^31,
/// the mantissa `y` (Q1.31, 2^30 ... 2^31) and exponent `p` (0 ... 31) with
/// 1/b ~= y * 2^(-31-p), bit for bit. Used by `div` and the sigmoid.
///
/// No valid signal: a new `b` may enter every cycle; `y`, `p` appear
/// `latency` clock edges later (registered). `b` = 0 gives meaningless
/// outputs. Stages: 1-2 leading one, 3 normalize to M (Q1.31), 4 RECIP
/// table, 5 step * r, 6 interpolate y0, 7 e = M * y0 (a `splitProduct`),
/// 8 2 - e, 9 y = y0 * (2 - e) (a `splitProduct`).
///
/// Widths (checked over every M in [2^31, 2^32)): steps < 2^23,
/// y0 <= 2^31, e in [2^31 - 1, 2^31 + 8160], y <= 2^31.
public struct ReciprocalDatapath: Module {
    public init() {}

    /// Cycles of each wide product (32 x 32 and 32 x 33 bits: four pieces).
    static let productLatency = SplitProduct.latency(32, 33, signed: false)

    /// Clock edges from `b` to `y`, `p`.
    public var latency: Int { 7 + 2 * Self.productLatency }

    public func build(_ m: ModuleBuilder) {
        let input = m.input("b", .uint(32))
        let yOut = m.output("y", .uint(32))
        let pOut = m.output("p", .uint(5))

        // 1, 2: p = msb(b), in two steps (16-bit chunks, then the highest
        // one: in one cycle it was 7 LUT levels).
        let p2 = m.regNext("p2", m.mostSignificantOneIndexRegistered("msb", input).truncate(to: 5))
        let b2 = m.pipelineDelay("b", input, cycles: 2)

        // 3: M = b << (31 - p), in [2^31, 2^32).
        let m3 = m.regNext("m3", b2 << (lit(31, width: 5) - p2))
        let p3 = m.regNext("p3", p2)

        // 4: i = (M >> 23) - 256 is M[30:23] (M[31] is set).
        let table = InterpolationTable(m, "recip_table", table: Numeric.recipTable, intervals: 256)
        table.address.set(m3[30, 23])
        let r4 = m.regNext("r4", m3[22, 0])
        let m4 = m.regNext("m4", m3)
        let p4 = m.regNext("p4", p3)

        // 5: (RECIP[i] - RECIP[i+1]) * r.
        let product5 = m.regNext("product5", table.step * r4)
        let base5 = m.regNext("base5", table.base)
        let m5 = m.regNext("m5", m4)
        let p5 = m.regNext("p5", p4)

        // 6: y0 = RECIP[i] - floor(step * r / 2^23).
        let y06 = m.regNext("y0_6", base5.extend(to: 32) - (product5 >> 23).extend(to: 32))
        let m6 = m.regNext("m6", m5)
        let p6 = m.regNext("p6", p5)

        // 7: e = floor(M * y0 / 2^31) (33 bits: it may pass 2^32 in principle).
        let later = Self.productLatency
        let e7 = m.splitProduct("e7", m6, y06) >> 31
        let y07 = m.pipelineDelay("y0_7", y06, cycles: later)
        let p7 = m.pipelineDelay("p7", p6, cycles: later)

        // 8: 2^32 - e, registered so the subtract does not lead into the multiplier.
        let correction = m.regNext("correction", lit(1 << 32, width: 33) - e7)
        let y08 = m.regNext("y0_8", y07)
        let p8 = m.regNext("p8", p7)

        // 9: y = floor(y0 * (2^32 - e) / 2^31).
        yOut.set((m.splitProduct("y9", y08.extend(to: 33), correction) >> 31).truncate(to: 32))
        pOut.set(m.pipelineDelay("p9", p8, cycles: later))
    }
}
