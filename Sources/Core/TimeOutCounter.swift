import HDL

extension ModuleBuilder {
    /// Whether `condition` has held for at least `limit` consecutive cycles
    /// (registered: the answer for the cycles up to the last edge). A count
    /// down from `limit`, reloaded while the condition is off, that has run
    /// out at zero: a compare with zero, where `count >= limit` was 6 or 7
    /// LUT levels from the limit. Reset to all ones, not zero: `condition`
    /// must be off in the first cycle after a reset, so that the count is
    /// loaded before it is asked.
    func heldFor(_ name: String, _ condition: Signal, atLeast limit: Signal) -> Signal {
        let width = limit.width ?? 32
        let left = reg("\(name)_left", .uint(width), reset: lit(BitVector(width: width, value: -1), .uint(width)))
        left.set(mux(condition, mux(left == 0, left, left - 1), limit))
        return regNext("\(name)_too_long", left == 0, reset: false)
    }
}
