import TritJSON
import ISA

/// What a host does with a Trit core, and all it does: put a program and
/// its data memory in place, write and read data regions, start the
/// program, wait for it to halt or fault, and read what it counted. The
/// runner (`Runner.BuildSession`) sees only this protocol; the golden
/// interpreter, lock-step co-simulation of the generated core and a real
/// card through OPAE implement it below the runner and plug in, so the same
/// host code drives all three (as VTA's runtime drives its simulators and
/// its board through one device API).
///
/// Addresses are byte offsets in the program's data memory. Data memory
/// persists across runs: a compiled build keeps its recurrent state there
/// from token to token.
public protocol Engine: AnyObject {
    /// One line naming the engine and its target, for reports.
    var summary: String { get }
    /// The instruction-set configuration the engine runs (fraction bits,
    /// vector length, registers): a build compiled for another is refused.
    var config: CoreConfig { get }
    /// Places `image` (its code, and its data sections in a data memory of
    /// `image.memorySize` bytes) on the engine, replacing any earlier one.
    func load(_ image: ProgramImage) throws -> LoadReport
    /// Replaces the loaded program's code with `code` (a program written for
    /// the same data memory and streams, such as a build's prefill),
    /// keeping data memory as it is.
    func replaceCode(_ code: [UInt64]) throws
    /// Writes `bytes` into data memory at `address`.
    func write(_ bytes: [UInt8], at address: Int) throws
    /// Reads `count` bytes of data memory at `address`.
    func read(count: Int, at address: Int) throws -> [UInt8]
    /// Runs the loaded program from instruction 0 with cleared registers and
    /// counters until it halts or faults, or `timeout` seconds pass (an
    /// error then; the engine must be loaded again).
    func run(timeout: Double) throws -> EngineRun
}

/// What putting an image in place cost.
public struct LoadReport: Sendable {
    /// Bytes moved: code and the whole data memory.
    public var bytes: Int
    /// Core-side cycles the transfer took, where the engine measures them (DMA).
    public var cycles: UInt64?
    public init(bytes: Int, cycles: UInt64? = nil) {
        self.bytes = bytes
        self.cycles = cycles
    }
}

/// One run of the program: how it ended and what was counted.
public struct EngineRun: Sendable {
    /// Saturated elements in all: the core's counter where there is one.
    public var saturationTotal: Int { counters.map { Int($0.saturations) } ?? saturations.total }

    public var instructions: Int
    /// The fault that stopped the program, nil when it halted.
    public var fault: (code: FaultCode, index: Int)?
    /// Saturated elements per instruction kind, where the engine knows them
    /// (a card knows only its SATURATIONS total: `counters`).
    public var saturations: SaturationCounts
    /// The core's counter registers, where there is a core.
    public var counters: CoreCounters?
    /// Engine-specific detail (the co-simulation report): tools that know
    /// the engine cast it; reports print its JSON.
    public var detail: (any EngineDetail)?

    public init(instructions: Int, fault: (code: FaultCode, index: Int)? = nil, saturations: SaturationCounts = SaturationCounts(),
                counters: CoreCounters? = nil, detail: (any EngineDetail)? = nil) {
        self.instructions = instructions
        self.fault = fault
        self.saturations = saturations
        self.counters = counters
        self.detail = detail
    }
}

/// An engine's own account of a run, as one JSON object.
public protocol EngineDetail: Sendable {
    var json: JSON { get }
}

/// The core's performance counters (its CSRs), read after a run.
public struct CoreCounters: Sendable, Equatable {
    public var cycles: UInt64
    /// Busy cycles of the load/store, vector, reduction and ternary units.
    public var busy: [UInt64]
    public var memoryStall: UInt64
    public var weightBeats: UInt64
    public var issueStall: UInt64
    public var saturations: UInt64
    /// Memory banks: the ternary unit takes up to two beats of each per cycle.
    public var banks: Int

    public init(cycles: UInt64, busy: [UInt64], memoryStall: UInt64, weightBeats: UInt64, issueStall: UInt64,
                saturations: UInt64, banks: Int) {
        self.cycles = cycles
        self.busy = busy
        self.memoryStall = memoryStall
        self.weightBeats = weightBeats
        self.issueStall = issueStall
        self.saturations = saturations
        self.banks = banks
    }

    /// Weight beats per cycle and bank: the fraction of the memory's beats the ternary unit streamed.
    public var utilization: Double { cycles == 0 ? 0 : Double(weightBeats) / (Double(cycles) * Double(max(banks, 1))) }
}

/// An engine failed in a way the program did not cause: the card is
/// missing, a transfer failed, a wait timed out.
public struct EngineError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }

    /// Refuses a `what` ("read", "write") of `count` bytes at `address` that
    /// leaves a data memory of `size` bytes.
    public static func checkRange(_ what: String, count: Int, at address: Int, size: Int) throws {
        guard address >= 0, count >= 0, address <= size, count <= size - address else {
            throw EngineError("\(what) of \(count) bytes at \(address) outside the data memory of \(size) bytes")
        }
    }
}
