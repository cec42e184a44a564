import HDL
import ISA

/// RMSNorm's scale `R` (1/rms in Q.30) from the exact sum of squares, bit
/// for bit as `Numeric.rmsScale`:
/// `S = sum_squares + n * eps`; `h = min(62, 63 + bitlen(n) - bitlen(S))`
/// rounded down to even; `M = floor(S * 2^h / n)` (sequential divider);
/// `(y, e) = rsqrtCore(M)`; `R = y * 2^(F + h/2 - 1 - e/2)` (a left shift,
/// or `rshr` when the exponent is negative). `S = 0` gives `R = 0`, which
/// makes every output 0 exactly as `rmsApply` does for a nil scale.
///
/// `start` takes `sum_squares`, `n` (1 ... maxVectorLength) and `eps` (the
/// unsigned Q.2F immediate); `done` pulses with `scale` valid, which holds
/// until the next `start`.
public struct RMSScale: Module {
    public let maxVectorLength: Int
    public let fracBits: Int

    public init(maxVectorLength: Int, fracBits: Int) {
        self.maxVectorLength = maxVectorLength
        self.fracBits = fracBits
    }

    public var parameters: [Parameter] { [Parameter("VL", maxVectorLength), Parameter("F", fracBits)] }

    /// Bits of n (1 ... maxVectorLength).
    var countBits: Int { Swift.max(1, addressWidth(maxVectorLength + 1)) }
    /// S < n * 2^63 (each square <= 2^62, n * eps < n * 2^32): S and S * 2^h fit here.
    public var totalBits: Int { 63 + countBits }
    /// The sum of squares alone is at most n * 2^62.
    public var sumBits: Int { 62 + countBits }

    var divider: SequentialDivider {
        SequentialDivider(dividendBits: totalBits, divisorBits: countBits, quotientBits: 64, bitsPerCycle: 2)
    }

    enum State: Int, CaseIterable {
        case idle, total, exponent, divide, rsqrt
        var value: Signal { lit(rawValue, width: 3) }
    }

    public func build(_ m: ModuleBuilder) {
        guard m.require((1...CoreConfig.vectorLengthLimit).contains(maxVectorLength), "bad maximum vector length \(maxVectorLength)"),
              m.require(CoreConfig.fracBitsRange.contains(fracBits), "fraction bits must be \(CoreConfig.fracBitsRange), got \(fracBits)")
        else { return }
        let start = m.input("start", .bool)
        let sumSquares = m.input("sum_squares", .uint(sumBits))
        let n = m.input("n", .uint(countBits))
        let eps = m.input("eps", .uint(32))
        let done = m.output("done", .bool)
        let scale = m.output("scale", .sint(64))

        let state = m.reg("state", .uint(3), reset: State.idle.value)
        let count = m.reg("count", .uint(countBits))
        let epsilon = m.reg("epsilon", .uint(32))
        let squares = m.reg("squares", .uint(sumBits))
        let total = m.reg("total", .uint(totalBits))
        let h = m.reg("h", .uint(6))
        let r = m.reg("r", .sint(64))
        let finished = m.reg("finished", .bool, reset: false)
        finished.set(false)

        // h = min(62, 63 + bitlen(n) - bitlen(S)) & ~1 = min(62, 63 + msb(n) - msb(S)) & ~1
        // (n >= 1; S = 0 takes the other path); never negative since S < 2^(63 + bitlen(n)).
        let lengthBits = 8
        let msbS = m.wire("msb_s", m.mostSignificantOneIndex("msb_s", total).extend(to: lengthBits))
        let msbN = m.wire("msb_n", m.mostSignificantOneIndex("msb_n", count).extend(to: lengthBits))
        let room = m.wire("room", lit(63, width: lengthBits) + msbN - msbS)
        let capped = mux(room > lit(62, width: lengthBits), lit(62, width: lengthBits), room)
        let evenH = m.wire("even_h", cat(capped[5, 1], lit(0, width: 1)))

        let div = m.instance(divider, "divider")
        div.start.set(state == State.exponent.value && total.orR)
        div.dividend.set(total << evenH)
        div.divisor.set(count)

        // The quotient holds after `done`: the rsqrt pipeline's result is read
        // `latency` cycles later.
        let core = RsqrtCore()
        let rsqrt = m.instance(core, "rsqrt")
        rsqrt.m.set(div.quotient)
        let waitBits = addressWidth(core.latency + 1)
        let wait = m.reg("rsqrt_wait", .uint(waitBits))

        // R = y * 2^k, k = F - 1 + h/2 - e/2 in [-24, 54]: a left shift (Swift's
        // Int64 << drops the bits above 64, as this one does) or rshr.
        let y = rsqrt.y.extend(to: 64)
        let up = m.wire("up", lit(fracBits - 1, width: 6) + h[5, 1].extend(to: 6))
        let down = m.wire("down", rsqrt.e.asUInt[5, 1].extend(to: 6))
        let leftShift = m.wire("left_shift", up - down)
        let rightShift = m.wire("right_shift", down - up)
        let half = m.wire("half", lit(1, width: 64) << (rightShift - 1))
        let scaled = mux(up >= down, y << leftShift, (y + half) >> rightShift)

        m.switch(state) { s in
            s.is(State.idle.value) {}
            s.is(State.total.value) {
                total.set(squares.extend(to: totalBits) + (count * epsilon).extend(to: totalBits))
                state.set(State.exponent.value)
            }
            s.is(State.exponent.value) {
                h.set(evenH)
                m.when(total.orR) {
                    state.set(State.divide.value)
                }.otherwise {
                    r.set(0)
                    finished.set(true)
                    state.set(State.idle.value)
                }
            }
            s.is(State.divide.value) {
                m.when(div.done) {
                    wait.set(lit(core.latency - 1, width: waitBits))
                    state.set(State.rsqrt.value)
                }
            }
            s.is(State.rsqrt.value) {
                m.when(wait == 0) {
                    r.set(scaled.asSInt)
                    finished.set(true)
                    state.set(State.idle.value)
                }.otherwise {
                    wait.set(wait - 1)
                }
            }
            s.default {}
        }
        m.when(start) {
            count.set(n)
            epsilon.set(eps)
            squares.set(sumSquares)
            state.set(State.total.value)
        }
        done.set(finished)
        scale.set(r)
    }
}
