import TritJSON

/// Saturated elements per instruction kind: how many written elements had
/// an exact value that did not fit and were clamped (ISA.md, "Where values
/// saturate"). The interpreter counts them; reports carry and print them.
public struct SaturationCounts: Sendable, Equatable {
    /// Nonzero counts only.
    public private(set) var byOpcode: [Opcode: Int] = [:]

    public init() {}

    public init(_ counts: [Opcode: Int]) {
        for (op, n) in counts { add(n, for: op) }
    }

    public var total: Int { byOpcode.values.reduce(0, +) }
    public var isEmpty: Bool { byOpcode.isEmpty }

    public mutating func add(_ n: Int, for opcode: Opcode) {
        if n != 0 { byOpcode[opcode, default: 0] += n }
    }

    /// The sum of two sets of counts (tokens of a run, say).
    public func adding(_ other: SaturationCounts) -> SaturationCounts {
        var sum = self
        for (op, n) in other.byOpcode { sum.add(n, for: op) }
        return sum
    }

    /// The counts in opcode order.
    public var sorted: [(opcode: Opcode, count: Int)] {
        byOpcode.sorted { $0.key.rawValue < $1.key.rawValue }.map { ($0.key, $0.value) }
    }

    /// `"add 3, tmatmul 12"`, or `"none"`.
    public var listing: String {
        isEmpty ? "none" : sorted.map { "\($0.opcode.mnemonic) \($0.count)" }.joined(separator: ", ")
    }

    /// A JSON object of mnemonic to count: `{"add": 3, "tmatmul": 12}`.
    public var json: JSON { .object(JSONObject(sorted.map { ($0.opcode.mnemonic, .int($0.count)) })) }

    /// The warning a tool prints on stderr when any element saturated, or
    /// nil: `warning: 5 elements saturated <context> (quant 3, tmatmul 2)`.
    public func warning(_ context: String) -> String? {
        isEmpty ? nil : "warning: \(total) element\(total == 1 ? "" : "s") saturated \(context) (\(listing))"
    }
}
