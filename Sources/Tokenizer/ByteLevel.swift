/// GPT-2's byte-level alphabet (`pre_tokenizers.ByteLevel` of the
/// `tokenizers` library): every byte is shown as a printable character,
/// so a vocabulary of characters covers all byte strings.
enum ByteLevelMap {
    /// The character standing for each byte, as UTF-8 (one or two bytes).
    static let utf8OfByte: [[UInt8]] = {
        var chars = [UInt32](repeating: 0, count: 256)
        var n: UInt32 = 0
        for b in 0..<256 {
            let printable = (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
            if printable { chars[b] = UInt32(b) } else { chars[b] = 256 + n; n += 1 }
        }
        return chars.map { Array(String(Unicode.Scalar($0)!).utf8) }
    }()

    /// The byte each alphabet character stands for, by scalar value (< 0x144), or -1.
    static let byteOfScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for b in 0..<256 {
            let s = String(decoding: utf8OfByte[b], as: UTF8.self).unicodeScalars.first!
            table[Int(s.value)] = Int16(b)
        }
        return table
    }()

    /// The alphabet's UTF-8 flat: byte b stands for `flat[2b]` and, when
    /// `flat[2b + 1]` is not 0, `flat[2b + 1]` (no array per byte in the hot loop).
    static let flat: [UInt8] = utf8OfByte.flatMap { $0.count == 1 ? [$0[0], 0] : $0 }

    /// Sets `out` to the alphabet form of `bytes` (what the model sees).
    static func map(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        flat.withUnsafeBufferPointer { table in
            for b in bytes {
                out.append(table[2 * Int(b)])
                let second = table[2 * Int(b) + 1]
                if second != 0 { out.append(second) }
            }
        }
    }

    /// The decoder's view of one token: the bytes its characters stand for,
    /// or its own UTF-8 when some character is outside the alphabet.
    static func bytes(ofToken token: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(token.count)
        for s in String(decoding: token, as: UTF8.self).unicodeScalars {
            guard s.value < 0x144, byteOfScalar[Int(s.value)] >= 0 else { return token }
            out.append(UInt8(byteOfScalar[Int(s.value)]))
        }
        return out
    }

    /// GPT-2's split, `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`,
    /// hand-compiled: calls `emit` with each match's byte range in `start ..< end`.
    static func split(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ emit: (Int, Int) -> Void) {
        var i = start
        while i < end {
            let from = i
            let (c0, n0) = scalarAt(p, i)
            if c0 == 0x27, let n = contraction(p, i + 1, end) {
                i += 1 + n
                emit(from, i)
                continue
            }
            var cls = CharClass(c0)
            var runStart = i
            if c0 == 0x20, i + 1 < end {
                let next = CharClass(scalarAt(p, i + 1).value)
                if next != .space { cls = next; runStart = i + 1 }
            }
            if cls != .space {
                i = runStart
                while i < end {
                    let (c, n) = scalarAt(p, i)
                    if CharClass(c) != cls { break }
                    i += n
                }
                emit(from, i)
                continue
            }
            // Whitespace: all of it at the end, else all but the last
            // character (`\s+(?!\S)`), else the single character (`\s+`).
            var last = i
            i += n0
            while i < end {
                let (c, n) = scalarAt(p, i)
                if CharClass(c) != .space { break }
                last = i
                i += n
            }
            if i < end && last > from { i = last }
            emit(from, i)
        }
    }

    /// The length after the apostrophe of `s`, `t`, `re`, `ve`, `m`, `ll` or `d` at `i`.
    @inline(__always)
    private static func contraction(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int? {
        guard i < end else { return nil }
        switch p[i] {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"): return 1
        case UInt8(ascii: "r"), UInt8(ascii: "v"): return i + 1 < end && p[i + 1] == UInt8(ascii: "e") ? 2 : nil
        case UInt8(ascii: "l"): return i + 1 < end && p[i + 1] == UInt8(ascii: "l") ? 2 : nil
        default: return nil
        }
    }
}

/// Character classes of the regular expressions the `tokenizers` library
/// uses (Oniguruma's and Rust regex's Unicode `\s`, `\p{L}`, `\p{N}`,
/// `\w`), from Swift's Unicode properties. In this file because the split
/// above calls it per character (no cross-file inlining in debug builds).
enum CharClass: UInt8 {
    case other, letter, number, space

    @inline(__always)
    init(_ v: UInt32) {
        if v < 128 {
            if v &- 0x61 < 26 || v &- 0x41 < 26 { self = .letter }
            else if v &- 0x30 < 10 { self = .number }
            else if v == 0x20 || v &- 0x09 < 5 { self = .space }
            else { self = .other }
        } else {
            self = CharClass.nonASCII(v)
        }
    }

    @inline(never)
    private static func nonASCII(_ v: UInt32) -> CharClass {
        guard let s = Unicode.Scalar(v) else { return .other }
        if s.properties.isWhitespace { return .space }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
        case .decimalNumber, .letterNumber, .otherNumber: return .number
        default: return .other
        }
    }

    /// Rust regex's `\w`: alphabetic, marks, decimal digits, connector punctuation, join controls.
    static func isWord(_ s: Unicode.Scalar) -> Bool {
        let p = s.properties
        if p.isAlphabetic || p.isJoinControl { return true }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }
}
