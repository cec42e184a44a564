import HDL

/// One element lane of the reduction unit: the products of `quant` and
/// `norm` for one element per cycle, fully pipelined.
///
/// The first multiplier (32 x 64 bits) serves every pass: `x * x` for
/// RMSNorm's sum of squares (`square` set), `x * Q` for `quant` and `x * R`
/// for `norm`'s apply pass (`scale` holds Q or R). Then, bit for bit as
/// `Numeric.quantize` and `Numeric.rmsApply`:
/// - quant: `clamp(rshra(x * Q, 32), -128, 127)` (ties away from zero);
/// - norm: `t = rshr(x * R, 30)` saturated to 64 bits (to +-2^62 as
///   `Numeric.rshr128` does), then `sat32(rshr(t * w, F))`.
///
/// Both products are `splitProduct`s (DSP-sized pieces between registers;
/// in one cycle each was 22 LUT levels). `magnitude` (|x|, 32 bits) and
/// `square_out` (x^2, 63 bits) appear `reduceLatency` cycles after `x`;
/// `result` appears `latency` cycles after `x` and `w`,
/// selected by `quant` (read at the last stage), with `saturated`: quant's
/// code was clamped to int8, or norm's final `sat32` clamped
/// (`Numeric.quantizeReporting`, `rmsApplyReporting`).
public struct ReductionLane: Module {
    public let fracBits: Int

    public init(fracBits: Int) { self.fracBits = fracBits }

    public var parameters: [Parameter] { [Parameter("F", fracBits)] }

    /// Cycles from `x` to the first product (and `magnitude`, `square_out`).
    public static let reduceLatency = SplitProduct.latency(32, 64, signed: true)
    /// Cycles from `t` to the weight product.
    static let weightLatency = SplitProduct.latency(64, 32, signed: true)
    /// Cycles from `x` / `w` to `result`.
    public static let latency = reduceLatency + 2 + weightLatency + 2

    public func build(_ m: ModuleBuilder) {
        guard m.require((1...30).contains(fracBits), "fraction bits must be 1...30, got \(fracBits)") else { return }
        let x = m.input("x", .sint(32))
        let w = m.input("w", .sint(32))
        let scale = m.input("scale", .sint(64))
        let square = m.input("square", .bool)
        let quant = m.input("quant", .bool)
        let magnitude = m.output("magnitude", .uint(32))
        let squareOut = m.output("square_out", .uint(63))
        let result = m.output("result", .sint(32))
        let saturated = m.output("saturated", .bool)

        // Stage 1: the shared product, |x| for absmax, and w carried along.
        let operand = m.wire("operand", mux(square, x.extend(to: 64), scale))
        let p1 = m.splitProduct("p1", x, operand)
        let w1 = m.pipelineDelay("w1", w, cycles: Self.reduceLatency)
        let negative = x < slit(0, width: 32)
        // |-2^31| = 2^31 still fits 32 unsigned bits.
        magnitude.set(m.pipelineDelay("magnitude_q", mux(negative, (-x).asUInt, x.asUInt), cycles: Self.reduceLatency))
        // x^2 <= 2^62: the low 63 bits of the (non-negative) product.
        squareOut.set(p1.asUInt[62, 0])

        // Stage 2: round both ways (registered: the rounding add and the
        // clamp behind it were two 96-bit carry chains in one cycle); then
        // quant clamps to int8, norm saturates to 64 bits.
        let q32 = m.regNext("q32", Self.roundShiftTiesAway(p1, 32))
        let q2 = m.regNext("q2", saturatedToSigned(q32, bits: 8))
        let qClamped2 = m.regNext("q_clamped2", exceedsSigned(q32, bits: 8))
        let t30 = m.regNext("t30", Self.roundShift(p1, 30))
        let tw = t30.width!
        let limitHigh = slit(Int(Int64.max), width: tw), limitLow = slit(Int(Int64.min), width: tw)
        let t = mux(t30 > limitHigh, slit(Int(Int64.max / 2), width: 64),
                    mux(t30 < limitLow, slit(Int(Int64.min / 2), width: 64), t30.truncate(to: 64).asSInt))
        let t2 = m.regNext("t2", t)
        let w2 = m.pipelineDelay("w2", w1, cycles: 2)

        // Stage 3: the weight product.
        let p3 = m.splitProduct("p3", t2, w2)
        let q3 = m.pipelineDelay("q3", q2, cycles: Self.weightLatency)
        let qClamped3 = m.pipelineDelay("q_clamped3", qClamped2, cycles: Self.weightLatency)

        // Stage 4: round at F (registered, as stage 2), saturate, pick the instruction's result.
        let y = m.regNext("y", Self.roundShift(p3, fracBits))
        let q4 = m.regNext("q4", q3), qClamped4 = m.regNext("q_clamped4", qClamped3)
        result.set(m.regNext("result_q", mux(quant, q4.extend(to: 32), saturatedToInt32(y))))
        saturated.set(m.regNext("saturated_q", mux(quant, qClamped4, exceedsInt32(y))))
    }

    /// `rshr(v, s)` for 1 <= s <= 32: add 2^(s-1) one bit wider (no overflow), shift right by s.
    static func roundShift(_ v: Signal, _ s: Int) -> Signal {
        v.expandingAdd(slit(1 << (s - 1), width: v.width!)) >> s
    }

    /// `rshra(v, s)`: like `roundShift`, but a negative `v` adds one less,
    /// so ties round away from zero.
    static func roundShiftTiesAway(_ v: Signal, _ s: Int) -> Signal {
        let w = v.width!
        // The sign bit, not `v < 0`: Yosys builds that compare as a second 96-bit carry chain.
        let bias = mux(v.asUInt[w - 1], slit((1 << (s - 1)) - 1, width: w), slit(1 << (s - 1), width: w))
        return v.expandingAdd(bias) >> s
    }
}
