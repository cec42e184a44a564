import ISA

/// The ternary matrix-vector product on packed weights (`TernaryMatrix`'s
/// row-interleaved layout, both packings), fast on one core.
///
/// For every column step s a 256-entry table holds the dot product of each
/// possible weight byte with the step's k activations (illegal codes count
/// as 0; columns at or past C have activation 0, so padding trits add
/// nothing). A row's sum is then one table lookup per byte: R * ceil(C / k)
/// lookups per product. They run in tiles of steps whose tables stay in L1,
/// over every row group, eight rows at a time in registers (their bytes of
/// a step are adjacent). Before a tile is read, word-wide bit tests look for
/// illegal values in it; only when one turns up does an exact (slow) scan
/// locate the first, so a fault reports the position the ISA text defines.
public struct TernaryKernel {
    public private(set) var cols: Int
    public private(set) var packing: WeightPacking
    /// Column steps per group in memory (padded to a multiple of 4).
    public private(set) var steps: Int
    /// Steps that hold a column below C; the padding steps after them are never read.
    private var usedSteps: Int
    /// usedSteps tables of 256 entries, `tableStride` apart (|entry| <= 5 * 128, so Int16 suffices).
    private var table: [Int16] = []
    /// The int8 activations the tables were built from (a shared input, as
    /// gate and up have, reuses them).
    private var loaded: [Int8] = []
    private var valid = false

    /// Steps per tile: 32 tables of about 512 bytes (17 KiB) plus a group's 2 KiB of weights stay in L1.
    static let tileSteps = 32
    /// Entries from one step's table to the next: not a multiple of the
    /// 64-byte weight stride, so the compiler keeps a table pointer of its
    /// own instead of deriving both addresses from one scaled index.
    static let tableStride = 264

    public init(cols: Int, packing: WeightPacking) {
        self.cols = 0; self.packing = packing; self.steps = 0; self.usedSteps = 0
        configure(cols: cols, packing: packing)
    }

    /// Prepares for matrices of `cols` columns in `packing`, keeping the buffers.
    public mutating func configure(cols: Int, packing: WeightPacking) {
        guard cols != self.cols || packing != self.packing else { return }
        self.cols = cols
        self.packing = packing
        let k = TernaryMatrix.tritsPerByte(packing)
        steps = TernaryMatrix.steps(cols: cols, packing: packing)
        usedSteps = (cols + k - 1) / k
        if table.count < usedSteps * Self.tableStride { table = [Int16](repeating: 0, count: usedSteps * Self.tableStride) }
        valid = false
    }

    /// Builds the tables for `q[0 ..< cols]`, each read as its low 8 bits (int8).
    public mutating func load(_ q: UnsafeBufferPointer<Int32>) {
        precondition(q.count >= cols)
        if valid && loaded.count == cols && (0..<cols).allSatisfy({ loaded[$0] == Int8(truncatingIfNeeded: q[$0]) }) { return }
        let k = TernaryMatrix.tritsPerByte(packing)
        // Activations padded with zeros to whole steps.
        var x = [Int16](repeating: 0, count: usedSteps * k)
        loaded = (0..<cols).map { Int8(truncatingIfNeeded: q[$0]) }
        for c in 0..<cols { x[c] = Int16(loaded[c]) }
        let base3 = packing == .base3
        table.withUnsafeMutableBufferPointer { t in
            x.withUnsafeBufferPointer { x in
                for s in 0..<usedSteps {
                    let e = UnsafeMutableBufferPointer(rebasing: t[(s * Self.tableStride)..<(s * Self.tableStride + 256)])
                    if base3 { Self.base3Table(x[5 * s], x[5 * s + 1], x[5 * s + 2], x[5 * s + 3], x[5 * s + 4], into: e) }
                    else { Self.twoBitTable(x[4 * s], x[4 * s + 1], x[4 * s + 2], x[4 * s + 3], into: e) }
                }
            }
        }
        valid = true
    }

    /// Entry b = sum_i value(code_i(b)) * x_i with code values 0, +1, 0 (illegal), -1:
    /// the low and high nibbles' partial sums, then one add per entry.
    static func twoBitTable(_ x0: Int16, _ x1: Int16, _ x2: Int16, _ x3: Int16, into t: UnsafeMutableBufferPointer<Int16>) {
        withUnsafeTemporaryAllocation(of: Int16.self, capacity: 32) { part in
            for i in 0..<16 {
                part[i] = code(i & 3, x0) &+ code(i >> 2, x1)
                part[16 + i] = code(i & 3, x2) &+ code(i >> 2, x3)
            }
            for high in 0..<16 {
                let h = part[16 + high]
                for low in 0..<16 { t[16 * high + low] = part[low] &+ h }
            }
        }
    }

    @inline(__always) static func code(_ c: Int, _ x: Int16) -> Int16 { c == 1 ? x : c == 3 ? 0 &- x : 0 }

    /// Entry d0 + 3 d1 + 9 d2 + 27 d3 + 81 d4 = sum_i value(d_i) * x_i with
    /// digit values 0, +1, -1; entries 243 ... 255 (illegal) are 0. Built as
    /// nine, then 81, then 243 partial sums.
    static func base3Table(_ x0: Int16, _ x1: Int16, _ x2: Int16, _ x3: Int16, _ x4: Int16, into t: UnsafeMutableBufferPointer<Int16>) {
        withUnsafeTemporaryAllocation(of: Int16.self, capacity: 18) { part in
            for a in 0..<9 {
                part[a] = digit(a % 3, x0) &+ digit(a / 3, x1)
                part[9 + a] = digit(a % 3, x2) &+ digit(a / 3, x3)
            }
            for b in 0..<9 {
                let h = part[9 + b]
                for a in 0..<9 { t[a + 9 * b] = part[a] &+ h }
            }
        }
        let plus = x4, minus = 0 &- x4
        for a in 0..<81 {
            let v = t[a]
            t[81 + a] = v &+ plus
            t[162 + a] = v &+ minus
        }
        for b in 243..<256 { t[b] = 0 }
    }

    @inline(__always) static func digit(_ d: Int, _ x: Int16) -> Int16 { d == 1 ? x : d == 2 ? 0 &- x : 0 }

    /// Accumulates `rows` rows of the groups at `weights` (the bytes after
    /// the header) into `out`. Returns the first (row, col) holding an
    /// illegal code inside the matrix, or nil.
    public func accumulate(rows: Int, weights: UnsafeRawBufferPointer,
                           out: UnsafeMutableBufferPointer<Int32>) -> TernaryMatrix.IllegalWeight? {
        precondition(valid && out.count >= rows)
        let groups = TernaryMatrix.groups(rows: rows)
        let groupBytes = steps * TernaryMatrix.beatBytes
        precondition(weights.count >= groups * groupBytes)
        guard let w = weights.baseAddress, let o = out.baseAddress else { return nil }
        for r in 0..<rows { o[r] = 0 }
        var flags: UInt64 = 0
        table.withUnsafeBufferPointer { tab in
            let t = tab.baseAddress!
            // Tiles of steps whose tables stay in L1, over every group; each
            // group's tile of weights is checked, then read eight rows at a time.
            var t0 = 0
            while t0 < usedSteps {
                let n = min(usedSteps, t0 + Self.tileSteps) - t0
                for g in 0..<groups {
                    let lanes = min(TernaryMatrix.groupRows, rows - g * TernaryMatrix.groupRows)
                    let tile = w + g * groupBytes + t0 * TernaryMatrix.beatBytes
                    flags |= illegalFlags(tile, steps: n, lanes: lanes)
                    var lane = 0
                    while lane < lanes {
                        Self.lookups(tile + lane, t + t0 * Self.tableStride, steps: n,
                                     into: o + g * TernaryMatrix.groupRows + lane, count: min(8, lanes - lane))
                        lane += 8
                    }
                }
                t0 += n
            }
        }
        // A flag may come from the padding trits of the last step (2-bit); the exact scan decides.
        return flags == 0 ? nil : firstIllegal(rows: rows, weights: weights)
    }

    /// Eight rows' sums over `steps` steps, in registers: per step the eight
    /// rows' bytes (adjacent in the beat) index the step's table. Two steps
    /// per iteration; byte loads measured faster here than extracting the
    /// bytes of one wide load. `count` (1 ... 8) of the rows are stored.
    @inline(never)
    static func lookups(_ weights: UnsafeRawPointer, _ table: UnsafePointer<Int16>, steps: Int,
                        into out: UnsafeMutablePointer<Int32>, count: Int) {
        var a0: Int32 = 0, a1: Int32 = 0, a2: Int32 = 0, a3: Int32 = 0
        var a4: Int32 = 0, a5: Int32 = 0, a6: Int32 = 0, a7: Int32 = 0
        var p = weights, e = table
        var left = steps
        while left >= 2 {
            let f = e + tableStride
            a0 &+= Int32(e[Int(p.load(fromByteOffset: 0, as: UInt8.self))]) &+ Int32(f[Int(p.load(fromByteOffset: 64, as: UInt8.self))])
            a1 &+= Int32(e[Int(p.load(fromByteOffset: 1, as: UInt8.self))]) &+ Int32(f[Int(p.load(fromByteOffset: 65, as: UInt8.self))])
            a2 &+= Int32(e[Int(p.load(fromByteOffset: 2, as: UInt8.self))]) &+ Int32(f[Int(p.load(fromByteOffset: 66, as: UInt8.self))])
            a3 &+= Int32(e[Int(p.load(fromByteOffset: 3, as: UInt8.self))]) &+ Int32(f[Int(p.load(fromByteOffset: 67, as: UInt8.self))])
            a4 &+= Int32(e[Int(p.load(fromByteOffset: 4, as: UInt8.self))]) &+ Int32(f[Int(p.load(fromByteOffset: 68, as: UInt8.self))])
            a5 &+= Int32(e[Int(p.load(fromByteOffset: 5, as: UInt8.self))]) &+ Int32(f[Int(p.load(fromByteOffset: 69, as: UInt8.self))])
            a6 &+= Int32(e[Int(p.load(fromByteOffset: 6, as: UInt8.self))]) &+ Int32(f[Int(p.load(fromByteOffset: 70, as: UInt8.self))])
            a7 &+= Int32(e[Int(p.load(fromByteOffset: 7, as: UInt8.self))]) &+ Int32(f[Int(p.load(fromByteOffset: 71, as: UInt8.self))])
            p += 2 * TernaryMatrix.beatBytes
            e += 2 * tableStride
            left -= 2
        }
        if left == 1 {
            a0 &+= Int32(e[Int(p.load(fromByteOffset: 0, as: UInt8.self))])
            a1 &+= Int32(e[Int(p.load(fromByteOffset: 1, as: UInt8.self))])
            a2 &+= Int32(e[Int(p.load(fromByteOffset: 2, as: UInt8.self))])
            a3 &+= Int32(e[Int(p.load(fromByteOffset: 3, as: UInt8.self))])
            a4 &+= Int32(e[Int(p.load(fromByteOffset: 4, as: UInt8.self))])
            a5 &+= Int32(e[Int(p.load(fromByteOffset: 5, as: UInt8.self))])
            a6 &+= Int32(e[Int(p.load(fromByteOffset: 6, as: UInt8.self))])
            a7 &+= Int32(e[Int(p.load(fromByteOffset: 7, as: UInt8.self))])
        }
        if count == 8 {
            out[0] &+= a0; out[1] &+= a1; out[2] &+= a2; out[3] &+= a3
            out[4] &+= a4; out[5] &+= a5; out[6] &+= a6; out[7] &+= a7
        } else {
            let a = [a0, a1, a2, a3, a4, a5, a6, a7]
            for j in 0..<count { out[j] &+= a[j] }
        }
    }

    /// Nonzero when a byte of the first `lanes` rows in `steps` steps at
    /// `tile` holds an illegal value: a 2-bit pair 10 (high bit set, low
    /// clear) or a base-3 byte >= 243 (bit 7 set, and the low seven bits
    /// plus 13 carry into bit 7). Word-wide tests over data already in L1.
    func illegalFlags(_ tile: UnsafeRawPointer, steps: Int, lanes: Int) -> UInt64 {
        // Word j of a beat holds lanes 8j ... 8j + 7; bytes of lanes at or past R may hold anything.
        var live = (UInt64.max, UInt64.max, UInt64.max, UInt64.max, UInt64.max, UInt64.max, UInt64.max, UInt64.max)
        if lanes < TernaryMatrix.groupRows {
            withUnsafeMutableBytes(of: &live) { l in
                let l = l.bindMemory(to: UInt64.self)
                for j in 0..<8 { l[j] = lanes >= 8 * j + 8 ? UInt64.max : lanes <= 8 * j ? 0 : (UInt64(1) << UInt64(8 * (lanes - 8 * j))) - 1 }
            }
        }
        let words = steps * TernaryMatrix.beatBytes / 8
        return withUnsafeBytes(of: live) { l in
            let live = l.bindMemory(to: UInt64.self)
            var bad: UInt64 = 0
            if packing == .base3 {
                for i in 0..<words {
                    let v = UInt64(littleEndian: tile.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                    bad |= v & ((v & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x0D0D_0D0D_0D0D_0D0D) & live[i & 7]
                }
                return bad & 0x8080_8080_8080_8080
            }
            for i in 0..<words {
                let v = UInt64(littleEndian: tile.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                bad |= (v >> 1) & ~v & live[i & 7]
            }
            return bad & 0x5555_5555_5555_5555
        }
    }

    /// The first illegal code inside the matrix in row-major order, by the
    /// first column of its byte (the ISA text's definition, one byte at a time).
    func firstIllegal(rows: Int, weights: UnsafeRawBufferPointer) -> TernaryMatrix.IllegalWeight? {
        let k = TernaryMatrix.tritsPerByte(packing)
        let groupBytes = steps * TernaryMatrix.beatBytes
        for r in 0..<rows {
            let base = (r / TernaryMatrix.groupRows) * groupBytes + r % TernaryMatrix.groupRows
            var c = 0
            while c < cols {
                let byte = weights[base + (c / k) * TernaryMatrix.beatBytes]
                if TernaryMatrix.decode(byte, packing: packing, valid: min(k, cols - c)) == nil {
                    return TernaryMatrix.IllegalWeight(row: r, col: c)
                }
                c += k
            }
        }
        return nil
    }
}
