/// Ternary weight matrices in data memory, as `tmatmul` reads them.
///
/// The layout is row-interleaved so that a core of any width streams it at
/// full rate: one 64-byte beat holds one byte of each of 64 rows, and a byte
/// holds the next `k` trits of its row (k = 4 for 2-bit packing, 5 for
/// base-3 packing). A datapath keeps 64 row accumulators and adds `k`
/// products per row and byte, with the same `k` activations broadcast to
/// every row: no adder tree across a row, no waste when C is not a multiple
/// of a beat, and B beats per cycle are simply B consecutive column steps.
///
/// Layout at a 256-byte aligned address A (256 bytes = four 64-byte beats,
/// so the data starts on a bank boundary for 1, 2 or 4 interleaved banks):
/// - header, 256 bytes: bytes 0-3 rows R (u32 LE), 4-7 cols C (u32 LE),
///   8-11 weight scale ws = mean|W| (i32 LE, Q.F), 12-255 reserved (written
///   as zero, ignored by the core);
/// - then `ceil(R / 64)` row groups of `steps * 64` bytes each, with
///   `steps = ceil(ceil(C / k) / 8) * 8` column steps (a multiple of eight
///   beats: a core that consumes two wide beats per cycle, from up to four
///   banks, never has a cycle straddle two groups);
/// - byte `s * 64 + j` of group g holds trits `k*s ..< k*s + k` of row
///   `64 g + j`.
/// - 2-bit byte (packing 0): trit `k*s + i` in bits [2i+1 : 2i]; codes 00 = 0,
///   01 = +1, 11 = -1, 10 = illegal.
/// - base-3 byte (packing 1): value `sum_i d_i * 3^i` with digit d = 0 for 0,
///   1 for +1, 2 for -1 (so a zero byte is five zero trits); 243 ... 255 are
///   illegal.
/// - An illegal code (or base-3 byte) is a `bad-weight` fault when it covers
///   a row below R and a column below C; padding is ignored.
public enum TernaryMatrix {
    public static let headerBytes = 256
    public static let alignment = 256
    /// The ISA beat: one byte of each row of a group.
    public static let beatBytes = 64
    public static let groupRows = 64
    /// Column steps per group are padded to a multiple of this: the most
    /// banks (4) times the wide beats a core consumes per cycle (2).
    public static let stepMultiple = 8

    public static func tritsPerByte(_ p: WeightPacking) -> Int { p == .twoBit ? 4 : 5 }

    /// Column steps (bytes per row) of one group, padded.
    public static func steps(cols: Int, packing p: WeightPacking = .twoBit) -> Int {
        let k = tritsPerByte(p)
        let raw = (cols + k - 1) / k
        return (raw + stepMultiple - 1) / stepMultiple * stepMultiple
    }
    public static func groups(rows: Int) -> Int { (rows + groupRows - 1) / groupRows }
    public static func groupBytes(cols: Int, packing p: WeightPacking = .twoBit) -> Int {
        steps(cols: cols, packing: p) * beatBytes
    }
    /// 64-byte beats of weights after the header.
    public static func weightBeats(rows: Int, cols: Int, packing p: WeightPacking = .twoBit) -> Int {
        groups(rows: rows) * steps(cols: cols, packing: p)
    }
    public static func totalBytes(rows: Int, cols: Int, packing p: WeightPacking = .twoBit) -> Int {
        headerBytes + weightBeats(rows: rows, cols: cols, packing: p) * beatBytes
    }

    /// Offset from A of the byte holding trit (row, col), and the trit's
    /// position inside it (0 ..< k).
    public static func location(row: Int, col: Int, cols: Int, packing p: WeightPacking = .twoBit) -> (offset: Int, digit: Int) {
        let k = tritsPerByte(p)
        let group = row / groupRows, lane = row % groupRows
        let offset = headerBytes + group * groupBytes(cols: cols, packing: p) + (col / k) * beatBytes + lane
        return (offset, col % k)
    }

    /// Padding in a packed matrix, which `tmatmul` ignores whatever it holds.
    public enum Padding: Equatable, Sendable {
        /// A whole byte: a row past R, or a column step past C.
        case byte(offset: Int)
        /// In 2-bit packing, the codes `digits` of a row's last byte, past C.
        case codes(offset: Int, digits: Range<Int>)
    }

    /// Every padding byte and code of a rows x cols matrix, offsets from A:
    /// where tests write junk that a core must ignore.
    public static func padding(rows: Int, cols: Int, packing p: WeightPacking = .twoBit) -> [Padding] {
        let k = tritsPerByte(p), stepCount = steps(cols: cols, packing: p)
        var out: [Padding] = []
        for g in 0..<groups(rows: rows) {
            for s in 0..<stepCount {
                for lane in 0..<groupRows {
                    let offset = headerBytes + (g * stepCount + s) * beatBytes + lane
                    let row = g * groupRows + lane, col = s * k
                    if row >= rows || col >= cols {
                        out.append(.byte(offset: offset))
                    } else if p == .twoBit && col + k > cols {
                        out.append(.codes(offset: offset, digits: (cols - col)..<k))
                    }
                }
            }
        }
        return out
    }

    // MARK: - Codes

    public static func code(_ t: Int8) -> UInt8 {
        switch t { case 1: return 0b01; case -1: return 0b11; default: return 0b00 }
    }
    /// Trit value of a 2-bit code; nil for the illegal code 10.
    public static func trit(_ code: UInt8) -> Int8? {
        switch code & 3 { case 0b00: return 0; case 0b01: return 1; case 0b11: return -1; default: return nil }
    }
    /// Base-3 digit of a trit.
    public static func digit(_ t: Int8) -> Int { t == 1 ? 1 : t == -1 ? 2 : 0 }
    static let powersOf3 = [1, 3, 9, 27, 81]

    /// Trits of one byte, `k` of them; nil when the byte is illegal in the
    /// first `valid` trits (a 2-bit code 10 there, or any base-3 byte >= 243).
    public static func decode(_ byte: UInt8, packing p: WeightPacking, valid: Int = 5) -> [Int8]? {
        switch p {
        case .twoBit:
            var out = [Int8]()
            for i in 0..<4 {
                guard let t = trit(byte >> UInt8(2 * i)) else {
                    if i < valid { return nil }
                    out.append(0); continue
                }
                out.append(t)
            }
            return out
        case .base3:
            guard byte < 243 else { return valid > 0 ? nil : [0, 0, 0, 0, 0] }
            var v = Int(byte)
            return (0..<5).map { _ in
                let d = v % 3; v /= 3
                return d == 1 ? 1 : d == 2 ? -1 : 0
            }
        }
    }

    /// Writes trit t at digit `digit` of `byte` (which holds zero trits there).
    public static func place(_ t: Int8, digit: Int, into byte: inout UInt8, packing p: WeightPacking) {
        switch p {
        case .twoBit: byte |= code(t) << UInt8(2 * digit)
        case .base3: byte &+= UInt8(self.digit(t) * powersOf3[digit])
        }
    }

    /// The header's words, little-endian at bytes 0, 4 and 8 (the rest of
    /// its 256 bytes is zero): rows, cols, the weight scale in Q.F.
    public static func headerWords(rows: Int, cols: Int, weightScale: Int32) -> [UInt32] {
        [UInt32(truncatingIfNeeded: rows), UInt32(truncatingIfNeeded: cols), UInt32(bitPattern: weightScale)]
    }

    /// Writes the header's words at `base` of `out` (the other header bytes are left as they are: zero).
    public static func writeHeader(rows: Int, cols: Int, weightScale: Int32, into out: inout [UInt8], at base: Int = 0) {
        for (i, v) in headerWords(rows: rows, cols: cols, weightScale: weightScale).enumerated() {
            for k in 0..<4 { out[base + 4 * i + k] = UInt8(truncatingIfNeeded: v >> UInt32(8 * k)) }
        }
    }

    /// Packs a matrix (row-major trits in {-1, 0, 1}) with its header.
    public static func pack(rows: Int, cols: Int, weightScale: Int32, trits: [Int8],
                            packing p: WeightPacking = .twoBit) -> [UInt8] {
        precondition(trits.count == rows * cols)
        var out = [UInt8](repeating: 0, count: totalBytes(rows: rows, cols: cols, packing: p))
        writeHeader(rows: rows, cols: cols, weightScale: weightScale, into: &out)
        for r in 0..<rows {
            for c in 0..<cols {
                let (o, d) = location(row: r, col: c, cols: cols, packing: p)
                place(trits[r * cols + c], digit: d, into: &out[o], packing: p)
            }
        }
        return out
    }

    /// The trits of a packed matrix (row-major), or the first illegal
    /// (row, col) inside it. `bytes` starts at the header.
    public static func unpack(_ bytes: [UInt8], rows: Int, cols: Int,
                              packing p: WeightPacking = .twoBit) -> Result<[Int8], IllegalWeight> {
        let k = tritsPerByte(p)
        var out = [Int8](repeating: 0, count: rows * cols)
        for r in 0..<rows {
            var c = 0
            while c < cols {
                let (o, _) = location(row: r, col: c, cols: cols, packing: p)
                guard let ts = decode(bytes[o], packing: p, valid: min(k, cols - c)) else {
                    return .failure(IllegalWeight(row: r, col: c))
                }
                for i in 0..<min(k, cols - c) { out[r * cols + c + i] = ts[i] }
                c += k
            }
        }
        return .success(out)
    }

    public struct IllegalWeight: Error, Equatable, Sendable {
        public var row: Int
        /// First column of the illegal byte.
        public var col: Int
        public init(row: Int, col: Int) { self.row = row; self.col = col }
    }
}
