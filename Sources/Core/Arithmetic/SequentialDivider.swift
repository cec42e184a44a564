import HDL

/// Unsigned long division, a few quotient bits per cycle (restoring, radix
/// 2^bitsPerCycle: every multiple of the divisor is tried at once), for the rare
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

        // Radix 2^bitsPerCycle: the shifted remainder is compared with every
        // multiple k * d at once (the compares are the subtractions' borrows)
        // and the largest that fits is taken, so a step is one subtract and
        // one select deep however many bits it makes. The multiples above
        // one are registered at start.
        let digits = 1 << bitsPerCycle
        let wide = divisorBits + bitsPerCycle + 1
        let multiples = (1..<digits).map { k -> Signal in
            k == 1 ? d.extend(to: wide) : m.reg("d_times\(k)", .uint(wide))
        }
        let shifted = m.wire("shifted", cat(rem, bits[quotientBits - 1, quotientBits - bitsPerCycle]).extend(to: wide))
        let differences = multiples.enumerated().map { i, multiple in m.wire("minus\(i + 1)", shifted - multiple) }
        let fits = differences.map { !$0[wide - 1] }
        var nextRem = shifted, digit = lit(0, width: bitsPerCycle)
        for k in 1..<digits {
            nextRem = mux(fits[k - 1], differences[k - 1], nextRem)
            digit = mux(fits[k - 1], lit(k, width: bitsPerCycle), digit)
        }
        let r = m.wire("next_rem", nextRem[divisorBits - 1, 0])
        let q = bitsPerCycle == quotientBits ? digit : cat(bits[quotientBits - bitsPerCycle - 1, 0], digit)
        finished.set(count == 1)
        m.when(start) {
            rem.set(top)
            bits.set(dividend[quotientBits - 1, 0])
            d.set(divisor)
            for (k, multiple) in multiples.enumerated().dropFirst() {
                // A sum of shifted divisors (a constant multiply maps to deep LUT logic).
                let shifts = (0..<bitsPerCycle).filter { (k + 1) >> $0 & 1 == 1 }
                let terms = shifts.map { (divisor.extend(to: wide) << $0).truncate(to: wide) }
                multiple.set(terms.dropFirst().reduce(terms[0], +))
            }
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
