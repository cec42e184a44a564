/// The binary program image (`.bin`): code, initial data memory and symbols.
///
/// All integers little-endian. File header (16 bytes):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | magic `TRIT` (0x54 0x52 0x49 0x54) |
/// | 4 | 2 | format version, 1 |
/// | 6 | 1 | fraction bits F the program was assembled for |
/// | 7 | 1 | streams B the program was written for: 0 for one, else 2...16 (ISA.md, "Streams") |
/// | 8 | 4 | data memory size in bytes (every data section lies inside it) |
/// | 12 | 4 | section count |
///
/// Then `section count` sections, each a 16-byte header followed directly by
/// its payload: kind (u32: 1 code, 2 data, 3 symbols), address (u32: load
/// address for data, 0 otherwise), payload length in bytes (u32), reserved
/// (u32, 0). Exactly one code section (length a multiple of 8; 64-bit
/// instruction words, little-endian); data sections do not overlap; at most
/// one symbol section, whose payload is a list of entries
/// `address u32, element count u32, name length u16, name bytes` naming
/// regions of Q.F elements (for `trit run --dump NAME=FILE.npy`). Nothing
/// may follow the last section.
public struct ProgramImage: Sendable, Equatable {
    public static let magic: [UInt8] = [0x54, 0x52, 0x49, 0x54]
    public static let version: UInt16 = 1
    public static let maxSections = 65536

    public struct DataSection: Sendable, Equatable {
        public var address: UInt32
        public var bytes: [UInt8]
        public init(address: UInt32, bytes: [UInt8]) { self.address = address; self.bytes = bytes }
    }
    public struct Symbol: Sendable, Equatable {
        public var name: String
        public var address: UInt32
        public var count: UInt32
        public init(name: String, address: UInt32, count: UInt32) { self.name = name; self.address = address; self.count = count }
    }

    public var fracBits: Int
    /// The streams the program was written for: it runs on a core of at least as many (ISA.md, "Streams").
    public var streams: Int
    public var memorySize: UInt32
    public var code: [UInt64]
    public var data: [DataSection]
    public var symbols: [Symbol]

    public init(fracBits: Int = CoreConfig.standard.fracBits, streams: Int = 1, memorySize: UInt32, code: [UInt64],
                data: [DataSection] = [], symbols: [Symbol] = []) {
        self.fracBits = fracBits; self.streams = streams; self.memorySize = memorySize; self.code = code
        self.data = data; self.symbols = symbols
    }

    public enum SectionKind: UInt32 { case code = 1, data = 2, symbols = 3 }

    public struct FormatError: Error, Equatable, CustomStringConvertible {
        public let offset: Int
        public let message: String
        public var description: String { "byte \(offset): \(message)" }
    }

    /// Serialized bytes (code first, then data sections in order, then symbols if any).
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        func u16(_ v: UInt16) { out.append(UInt8(v & 0xFF)); out.append(UInt8(v >> 8)) }
        func u32(_ v: UInt32) { for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> UInt32(8 * k))) } }
        out += Self.magic
        u16(Self.version)
        out.append(UInt8(truncatingIfNeeded: fracBits))
        out.append(streams == 1 ? 0 : UInt8(truncatingIfNeeded: streams))
        u32(memorySize)
        u32(UInt32(1 + data.count + (symbols.isEmpty ? 0 : 1)))
        u32(SectionKind.code.rawValue); u32(0); u32(UInt32(code.count * 8)); u32(0)
        for w in code { for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: w >> UInt64(8 * k))) } }
        for d in data {
            u32(SectionKind.data.rawValue); u32(d.address); u32(UInt32(d.bytes.count)); u32(0)
            out += d.bytes
        }
        if !symbols.isEmpty {
            var p: [UInt8] = []
            for s in symbols {
                let name = Array(s.name.utf8)
                for v in [s.address, s.count] { for k in 0..<4 { p.append(UInt8(truncatingIfNeeded: v >> UInt32(8 * k))) } }
                p.append(UInt8(name.count & 0xFF)); p.append(UInt8(name.count >> 8))
                p += name
            }
            u32(SectionKind.symbols.rawValue); u32(0); u32(UInt32(p.count)); u32(0)
            out += p
        }
        return out
    }

    /// A symbol name: letter, `_` or `.` first, then letters, digits, `_`, `.`.
    public static func isValidName(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, !s.isEmpty, s.utf8.count <= 255 else { return false }
        func ok(_ c: Unicode.Scalar, first: Bool) -> Bool {
            if c.isASCII && (c.properties.isAlphabetic || c == "_" || c == ".") { return true }
            return !first && c.isASCII && ("0"..."9").contains(c)
        }
        return ok(f, first: true) && s.unicodeScalars.dropFirst().allSatisfy { ok($0, first: false) }
    }

    /// Parses and validates an image. Never traps on any input.
    public static func parse(_ b: [UInt8]) throws(FormatError) -> ProgramImage {
        var pos = 0
        func need(_ n: Int, _ what: String) throws(FormatError) {
            if n < 0 || b.count - pos < n {
                throw FormatError(offset: pos, message: "file ends inside \(what), expected \(n) more bytes")
            }
        }
        func u16() -> UInt16 { let v = UInt16(b[pos]) | UInt16(b[pos + 1]) << 8; pos += 2; return v }
        func u32() -> UInt32 {
            var v: UInt32 = 0
            for k in 0..<4 { v |= UInt32(b[pos + k]) << UInt32(8 * k) }
            pos += 4; return v
        }
        try need(16, "the file header")
        guard Array(b[0..<4]) == magic else {
            throw FormatError(offset: 0, message: "not a Trit program image, expected magic \"TRIT\"")
        }
        pos = 4
        let ver = u16()
        guard ver == version else { throw FormatError(offset: 4, message: "unsupported format version \(ver), expected \(version)") }
        let f = Int(b[6])
        guard CoreConfig.fracBitsRange.contains(f) else {
            throw FormatError(offset: 6, message: "fraction bits \(f) outside \(CoreConfig.fracBitsRange.lowerBound)...\(CoreConfig.fracBitsRange.upperBound)")
        }
        // One stream is written 0, so every image has one encoding.
        let streams = max(1, Int(b[7]))
        guard b[7] != 1 && streams <= CoreConfig.streamLimit else {
            throw FormatError(offset: 7, message: "streams byte \(b[7]), expected 0 (one stream) or 2...\(CoreConfig.streamLimit)")
        }
        pos = 8
        let mem = u32()
        let nsec = u32()
        guard nsec >= 1 && nsec <= UInt32(maxSections) else {
            throw FormatError(offset: 12, message: "section count \(nsec), expected 1...\(maxSections)")
        }
        var code: [UInt64]? = nil
        var data: [DataSection] = []
        var symbols: [Symbol]? = nil
        for _ in 0..<Int(nsec) {
            let hdr = pos
            try need(16, "a section header")
            let kindRaw = u32(), addr = u32(), len = u32(), res = u32()
            guard res == 0 else { throw FormatError(offset: hdr + 12, message: "reserved section field must be 0") }
            guard let kind = SectionKind(rawValue: kindRaw) else {
                throw FormatError(offset: hdr, message: "unknown section kind \(kindRaw), expected 1 (code), 2 (data) or 3 (symbols)")
            }
            guard len <= UInt32(Int32.max) else { throw FormatError(offset: hdr + 8, message: "section length \(len) too large") }
            let n = Int(len)
            try need(n, "a section payload")
            let payload = Array(b[pos..<(pos + n)])
            pos += n
            switch kind {
            case .code:
                guard code == nil else { throw FormatError(offset: hdr, message: "second code section, expected exactly one") }
                guard addr == 0 else { throw FormatError(offset: hdr + 4, message: "code section address must be 0") }
                guard n % 8 == 0 else { throw FormatError(offset: hdr + 8, message: "code length \(n) is not a multiple of 8") }
                var words: [UInt64] = []
                words.reserveCapacity(n / 8)
                for i in stride(from: 0, to: n, by: 8) {
                    var w: UInt64 = 0
                    for k in 0..<8 { w |= UInt64(payload[i + k]) << UInt64(8 * k) }
                    words.append(w)
                }
                code = words
            case .data:
                guard UInt64(addr) + UInt64(n) <= UInt64(mem) else {
                    throw FormatError(offset: hdr + 4, message: "data section at \(Hex.word(addr)) of \(n) bytes lies outside memory of \(mem) bytes")
                }
                data.append(DataSection(address: addr, bytes: payload))
            case .symbols:
                guard symbols == nil else { throw FormatError(offset: hdr, message: "second symbol section, expected at most one") }
                guard addr == 0 else { throw FormatError(offset: hdr + 4, message: "symbol section address must be 0") }
                var syms: [Symbol] = []
                var q = 0
                while q < n {
                    guard n - q >= 10 else { throw FormatError(offset: hdr + 16 + q, message: "truncated symbol entry") }
                    var a: UInt32 = 0, c: UInt32 = 0
                    for k in 0..<4 { a |= UInt32(payload[q + k]) << UInt32(8 * k); c |= UInt32(payload[q + 4 + k]) << UInt32(8 * k) }
                    let ln = Int(payload[q + 8]) | Int(payload[q + 9]) << 8
                    q += 10
                    guard n - q >= ln else { throw FormatError(offset: hdr + 16 + q, message: "truncated symbol name") }
                    let name = String(decoding: payload[q..<(q + ln)], as: UTF8.self)
                    guard isValidName(name), Array(name.utf8) == Array(payload[q..<(q + ln)]) else {
                        throw FormatError(offset: hdr + 16 + q, message: "invalid symbol name")
                    }
                    q += ln
                    guard UInt64(a) + 4 * UInt64(c) <= UInt64(mem) else {
                        throw FormatError(offset: hdr + 16 + q, message: "symbol \(name) lies outside memory")
                    }
                    syms.append(Symbol(name: name, address: a, count: c))
                }
                symbols = syms
            }
        }
        guard pos == b.count else { throw FormatError(offset: pos, message: "\(b.count - pos) bytes after the last section") }
        guard let codeWords = code else { throw FormatError(offset: 16, message: "no code section") }
        let sorted = data.sorted { $0.address < $1.address }
        for i in sorted.indices.dropFirst() {
            let p = sorted[i - 1]
            if UInt64(p.address) + UInt64(p.bytes.count) > UInt64(sorted[i].address) {
                throw FormatError(offset: 16, message: "data sections at \(Hex.word(p.address)) and \(Hex.word(sorted[i].address)) overlap")
            }
        }
        if let s = symbols, s.isEmpty {
            throw FormatError(offset: 16, message: "empty symbol section")
        }
        return ProgramImage(fracBits: f, streams: streams, memorySize: mem, code: codeWords, data: data, symbols: symbols ?? [])
    }

    /// The initial data memory.
    public func memory() -> [UInt8] {
        var m = [UInt8](repeating: 0, count: Int(memorySize))
        for d in data { m.replaceSubrange(Int(d.address)..<(Int(d.address) + d.bytes.count), with: d.bytes) }
        return m
    }
}
