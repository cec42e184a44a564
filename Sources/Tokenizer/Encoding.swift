/// The result of `Tokenizer.encode`: token ids and their texts, as the
/// `tokenizers` library's `Encoding.ids` and `Encoding.tokens`.
public struct Encoding: Sendable, Equatable, CustomStringConvertible {
    /// The token ids, in order.
    public private(set) var ids: [Int] = []
    /// The model's token texts by id: `tokens` is built from them on demand
    /// (the ids are what encoding is for; most callers never ask for texts).
    private var names: [[UInt8]?] = []
    /// Token texts that are not the model's text for the id: added tokens
    /// (their text as matched, with any stripped spaces) and template tokens.
    private var overrides: [Int: String] = [:]

    init() {}

    init(ids: [Int32], names: [[UInt8]?], overrides: [Int: String]) {
        self.ids = ids.map { Int($0) }
        self.names = names
        self.overrides = overrides
    }

    /// The token texts, one per id.
    public var tokens: [String] {
        ids.indices.map { i in
            if let text = overrides[i] { return text }
            let id = ids[i]
            return id < names.count ? names[id].map { String(decoding: $0, as: UTF8.self) } ?? "" : ""
        }
    }

    public var count: Int { ids.count }

    mutating func append(_ other: Encoding) {
        if names.isEmpty { names = other.names }
        for (i, text) in other.overrides { overrides[ids.count + i] = text }
        ids.append(contentsOf: other.ids)
    }

    mutating func append(id: Int32, token: String) {
        overrides[ids.count] = token
        ids.append(Int(id))
    }

    public static func == (a: Encoding, b: Encoding) -> Bool { a.ids == b.ids && a.tokens == b.tokens }

    public var description: String { "Encoding(ids: \(ids), tokens: \(tokens))" }
}
