import ISA

/// The ternary matrix-vector product on packed weights (`TernaryMatrix`'s
/// row-interleaved layout, both packings).
///
/// For every column step s the kernel builds a table indexed by one weight
/// byte: `T[s][b] = sum_i trit(b, i) * q[k*s + i]`, with illegal bytes
/// marked. Each of a group's 64 row accumulators then takes one lookup per
/// byte. Columns at or past C see q = 0, so padding contributes nothing.
public struct TernaryKernel {
    public let cols: Int
    public let packing: WeightPacking
    public let steps: Int
    /// steps * 256 entries.
    var table: [Int32]

    public init(cols: Int, packing: WeightPacking) {
        self.cols = cols
        self.packing = packing
        self.steps = TernaryMatrix.steps(cols: cols, packing: packing)
        self.table = [Int32](repeating: 0, count: steps * 256)
    }

    /// Builds the tables for `q[0 ..< cols]`, each read as its low 8 bits (int8).
    public mutating func load(_ q: UnsafeBufferPointer<Int32>) {
        let k = TernaryMatrix.tritsPerByte(packing)
        let decoded = Self.decoded[Int(packing.rawValue)]
        for s in 0..<steps {
            var x = [Int32](repeating: 0, count: k)
            for i in 0..<k where k * s + i < cols { x[i] = Int32(Int8(truncatingIfNeeded: q[k * s + i])) }
            for b in 0..<256 {
                var sum: Int32 = 0
                for i in 0..<k { sum += Int32(decoded[b * 5 + i]) * x[i] }
                table[s * 256 + b] = sum
            }
        }
    }

    /// Trits of every byte (5 slots, zeros past k; illegal codes as 0).
    static let decoded: [[Int8]] = WeightPacking.allCases.map { p in
        (0..<256).flatMap { b -> [Int8] in
            let k = TernaryMatrix.tritsPerByte(p)
            let t = TernaryMatrix.decode(UInt8(b), packing: p, valid: 0) ?? [Int8](repeating: 0, count: k)
            return t + [Int8](repeating: 0, count: 5 - k)
        }
    }

    /// Accumulates `rows` rows of the groups at `weights` (the bytes after
    /// the header) into `out`. Returns the first (row, col) holding an
    /// illegal code inside the matrix, or nil.
    public func accumulate(rows: Int, weights: UnsafeRawBufferPointer,
                           out: UnsafeMutableBufferPointer<Int32>) -> TernaryMatrix.IllegalWeight? {
        let w = weights.bindMemory(to: UInt8.self)
        let k = TernaryMatrix.tritsPerByte(packing)
        let groupBytes = steps * TernaryMatrix.beatBytes
        // Illegal codes first (the fault leaves no partial results to compare).
        for r in 0..<rows {
            let base = (r / TernaryMatrix.groupRows) * groupBytes + r % TernaryMatrix.groupRows
            var c = 0
            while c < cols {
                let byte = w[base + (c / k) * TernaryMatrix.beatBytes]
                if TernaryMatrix.decode(byte, packing: packing, valid: min(k, cols - c)) == nil {
                    return TernaryMatrix.IllegalWeight(row: r, col: c)
                }
                c += k
            }
        }
        for r in 0..<rows { out[r] = 0 }
        table.withUnsafeBufferPointer { t in
            for r in 0..<rows {
                let base = (r / TernaryMatrix.groupRows) * groupBytes + r % TernaryMatrix.groupRows
                var acc: Int32 = 0
                for s in 0..<steps { acc &+= t[s &* 256 &+ Int(w[base &+ s &* TernaryMatrix.beatBytes])] }
                out[r] = acc
            }
        }
        return nil
    }
}
