import HDL
import ISA

// The contracts between the core's units, and the core's top-level ports, as
// signatures (docs/hdl.md, "Interfaces"): each side declares its end with
// `m.ports(signature)` (the flipped end with `signature.flipped()`), and the
// parent wires two ends with `m.connect`, which checks names, widths and
// directions. docs/core.md states the timing of each.

// MARK: - Execution units

/// The dispatch bundle, as a unit sees it: the core starts one instruction
/// at a time on an idle unit and the unit reports its completion once, with
/// the retirement record's count and digest (or a fault).
///
/// Inputs: `start` (one-cycle pulse, only while `idle`), `op` (opcode),
/// `rd`, `ra`, `rb` (register numbers from the instruction), `mode` (the
/// instruction's mode field: `tmatmul`'s weight packing), `vl` (the
/// vector length at dispatch), `scalar` (the value of the instruction's
/// scalar source register, when it has one), `imm` (the 32-bit immediate).
/// Outputs: `idle`, and `done` (a one-cycle pulse, at or after the cycle of
/// the unit's last register write) with `done_fault` (a `FaultCode`, 0 for
/// none) and `done_scalar` (the value for a scalar destination). The rest of
/// the retirement record comes `recordLatency` cycles after `done` (the
/// digest's pipeline, `DigestAccumulator`): `done_count` and `done_digest`
/// (its count and digest) and `done_saturations` (how many of the elements
/// written saturated, ISA.md "Where values saturate").
public struct Dispatch: Signature {
    public let start, op, rd, ra, rb, mode, vl, scalar, imm: Member
    public let idle, done, doneFault, doneCount, doneDigest, doneSaturations, doneScalar: Member

    public static let faultBits = 3

    /// Cycles from `done` to the record's count, digest and saturations.
    public static func recordLatency(_ p: CoreParameters) -> Int { DigestAccumulator.latency(lanes: p.vectorLanes) }

    public init(_ p: CoreParameters) {
        start = .in("start", .bool)
        op = .in("op", .uint(Encoding.op.width))
        rd = .in("rd", .uint(Encoding.rd.width))
        ra = .in("ra", .uint(Encoding.ra.width))
        rb = .in("rb", .uint(Encoding.rb.width))
        mode = .in("mode", .uint(Encoding.mode.width))
        vl = .in("vl", .uint(p.vlBits))
        scalar = .in("scalar", .sint(32))
        imm = .in("imm", .uint(32))
        idle = .out("idle", .bool)
        done = .out("done", .bool)
        doneFault = .out("done_fault", .uint(Self.faultBits))
        doneCount = .out("done_count", .uint(32))
        doneDigest = .out("done_digest", .uint(32))
        doneSaturations = .out("done_saturations", .uint(32))
        doneScalar = .out("done_scalar", .sint(32))
    }
}

/// A vector register read port, as a unit sees it: the unit drives `reg`
/// and `chunk` (chunk c holds elements c*vectorLanes ..< (c+1)*vectorLanes)
/// and sees that chunk on `data` exactly one cycle later. Reads have no
/// enable and no side effects. A unit's port `a` is this group at prefix `a_`.
///
/// With `rows`, `chunk` is a register-file row: the stream's number above
/// the chunk (`CoreParameters.rowBits`), as the register file and the units
/// that serve every stream themselves (the ternary unit) see it; with one
/// stream the two are the same.
public struct RegisterRead: Signature {
    public let reg, chunk, data: Member

    public init(_ p: CoreParameters, rows: Bool = false) {
        reg = .out("reg", .uint(p.vregBits))
        chunk = .out("chunk", .uint(rows ? p.rowBits : p.chunkBits))
        data = .in("data", .vec(.sint(32), count: p.vectorLanes))
    }

    /// The prefix of a unit's read port `name` (`a` -> `a_`).
    public static func prefix(_ name: String) -> String { "\(name)_" }
}

/// A vector register write port, as a unit sees it: with `valid`, the lanes
/// set in `mask` of chunk `chunk` of register `reg` take `data` at the clock
/// edge (other lanes keep their values, which is how tails stay undisturbed).
/// `rows` as for `RegisterRead`.
public struct RegisterWrite: Signature {
    public let valid, reg, chunk, mask, data: Member

    public init(_ p: CoreParameters, rows: Bool = false) {
        valid = .out("valid", .bool)
        reg = .out("reg", .uint(p.vregBits))
        chunk = .out("chunk", .uint(rows ? p.rowBits : p.chunkBits))
        mask = .out("mask", .uint(p.vectorLanes))
        data = .out("data", .vec(.sint(32), count: p.vectorLanes))
    }

    /// The prefix of a unit's write port `name` (`w` -> `w_`).
    public static func prefix(_ name: String) -> String { "\(name)_" }
}

/// Core-wide inputs every memory-using unit sees: the data region's base
/// beat address (`data_base_line`) and its size in bytes (`data_size`,
/// up to 2^32), for address translation and range checks.
public struct DataRegion: Signature {
    public let baseLine, size: Member

    public init(_ p: CoreParameters) {
        baseLine = .in("data_base_line", .uint(p.lineBits))
        size = .in("data_size", .uint(33))
    }
}

// MARK: - Memory clients

/// A memory read client, as the client sees it: a request for `beats`
/// (1 ... maxBurst) consecutive beats from beat address `line` is taken
/// when `rq_valid` and `rq_ready` are both high (`rq_ready` may be high
/// without a request: it says one would be taken); the beats come back in
/// request order on `rs_valid` / `rs_data`, one per cycle at most. A client
/// must accept every response (there is no response back-pressure) and
/// must collect all the beats it asked for before it reports `done`.
///
/// A wide client (`wide: true`) reads a beat of every bank per cycle:
/// `line` a multiple of `banks`, `beats` a multiple of `banks` up to
/// `maxBurst * banks`, and `rs_data` holds `banks` consecutive beats, the
/// lowest address in the low bits. The ternary unit's weight stream reads
/// ahead across instructions: it still accepts every response, but may
/// report `done` with beats outstanding, and may withdraw a request that
/// was not taken (the memory system keeps no state for a request until it
/// takes it).
public struct MemoryRead: Signature {
    public let requestValid, requestReady, requestLine, requestBeats, responseValid, responseData: Member

    public init(_ p: CoreParameters, wide: Bool = false) {
        requestValid = .out("rq_valid", .bool)
        requestReady = .in("rq_ready", .bool)
        requestLine = .out("rq_line", .uint(p.lineBits))
        requestBeats = .out("rq_beats", .uint(wide ? p.wideBurstBits : p.burstBits))
        responseValid = .in("rs_valid", .bool)
        responseData = .in("rs_data", .uint(p.dataBits * (wide ? p.banks : 1)))
    }
}

/// The memory write client, as the client sees it: one wide beat (a beat of
/// every bank, `line` a multiple of `banks`, the lowest address in the low
/// bits) per request, taken when `wq_valid` and `wq_ready` are both high;
/// `wq_byteenable` selects the bytes written, and a bank with none enabled
/// is not written. Writes and reads to the same bank are performed in the
/// order the memory system accepted them.
public struct MemoryWrite: Signature {
    public let valid, ready, line, data, byteEnable: Member

    public init(_ p: CoreParameters) {
        valid = .out("wq_valid", .bool)
        ready = .in("wq_ready", .bool)
        line = .out("wq_line", .uint(p.lineBits))
        data = .out("wq_data", .uint(p.dataBits * p.banks))
        byteEnable = .out("wq_byteenable", .uint(p.wideBeatBytes))
    }
}

// MARK: - Host interface

/// The host's 64-bit Avalon-MM CSR slave, as the slave sees it:
/// `address` is the index of a 64-bit register; `readdatavalid` rises
/// exactly one cycle after `read`; `waitrequest` is always low.
public struct CSRBus: Signature {
    public let address, read, write, writeData, byteEnable: Member
    public let readData, readDataValid, waitRequest: Member

    public init(addressBits: Int) {
        address = .in("address", .uint(addressBits))
        read = .in("read", .bool)
        write = .in("write", .bool)
        writeData = .in("writedata", .uint(64))
        byteEnable = .in("byteenable", .uint(8))
        readData = .out("readdata", .uint(64))
        readDataValid = .out("readdatavalid", .bool)
        waitRequest = .out("waitrequest", .bool)
    }

    public static let prefix = "csr_"
}

/// The CSR slave's side toward the core: the core's state and events in
/// (one counter per event; each is a Bool, count a cycle, except
/// `ev_weight_beat`, the weight beats the ternary unit consumed this cycle,
/// and `ev_saturations`, the saturated elements of the instruction retiring
/// this cycle), the program's location and the start pulse out.
public struct CSRControl: Signature {
    public let running, halted, faulted, busy, faultCode, faultIndex: Member
    public let retired, busyLoadStore, busyVector, busyReduction, busyTernary, memoryStall, weightBeats, issueStall,
               saturations: Member
    public let start, codeBase, codeLength, dataBase, dataSize, timeoutCycles: Member

    public init(_ p: CoreParameters) {
        running = .in("running", .bool)
        halted = .in("halted", .bool)
        faulted = .in("faulted", .bool)
        busy = .in("busy", .bool)
        faultCode = .in("fault_code", .uint(Dispatch.faultBits))
        faultIndex = .in("fault_index", .uint(32))
        retired = .in("ev_retire", .bool)
        busyLoadStore = .in("ev_busy_ls", .bool)
        busyVector = .in("ev_busy_vector", .bool)
        busyReduction = .in("ev_busy_reduction", .bool)
        busyTernary = .in("ev_busy_ternary", .bool)
        memoryStall = .in("ev_memory_stall", .bool)
        weightBeats = .in("ev_weight_beat", .uint(Self.weightBeatBits(p)))
        issueStall = .in("ev_issue_stall", .bool)
        saturations = .in("ev_saturations", .uint(p.saturationBits))
        start = .out("start", .bool)
        codeBase = .out("code_base", .uint(64))
        codeLength = .out("code_length", .uint(32))
        dataBase = .out("data_base", .uint(64))
        dataSize = .out("data_size", .uint(33))
        timeoutCycles = .out("timeout_cycles", .uint(32))
    }

    /// Width of the weight-beat count of one cycle (0 ... 2 * banks).
    public static func weightBeatBits(_ p: CoreParameters) -> Int { addressWidth(CoreParameters.ternaryCatchUp * p.banks + 1) }

    /// The event inputs and the counter each one feeds, in CSR order.
    public static var events: [(event: KeyPath<CSRControl, Member>, csr: CSR)] {
        [(\.retired, .retired), (\.busyLoadStore, .busyLoadStore), (\.busyVector, .busyVector),
         (\.busyReduction, .busyReduction), (\.busyTernary, .busyTernary), (\.memoryStall, .memoryStall),
         (\.weightBeats, .weightBeats), (\.issueStall, .issueStall), (\.saturations, .saturations)]
    }
}

/// An Avalon-MM master of one memory bank, as the master sees it: word
/// (beat) addresses, bursts of up to `maxBurst` beats; `waitrequest` holds
/// the command (and each write beat); read beats come back in request
/// order and are always accepted. The core's bank `b` is this group at
/// prefix `mem<b>_`.
public struct BankMaster: Signature {
    public let address, read, write, burstCount, writeData, byteEnable: Member
    public let waitRequest, readData, readDataValid: Member

    public init(_ p: CoreParameters) {
        address = .out("address", .uint(p.addressBits))
        read = .out("read", .bool)
        write = .out("write", .bool)
        burstCount = .out("burstcount", .uint(p.burstBits))
        writeData = .out("writedata", .uint(p.dataBits))
        byteEnable = .out("byteenable", .uint(p.beatBytes))
        waitRequest = .in("waitrequest", .bool)
        readData = .in("readdata", .uint(p.dataBits))
        readDataValid = .in("readdatavalid", .bool)
    }

    /// The prefix of bank `b`'s master (`mem0_`).
    public static func prefix(_ bank: Int) -> String { "mem\(bank)_" }
}

/// The host DMA's read channel into host memory, as the DMA sees it
/// (Avalon-MM, the read half of the PIM's `ofs_plat_avalon_mem_rdwr_if`):
/// host beat addresses, bursts of 1 ... `host.maxBurst` beats,
/// `byteenable` all ones, read beats in request order, always accepted.
public struct HostRead: Signature {
    public let address, read, burstCount, byteEnable: Member
    public let waitRequest, readData, readDataValid: Member

    public init(_ p: CoreParameters, _ host: HostDMAParameters) {
        address = .out("address", .uint(host.addressBits))
        read = .out("read", .bool)
        burstCount = .out("burstcount", .uint(host.burstBits))
        byteEnable = .out("byteenable", .uint(p.beatBytes))
        waitRequest = .in("waitrequest", .bool)
        readData = .in("readdata", .uint(p.dataBits))
        readDataValid = .in("readdatavalid", .bool)
    }

    public static let prefix = "host_rd_"
}

/// The host DMA's write channel into host memory, as the DMA sees it:
/// `waitrequest` holds the command and each beat; one
/// `writeresponsevalid` pulse per burst, when it is committed.
public struct HostWrite: Signature {
    public let address, write, burstCount, writeData, byteEnable: Member
    public let waitRequest, writeResponseValid: Member

    public init(_ p: CoreParameters, _ host: HostDMAParameters) {
        address = .out("address", .uint(host.addressBits))
        write = .out("write", .bool)
        burstCount = .out("burstcount", .uint(host.burstBits))
        writeData = .out("writedata", .uint(p.dataBits))
        byteEnable = .out("byteenable", .uint(p.beatBytes))
        waitRequest = .in("waitrequest", .bool)
        writeResponseValid = .in("writeresponsevalid", .bool)
    }

    public static let prefix = "host_wr_"
}

/// The retirement port, as the core sees it (prefix `retire_`): with
/// `valid`, one record per retired instruction in program order, the
/// fields of `ISA.RetireRecord` and the elements it saturated.
public struct Retirement: Signature {
    public let valid, index, opcode, dest, destIndex, count, digest, saturations: Member

    public init() {
        valid = .out("valid", .bool)
        index = .out("index", .uint(32))
        opcode = .out("opcode", .uint(Encoding.op.width))
        dest = .out("dest", .uint(3))
        destIndex = .out("dest_index", .uint(32))
        count = .out("count", .uint(32))
        digest = .out("digest", .uint(32))
        saturations = .out("saturations", .uint(32))
    }

    public static let prefix = "retire_"
}

/// The core's status lines: `busy` (running, or not yet quiet), `halted`
/// (the `halt` retired and every store is in its bank), `faulted`.
public struct CoreStatus: Signature {
    public let busy = Member.out("busy", .bool)
    public let halted = Member.out("halted", .bool)
    public let faulted = Member.out("faulted", .bool)

    public init() {}
}
