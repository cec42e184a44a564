import Compiler
import DeviceAPI
import ISA

/// Runs a compiled build one token at a time, the way a host drives the
/// board: the program and memory image go to the engine once; then per
/// token, write the token's input vector into data memory, run the program,
/// read the results. The recurrent state stays in data memory between tokens.
///
/// The engine is anything that implements `DeviceAPI.Engine`: the golden
/// interpreter, co-simulation of the generated core (in lock step with the
/// interpreter, so every token is also checked), or a card through OPAE.
public final class BuildSession: TokenStepper {
    /// What one token step produced.
    public struct Step {
        /// The `output` region: the last block's hidden state, or logits.
        public var output: [Double]
        /// The same as the core holds it (Q.F words): what the next card takes as its input.
        public var rawOutput: [UInt8]
        /// Each compiled block's output and recurrent state after this token.
        public var layerOutputs: [[Double]]
        public var states: [[Double]]
        /// How the program ran: instructions, saturations, the core's counters.
        public var run: EngineRun
        /// Elements of the input outside the Q.F range, clamped when written.
        public var clampedInputs = 0

        public var instructions: Int { run.instructions }
        /// Elements saturated per instruction kind (where the engine knows them).
        public var saturations: SaturationCounts { run.saturations }
        /// The core's counters for this token (engines with a core).
        public var counters: CoreCounters? { run.counters }
    }

    public let manifest: BuildManifest
    public let engine: Engine
    /// What loading the program and memory image cost.
    public let load: LoadReport
    /// Seconds a token may take on the engine before it is given up.
    public var timeout = 600.0

    public init(manifest: BuildManifest, program: ProgramImage, memory: [UInt8], engine: Engine) throws {
        try Self.checkCompatible(manifest, engine.config)
        if memory.count != manifest.memorySize {
            throw RunnerError.incompatible("memory image of \(memory.count) bytes, the manifest says \(manifest.memorySize)")
        }
        self.manifest = manifest
        self.engine = engine
        var image = program
        image.data = [ProgramImage.DataSection(address: 0, bytes: memory)]
        load = try engine.load(image)
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
        let (bytes, clamped) = try FixedPointVector.encode(input, fracBits: manifest.target.fracBits)
        var step = try step(encoded: bytes)
        step.clampedInputs = clamped
        return step
    }

    /// Runs one token whose input is already in the core's Q.F words
    /// (another card's `rawOutput`), so nothing is rounded between cards.
    public func step(encoded bytes: [UInt8]) throws -> Step {
        guard bytes.count == 4 * manifest.input.count else {
            throw RunnerError.input("the input has \(bytes.count / 4) words, the build takes \(manifest.input.count)")
        }
        let f = manifest.target.fracBits
        try engine.write(bytes, at: manifest.input.address)
        let run = try engine.run(timeout: timeout)
        if let fault = run.fault { throw RunnerError.fault("\(fault.code.name) at instruction \(fault.index)") }
        let raw = { (r: BuildManifest.Region) in try self.engine.read(count: 4 * r.count, at: r.address) }
        let read = { (r: BuildManifest.Region) in FixedPointVector.decode(try raw(r), fracBits: f) }
        let out = try raw(manifest.output)
        return Step(output: FixedPointVector.decode(out, fracBits: f), rawOutput: out,
                    layerOutputs: try manifest.layerOutputs.map(read), states: try manifest.states.map(read), run: run)
    }

    public var loads: [LoadReport] { [load] }
    public var head: Bool { manifest.head }
    public var firstLayer: Int { manifest.firstLayer }

    /// Zeroes every compiled layer's recurrent state in data memory: the next
    /// token starts a new sequence.
    public func resetState() throws {
        for r in manifest.states { try engine.write([UInt8](repeating: 0, count: 4 * r.count), at: r.address) }
    }

    /// The whole data memory as the engine holds it now.
    public func dataMemory() throws -> [UInt8] { try engine.read(count: manifest.memorySize, at: 0) }
}
