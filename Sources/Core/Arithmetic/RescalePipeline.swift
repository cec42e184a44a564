import HDL

/// `sat32(rshr(value * scale, fracBits))` (`Numeric.mulShiftSatReporting`)
/// for `lanes` values that share one 64-bit scale: the ternary unit's
/// write-out, K times each row sum. One item per cycle, `latency` cycles
/// from `in_valid` to `out_valid`, `tag` carried alongside.
///
/// Why six stages: a single-cycle `value * scale` of 22 x 64 bits, rounded and
/// saturated, is about 30 LUT levels and a DSP deep (docs/silicon.md).
/// Here each stage is short:
/// 1. the inputs are registered (the caller's selects end here);
/// 2. three partial products of at most 27 x 27 bits, one DSP block each,
///    registered on both sides: scale = hi * 2^52 + mid * 2^26 + lo with lo and
///    mid unsigned 26-bit pieces and hi the signed top 12 bits;
/// 3. lo's and mid's products added; the rounding half placed under hi's
///    product (the half is below 2^52, so it costs no adder);
/// 4. the two added;
/// 5. the shift, and whether the value fits int32;
/// 6. the clamp and its flag.
public struct RescalePipeline: Module {
    public let lanes, valueBits, fracBits, tagBits: Int

    public static let latency = 6

    public init(lanes: Int, valueBits: Int, fracBits: Int, tagBits: Int) {
        self.lanes = lanes
        self.valueBits = valueBits
        self.fracBits = fracBits
        self.tagBits = tagBits
    }

    public var parameters: [Parameter] {
        [Parameter("N", lanes), Parameter("VALUE_BITS", valueBits), Parameter("FRAC_BITS", fracBits), Parameter("TAG_BITS", tagBits)]
    }

    /// The pieces of the scale: lo and mid unsigned 26-bit, hi the signed rest.
    static let pieceBits = 26

    public func build(_ m: ModuleBuilder) {
        guard m.require(lanes >= 1 && tagBits >= 1 && valueBits >= 2, "a rescale needs lanes, a tag and values of at least 2 bits"),
              m.require(fracBits >= 0 && fracBits <= 2 * Self.pieceBits, "fracBits must be 0 ... \(2 * Self.pieceBits), got \(fracBits)")
        else { return }
        let inValid = m.input("in_valid", .bool)
        let inValues = m.input("in_values", .vec(.sint(valueBits), count: lanes))
        let inScale = m.input("in_scale", .sint(64))
        let inTag = m.input("in_tag", .uint(tagBits))
        let outValid = m.output("out_valid", .bool)
        let outValues = m.output("out_values", .vec(.sint(32), count: lanes))
        let outSaturated = m.output("out_saturated", .uint(lanes))
        let outTag = m.output("out_tag", .uint(tagBits))
        let busy = m.output("busy", .bool)

        // Valid and tag move one stage per cycle beside the data.
        var valids: [Signal] = [], tag = inTag
        func advance() {
            let k = valids.count + 1
            valids.append(m.regNext("valid\(k)", valids.last ?? inValid, reset: false))
            tag = m.regNext("tag\(k)", tag)
        }

        advance()
        let values = m.regNext("values1", inValues)
        let scale = m.regNext("scale1", inScale).asUInt
        let piece = Self.pieceBits
        let lo = cat(lit(0, width: 1), scale[piece - 1, 0]).asSInt
        let mid = cat(lit(0, width: 1), scale[2 * piece - 1, piece]).asSInt
        let hi = scale[63, 2 * piece].asSInt

        advance()
        let products = (0..<lanes).map { lane in
            (lo: m.regNext("lo_product\(lane)", values[lane] * lo),
             mid: m.regNext("mid_product\(lane)", values[lane] * mid),
             hi: m.regNext("hi_product\(lane)", values[lane] * hi))
        }

        // The full product is valueBits + 64 bits; one more holds the half.
        // One two-operand add per stage: Yosys maps a three-operand sum to a
        // LUT compressor about 19 levels deep.
        let sumBits = valueBits + 65
        let half = lit(fracBits == 0 ? 0 : 1 << (fracBits - 1), width: 2 * piece)
        advance()
        let partial = products.enumerated().map { lane, p in
            (low: m.regNext("low_sum\(lane)", p.lo.extend(to: sumBits) + (p.mid.extend(to: sumBits - piece) << piece)),
             top: m.regNext("top\(lane)", cat(p.hi.extend(to: sumBits - 2 * piece).asUInt, half).asSInt))
        }

        advance()
        let sums = partial.enumerated().map { lane, p in m.regNext("sum\(lane)", p.low + p.top) }

        // The clamp test (bits 31 and up all equal) is two stages: a wide
        // AND and OR, then the select.
        advance()
        let clampTests = sums.enumerated().map { lane, sum in
            let rounded = m.wire("rounded\(lane)", sum >> fracBits).asUInt
            let top = rounded[rounded.width! - 1, 31]
            return (low: m.regNext("low_word\(lane)", rounded[31, 0]),
                    negative: m.regNext("negative\(lane)", rounded[rounded.width! - 1]),
                    fits: m.regNext("fits\(lane)", top.andR || !top.orR))
        }

        advance()
        let intMin = lit(Int(UInt32(bitPattern: Int32.min)), width: 32), intMax = lit(Int(Int32.max), width: 32)
        outValid.set(valids.last!)
        outTag.set(tag)
        outValues.set(m.regNext("values\(valids.count)", vec(clampTests.map { t in
            mux(t.fits, t.low, mux(t.negative, intMin, intMax)).asSInt
        })))
        outSaturated.set(m.regNext("saturated\(valids.count)", cat(clampTests.map { !$0.fits }.reversed())))
        busy.set(anyTrue(valids))
    }
}
