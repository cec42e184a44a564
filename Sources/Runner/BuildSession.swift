import Compiler
import Cosim
import ISA
import Interpreter

/// Runs a compiled build one token at a time, the way a host drives the
/// board: write the token's input vector into data memory, start the program,
/// read the results. The recurrent state stays in data memory between tokens.
///
/// Two engines run the same program: the interpreter (the golden model) and
/// co-simulation (the generated core in Verilator, in lock step with the
/// interpreter, so every token is also checked).
public final class BuildSession {
    public enum Engine {
        case interpreter(CoreConfig)
        case cosimulation(CoSimulation)

        var config: CoreConfig {
            switch self {
            case .interpreter(let c): return c
            case .cosimulation(let c): return c.parameters.isa
            }
        }
    }

    /// What one token step produced.
    public struct Step {
        /// The `output` region: the last block's hidden state, or logits.
        public var output: [Double]
        /// Each compiled block's output and recurrent state after this token.
        public var layerOutputs: [[Double]]
        public var states: [[Double]]
        public var instructions: Int
        /// The core's counters for this token (co-simulation only).
        public var cosimulation: CoSimulationReport?
        /// Elements the interpreter saturated in this token, per instruction kind
        /// (in co-simulation the core's count agreed with their total).
        public var saturations = SaturationCounts()
        /// Elements of the input outside the Q.F range, clamped when written.
        public var clampedInputs = 0
    }

    public let manifest: BuildManifest
    public let program: ProgramImage
    public let engine: Engine
    /// The data memory between tokens.
    public private(set) var memory: [UInt8]
    /// Called with every retirement record of the interpreter (trace files).
    public var onRetire: ((RetireRecord) -> Void)?
    private var machine: Machine?

    public init(manifest: BuildManifest, program: ProgramImage, memory: [UInt8], engine: Engine) throws {
        try Self.checkCompatible(manifest, engine.config)
        if memory.count != manifest.memorySize {
            throw RunnerError.incompatible("memory image of \(memory.count) bytes, the manifest says \(manifest.memorySize)")
        }
        self.manifest = manifest
        self.program = program
        self.memory = memory
        self.engine = engine
    }

    /// Refuses a core configuration the build cannot run on (checked before
    /// an expensive core model is built).
    public static func checkCompatible(_ manifest: BuildManifest, _ have: CoreConfig) throws {
        let need = manifest.target
        var problems: [String] = []
        if have.fracBits != need.fracBits { problems.append("it was compiled for \(need.formatName), the core has \(have.formatName)") }
        if have.maxVectorLength < manifest.requiredVectorLength {
            problems.append("it needs vectors of \(manifest.requiredVectorLength) elements, the core holds \(have.maxVectorLength)")
        }
        if have.vectorRegisters < need.vectorRegisters || have.scalarRegisters < need.scalarRegisters {
            problems.append("it uses \(need.vectorRegisters) vector and \(need.scalarRegisters) scalar registers, the core has "
                            + "\(have.vectorRegisters) and \(have.scalarRegisters)")
        }
        guard problems.isEmpty else { throw RunnerError.incompatible(problems.joined(separator: "; ")) }
    }

    /// The model's hidden size d (the length of every input).
    public var width: Int { manifest.model.hiddenSize }

    /// Runs one token whose input (the hidden state entering the first
    /// compiled block) is `input`.
    public func step(_ input: [Float]) throws -> Step {
        guard input.count == manifest.input.count else {
            throw RunnerError.input("the input has \(input.count) elements, the build takes \(manifest.input.count)")
        }
        let f = manifest.target.fracBits
        var report: CoSimulationReport?
        let instructions: Int, saturations: SaturationCounts, clampedInputs: Int
        switch engine {
        case .interpreter(let config):
            let m = try machine ?? Machine(image: imageWithMemory(), config: config)
            machine = m
            m.onRetire = onRetire
            clampedInputs = try FixedPointVector.write(input, fracBits: f, into: &m.memory, at: manifest.input.address)
            m.restart()
            switch m.run() {
            case .faulted(let fault): throw RunnerError.fault("\(fault)")
            case .running: throw RunnerError.fault("the program did not halt")
            case .halted: break
            }
            instructions = m.retired
            saturations = m.saturations
            memory = m.memory
        case .cosimulation(let cosim):
            clampedInputs = try FixedPointVector.write(input, fracBits: f, into: &memory, at: manifest.input.address)
            let r = try cosim.run(imageWithMemory())
            if let fault = r.fault { throw RunnerError.fault("\(fault.code.name) at instruction \(fault.index)") }
            memory = cosim.finalMemory
            instructions = r.instructions
            saturations = r.interpreterSaturations
            report = r
        }
        let read = { (r: BuildManifest.Region) in FixedPointVector.read(self.memory, fracBits: f, at: r.address, count: r.count) }
        return Step(output: read(manifest.output), layerOutputs: manifest.layerOutputs.map(read),
                    states: manifest.states.map(read), instructions: instructions, cosimulation: report,
                    saturations: saturations, clampedInputs: clampedInputs)
    }

    /// Zeroes every compiled layer's recurrent state in data memory: the next
    /// token starts a new sequence (a host does the same with one write per region).
    public func resetState() {
        for r in manifest.states {
            let bytes = r.address..<(r.address + 4 * r.count)
            memory.replaceSubrange(bytes, with: repeatElement(0, count: bytes.count))
            machine?.memory.replaceSubrange(bytes, with: repeatElement(0, count: bytes.count))
        }
    }

    /// The program with the current data memory as its one data section.
    func imageWithMemory() -> ProgramImage {
        var image = program
        image.data = [ProgramImage.DataSection(address: 0, bytes: memory)]
        return image
    }
}
