import HDL

/// A first-in first-out queue with valid/ready handshakes on both sides.
///
/// A word enters when `in_valid && in_ready` and leaves when
/// `out_valid && out_ready`, both at the clock edge; `out_data` shows the
/// oldest word whenever `out_valid` is high (show-ahead). A full queue
/// deasserts `in_ready` (back-pressure); pushing and popping in the same
/// cycle works when full or empty too only as far as the state allows.
public struct FIFO: Module {
    public let width: Int
    /// A power of two, at least 2.
    public let depth: Int

    public init(width: Int, depth: Int) {
        self.width = width
        self.depth = depth
    }

    public var parameters: [Parameter] { [Parameter("W", width), Parameter("E", depth)] }

    public func build(_ m: ModuleBuilder) {
        guard m.require(depth >= 2 && depth & (depth - 1) == 0, "FIFO depth must be a power of two of at least 2, got \(depth)"),
              m.require(width >= 1, "FIFO width must be at least 1, got \(width)") else { return }
        let a = addressWidth(depth)
        let inValid = m.input("in_valid", .bool)
        let inData = m.input("in_data", .uint(width))
        let inReady = m.output("in_ready", .bool)
        let outValid = m.output("out_valid", .bool)
        let outData = m.output("out_data", .uint(width))
        let outReady = m.input("out_ready", .bool)
        let count = m.output("count", .uint(a + 1))

        let head = m.reg("head", .uint(a), reset: 0)
        let tail = m.reg("tail", .uint(a), reset: 0)
        // Why the count and both flags are registers: they feed handshakes, so
        // they come straight from flip-flops instead of a pointer compare. (All
        // zero is the empty state, as a simulator's registers start.)
        let used = m.reg("used", .uint(a + 1), reset: 0)
        let holding = m.reg("holding", .bool, reset: false)
        let full = m.reg("full", .bool, reset: false)
        let push = m.wire("push", inValid && !full)
        let pop = m.wire("pop", outReady && holding)
        m.when(push && !pop) {
            used.set(used + 1)
            holding.set(true)
            full.set(used == lit(depth - 1, width: a + 1))
        }.elseWhen(pop && !push) {
            used.set(used - 1)
            full.set(false)
            holding.set(used != lit(1, width: a + 1))
        }

        let words = m.memory("words", depth: depth, of: .uint(width), readLatency: 0)
        let write = words.write()
        write.enable.set(push)
        write.address.set(tail)
        write.data.set(inData)
        let read = words.read()
        read.address.set(head)

        m.when(push) { tail.set(tail + 1) }
        m.when(pop) { head.set(head + 1) }

        inReady.set(!full)
        outValid.set(holding)
        outData.set(read.data)
        count.set(used)
    }
}
