/// Character classes of the regular expressions the `tokenizers` library
/// uses (Oniguruma's and Rust regex's Unicode `\s`, `\p{L}`, `\p{N}`, `\w`),
/// from Swift's Unicode properties, with an ASCII table for the hot path.
enum CharClass: UInt8 {
    case other, letter, number, space

    private static let ascii: [CharClass] = (0..<128).map { b in
        let s = Unicode.Scalar(UInt8(b))
        if s.properties.isWhitespace { return .space }
        if (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) { return .letter }
        if (0x30...0x39).contains(b) { return .number }
        return .other
    }

    @inline(__always)
    static func of(_ v: UInt32) -> CharClass {
        if v < 128 { return ascii[Int(v)] }
        return slow(v)
    }

    @inline(never)
    private static func slow(_ v: UInt32) -> CharClass {
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

/// The scalar starting at `p[i]` of valid UTF-8, and its length in bytes.
@inline(__always)
func scalarAt(_ p: UnsafePointer<UInt8>, _ i: Int) -> (value: UInt32, length: Int) {
    let b0 = p[i]
    if b0 < 0x80 { return (UInt32(b0), 1) }
    if b0 < 0xE0 { return (UInt32(b0 & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F), 2) }
    if b0 < 0xF0 {
        return (UInt32(b0 & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F), 3)
    }
    return (UInt32(b0 & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12 | UInt32(p[i + 2] & 0x3F) << 6
                | UInt32(p[i + 3] & 0x3F), 4)
}
