/// Reading JSON: a strict RFC 8259 parser over bytes, with the byte offset
/// of every failure (`lineAndColumn` turns it into a text position).
extension JSON {
    /// What an object with two members of the same name means.
    public enum DuplicateKeys: Sendable {
        /// Keep both; reading the key finds the last (as serde and Python do).
        case keepLast
        /// Refuse the document (for headers where a repeat is a corruption).
        case reject
    }

    /// Where parsing failed, as a byte offset into the document.
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public var offset: Int
        public var problem: String
        public var description: String { "invalid JSON at byte \(offset): \(problem)" }

        /// 1-based line and column (in bytes) of `offset` in `bytes`.
        public func lineAndColumn(in bytes: [UInt8]) -> (line: Int, column: Int) {
            var line = 1, lineStart = 0
            for (i, b) in bytes[..<min(offset, bytes.count)].enumerated() where b == 0x0A {
                line += 1
                lineStart = i + 1
            }
            return (line, offset - lineStart + 1)
        }
    }

    /// Parses one document; trailing non-space bytes are an error.
    public static func parse(_ bytes: [UInt8], duplicateKeys: DuplicateKeys = .keepLast) throws(ParseError) -> JSON {
        var p = JSONParser(bytes: bytes, rejectDuplicates: duplicateKeys == .reject)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.at == bytes.count else { throw p.fail("unexpected bytes after the document") }
        return v
    }
}

private struct JSONParser {
    let bytes: [UInt8]
    let rejectDuplicates: Bool
    var at = 0

    func fail(_ problem: String) -> JSON.ParseError { JSON.ParseError(offset: at, problem: problem) }

    mutating func skipSpace() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
    }

    mutating func value(depth: Int) throws(JSON.ParseError) -> JSON {
        guard depth < 512 else { throw fail("nesting deeper than 512") }
        guard at < bytes.count else { throw fail("unexpected end of file (truncated?)") }
        switch bytes[at] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character \(describe(bytes[at]))")
        }
    }

    mutating func object(depth: Int) throws(JSON.ParseError) -> JSON {
        at += 1
        var members: [(key: String, value: JSON)] = []
        var seen = Set<[UInt8]>()
        skipSpace()
        if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .object(JSONObject(members)) }
        while true {
            skipSpace()
            guard at < bytes.count else { throw fail("unexpected end of file inside an object (truncated?)") }
            guard bytes[at] == UInt8(ascii: "\"") else { throw fail("expected a member name, found \(describe(bytes[at]))") }
            let keyStart = at
            let key = try string()
            if rejectDuplicates, !seen.insert(Array(key.utf8)).inserted {
                throw JSON.ParseError(offset: keyStart, problem: "duplicate member name \"\(key)\"")
            }
            skipSpace()
            try expect(UInt8(ascii: ":"), "':' after a member name")
            skipSpace()
            members.append((key, try value(depth: depth + 1)))
            skipSpace()
            guard at < bytes.count else { throw fail("unexpected end of file inside an object (truncated?)") }
            if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
            if bytes[at] == UInt8(ascii: "}") { at += 1; return .object(JSONObject(members)) }
            throw fail("expected ',' or '}' in an object, found \(describe(bytes[at]))")
        }
    }

    mutating func array(depth: Int) throws(JSON.ParseError) -> JSON {
        at += 1
        var items: [JSON] = []
        skipSpace()
        if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
        while true {
            skipSpace()
            items.append(try value(depth: depth + 1))
            skipSpace()
            guard at < bytes.count else { throw fail("unexpected end of file inside an array (truncated?)") }
            if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
            if bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
            throw fail("expected ',' or ']' in an array, found \(describe(bytes[at]))")
        }
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(JSON.ParseError) {
        guard at < bytes.count else { throw fail("unexpected end of file, expected \(what) (truncated?)") }
        guard bytes[at] == byte else { throw fail("expected \(what), found \(describe(bytes[at]))") }
        at += 1
    }

    mutating func literal(_ word: String) throws(JSON.ParseError) {
        for b in word.utf8 { try expect(b, "'\(word)'") }
    }

    mutating func number() throws(JSON.ParseError) -> JSON {
        let start = at
        var isInteger = true
        if bytes[at] == UInt8(ascii: "-") { at += 1 }
        func digits(_ p: inout JSONParser) -> Int {
            let s = p.at
            while p.at < p.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(p.bytes[p.at]) { p.at += 1 }
            return p.at - s
        }
        guard digits(&self) > 0 else { throw fail("expected digits in a number") }
        if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
            at += 1; isInteger = false
            guard digits(&self) > 0 else { throw fail("expected digits after '.'") }
        }
        if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
            at += 1; isInteger = false
            if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
            guard digits(&self) > 0 else { throw fail("expected digits in an exponent") }
        }
        let text = String(decoding: bytes[start..<at], as: UTF8.self)
        guard let d = Double(text) else { throw JSON.ParseError(offset: start, problem: "bad number \(text)") }
        if isInteger, let i = Int(text) { return .int(i) }
        return .double(d)
    }

    mutating func string() throws(JSON.ParseError) -> String {
        at += 1
        var out: [UInt8] = []
        var runStart = at
        while true {
            guard at < bytes.count else { throw fail("unexpected end of file inside a string (truncated?)") }
            let b = bytes[at]
            if b == UInt8(ascii: "\"") {
                out.append(contentsOf: bytes[runStart..<at])
                at += 1
                break
            }
            if b < 0x20 { throw fail("control character \(describe(b)) inside a string") }
            if b == UInt8(ascii: "\\") {
                out.append(contentsOf: bytes[runStart..<at])
                try escape(into: &out)
                runStart = at
                continue
            }
            if b < 0x80 { at += 1; continue }
            switch UTF8Check.unit(bytes, at, end: bytes.count) {
            case .valid(let n): at += n
            case .incomplete: throw fail("unexpected end of file inside a string (truncated?)")
            case .invalid: throw fail("invalid UTF-8 inside a string")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    mutating func escape(into out: inout [UInt8]) throws(JSON.ParseError) {
        at += 1
        guard at < bytes.count else { throw fail("unexpected end of file in an escape (truncated?)") }
        let c = bytes[at]
        at += 1
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(c)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low one.
                guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else {
                    throw fail("lone surrogate in a \\u escape")
                }
                at += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw fail("lone surrogate in a \\u escape") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw fail("lone surrogate in a \\u escape")
            }
            out.append(contentsOf: Array(String(Unicode.Scalar(scalar)!).utf8))
        default:
            throw JSON.ParseError(offset: at - 1, problem: "unknown escape \\\(describe(c))")
        }
    }

    mutating func hex4() throws(JSON.ParseError) -> UInt32 {
        guard at + 4 <= bytes.count else { throw fail("unexpected end of file in a \\u escape (truncated?)") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[at]
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
            default: throw fail("bad hex digit \(describe(b)) in a \\u escape")
            }
            v = v * 16 + UInt32(d)
            at += 1
        }
        return v
    }

    func describe(_ b: UInt8) -> String {
        (0x21..<0x7F).contains(b) ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x" + String(b, radix: 16, uppercase: true)
    }
}
