import ISA

/// The ternary matrix-vector product on packed 2-bit trits.
///
/// The weights are never unpacked. For each group of four columns the kernel
/// builds a 256-entry table indexed by one packed weight byte (four codes):
/// `T[g][b] = sum_k trit(b, k) * q[4g + k]`. A row's accumulation is then one
/// table lookup per weight byte, with the weights read 8 bytes (32 trits) at
/// a time, two rows at once. The columns are processed in tiles of 128
/// groups (512 columns, 64 KiB of tables) across all rows, so the tables
/// stay in the inner caches.
/// The illegal code 10 contributes 0 in the tables and is detected separately
/// with a mask test over 64-bit words (`(w >> 1) & ~w & 0x5555...`).
public struct TernaryKernel {
    public let cols: Int
    public let groups: Int
    /// groups * 256 entries.
    var table: [Int16]

    /// Contribution of one code to a column (00 -> 0, 01 -> +1, 11 -> -1, 10 -> 0).
    static let codeSign: [Int16] = [0, 1, 0, -1]

    /// Groups rounded up to a multiple of 8 (whole 64-bit weight words; the
    /// extra groups see q = 0 and so contribute nothing).
    public let paddedGroups: Int
    static let tileGroups = 128

    public init(cols: Int) {
        self.cols = cols
        self.groups = (cols + 3) / 4
        self.paddedGroups = (groups + 7) / 8 * 8
        self.table = [Int16](repeating: 0, count: paddedGroups * 256)
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
        for r in 0..<rows { out[r] = 0 }
        table.withUnsafeBufferPointer { t in
            let tp = t.baseAddress!
            let wp = weights.baseAddress!
            var g0 = 0
            while g0 < paddedGroups {
                let g1 = min(g0 + Self.tileGroups, paddedGroups)
                var r = 0
                while r + 2 <= rows {
                    var a: Int32 = 0, b: Int32 = 0
                    let rb0 = r &* stride, rb1 = rb0 &+ stride
                    var g = g0
                    while g < g1 {
                        let v = wp.loadUnaligned(fromByteOffset: rb0 &+ g, as: UInt64.self)
                        let u = wp.loadUnaligned(fromByteOffset: rb1 &+ g, as: UInt64.self)
                        let tb = tp + g &* 256
                        a &+= Int32(tb[Int(v & 0xFF)])
                        b &+= Int32(tb[Int(u & 0xFF)])
                        a &+= Int32(tb[256 &+ Int((v >> 8) & 0xFF)])
                        b &+= Int32(tb[256 &+ Int((u >> 8) & 0xFF)])
                        a &+= Int32(tb[512 &+ Int((v >> 16) & 0xFF)])
                        b &+= Int32(tb[512 &+ Int((u >> 16) & 0xFF)])
                        a &+= Int32(tb[768 &+ Int((v >> 24) & 0xFF)])
                        b &+= Int32(tb[768 &+ Int((u >> 24) & 0xFF)])
                        a &+= Int32(tb[1024 &+ Int((v >> 32) & 0xFF)])
                        b &+= Int32(tb[1024 &+ Int((u >> 32) & 0xFF)])
                        a &+= Int32(tb[1280 &+ Int((v >> 40) & 0xFF)])
                        b &+= Int32(tb[1280 &+ Int((u >> 40) & 0xFF)])
                        a &+= Int32(tb[1536 &+ Int((v >> 48) & 0xFF)])
                        b &+= Int32(tb[1536 &+ Int((u >> 48) & 0xFF)])
                        a &+= Int32(tb[1792 &+ Int(v >> 56)])
                        b &+= Int32(tb[1792 &+ Int(u >> 56)])
                        g &+= 8
                    }
                    out[r] &+= a
                    out[r &+ 1] &+= b
                    r &+= 2
                }
                if r < rows {
                    var a: Int32 = 0
                    let rowBase = r &* stride
                    var g = g0
                    while g < g1 {
                        let v = wp.loadUnaligned(fromByteOffset: rowBase &+ g, as: UInt64.self)
                        let tb = tp + g &* 256
                        for k in 0..<8 { a &+= Int32(tb[k &* 256 &+ Int((v >> UInt64(8 &* k)) & 0xFF)]) }
                        g &+= 8
                    }
                    out[r] &+= a
                }
                g0 = g1
            }
        }
        return nil
    }
}
