import HDL

/// A Moore state machine that raises `found` for one cycle after the serial
/// input has shown the bits 1, 0, 1, 1 in that order (overlaps allowed).
public struct SequenceDetector: Module {
    public init() {}

    /// How much of the pattern has been seen.
    enum State: Int, CaseIterable {
        case idle, got1, got10, got101, got1011
        var value: Signal { lit(rawValue, width: 3) }
    }

    public func build(_ m: ModuleBuilder) {
        let bit = m.input("bit_in", .bool)
        let found = m.output("found", .bool)
        let state = m.reg("state", .uint(3), reset: State.idle.value)
        func next(_ one: State, else zero: State) { state.set(mux(bit, one.value, zero.value)) }
        m.switch(state) { s in
            s.is(State.idle.value) { next(.got1, else: .idle) }
            s.is(State.got1.value) { next(.got1, else: .got10) }
            s.is(State.got10.value) { next(.got101, else: .idle) }
            s.is(State.got101.value) { next(.got1011, else: .got10) }
            s.default { next(.got1, else: .got10) }
        }
        found.set(state == State.got1011.value)
    }
}
