import DeviceAPI
import ISA

/// The golden interpreter as an `Engine`: a `Machine` whose data memory is
/// the engine's. No core, so no cycles: `EngineRun.counters` is nil and the
/// saturations are known per instruction kind.
public final class InterpreterEngine: Engine {
    public let config: CoreConfig
    /// Called with every retirement record (trace files).
    public var onRetire: ((RetireRecord) -> Void)?
    public private(set) var machine: Machine?

    public init(config: CoreConfig) { self.config = config }

    public var summary: String { "interpreter (\(config.formatName), max VL \(config.maxVectorLength))" }

    public func load(_ image: ProgramImage) throws -> LoadReport {
        machine = try Machine(image: image, config: config)
        return LoadReport(bytes: image.code.count * 8 + Int(image.memorySize))
    }

    public func replaceCode(_ code: [UInt64]) throws { try loaded().code = code }

    func loaded() throws -> Machine {
        guard let machine else { throw EngineError("the interpreter has no program loaded") }
        return machine
    }

    public func write(_ bytes: [UInt8], at address: Int) throws {
        let m = try loaded()
        try EngineError.checkRange("write", count: bytes.count, at: address, size: m.memory.count)
        m.memory.withUnsafeMutableBufferPointer { mem in
            for (k, b) in bytes.enumerated() { mem[address + k] = b }
        }
    }

    public func read(count: Int, at address: Int) throws -> [UInt8] {
        let m = try loaded()
        try EngineError.checkRange("read", count: count, at: address, size: m.memory.count)
        return Array(m.memory[address..<(address + count)])
    }

    /// The interpreter always finishes: `timeout` is not needed to stop it.
    public func run(timeout: Double) throws -> EngineRun {
        let m = try loaded()
        m.onRetire = onRetire
        m.restart()
        let fault: (code: FaultCode, index: Int)?
        switch m.run() {
        case .faulted(let f): fault = (f.code, f.index)
        case .running: throw EngineError("the program did not halt")
        case .halted: fault = nil
        }
        return EngineRun(instructions: m.retired, fault: fault, saturations: m.saturations)
    }
}
