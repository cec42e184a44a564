import HDL

/// `floor(dividend / 127)` for any signed 64-bit dividend, in `steps`
/// cycles: the ternary product's scale `K = floor((ws * sb + 63) / 127)`
/// (`Numeric.matmulScale`), computed once per `tmatmul`.
///
/// A negative dividend p uses `floor(p / 127) = -floor((126 - p) / 127)`,
/// so only a magnitude n < 2^64 is divided. The division is long division
/// by bytes, most significant first: with the remainder r < 127, each step
/// divides x = r * 256 + byte < 127 * 256 by 127. That small quotient is
/// `(x * 33027) >> 22`, exact for every x < 2^22 / 125 (33027 * 127 =
/// 2^22 + 125, so the error x * 125 / (127 * 2^22) stays below 1/127; the
/// tests check every x). `start` loads a dividend; `valid` falls for the
/// 8 steps and `quotient` holds the result until the next `start`.
public struct FloorDivideBy127: Module {
    public init() {}

    public static let steps = 8
    /// `ceil(2^22 / 127)`: the reciprocal of one byte step.
    public static let reciprocal = 33027
    public static let reciprocalShift = 22

    /// One byte step in Swift: quotient digit and remainder of x / 127.
    public static func digit(_ x: Int) -> (quotient: Int, remainder: Int) {
        let q = (x * reciprocal) >> reciprocalShift
        return (q, x - 127 * q)
    }

    public func build(_ m: ModuleBuilder) {
        let start = m.input("start", .bool)
        let dividend = m.input("dividend", .sint(64))
        let valid = m.output("valid", .bool)
        let quotient = m.output("quotient", .sint(64))

        let left = m.reg("steps_left", .uint(4), reset: 0)
        let negative = m.reg("negative", .bool, reset: false)
        let rest = m.reg("rest", .uint(64))
        let remainder = m.reg("remainder", .uint(7))
        let q = m.reg("q", .uint(64))

        // x = r * 256 + next byte; digit = (x * 33027) >> 22; r' = x - 127 * digit.
        let x = m.wire("x", cat(remainder, rest[63, 56]))
        let scaled = m.wire("scaled", x * lit(Self.reciprocal, width: 16))
        let digit = m.wire("digit", scaled[Self.reciprocalShift + 7, Self.reciprocalShift])
        let nextRemainder = m.wire("next_remainder", x - (digit * lit(127, width: 7)))

        m.when(start) {
            let isNegative = dividend < slit(0, width: 64)
            negative.set(isNegative)
            rest.set(mux(isNegative, ~dividend.asUInt + lit(126 + 1, width: 64), dividend.asUInt))
            remainder.set(0)
            q.set(0)
            left.set(lit(Self.steps, width: 4))
        }.elseWhen(left != 0) {
            rest.set(cat(rest[55, 0], lit(0, width: 8)))
            remainder.set(nextRemainder[6, 0])
            q.set(cat(q[55, 0], digit))
            left.set(left - 1)
        }
        valid.set(left == 0)
        quotient.set(mux(negative, -q.asSInt, q.asSInt))
    }
}
