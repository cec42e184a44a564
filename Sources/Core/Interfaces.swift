import HDL
import ISA

// The port bundles every execution unit shares with the core. A unit calls
// these in its `build` to declare its side of each bundle; the core connects
// the instance's ports by the same names. docs/core.md states the timing.

/// The dispatch bundle: the core starts one instruction at a time on an idle
/// unit and the unit reports its completion once, with the retirement
/// record's count and digest (or a fault).
///
/// Inputs: `start` (one-cycle pulse, only while `idle`), `op` (opcode),
/// `rd`, `ra`, `rb` (register numbers from the instruction), `mode` (the
/// instruction's mode field: `tmatmul`'s weight packing), `vl` (the
/// vector length at dispatch), `scalar` (the value of the instruction's
/// scalar source register, when it has one), `imm` (the 32-bit immediate).
/// Outputs: `idle`, and `done` (a one-cycle pulse, at or after the cycle of
/// the unit's last register write) with `done_fault` (a `FaultCode`, 0 for
/// none), `done_count` and `done_digest` (the retirement record's count and
/// digest), `done_saturations` (how many of the elements written saturated,
/// ISA.md "Where values saturate"), and `done_scalar` (the value for a
/// scalar destination).
public struct DispatchPort {
    public let start, op, rd, ra, rb, mode, vl, scalar, imm: Signal
    public let idle, done, doneFault, doneCount, doneDigest, doneSaturations, doneScalar: Signal

    public static let faultBits = 3

    public init(_ m: ModuleBuilder, _ p: CoreParameters) {
        start = m.input("start", .bool)
        op = m.input("op", .uint(Encoding.op.width))
        rd = m.input("rd", .uint(Encoding.rd.width))
        ra = m.input("ra", .uint(Encoding.ra.width))
        rb = m.input("rb", .uint(Encoding.rb.width))
        mode = m.input("mode", .uint(Encoding.mode.width))
        vl = m.input("vl", .uint(p.vlBits))
        scalar = m.input("scalar", .sint(32))
        imm = m.input("imm", .uint(32))
        idle = m.output("idle", .bool)
        done = m.output("done", .bool)
        doneFault = m.output("done_fault", .uint(Self.faultBits))
        doneCount = m.output("done_count", .uint(32))
        doneDigest = m.output("done_digest", .uint(32))
        doneSaturations = m.output("done_saturations", .uint(32))
        doneScalar = m.output("done_scalar", .sint(32))
    }

    /// Port names, for the core's wiring.
    public static let inputs = ["start", "op", "rd", "ra", "rb", "mode", "vl", "scalar", "imm"]
    public static let outputs = ["idle", "done", "done_fault", "done_count", "done_digest", "done_saturations", "done_scalar"]
}

/// A vector register read port: the unit drives `<name>_reg` and
/// `<name>_chunk` (chunk c holds elements c*vectorLanes ..< (c+1)*vectorLanes)
/// and sees that chunk on `<name>_data` exactly one cycle later. Reads have
/// no enable and no side effects.
public struct RegisterReadPort {
    public let reg, chunk, data: Signal

    public init(_ m: ModuleBuilder, _ name: String, _ p: CoreParameters) {
        reg = m.output("\(name)_reg", .uint(p.vregBits))
        chunk = m.output("\(name)_chunk", .uint(p.chunkBits))
        data = m.input("\(name)_data", .vec(.sint(32), count: p.vectorLanes))
    }

    public static func names(_ name: String) -> (reg: String, chunk: String, data: String) {
        ("\(name)_reg", "\(name)_chunk", "\(name)_data")
    }
}

/// A vector register write port: with `<name>_valid`, the lanes set in
/// `<name>_mask` of chunk `<name>_chunk` of register `<name>_reg` take
/// `<name>_data` at the clock edge (other lanes keep their values, which is
/// how tails stay undisturbed).
public struct RegisterWritePort {
    public let valid, reg, chunk, mask, data: Signal

    public init(_ m: ModuleBuilder, _ name: String, _ p: CoreParameters) {
        valid = m.output("\(name)_valid", .bool)
        reg = m.output("\(name)_reg", .uint(p.vregBits))
        chunk = m.output("\(name)_chunk", .uint(p.chunkBits))
        mask = m.output("\(name)_mask", .uint(p.vectorLanes))
        data = m.output("\(name)_data", .vec(.sint(32), count: p.vectorLanes))
    }

    public static func names(_ name: String) -> [String] {
        ["valid", "reg", "chunk", "mask", "data"].map { "\(name)_\($0)" }
    }
}

/// A memory read client: a request for `beats` (1 ... maxBurst) consecutive
/// beats from beat address `line` is taken when `rq_valid` and `rq_ready`
/// are both high; the beats come back in request order on `rs_valid` /
/// `rs_data`, one per cycle at most. A client must accept every response
/// (there is no response back-pressure) and must collect all the beats it
/// asked for before it reports `done`.
///
/// A wide client (`wide: true`) reads a beat of every bank per cycle:
/// `line` a multiple of `banks`, `beats` a multiple of `banks` up to
/// `maxBurst * banks`, and `rs_data` holds `banks` consecutive beats, the
/// lowest address in the low bits. The ternary unit's weight stream reads
/// ahead across instructions: it still accepts every response, but may
/// report `done` with beats outstanding, and may withdraw a request that
/// was not taken (the memory system keeps no state for a request until it
/// takes it).
public struct MemoryReadClient {
    public let requestValid, requestReady, requestLine, requestBeats, responseValid, responseData: Signal

    public init(_ m: ModuleBuilder, _ p: CoreParameters, prefix: String = "", wide: Bool = false) {
        requestValid = m.output("\(prefix)rq_valid", .bool)
        requestReady = m.input("\(prefix)rq_ready", .bool)
        requestLine = m.output("\(prefix)rq_line", .uint(p.lineBits))
        requestBeats = m.output("\(prefix)rq_beats", .uint(wide ? p.wideBurstBits : p.burstBits))
        responseValid = m.input("\(prefix)rs_valid", .bool)
        responseData = m.input("\(prefix)rs_data", .uint(p.dataBits * (wide ? p.banks : 1)))
    }

    public static let outputs = ["rq_valid", "rq_line", "rq_beats"]
    public static let inputs = ["rq_ready", "rs_valid", "rs_data"]
}

extension CoreParameters {
    /// Wide beats (a count, or a wide-beat address) as lines, `banks` per
    /// wide beat, at `width` bits: what wide clients put on `rq_line`,
    /// `rq_beats` and `wq_line`.
    func lines(fromWide wide: Signal, width: Int) -> Signal {
        let shift = banks.trailingZeroBitCount
        return shift == 0 ? resize(wide, width) : resize(resize(wide, width) << shift, width)
    }

    /// A line (a multiple of `banks`) as a wide-beat address, at `width` bits.
    func wide(fromLines line: Signal, width: Int) -> Signal {
        let shift = banks.trailingZeroBitCount
        return resize(shift == 0 ? line : line >> shift, width)
    }
}

/// A memory write client: one wide beat (a beat of every bank, `line` a
/// multiple of `banks`, the lowest address in the low bits) per request,
/// taken when `wq_valid` and `wq_ready` are both high; `wq_byteenable`
/// selects the bytes written, and a bank with none enabled is not written.
/// Writes and reads to the same bank are performed in the order the memory
/// system accepted them.
public struct MemoryWriteClient {
    public let valid, ready, line, data, byteEnable: Signal

    public init(_ m: ModuleBuilder, _ p: CoreParameters) {
        valid = m.output("wq_valid", .bool)
        ready = m.input("wq_ready", .bool)
        line = m.output("wq_line", .uint(p.lineBits))
        data = m.output("wq_data", .uint(p.dataBits * p.banks))
        byteEnable = m.output("wq_byteenable", .uint(p.wideBeatBytes))
    }

    public static let outputs = ["wq_valid", "wq_line", "wq_data", "wq_byteenable"]
    public static let inputs = ["wq_ready"]
}

/// Core-wide inputs every memory-using unit sees: the data region's base
/// beat address (`data_base_line`) and its size in bytes (`data_size`,
/// up to 2^32), for address translation and range checks.
public struct DataRegionPort {
    public let baseLine, size: Signal

    public init(_ m: ModuleBuilder, _ p: CoreParameters) {
        baseLine = m.input("data_base_line", .uint(p.lineBits))
        size = m.input("data_size", .uint(33))
    }

    public static let inputs = ["data_base_line", "data_size"]
}
