/// The retirement record: one per retired instruction, written by the
/// interpreter's `--trace` and (later) emitted by the RTL's retirement port
/// for lock-step co-simulation.
public struct RetireRecord: Sendable, Equatable, Codable {
    /// Index of the instruction in the code section (0-based; the byte
    /// offset divided by 8).
    public var index: UInt32
    public var opcode: UInt8
    public var destination: DestinationKind
    /// Register number (vector, scalar), byte address (memory), or 0.
    public var destinationIndex: UInt32
    /// Number of 32-bit elements written (0 for none, 1 for scalars and VL).
    public var count: UInt32
    /// `Digest.of` the elements written.
    public var digest: UInt32
    /// Elements written whose exact value did not fit and were clamped
    /// (ISA.md, "Where values saturate"). Not part of the trace line.
    public var saturations: UInt32

    public init(index: UInt32, opcode: UInt8, destination: DestinationKind,
                destinationIndex: UInt32, count: UInt32, digest: UInt32, saturations: UInt32 = 0) {
        self.index = index; self.opcode = opcode; self.destination = destination
        self.destinationIndex = destinationIndex; self.count = count; self.digest = digest
        self.saturations = saturations
    }

    /// The canonical trace line:
    /// `<index> <mnemonic> <dest> <count> <digest as 8 hex digits>`,
    /// with dest `v3`, `s2`, `@0x00001000`, `vl` or `-`.
    public var line: String {
        let mn = Opcode(rawValue: opcode)?.mnemonic ?? "op\(opcode)"
        let d: String
        switch destination {
        case .none: d = "-"
        case .vector: d = "v\(destinationIndex)"
        case .scalar: d = "s\(destinationIndex)"
        case .memory: d = "@" + Hex.word(destinationIndex)
        case .vectorLength: d = "vl"
        }
        return "\(index) \(mn) \(d) \(count) \(Hex.digits(digest, 8))"
    }
}

/// The digest of a written value: a rotate-and-add fold that a lane-parallel
/// datapath computes with one rotator per lane and an adder tree.
///
/// `digest = sum_{i < n} rotl32(u[i], i mod 32) mod 2^32`, where `u[i]` is
/// the two's complement bit pattern of element i. A scalar's digest is its
/// bit pattern; an instruction that writes nothing has digest 0.
public enum Digest {
    @inlinable
    public static func of<C: Collection>(_ elements: C) -> UInt32 where C.Element == Int32 {
        var d: UInt32 = 0
        var i: UInt32 = 0
        for e in elements {
            let u = UInt32(bitPattern: e)
            let r = i & 31
            d = d &+ ((u << r) | (u >> ((32 - r) & 31)))
            i &+= 1
        }
        return d
    }
}

/// Small hex formatting helpers shared by the tools.
public enum Hex {
    public static func digits<T: BinaryInteger>(_ v: T, _ n: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, n - s.count)) + s
    }
    public static func word(_ v: UInt32) -> String { "0x" + digits(v, 8) }
}
