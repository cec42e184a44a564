import ISA

/// The host's view of the core: 64-bit registers on the CSR slave, at byte
/// offset `8 * index` of the AFU's MMIO space. The first five follow the
/// OPAE Device Feature Header layout, so `fpgainfo` and the OPAE libraries
/// find the AFU by its UUID.
public enum CSR: Int, CaseIterable, Sendable {
    /// Device Feature Header: type AFU (bits 63:60 = 1), end of list (bit 40).
    case dfh = 0
    case afuIdLow = 1
    case afuIdHigh = 2
    case dfhNext = 3
    case dfhReserved = 4
    /// Write: bit 0 starts the program (ignored while the core is busy).
    /// After a `timeout` fault the host resets the AFU (OPAE `fpgaReset`).
    case control = 8
    /// Read: bit 0 busy, bit 1 halted, bit 2 faulted; bits 15:8 fault code.
    case status = 9
    /// Index of the faulting instruction.
    case faultIndex = 10
    /// Byte address of instruction 0 in the banks' beat-interleaved space (64-byte aligned).
    case codeBase = 11
    /// Number of instructions; fetching at or past it is `fetch-out-of-range`.
    case codeLength = 12
    /// Byte address of data byte 0 (64-byte aligned).
    case dataBase = 13
    /// Data memory size in bytes.
    case dataSize = 14
    /// Cycles a memory request may wait before the `timeout` fault (0: 2^24).
    case timeout = 15
    // Counters, cleared by start.
    case cycles = 16
    case retired = 17
    case busyLoadStore = 18
    case busyVector = 19
    case busyReduction = 20
    case busyTernary = 21
    /// Cycles with a memory command held back by `waitrequest` or a unit waiting for read data.
    case memoryStall = 22
    /// Weight beats (memory beats of `dataBits`) the ternary unit consumed;
    /// it takes up to `banks` per cycle, so utilization is
    /// WEIGHT_BEATS / (CYCLES * banks).
    case weightBeats = 23
    /// Cycles the issue stage had an instruction it could not dispatch.
    case issueStall = 24
    /// Read-only description of the core: bits 15:0 ternary trits per
    /// cycle (2-bit packing), 23:16
    /// vector lanes, 27:24 banks, 32:28 fraction bits, 58:33 max vector
    /// length, 63:59 streams minus one.
    case configuration = 25
    /// Elements written by retired instructions whose exact value did not
    /// fit and were clamped (ISA.md, "Where values saturate"); cleared by start.
    case saturations = 26
    /// The active streams S, 1 ... B (ISA.md, "Streams"): a program written
    /// for S streams runs on a core of B >= S with streams S ... B-1 idle.
    /// Reset: B. A write of 0 or more than B sets B; writes while the core
    /// is busy are ignored (the value at start holds for the run). With
    /// B = 1 it reads 1 and ignores writes.
    case streams = 27

    /// The CONFIGURATION register's value for a core.
    public static func configurationValue(_ p: CoreParameters) -> UInt64 {
        UInt64(p.tritsPerCycle) | UInt64(p.vectorLanes) << 16 | UInt64(p.banks) << 24
            | UInt64(p.isa.fracBits) << 28 | UInt64(p.isa.maxVectorLength) << 33 | UInt64(p.isa.streams - 1) << 59
    }

    /// The instruction-set configuration a CONFIGURATION value describes (what a host checks a build against).
    public static func instructionSet(configuration core: UInt64) -> CoreConfig {
        CoreConfig(maxVectorLength: Int((core >> 33) & 0x3FF_FFFF), fracBits: Int((core >> 28) & 0x1F),
                   streams: Int(core >> 59) + 1)
    }

    /// Device Feature Header of an AFU: type 1 (bits 63:60), end of list (bit 40).
    public static let dfhValue: UInt64 = 1 << 60 | 1 << 40

    public var byteOffset: Int { rawValue * 8 }
    /// Registers a host may write.
    public var isWritable: Bool { [.control, .codeBase, .codeLength, .dataBase, .dataSize, .timeout, .streams].contains(self) }
    public static let addressBits = 5

    /// `accelerator-type-uuid` of the Trit AFU (fixed; the AFU JSON carries it too).
    public static let afuUUID = "5d7c1c36-9a0e-4f3b-8b6e-7a3e1f0c2b14"
    /// The UUID as (high, low) 64-bit halves, as the AFU_ID registers hold it.
    public static var afuIdHalves: (high: UInt64, low: UInt64) {
        let hex = String(afuUUID.filter { $0 != "-" })
        let high = UInt64(hex.prefix(16), radix: 16)!
        let low = UInt64(hex.suffix(16), radix: 16)!
        return (high, low)
    }
}
