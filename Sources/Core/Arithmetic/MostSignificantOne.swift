import HDL

extension ModuleBuilder {
    /// The index of the most significant set bit of the UInt `x` (0 when `x`
    /// is zero), as a UInt(log2 of the width rounded up to a power of two).
    /// Each level asks whether the upper half of what is left holds a one
    /// (one index bit) and keeps that half or the lower one; the halves are
    /// named wires `name_l<k>` so the emitted code stays readable.
    func mostSignificantOneIndex(_ name: String, _ x: Signal,
                                 file: String = #fileID, line: Int = #line, column: Int = #column) -> Signal {
        let width = x.width ?? 1
        var padded = 2
        while padded < width { padded *= 2 }
        var rest = padded > width ? cat(lit(0, width: padded - width), x) : x.asUInt
        var bits: [Signal] = []
        var level = 0
        while padded > 1 {
            let half = padded / 2
            let upperHasOne = wire("\(name)_b\(level)", rest[padded - 1, half].orR, file: file, line: line, column: column)
            bits.append(upperHasOne)
            if half > 1 {
                rest = wire("\(name)_l\(level)", mux(upperHasOne, rest[padded - 1, half], rest[half - 1, 0]),
                            file: file, line: line, column: column)
            }
            padded = half
            level += 1
        }
        return cat(bits)
    }
}
