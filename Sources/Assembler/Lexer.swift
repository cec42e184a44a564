import ISA

/// A token of one source line. Columns are 1-based.
struct Token: Equatable {
    enum Kind: Equatable {
        case identifier(String)
        case number(String)
        case punct(Character)
        case invalid(String)
    }
    let kind: Kind
    let column: Int

    var text: String {
        switch kind {
        case .identifier(let s), .number(let s), .invalid(let s): return s
        case .punct(let c): return String(c)
        }
    }
}

/// Splits one line (comment already removed) into tokens.
enum Lexer {
    /// The part of `line` before a `;` or `#` comment.
    static func stripComment(_ line: Substring) -> Substring {
        if let i = line.firstIndex(where: { $0 == ";" || $0 == "#" }) { return line[..<i] }
        return line
    }

    static func isIdentStart(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c == "_" || c == ".")
    }
    static func isIdentBody(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == ".")
    }

    static func tokens(_ line: Substring) -> [Token] {
        let chars = Array(line)
        var out: [Token] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == " " || c == "\t" || c == "\r" { i += 1; continue }
            let col = i + 1
            if isIdentStart(c) {
                var j = i + 1
                while j < chars.count && isIdentBody(chars[j]) { j += 1 }
                out.append(Token(kind: .identifier(String(chars[i..<j])), column: col))
                i = j
            } else if c.isASCII && c.isNumber {
                var j = i + 1
                let hex = c == "0" && j < chars.count && (chars[j] == "x" || chars[j] == "X")
                while j < chars.count {
                    let d = chars[j]
                    if isIdentBody(d) { j += 1; continue }
                    // exponent sign in a decimal literal: 1e-6, 2.5E+3
                    if !hex && (d == "+" || d == "-") && (chars[j - 1] == "e" || chars[j - 1] == "E") { j += 1; continue }
                    break
                }
                out.append(Token(kind: .number(String(chars[i..<j])), column: col))
                i = j
            } else if ",:+-*()".contains(c) {
                out.append(Token(kind: .punct(c), column: col))
                i += 1
            } else {
                out.append(Token(kind: .invalid(String(c)), column: col))
                i += 1
            }
        }
        return out
    }
}

/// Numeric literal conversion.
enum Literal {
    /// An integer literal: decimal digits or `0x` hex digits, `_` allowed as a separator.
    static func integer(_ s: String) -> Int64? {
        var t = String(s.filter { $0 != "_" })
        var radix = 10
        if t.hasPrefix("0x") || t.hasPrefix("0X") { t.removeFirst(2); radix = 16 }
        guard !t.isEmpty, t.count <= 20 else { return nil }
        guard let v = UInt64(t, radix: radix), v <= UInt64(Int64.max) else { return nil }
        return Int64(v)
    }

    enum FixedError: Error { case syntax, range }

    /// Converts a decimal literal (`12`, `-0.5` without the sign, `1.25e-3`)
    /// to a fixed-point magnitude with `f` fractional bits, rounding to
    /// nearest with ties away from zero. Exact for any number of digits.
    /// Hex literals are taken as raw bit patterns.
    static func fixedMagnitude(_ s: String, f: Int) throws(FixedError) -> UInt64 {
        if s.hasPrefix("0x") || s.hasPrefix("0X") {
            guard let v = integer(s) else { throw .syntax }
            return UInt64(v)
        }
        var intDigits: [UInt8] = [], fracDigits: [UInt8] = []
        var exp = 0
        let chars = Array(s)
        var i = 0
        while i < chars.count, let d = chars[i].wholeNumberValue, chars[i].isASCII { intDigits.append(UInt8(d)); i += 1 }
        if i < chars.count && chars[i] == "." {
            i += 1
            while i < chars.count, let d = chars[i].wholeNumberValue, chars[i].isASCII { fracDigits.append(UInt8(d)); i += 1 }
        }
        guard !intDigits.isEmpty || !fracDigits.isEmpty else { throw .syntax }
        if i < chars.count && (chars[i] == "e" || chars[i] == "E") {
            i += 1
            var neg = false
            if i < chars.count && (chars[i] == "+" || chars[i] == "-") { neg = chars[i] == "-"; i += 1 }
            var e = 0, nd = 0
            while i < chars.count, let d = chars[i].wholeNumberValue, chars[i].isASCII {
                e = e * 10 + d; nd += 1; i += 1
                if e > 1000 { throw .range }
            }
            guard nd > 0 else { throw .syntax }
            exp = neg ? -e : e
        }
        guard i == chars.count else { throw .syntax }
        // Move the decimal point.
        if exp > 0 {
            for _ in 0..<exp { intDigits.append(fracDigits.isEmpty ? 0 : fracDigits.removeFirst()) }
        } else if exp < 0 {
            for _ in 0..<(-exp) { fracDigits.insert(intDigits.isEmpty ? 0 : intDigits.removeLast(), at: 0) }
        }
        var ip: UInt64 = 0
        for d in intDigits {
            if ip > (UInt64(1) << 40) { throw .range }
            ip = ip * 10 + UInt64(d)
        }
        // F+1 fraction bits by repeated doubling of the decimal fraction.
        var bits: UInt64 = 0
        var digits = fracDigits
        for _ in 0...f {
            var carry: UInt8 = 0
            for k in stride(from: digits.count - 1, through: 0, by: -1) {
                let v = digits[k] * 2 + carry
                digits[k] = v % 10
                carry = v / 10
            }
            bits = bits << 1 | UInt64(carry)
        }
        let mag = (ip << UInt64(f)) + (bits >> 1) + (bits & 1)
        return mag
    }

    /// A signed fixed-point value as a raw 32-bit pattern (two's complement).
    static func fixed(_ s: String, negative: Bool, f: Int) throws(FixedError) -> Int32 {
        let m = try fixedMagnitude(s, f: f)
        if s.hasPrefix("0x") || s.hasPrefix("0X") {
            guard !negative, m <= UInt64(UInt32.max) else { throw .range }
            return Int32(bitPattern: UInt32(m))
        }
        if negative {
            guard m <= UInt64(1) << 31 else { throw .range }
            return Int32(truncatingIfNeeded: -Int64(m))
        }
        guard m <= UInt64(Int32.max) else { throw .range }
        return Int32(m)
    }
}
