import DeviceAPI
import ISA

/// Lock-step co-simulation as an `Engine`: every run loads the program and
/// the engine's data memory into the Verilated core's memory model, runs it
/// beside the interpreter (a disagreement is an error, `CoSimulationFailure`)
/// and keeps the final data memory. `EngineRun.detail` is the
/// `CoSimulationReport`. The run's length is bounded by the co-simulation's
/// `maxCycles`, not by wall-clock time.
public final class CosimEngine: Engine {
    public let cosim: CoSimulation
    private var image: ProgramImage?
    private var memory: [UInt8] = []

    public init(_ cosim: CoSimulation) { self.cosim = cosim }

    public var config: CoreConfig { cosim.parameters.isa }
    public var summary: String {
        let p = cosim.parameters
        return "co-simulation (\(p.dataBits)-bit beats, \(p.banks) bank(s), memory latency \(cosim.options.latency))"
    }

    public func load(_ image: ProgramImage) throws -> LoadReport {
        self.image = image
        memory = image.memory()
        return LoadReport(bytes: image.code.count * 8 + memory.count)
    }

    public func replaceCode(_ code: [UInt64]) throws {
        guard image != nil else { throw EngineError("co-simulation has no program loaded") }
        image!.code = code
    }

    public func write(_ bytes: [UInt8], at address: Int) throws {
        guard image != nil else { throw EngineError("co-simulation has no program loaded") }
        try EngineError.checkRange("write", count: bytes.count, at: address, size: memory.count)
        memory.replaceSubrange(address..<(address + bytes.count), with: bytes)
    }

    public func read(count: Int, at address: Int) throws -> [UInt8] {
        try EngineError.checkRange("read", count: count, at: address, size: memory.count)
        return Array(memory[address..<(address + count)])
    }

    public func run(timeout: Double) throws -> EngineRun {
        guard var run = image else { throw EngineError("co-simulation has no program loaded") }
        run.data = [ProgramImage.DataSection(address: 0, bytes: memory)]
        let r = try cosim.run(run)
        memory = cosim.finalMemory
        return EngineRun(instructions: r.instructions, fault: r.fault, saturations: r.interpreterSaturations,
                         counters: r.counters, detail: r)
    }
}

extension CoSimulationReport: EngineDetail {
    /// The core's counters as every engine reports them.
    public var counters: CoreCounters {
        CoreCounters(cycles: cycles, busy: busy, memoryStall: memoryStall, weightBeats: weightBeats, issueStall: issueStall,
                     saturations: saturations, banks: banks)
    }
}
