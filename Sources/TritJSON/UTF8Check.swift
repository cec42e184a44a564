/// UTF-8 checks on raw bytes, by the Unicode standard's table 3-7 (the
/// same rules as Rust's `str::from_utf8` and `String::from_utf8_lossy`).
/// Shared by the JSON parser (strings must be UTF-8) and the tokenizer.
public enum UTF8Check {
    public enum Unit: Equatable {
        case valid(Int)      // a well-formed sequence of this many bytes
        case invalid(Int)    // a maximal ill-formed subpart of this many bytes: one U+FFFD
        case incomplete      // well-formed so far, but the bytes end first
    }

    /// Classifies the sequence starting at `i` (`i < end`).
    @inline(__always)
    public static func unit<C: RandomAccessCollection>(_ b: C, _ i: C.Index, end: C.Index) -> Unit
    where C.Element == UInt8, C.Index == Int {
        let lead = b[i]
        if lead < 0x80 { return .valid(1) }
        let count: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: count = 2
        case 0xE0: count = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE, 0xEF: count = 3
        case 0xED: count = 3; high = 0x9F
        case 0xF0: count = 4; low = 0x90
        case 0xF1...0xF3: count = 4
        case 0xF4: count = 4; high = 0x8F
        default: return .invalid(1)
        }
        for k in 1..<count {
            guard i + k < end else { return .incomplete }
            let c = b[i + k]
            if k == 1 ? !(low...high).contains(c) : !(0x80...0xBF).contains(c) { return .invalid(k) }
        }
        return .valid(count)
    }

    /// The offset of the first byte that is not part of well-formed UTF-8, or nil.
    public static func firstInvalidOffset<C: RandomAccessCollection>(_ b: C) -> Int? where C.Element == UInt8, C.Index == Int {
        var i = b.startIndex
        while i < b.endIndex {
            if b[i] < 0x80 { i += 1; continue }
            guard case .valid(let n) = unit(b, i, end: b.endIndex) else { return i - b.startIndex }
            i += n
        }
        return nil
    }

    public static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

    /// Lossy decoding of `bytes` into `out`, one U+FFFD per maximal
    /// ill-formed subpart. With `final` false a trailing incomplete sequence
    /// is left undecoded; the return value is where decoding stopped.
    public static func appendLossy(_ bytes: [UInt8], final: Bool, into out: inout [UInt8]) -> Int {
        var i = 0
        while i < bytes.count {
            switch unit(bytes, i, end: bytes.count) {
            case .valid(let n): out.append(contentsOf: bytes[i..<(i + n)]); i += n
            case .invalid(let n): out.append(contentsOf: replacement); i += n
            case .incomplete:
                guard final else { return i }
                out.append(contentsOf: replacement)
                return bytes.count
            }
        }
        return i
    }
}
