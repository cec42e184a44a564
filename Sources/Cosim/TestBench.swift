import Foundation
import Core
import HDL
import HDLSim
import DeviceAPI
import ISA

/// What went wrong in the test bench itself (as opposed to a mismatch
/// between the core and the interpreter).
public enum TestBenchError: Error, CustomStringConvertible, Equatable {
    /// The test bench's C++ source or the model could not be set up.
    case setup(String)
    /// The core broke the Avalon-MM or CSR protocol (found by the C++ models).
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .setup(let m): return "test bench: \(m)"
        case .protocolViolation(let m): return "the core broke the bus protocol: \(m)"
        }
    }
}

/// How a test bench instance drives the core's memory and host ports.
public struct TestBenchOptions: Sendable, Equatable {
    /// Cycles from an accepted read command to its first beat (at least 1).
    public var latency: Int
    /// Probability per cycle and bank of `waitrequest` (and, at half of it, of a gap in the read data).
    public var backpressure: Double
    /// Seeds the back-pressure pattern.
    public var seed: UInt64
    /// Cycles between the host's STATUS polls while a program runs (0: no polling).
    public var pollInterval: Int
    /// When set, an FST waveform of the whole run is written there.
    public var waveform: URL?

    public init(latency: Int = 8, backpressure: Double = 0, seed: UInt64 = 1, pollInterval: Int = 64, waveform: URL? = nil) {
        self.latency = latency
        self.backpressure = backpressure
        self.seed = seed
        self.pollInterval = pollInterval
        self.waveform = waveform
    }

    /// Problems with these options, empty when usable.
    public var problems: [String] {
        var p: [String] = []
        if !(1...1000).contains(latency) { p.append("memory latency must be 1...1000 cycles, got \(latency)") }
        if !(backpressure >= 0 && backpressure < 1) { p.append("back-pressure probability must be in [0, 1), got \(backpressure)") }
        if pollInterval < 0 { p.append("poll interval must not be negative, got \(pollInterval)") }
        return p
    }
}

/// One retirement record as the core's retirement port presented it.
public struct RTLRetirement: Sendable, Equatable {
    public var index: UInt32
    public var opcode: UInt8
    /// The raw `retire_dest` code (the order of `InstructionDecoder.destinations`).
    public var destinationCode: UInt32
    public var destinationIndex: UInt32
    public var count: UInt32
    public var digest: UInt32
    /// Elements written that saturated (`retire_saturations`).
    public var saturations: UInt32 = 0
    /// The cycle (since the test bench was created) the record appeared in.
    public var cycle: UInt64

    /// The record in the interpreter's terms; nil for an unknown destination code.
    public var record: RetireRecord? {
        guard destinationCode < UInt32(InstructionDecoder.destinations.count) else { return nil }
        return RetireRecord(index: index, opcode: opcode, destination: InstructionDecoder.destinations[Int(destinationCode)],
                            destinationIndex: destinationIndex, count: count, digest: digest, saturations: saturations)
    }

    /// The trace line, as `RetireRecord.line`, or the raw fields.
    public var line: String {
        record?.line ?? "\(index) op\(opcode) dest-code-\(destinationCode) \(destinationIndex) \(count) \(Hex.digits(digest, 8))"
    }
}

/// A compiled test bench: the Verilated core together with the C++ memory,
/// host and retirement models of `sim/trit_cosim.cpp`, loaded into the
/// process. Make one per core design and create a `TestBench` per run.
public final class TestBenchModel {
    public let parameters: CoreParameters
    public let library: ModelLibrary
    let api: API

    /// Builds (or finds in the cache) the model of `design`, a core whose top
    /// level has the ports of `TritCore(params: parameters)`.
    public init(design: Design, parameters: CoreParameters, waveforms: Bool = false, cacheDirectory: URL? = nil) throws {
        if let problem = parameters.problems.first { throw TestBenchError.setup("core parameters: \(problem)") }
        self.parameters = parameters
        let sources = try TestBenchSource.modelExtensions()
        library = try ModelLibrary(design, extensions: sources, trace: waveforms, cacheDirectory: cacheDirectory)
        api = try API(library)
    }

    /// A fresh instance: the core just after power-up (reset not yet applied), memory empty.
    public func makeBench(_ options: TestBenchOptions) throws -> TestBench {
        if let p = options.problems.first { throw TestBenchError.setup(p) }
        if options.waveform != nil && !library.tracing {
            throw TestBenchError.setup("waveforms need a model built with waveforms: true")
        }
        var message = [CChar](repeating: 0, count: 1024)
        let handle = message.withUnsafeMutableBufferPointer { buffer in
            api.create(Int32(parameters.banks), Int32(parameters.dataBits), Int32(options.latency), options.backpressure,
                       options.seed, Int32(options.pollInterval), options.waveform?.path, buffer.baseAddress, Int32(buffer.count))
        }
        guard let handle else {
            throw TestBenchError.setup(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return TestBench(handle: handle, api: api, model: self)
    }

    /// The test bench's C entry points.
    struct API {
        typealias Create = @convention(c) (Int32, Int32, Int32, Double, UInt64, Int32, UnsafePointer<CChar>?,
                                           UnsafeMutablePointer<CChar>?, Int32) -> UnsafeMutableRawPointer?
        typealias Destroy = @convention(c) (UnsafeMutableRawPointer) -> Void
        typealias ErrorText = @convention(c) (UnsafeMutableRawPointer) -> UnsafePointer<CChar>
        typealias Reset = @convention(c) (UnsafeMutableRawPointer, Int32) -> Int32
        typealias WriteMemory = @convention(c) (UnsafeMutableRawPointer, UInt64, UnsafePointer<UInt8>?, UInt64) -> Void
        typealias ReadMemory = @convention(c) (UnsafeMutableRawPointer, UInt64, UnsafeMutablePointer<UInt8>?, UInt64) -> Void
        typealias CSRWrite = @convention(c) (UnsafeMutableRawPointer, Int32, UInt64) -> Int32
        typealias CSRRead = @convention(c) (UnsafeMutableRawPointer, Int32, UnsafeMutablePointer<UInt64>) -> Int32
        typealias Start = @convention(c) (UnsafeMutableRawPointer, UInt64, UInt64, UInt64, UInt64, UInt64) -> Int32
        typealias Step = @convention(c) (UnsafeMutableRawPointer, UInt64, UnsafeMutablePointer<UInt32>?, Int32,
                                         UnsafeMutablePointer<Int32>) -> Int32
        typealias Status = @convention(c) (UnsafeMutableRawPointer) -> UInt32
        typealias Cycle = @convention(c) (UnsafeMutableRawPointer) -> UInt64
        typealias Statistics = @convention(c) (UnsafeMutableRawPointer, UnsafeMutablePointer<UInt64>?, Int32) -> Void

        let create: Create
        let destroy: Destroy
        let error: ErrorText
        let reset: Reset
        let writeMemory: WriteMemory
        let readMemory: ReadMemory
        let csrWrite: CSRWrite
        let csrRead: CSRRead
        let start: Start
        let step: Step
        let status: Status
        let cycle: Cycle
        let statistics: Statistics

        init(_ l: ModelLibrary) throws {
            create = try l.function("trit_cosim_create", as: Create.self)
            destroy = try l.function("trit_cosim_destroy", as: Destroy.self)
            error = try l.function("trit_cosim_error", as: ErrorText.self)
            reset = try l.function("trit_cosim_reset", as: Reset.self)
            writeMemory = try l.function("trit_cosim_write_memory", as: WriteMemory.self)
            readMemory = try l.function("trit_cosim_read_memory", as: ReadMemory.self)
            csrWrite = try l.function("trit_cosim_csr_write", as: CSRWrite.self)
            csrRead = try l.function("trit_cosim_csr_read", as: CSRRead.self)
            start = try l.function("trit_cosim_start", as: Start.self)
            step = try l.function("trit_cosim_step", as: Step.self)
            status = try l.function("trit_cosim_status", as: Status.self)
            cycle = try l.function("trit_cosim_cycle", as: Cycle.self)
            statistics = try l.function("trit_cosim_statistics", as: Statistics.self)
        }
    }
}

/// One running instance of a `TestBenchModel`: drive it from one thread.
public final class TestBench {
    /// Why `step` returned.
    public enum StepResult: Int32, Sendable {
        case running = 0, halted = 1, faulted = 2, cycleLimit = 3
    }

    /// The core's `busy`, `halted` and `faulted` outputs in the last cycle.
    public struct PortStatus: Sendable, Equatable {
        public var busy, halted, faulted: Bool
        public init(busy: Bool, halted: Bool, faulted: Bool) {
            self.busy = busy
            self.halted = halted
            self.faulted = faulted
        }
    }

    /// The memory and host models' own counters.
    public struct Statistics: Sendable, Equatable {
        public var cycles: UInt64
        public var statusPolls: UInt64
        public var lastPolledStatus: UInt64
        public var readCommands: [UInt64]
        public var readBeats: [UInt64]
        public var writeBeats: [UInt64]
        /// Cycles a bank held a command with waitrequest.
        public var heldCycles: [UInt64]
    }

    let handle: UnsafeMutableRawPointer
    let api: TestBenchModel.API
    public let model: TestBenchModel
    /// Words per record from `trit_cosim_step` (`recordWords` in the C++ source).
    static let recordWords = 9
    private var buffer = [UInt32](repeating: 0, count: recordWords * 64)

    init(handle: UnsafeMutableRawPointer, api: TestBenchModel.API, model: TestBenchModel) {
        self.handle = handle
        self.api = api
        self.model = model
    }

    deinit { api.destroy(handle) }

    private func check(_ code: Int32) throws {
        if code < 0 { throw TestBenchError.protocolViolation(String(cString: api.error(handle))) }
    }

    /// Holds `rst` for `cycles` cycles; clears the bus models' queues.
    public func reset(cycles: Int = 2) throws { try check(api.reset(handle, Int32(cycles))) }

    /// Writes bytes into the banks' global byte address space (no cycles pass).
    public func writeMemory(_ address: UInt64, _ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { api.writeMemory(handle, address, $0.baseAddress, UInt64($0.count)) }
    }

    public func readMemory(_ address: UInt64, count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { api.readMemory(handle, address, $0.baseAddress, UInt64(count)) }
        return out
    }

    /// A CSR write through the slave port (cycles pass; the core keeps running).
    public func csrWrite(_ register: CSR, _ value: UInt64) throws {
        try check(api.csrWrite(handle, Int32(register.rawValue), value))
    }

    public func csrRead(_ register: CSR) throws -> UInt64 {
        var value: UInt64 = 0
        try check(api.csrRead(handle, Int32(register.rawValue), &value))
        return value
    }

    /// The host protocol: STREAMS (the program's), CODE_BASE, CODE_LENGTH,
    /// DATA_BASE, DATA_SIZE, TIMEOUT, then CONTROL.start.
    public func start(_ placement: ProgramPlacement, timeout: UInt64 = 0) throws {
        try csrWrite(.streams, UInt64(placement.streams))
        try check(api.start(handle, placement.codeBase, UInt64(placement.codeLength), placement.dataBase,
                            placement.dataSize, timeout))
    }

    /// Runs until at least one retirement record, the core halts or faults
    /// (returned with the last records), or `maxCycles` pass.
    public func step(maxCycles: UInt64) throws -> (StepResult, [RTLRetirement]) {
        var count: Int32 = 0
        let n = Self.recordWords
        let capacity = Int32(buffer.count / n)
        let code = buffer.withUnsafeMutableBufferPointer { api.step(handle, maxCycles, $0.baseAddress, capacity, &count) }
        try check(code)
        var records: [RTLRetirement] = []
        for i in 0..<Int(count) {
            let w = buffer[(n * i)..<(n * i + n)].map { $0 }
            records.append(RTLRetirement(index: w[0], opcode: UInt8(truncatingIfNeeded: w[1]), destinationCode: w[2],
                                         destinationIndex: w[3], count: w[4], digest: w[5], saturations: w[8],
                                         cycle: UInt64(w[6]) | UInt64(w[7]) << 32))
        }
        return (StepResult(rawValue: code) ?? .running, records)
    }

    /// Cycles simulated since the instance was created.
    public var cycle: UInt64 { api.cycle(handle) }

    public var portStatus: PortStatus {
        let s = api.status(handle)
        return PortStatus(busy: s & 1 != 0, halted: s & 2 != 0, faulted: s & 4 != 0)
    }

    public var statistics: Statistics {
        let banks = model.parameters.banks
        var raw = [UInt64](repeating: 0, count: 3 + 4 * banks)
        raw.withUnsafeMutableBufferPointer { api.statistics(handle, $0.baseAddress, Int32($0.count)) }
        func column(_ k: Int) -> [UInt64] { (0..<banks).map { raw[3 + 4 * $0 + k] } }
        return Statistics(cycles: raw[0], statusPolls: raw[1], lastPolledStatus: raw[2], readCommands: column(0),
                          readBeats: column(1), writeBeats: column(2), heldCycles: column(3))
    }
}
