import HDL

/// Unsigned long division, a few quotient bits per cycle (restoring: one
/// compare-and-subtract of the divisor's width per bit), for the rare
/// divides of the reduction unit where a full-width divider would waste area.
///
/// `start` (a one-cycle pulse) takes `dividend` and `divisor`; `done`
/// pulses `latency` cycles later with `quotient = floor(dividend / divisor)`
/// and `remainder`, which hold until the next `start`. `busy` is high in
/// between. Only `quotientBits` quotient bits are produced: the caller
/// guarantees `dividend < divisor * 2^quotientBits` (always true when
/// `quotientBits == dividendBits`) and `divisor != 0`; otherwise the outputs
/// are meaningless (a zero divisor gives an all-ones quotient).
public struct SequentialDivider: Module {
    public let dividendBits: Int
    public let divisorBits: Int
    public let quotientBits: Int
    public let bitsPerCycle: Int

    public init(dividendBits: Int, divisorBits: Int, quotientBits: Int? = nil, bitsPerCycle: Int = 1) {
        self.dividendBits = dividendBits
        self.divisorBits = divisorBits
        self.quotientBits = quotientBits ?? dividendBits
        self.bitsPerCycle = bitsPerCycle
    }

    public var parameters: [Parameter] {
        [Parameter("DD", dividendBits), Parameter("DV", divisorBits), Parameter("Q", quotientBits), Parameter("QC", bitsPerCycle)]
    }

    /// Cycles of division after `start`.
    public var steps: Int { quotientBits / bitsPerCycle }
    /// Cycles from the `start` pulse to the `done` pulse.
    public var latency: Int { steps + 1 }

    public func build(_ m: ModuleBuilder) {
        guard m.require(divisorBits >= 1 && quotientBits >= 2 && quotientBits <= dividendBits,
                        "a divider needs a divisor bit and 2 ... dividendBits quotient bits, got \(divisorBits), \(quotientBits)"),
              m.require(bitsPerCycle >= 1 && quotientBits % bitsPerCycle == 0,
                        "quotient bits (\(quotientBits)) must be a multiple of the bits per cycle (\(bitsPerCycle))")
        else { return }
        let start = m.input("start", .bool)
        let dividend = m.input("dividend", .uint(dividendBits))
        let divisor = m.input("divisor", .uint(divisorBits))
        let busy = m.output("busy", .bool)
        let done = m.output("done", .bool)
        let quotient = m.output("quotient", .uint(quotientBits))
        let remainder = m.output("remainder", .uint(divisorBits))

        // `rem` is the partial remainder (always < divisor); `bits` shifts the
        // dividend's low bits out at the top while quotient bits enter below.
        let rem = m.reg("rem", .uint(divisorBits))
        let bits = m.reg("bits", .uint(quotientBits))
        let d = m.reg("d", .uint(divisorBits))
        let countBits = Swift.max(1, addressWidth(steps + 1))
        let count = m.reg("count", .uint(countBits), reset: 0)
        let finished = m.reg("finished", .bool, reset: false)

        // The dividend bits above the quotient's are smaller than the divisor:
        // they are the first partial remainder.
        let top: Signal
        let extra = dividendBits - quotientBits
        if extra == 0 {
            top = lit(0, width: divisorBits)
        } else {
            let high = dividend[dividendBits - 1, quotientBits]
            top = extra >= divisorBits ? high.truncate(to: divisorBits) : high.extend(to: divisorBits)
        }

        var r = rem, q = bits
        let wideDivisor = d.extend(to: divisorBits + 1)
        for i in 0..<bitsPerCycle {
            let shifted = m.wire("shifted\(i)", cat(r, q[quotientBits - 1]))
            let fits = m.wire("fits\(i)", shifted >= wideDivisor)
            r = m.wire("rem\(i)", mux(fits, shifted - wideDivisor, shifted).truncate(to: divisorBits))
            q = m.wire("bits\(i)", cat(q[quotientBits - 2, 0], fits.asUInt))
        }

        finished.set(count == 1)
        m.when(start) {
            rem.set(top)
            bits.set(dividend[quotientBits - 1, 0])
            d.set(divisor)
            count.set(lit(steps, width: countBits))
        }.elseWhen(count != 0) {
            rem.set(r)
            bits.set(q)
            count.set(count - 1)
        }
        busy.set(count != 0)
        done.set(finished)
        quotient.set(bits)
        remainder.set(rem)
    }
}
