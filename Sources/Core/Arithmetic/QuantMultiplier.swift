import HDL

/// `quant`'s per-vector multiplier `Q = floor((127 * 2^32 + floor(A/2)) / A)`
/// (`Numeric.quantMultiplier`), 0 when A <= 0, by a sequential divider.
///
/// `start` takes `absmax` (A, the instruction's scalar); `done` pulses with
/// `multiplier` valid (it holds until the next `start`), `latency` cycles
/// later, or one cycle later when A <= 0.
public struct QuantMultiplier: Module {
    public init() {}

    /// Q <= 127 * 2^32 < 2^39; the dividend is below 2^40.
    public static let multiplierBits = 40

    var divider: SequentialDivider {
        SequentialDivider(dividendBits: Self.multiplierBits, divisorBits: 31, bitsPerCycle: 2)
    }

    /// Cycles from `start` to `done` for A > 0.
    public var latency: Int { divider.latency }

    public func build(_ m: ModuleBuilder) {
        let start = m.input("start", .bool)
        let absmax = m.input("absmax", .sint(32))
        let done = m.output("done", .bool)
        let multiplier = m.output("multiplier", .uint(Self.multiplierBits))

        let positive = m.wire("positive", absmax > slit(0, width: 32))
        let a = absmax.asUInt[30, 0]
        let div = m.instance(divider, "divider")
        div.start.set(start && positive)
        div.dividend.set(lit(127 << 32, width: Self.multiplierBits) + (a >> 1).extend(to: Self.multiplierBits))
        div.divisor.set(a)

        // A <= 0: Q = 0, reported one cycle after start.
        let zero = m.reg("zero", .bool, reset: false)
        let early = m.regNext("early", start && !positive, reset: false)
        m.when(start) { zero.set(!positive) }
        done.set(early || div.done)
        multiplier.set(mux(zero, lit(0, width: Self.multiplierBits), div.quotient))
    }
}
