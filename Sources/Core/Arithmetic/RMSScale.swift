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
        case idle, weight, partial, total, room, normalize, divide, rsqrt, plan, shift, fineShift, apply
        var value: Signal { lit(rawValue, width: 4) }
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

        // Why so many states: each does at most a short add, compare or
        // select, to keep every path within the 300 MHz depth budget
        // (docs/silicon.md); the scale is needed once per RMSNorm.
        let state = m.reg("state", .uint(4), reset: State.idle.value)
        let count = m.reg("count", .uint(countBits))
        let epsilon = m.reg("epsilon", .uint(32))
        let squares = m.reg("squares", .uint(sumBits))
        // n * eps as two products of at most 18 bits a side (one DSP each).
        let epsLow = m.reg("eps_low_product", .uint(countBits + 18))
        let epsHigh = m.reg("eps_high_product", .uint(countBits + 14))
        let total = m.reg("total", .uint(totalBits))
        let h = m.reg("h", .uint(6))
        let r = m.reg("r", .sint(64))
        let finished = m.reg("finished", .bool, reset: false)
        finished.set(false)

        // h = min(62, 63 + bitlen(n) - bitlen(S)) rounded down to even is the
        // largest even h <= 62 with bitlen(S * 2^h) <= 63 + bitlen(n): shift S
        // left two bits at a time while the bits from 61 + bitlen(n) up stay
        // clear, i.e. while S >> 61 has no one above n's highest one. `ones`
        // is n with every bit below its highest one set.
        let countOnes = m.reg("count_ones", .uint(countBits))
        // n with every bit below its highest one set, in three registered
        // steps (the weight, partial and total states), each ORing shifts by
        // 1, 2, 3 units of 4^step: ABC maps prefix ORs as a ripple chain, so
        // the registers bound its depth. 4^3 = 64 bits covers any count.
        func smear(_ x: Signal, step: Int) -> Signal {
            let unit = 1 << (2 * step)
            return (1...3).map { $0 * unit }.filter { $0 < countBits }
                .reduce(x) { acc, shift in acc | (x >> shift).extend(to: countBits) }
        }
        let above = m.wire("above", ~m.wire("ones_wide", countOnes.extend(to: totalBits - 61)))
        func roomForTwo(_ name: String, top: Int) -> Signal {
            m.wire(name, !(m.wire("\(name)_high", total[top, top - (totalBits - 62)]) & above).orR)
        }
        // Registered, as are h = 62 and S != 0, so the divider's start is one
        // gate deep.
        let room = m.reg("room", .bool), capped = m.reg("capped", .bool), nonzero = m.reg("nonzero", .bool)
        let grow = m.wire("grow", room && !capped && nonzero)
        // S != 0 in two steps: 16-bit pieces of the sum of squares, then all.
        func anyInPieces(_ x: Signal) -> Signal {
            let w = x.width!
            return cat(stride(from: 0, to: w, by: 16).map { x[Swift.min($0 + 15, w - 1), $0].orR })
        }
        let squaresAny = m.reg("squares_any", .uint((sumBits + 15) / 16)), epsilonAny = m.reg("epsilon_any", .uint(2))
        let countAny = m.reg("count_any", .bool)
        let div = m.instance(divider, "divider")
        div.start.set(state == State.normalize.value && nonzero && !grow)
        div.dividend.set(total)
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
        let y = m.reg("y", .uint(64)), up = m.reg("up", .uint(6)), down = m.reg("down", .uint(6))
        let toLeft = m.reg("to_left", .bool), amount = m.reg("amount", .uint(6))
        // Each 64-bit shift is two steps of an 8-way select (by the amount's
        // multiple of 8, then by the rest), in a free-running pipeline on
        // `y` and `amount`, which hold from the plan state on.
        let coarse = m.wire("coarse", cat(amount[5, 3], lit(0, width: 3))), fine = m.wire("fine", amount[2, 0])
        // rshr's half, 2^(amount - 1): bit i is one compare of the amount.
        let half = m.wire("half", cat([lit(0, width: 1)] + (0..<63).reversed().map { amount == lit($0 + 1, width: 6) }))
        let shiftedUp = m.regNext("shifted_up", m.regNext("coarse_up", y << coarse) << fine)
        let rounded = m.regNext("rounded", y + half)
        let rightShifted = m.wire("right_shifted", m.regNext("coarse_down", rounded >> coarse) >> fine)

        m.switch(state) { s in
            s.is(State.idle.value) {}
            s.is(State.weight.value) {
                epsLow.set(count * epsilon[17, 0])
                epsHigh.set(count * epsilon[31, 18])
                countOnes.set(smear(count, step: 0))
                squaresAny.set(anyInPieces(squares))
                epsilonAny.set(anyInPieces(epsilon))
                countAny.set(count.orR)
                state.set(State.partial.value)
            }
            s.is(State.partial.value) {
                total.set(squares.extend(to: totalBits) + epsLow.extend(to: totalBits))
                countOnes.set(smear(countOnes, step: 1))
                nonzero.set(squaresAny.orR || (countAny && epsilonAny.orR))
                state.set(State.total.value)
            }
            s.is(State.total.value) {
                total.set(total + cat(epsHigh, lit(0, width: 18)).extend(to: totalBits))
                countOnes.set(smear(countOnes, step: 2))
                h.set(0)
                state.set(State.room.value)
            }
            s.is(State.room.value) {
                room.set(roomForTwo("room_now", top: totalBits - 1))
                capped.set(false)
                state.set(State.normalize.value)
            }
            s.is(State.normalize.value) {
                m.when(grow) {
                    total.set(cat(total[totalBits - 3, 0], lit(0, width: 2)))
                    h.set(h + 2)
                    room.set(roomForTwo("room_next", top: totalBits - 3))
                    capped.set(h == lit(60, width: 6))
                }.elseWhen(nonzero) {
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
                    y.set(rsqrt.y.extend(to: 64))
                    up.set(lit(fracBits - 1, width: 6) + h[5, 1].extend(to: 6))
                    down.set(rsqrt.e.asUInt[5, 1].extend(to: 6))
                    state.set(State.plan.value)
                }.otherwise {
                    wait.set(wait - 1)
                }
            }
            s.is(State.plan.value) {
                toLeft.set(up >= down)
                amount.set(mux(up >= down, up - down, down - up))
                state.set(State.shift.value)
            }
            // The shift pipeline settles while these two states wait.
            s.is(State.shift.value) { state.set(State.fineShift.value) }
            s.is(State.fineShift.value) { state.set(State.apply.value) }
            s.is(State.apply.value) {
                r.set(mux(toLeft, shiftedUp, rightShifted).asSInt)
                finished.set(true)
                state.set(State.idle.value)
            }
            s.default {}
        }
        m.when(start) {
            count.set(n)
            epsilon.set(eps)
            squares.set(sumSquares)
            state.set(State.weight.value)
        }
        done.set(finished)
        scale.set(r)
    }
}
