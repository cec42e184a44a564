import HDL

/// A ROM for linear interpolation in one of Numeric's tables: word k holds
/// `table[k]` (the base, low bits) and `|table[k+1] - table[k]|` (the step,
/// high bits), so one read gives both ends of interval k and no subtractor
/// is needed. Read latency 1 (an M20K / block RAM): drive `address`, and
/// `base` / `step` follow after the clock edge.
struct InterpolationTable {
    let address: Signal
    let base: Signal
    let step: Signal

    /// Bits of the largest value of `values`.
    static func bits(_ values: [Int64]) -> Int {
        max(1, 64 - UInt64(values.max() ?? 0).leadingZeroBitCount)
    }

    init(_ m: ModuleBuilder, _ name: String, table: [Int64], intervals: Int,
         file: String = #fileID, line: Int = #line, column: Int = #column) {
        let bases = Array(table[0..<intervals])
        let steps = (0..<intervals).map { abs(table[$0 + 1] - table[$0]) }
        let baseBits = Self.bits(bases), stepBits = Self.bits(steps)
        precondition(baseBits + stepBits <= 64, "interpolation table words are one 64-bit word")
        let words = (0..<intervals).map {
            BitVector(width: baseBits + stepBits, words: [UInt64(bases[$0]) | UInt64(steps[$0]) << UInt64(baseBits)])
        }
        let rom = m.memory(name, depth: intervals, of: .uint(baseBits + stepBits), readLatency: 1, initial: words,
                           file: file, line: line, column: column)
        let port = rom.read(file: file, line: line, column: column)
        address = port.address
        base = port.data[baseBits - 1, 0]
        step = port.data[baseBits + stepBits - 1, baseBits]
    }
}
