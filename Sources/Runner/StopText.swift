/// Streams generated text while watching for stop strings: text that could
/// be the start of a stop string is held back until it is known not to be,
/// and when one appears, only the text before it is released.
/// Works on Unicode scalars, so "\r" followed by "\n" is two characters
/// here, as the text a tokenizer decodes to.
public struct StopText {
    public let stops: [[Unicode.Scalar]]
    private var held: [Unicode.Scalar] = []
    /// Whether a stop string appeared; nothing more is released after it.
    public private(set) var stopped = false

    public init(_ stops: [String]) {
        self.stops = stops.map { Array($0.unicodeScalars) }.filter { !$0.isEmpty }
    }

    /// Takes newly decoded text; returns what may be shown now.
    public mutating func push(_ text: String) -> String {
        guard !stopped else { return "" }
        held += text.unicodeScalars
        if let cut = firstStop() {
            stopped = true
            defer { held = [] }
            return Self.string(held[..<cut])
        }
        let keep = stops.map(longestHeldPrefix).max() ?? 0
        defer { held.removeFirst(held.count - keep) }
        return Self.string(held[..<(held.count - keep)])
    }

    /// The text still held back, once generation has ended without a stop.
    public mutating func finish() -> String {
        defer { held = [] }
        return stopped ? "" : Self.string(held[...])
    }

    /// Where the earliest stop string starts in `held`.
    private func firstStop() -> Int? {
        guard !held.isEmpty else { return nil }
        for start in held.indices {
            if stops.contains(where: { held[start...].starts(with: $0) }) { return start }
        }
        return nil
    }

    /// The longest end of `held` that `stop` begins with (shorter than `stop`).
    private func longestHeldPrefix(_ stop: [Unicode.Scalar]) -> Int {
        var k = min(stop.count - 1, held.count)
        while k > 0 && !held[(held.count - k)...].elementsEqual(stop[..<k]) { k -= 1 }
        return k
    }

    private static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars)
        return String(s)
    }
}
