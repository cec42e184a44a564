import HDL

// Small helpers on widths and lists of Bools, shared by the core's modules.

/// Exact log2 of a power of two.
func log2(_ n: Int) -> Int { n.trailingZeroBitCount }

/// `s` zero- or sign-extended, or cut, to `width` bits (for values known to fit).
func resize(_ s: Signal, _ width: Int) -> Signal {
    let w = s.width!
    return w == width ? s : w < width ? s.extend(to: width) : s.truncate(to: width)
}

/// `x >> k`, also for k = 0.
func shiftDown(_ x: Signal, _ k: Int) -> Signal { k == 0 ? x : x >> k }

/// The OR of `xs` (false when empty).
func anyTrue(_ xs: [Signal]) -> Signal { xs.isEmpty ? false : xs.dropFirst().reduce(xs[0]) { $0 || $1 } }

/// The AND of `xs` (true when empty).
func allTrue(_ xs: [Signal]) -> Signal { xs.isEmpty ? true : xs.dropFirst().reduce(xs[0]) { $0 && $1 } }

extension Signal {
    /// The Bool constant false, as a starting value for `||` folds.
    static var no: Signal { false }
}
