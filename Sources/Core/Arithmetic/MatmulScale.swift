import HDL

/// The ternary product's scale `K = floor((ws * sb + 63) / 127)`
/// (`Numeric.matmulScale`) for any int32 `ws` and `sb`, once per `tmatmul`,
/// `latency` cycles after `start`. `valid` falls the cycle after `start` and
/// `scale` holds the result from `valid` until the next `start`.
///
/// Why this shape: the single-cycle product and a byte step that divided
/// through a constant multiply were 27 LUT levels deep (docs/silicon.md);
/// every stage here is a short add, compare or select:
/// 1. the operands are registered;
/// 2. four partial products of at most 18 x 18 bits (one DSP block each):
///    each operand is a signed top 16 bits and an unsigned low 16;
/// 3. the two middle products added, 63 added to the low one;
/// 4. the full product p = ws * sb + 63: the top product sits above the low
///    sum's 32 bits, so one add remains;
/// 5. the magnitude: `floor(p / 127) = -ceil(-p / 127) = -floor((126 - p) / 127)`
///    for a negative p, so only an unsigned n < 2^63 is divided (loaded
///    into the divider the cycle after);
/// 6. eight byte steps of long division, most significant byte first. With
///    the remainder r < 127 and the next byte b, x = 256 r + b = 127 (2 r) + y
///    with y = 2 r + b < 508, so the quotient byte is 2 r + t with
///    t = floor(y / 127) in 0 ... 3 (three compares) and the new remainder
///    y - 127 t. The 2 r and t parts of the bytes are kept apart, so no add
///    sits in the loop;
/// 7. the two parts added;
/// 8. the sign applied.
public struct MatmulScale: Module {
    public init() {}

    /// Cycles from `start` to `valid`.
    public static let latency = 16
    /// 16 + 16: every product of pieces maps to one 18 x 18 DSP block (a
    /// 26 + 6 split made a 27 x 6 product, two blocks and an adder in a cycle).
    static let pieceBits = 16
    static let byteSteps = 8

    /// One byte step in Swift, as the hardware does it: the quotient byte and
    /// remainder of x / 127 for x = 256 r + b < 127 * 256.
    public static func digit(_ x: Int) -> (quotient: Int, remainder: Int) {
        let r = x >> 8, y = 2 * r + (x & 0xFF)
        let t = (y >= 127 ? 1 : 0) + (y >= 254 ? 1 : 0) + (y >= 381 ? 1 : 0)
        return (2 * r + t, y - 127 * t)
    }

    public func build(_ m: ModuleBuilder) {
        let start = m.input("start", .bool)
        let weightScale = m.input("weight_scale", .sint(32))
        let activationScale = m.input("activation_scale", .sint(32))
        let valid = m.output("valid", .bool)
        let scale = m.output("scale", .sint(64))

        // `left` counts the cycles to `valid`; the stages after the products
        // act at fixed counts, the ones before run every cycle on held operands.
        let left = m.reg("left", .uint(4), reset: 0)
        m.when(start) { left.set(lit(Self.latency - 1, width: 4)) }.elseWhen(left != 0) { left.set(left - 1) }
        func at(_ cycle: Int) -> Signal { left == lit(Self.latency - cycle, width: 4) }

        let a = m.reg("a", .sint(32)), b = m.reg("b", .sint(32))
        m.when(start) {
            a.set(weightScale)
            b.set(activationScale)
        }
        let piece = Self.pieceBits
        func pieces(_ v: Signal) -> (high: Signal, low: Signal) {
            (v.asUInt[31, piece].asSInt, cat(lit(0, width: 1), v.asUInt[piece - 1, 0]).asSInt)
        }
        let (ah, al) = pieces(a), (bh, bl) = pieces(b)
        let lowProduct = m.regNext("low_product", al * bl)
        let crossA = m.regNext("cross_a", ah * bl), crossB = m.regNext("cross_b", al * bh)
        let highProduct = m.regNext("high_product", ah * bh)

        // al * bl <= (2^16 - 1)^2, so adding 63 stays below 2^32.
        let lowSum = m.regNext("low_sum", (lowProduct.asUInt[2 * piece - 1, 0] + lit(63, width: 2 * piece))[2 * piece - 1, 0])
        let crossSum = m.regNext("cross_sum", crossA.extend(to: 34) + crossB.extend(to: 34))
        let top = m.regNext("high_product2", highProduct)

        let product = m.regNext("product", (cat(top.asUInt, lowSum).asSInt + cat(crossSum.extend(to: 64 - piece).asUInt, lit(0, width: piece)).asSInt))

        let negative = m.reg("negative", .bool)
        let rest = m.reg("rest", .uint(64))
        let remainder = m.reg("remainder", .uint(7))
        let doubled = m.reg("doubled", .uint(64)), thirds = m.reg("thirds", .uint(16))
        // The compares are the borrows of the three subtractions, so one
        // add, one subtract and one select deep.
        let y = m.wire("y", cat(remainder, lit(0, width: 1)).extend(to: 10) + rest[63, 56].extend(to: 10))
        let differences = [1, 2, 3].map { m.wire("y_minus\($0)", y - lit(127 * $0, width: 10)) }
        let over = differences.map { !$0[9] }
        let t = m.wire("t", mux(over[2], lit(3, width: 2), mux(over[1], lit(2, width: 2), mux(over[0], lit(1, width: 2), lit(0, width: 2)))))
        let reduced = m.wire("reduced", mux(over[2], differences[2], mux(over[1], differences[1], mux(over[0], differences[0], y))))
        let sign = m.regNext("sign", product.asUInt[63])
        let dividend = m.regNext("dividend", mux(product.asUInt[63], ~product.asUInt + lit(127, width: 64), product.asUInt))
        m.when(at(5)) {
            negative.set(sign)
            rest.set(dividend)
            remainder.set(0)
        }.elseWhen(left >= lit(Self.latency - 5 - Self.byteSteps, width: 4) && left < lit(Self.latency - 5, width: 4)) {
            rest.set(cat(rest[55, 0], lit(0, width: 8)))
            remainder.set(reduced[6, 0])
            doubled.set(cat(doubled[55, 0], remainder, lit(0, width: 1)))
            thirds.set(cat(thirds[13, 0], t))
        }
        let magnitude = m.reg("magnitude", .uint(64))
        let spread = cat((0..<Self.byteSteps).reversed().map { cat(lit(0, width: 6), thirds[2 * $0 + 1, 2 * $0]) })
        m.when(at(6 + Self.byteSteps)) { magnitude.set(doubled + spread) }
        let result = m.reg("result", .sint(64))
        m.when(at(7 + Self.byteSteps)) { result.set(mux(negative, -magnitude.asSInt, magnitude.asSInt)) }
        valid.set(left == 0)
        scale.set(result)
    }
}
