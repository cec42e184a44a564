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

extension ModuleBuilder {
    /// `mostSignificantOneIndex` with one register inside, for a pipeline:
    /// the value seen here is `x`'s one clock edge ago. First each 8-bit
    /// chunk's own index and whether it holds a one (registered), then the
    /// highest chunk with a one and its index: two short steps where the
    /// single-cycle form was 8 LUT levels at 64 bits.
    func mostSignificantOneIndexRegistered(_ name: String, _ x: Signal) -> Signal {
        let chunkBits = 16, width = x.width ?? 1
        let chunks = Swift.max(2, (width + chunkBits - 1) / chunkBits)
        var padded = 2
        while padded < chunks { padded *= 2 }
        let bits = padded * chunkBits > width ? cat(lit(0, width: padded * chunkBits - width), x.asUInt) : x.asUInt
        let parts = (0..<padded).map { c in bits[c * chunkBits + chunkBits - 1, c * chunkBits] }
        let holds = regNext("\(name)_holds", cat(parts.reversed().map { $0.orR }))
        let local = regNext("\(name)_local", vec(parts.enumerated().map { c, part in mostSignificantOneIndex("\(name)_c\(c)", part) }))
        let chunk = wire("\(name)_chunk", mostSignificantOneIndex("\(name)_top", holds))
        return cat(chunk, local[chunk])
    }
}
