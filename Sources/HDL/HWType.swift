/// The type of a hardware value. Every type has a fixed bit width.
///
/// `vec` and `record` are structured views of a flat bit vector: element 0 and
/// the first field sit in the least significant bits.
public indirect enum HWType: Hashable, Sendable, CustomStringConvertible {
    case bool
    case uint(Int)
    case sint(Int)
    case vec(HWType, count: Int)
    case record(RecordType)

    public var width: Int {
        switch self {
        case .bool: return 1
        case .uint(let w), .sint(let w): return w
        case .vec(let element, let count): return element.width * count
        case .record(let r): return r.width
        }
    }

    public var isSigned: Bool { if case .sint = self { return true } else { return false } }
    public var isBool: Bool { self == .bool }

    /// Plain numbers (UInt, SInt); arithmetic is defined on these only.
    public var isNumeric: Bool {
        switch self {
        case .uint, .sint: return true
        default: return false
        }
    }

    /// Scalars are Bool, UInt and SInt: one SystemVerilog vector without structure.
    public var isScalar: Bool { isNumeric || isBool }

    public var description: String {
        switch self {
        case .bool: return "Bool"
        case .uint(let w): return "UInt(\(w))"
        case .sint(let w): return "SInt(\(w))"
        case .vec(let e, let n): return "Vec(\(n) x \(e))"
        case .record(let r): return r.name
        }
    }

    /// Problems with the type itself (zero widths, empty records), or nil.
    var problem: String? {
        switch self {
        case .bool: return nil
        case .uint(let w), .sint(let w):
            return w >= 1 ? nil : "width must be at least 1, got \(w)"
        case .vec(let e, let n):
            if n < 1 { return "a Vec needs at least one element, got \(n)" }
            return e.problem
        case .record(let r):
            if r.fields.isEmpty { return "record \(r.name) has no fields" }
            return r.fields.lazy.compactMap { $0.type.problem }.first
        }
    }
}

/// A record (struct) of named fields, packed with the first field in the
/// least significant bits.
public struct RecordType: Hashable, Sendable {
    public struct Field: Hashable, Sendable {
        public let name: String
        public let type: HWType
        public init(_ name: String, _ type: HWType) {
            self.name = name
            self.type = type
        }
    }

    public let name: String
    public let fields: [Field]

    public init(_ name: String, _ fields: [Field]) {
        self.name = name
        self.fields = fields
    }

    public var width: Int { fields.reduce(0) { $0 + $1.type.width } }

    /// Bit offset and type of a field, or nil when there is no such field.
    public func layout(of field: String) -> (offset: Int, type: HWType)? {
        var offset = 0
        for f in fields {
            if f.name == field { return (offset, f.type) }
            offset += f.type.width
        }
        return nil
    }
}

extension HWType {
    /// A record type; fields in the order given, first field in the low bits.
    public static func record(_ name: String, _ fields: [(String, HWType)]) -> HWType {
        .record(RecordType(name, fields.map { RecordType.Field($0.0, $0.1) }))
    }
}

/// The number of bits needed to address `count` distinct items (at least 1).
public func addressWidth(_ count: Int) -> Int {
    var bits = 1
    while bits < Int.bitWidth - 1 && (1 << bits) < count { bits += 1 }
    return bits
}
