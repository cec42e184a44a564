/// Ternary weight matrices in data memory, as `tmatmul` reads them.
///
/// Layout at a 64-byte aligned address A:
/// - header, one 64-byte beat: bytes 0-3 rows R (u32 LE), 4-7 cols C (u32 LE),
///   8-11 weight scale ws = mean|W| (i32 LE, Q.F), 12-63 reserved (written as
///   zero, ignored by the core);
/// - R rows, each `stride = ceil(C / 256) * 64` bytes (whole 512-bit beats),
///   starting at A + 64 + r * stride. Trit c of a row lives in byte c / 4,
///   bits [2(c mod 4) + 1 : 2(c mod 4)] (first trit in the least significant bits).
/// - Codes: 00 = 0, 01 = +1, 11 = -1, 10 = illegal (bad-weight fault when
///   inside the C columns). Codes in the padding past column C are ignored.
public enum TernaryMatrix {
    public static let headerBytes = 64
    public static let beatBytes = 64
    public static let tritsPerBeat = 256
    public static let alignment = 64

    public static func code(_ t: Int8) -> UInt8 {
        switch t { case 1: return 0b01; case -1: return 0b11; default: return 0b00 }
    }
    /// Trit value of a 2-bit code; nil for the illegal code 10.
    public static func trit(_ code: UInt8) -> Int8? {
        switch code & 3 { case 0b00: return 0; case 0b01: return 1; case 0b11: return -1; default: return nil }
    }

    public static func rowStride(cols: Int) -> Int { (cols + tritsPerBeat - 1) / tritsPerBeat * beatBytes }
    public static func totalBytes(rows: Int, cols: Int) -> Int { headerBytes + rows * rowStride(cols: cols) }

    /// Packs a matrix (row-major trits in {-1, 0, 1}) with its header.
    public static func pack(rows: Int, cols: Int, weightScale: Int32, trits: [Int8]) -> [UInt8] {
        precondition(trits.count == rows * cols)
        var out = [UInt8](repeating: 0, count: totalBytes(rows: rows, cols: cols))
        func put32(_ off: Int, _ v: UInt32) {
            for k in 0..<4 { out[off + k] = UInt8(truncatingIfNeeded: v >> UInt32(8 * k)) }
        }
        put32(0, UInt32(truncatingIfNeeded: rows))
        put32(4, UInt32(truncatingIfNeeded: cols))
        put32(8, UInt32(bitPattern: weightScale))
        let stride = rowStride(cols: cols)
        for r in 0..<rows {
            let base = headerBytes + r * stride
            for c in 0..<cols {
                out[base + c / 4] |= code(trits[r * cols + c]) << UInt8(2 * (c % 4))
            }
        }
        return out
    }
}
