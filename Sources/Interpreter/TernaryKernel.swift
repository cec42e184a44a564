import ISA

/// The ternary matrix-vector product on packed 2-bit trits.
///
/// The weights are never unpacked. For each group of four columns the kernel
/// builds a 256-entry table indexed by one packed weight byte (four codes):
/// `T[g][b] = sum_k trit(b, k) * q[4g + k]`. A row's accumulation is then one
/// table lookup per weight byte. Four rows are processed together so that
/// each group's table is touched four times while it is in cache.
/// The illegal code 10 contributes 0 in the tables and is detected separately
/// with a mask test over 64-bit words (`(w >> 1) & ~w & 0x5555...`).
public struct TernaryKernel {
    public let cols: Int
    public let groups: Int
    /// groups * 256 entries.
    var table: [Int16]

    /// Contribution of one code to a column (00 -> 0, 01 -> +1, 11 -> -1, 10 -> 0).
    static let codeSign: [Int16] = [0, 1, 0, -1]

    public init(cols: Int) {
        self.cols = cols
        self.groups = (cols + 3) / 4
        self.table = [Int16](repeating: 0, count: groups * 256)
    }

    /// Builds the tables for `q[0 ..< cols]`, each read as its low 8 bits (int8).
    public mutating func load(_ q: UnsafeBufferPointer<Int32>) {
        let cols = self.cols
        table.withUnsafeMutableBufferPointer { t in
            var pair = [Int16](repeating: 0, count: 16)
            for g in 0..<groups {
                var qq: (Int16, Int16, Int16, Int16) = (0, 0, 0, 0)
                let c = 4 * g
                qq.0 = c < cols ? Int16(Int8(truncatingIfNeeded: q[c])) : 0
                qq.1 = c + 1 < cols ? Int16(Int8(truncatingIfNeeded: q[c + 1])) : 0
                qq.2 = c + 2 < cols ? Int16(Int8(truncatingIfNeeded: q[c + 2])) : 0
                qq.3 = c + 3 < cols ? Int16(Int8(truncatingIfNeeded: q[c + 3])) : 0
                // Low nibble: columns c, c+1; high nibble: columns c+2, c+3.
                for n in 0..<16 {
                    pair[n] = Self.codeSign[n & 3] * qq.0 + Self.codeSign[n >> 2] * qq.1
                }
                let base = g * 256
                for hi in 0..<16 {
                    let h = Self.codeSign[hi & 3] * qq.2 + Self.codeSign[hi >> 2] * qq.3
                    let o = base + hi * 16
                    for lo in 0..<16 { t[o + lo] = pair[lo] + h }
                }
            }
        }
    }

    /// Accumulates `rows` rows starting at `weights` (row stride `stride`
    /// bytes) into `out`. Returns the first row containing an illegal code
    /// inside the columns, or nil.
    public func accumulate(rows: Int, stride: Int, weights: UnsafeRawBufferPointer,
                           out: UnsafeMutableBufferPointer<Int32>) -> Int? {
        let groups = self.groups
        let w = weights.bindMemory(to: UInt8.self)
        // Illegal code check, a 64-bit word at a time (row strides are multiples of 64).
        let fullBytes = cols / 4
        let tailTrits = cols % 4
        for r in 0..<rows {
            let rowBase = r * stride
            var bad: UInt64 = 0
            var i = 0
            while i + 8 <= fullBytes {
                let v = weights.loadUnaligned(fromByteOffset: rowBase + i, as: UInt64.self)
                bad |= (v >> 1) & ~v & 0x5555_5555_5555_5555
                i += 8
            }
            while i < fullBytes {
                let v = UInt64(w[rowBase + i])
                bad |= (v >> 1) & ~v & 0x55
                i += 1
            }
            if tailTrits > 0 {
                let v = UInt64(w[rowBase + fullBytes]) & ((UInt64(1) << UInt64(2 * tailTrits)) - 1)
                bad |= (v >> 1) & ~v & 0x55
            }
            if bad != 0 { return r }
        }
        table.withUnsafeBufferPointer { t in
            var r = 0
            while r + 4 <= rows {
                let b0 = r * stride, b1 = b0 + stride, b2 = b1 + stride, b3 = b2 + stride
                var a0: Int32 = 0, a1: Int32 = 0, a2: Int32 = 0, a3: Int32 = 0
                for g in 0..<groups {
                    let base = g &* 256
                    a0 &+= Int32(t[base &+ Int(w[b0 &+ g])])
                    a1 &+= Int32(t[base &+ Int(w[b1 &+ g])])
                    a2 &+= Int32(t[base &+ Int(w[b2 &+ g])])
                    a3 &+= Int32(t[base &+ Int(w[b3 &+ g])])
                }
                out[r] = a0; out[r + 1] = a1; out[r + 2] = a2; out[r + 3] = a3
                r += 4
            }
            while r < rows {
                let b0 = r * stride
                var a0: Int32 = 0
                for g in 0..<groups { a0 &+= Int32(t[g &* 256 &+ Int(w[b0 &+ g])]) }
                out[r] = a0
                r += 1
            }
        }
        return nil
    }
}
