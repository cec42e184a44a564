import Foundation

/// A JSON value: the one representation Trit reads and writes JSON with
/// (config.json, safetensors headers, tokenizer.json, the ISA reference).
///
/// Integers stay exact (`int`), and objects keep every member in order:
/// a Swift dictionary would compare `String` keys by canonical equivalence,
/// so a vocabulary holding both "é" and "e\u{301}" would lose one. Keys are
/// compared byte for byte.
public enum JSON: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSON])
    case object(JSONObject)

    /// The member named `key` of an object (the last one if repeated, as serde does).
    public subscript(key: String) -> JSON? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }
    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var array: [JSON]? { if case .array(let a) = self { return a } else { return nil } }
    /// An integer written as one (no fraction or exponent).
    public var int: Int? { if case .int(let i) = self { return i } else { return nil } }

    /// The value as an exact integer, also from a number like `2.0` or `1e3`.
    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.0e15: return Int(d)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// A short name of the value's kind, for error messages.
    public var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// An object's members in order. Reading a key finds its last member;
/// setting one replaces that member in place or appends it; setting nil
/// removes it.
public struct JSONObject: Equatable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var members: [(key: String, value: JSON)]

    public init(_ members: [(key: String, value: JSON)] = []) { self.members = members }
    public init(dictionaryLiteral elements: (String, JSON)...) { members = elements.map { ($0.0, $0.1) } }

    public var keys: [String] { members.map(\.key) }
    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }

    public subscript(key: String) -> JSON? {
        get { index(of: key).map { members[$0].value } }
        set {
            if let i = index(of: key) {
                if let newValue { members[i].value = newValue } else { members.remove(at: i) }
            } else if let newValue {
                members.append((key, newValue))
            }
        }
    }

    private func index(of key: String) -> Int? {
        members.lastIndex { $0.key.utf8.elementsEqual(key.utf8) }
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSON)]> { members.makeIterator() }

    /// The same members, sorted by key (bytewise), for output that does not
    /// depend on the order they were added in.
    public var sortedByKey: JSONObject { JSONObject(members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.members.count == b.members.count
            && zip(a.members, b.members).allSatisfy { $0.key.utf8.elementsEqual($1.key.utf8) && $0.value == $1.value }
    }
}

extension JSON {
    /// `x` rounded to `decimals` places (null when not finite): report
    /// figures without the noise digits of a measurement.
    public static func rounded(_ x: Double, _ decimals: Int) -> JSON {
        guard x.isFinite else { return .null }
        if decimals == 0, abs(x) < 9.0e15 { return .int(Int(x.rounded())) }
        let scale = Foundation.pow(10.0, Double(decimals))
        return .double((x * scale).rounded() / scale)
    }

    /// An optional value, null when absent.
    public static func optional<T>(_ x: T?, _ make: (T) -> JSON) -> JSON { x.map(make) ?? .null }
}
