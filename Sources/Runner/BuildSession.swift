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
///
/// A build for B streams runs B sequences per step (`step(streams:)`),
/// and with a prefill program B consecutive tokens of one sequence per run
/// (`prefill(_:)`, stream 0's state); the session puts the right program's
/// code in place before each run.
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
    let decodeCode: [UInt64]
    let prefillCode: [UInt64]?
    /// Whether the engine holds the prefill program's code now.
    var prefillLoaded = false

    public init(manifest: BuildManifest, program: ProgramImage, prefill: ProgramImage? = nil, memory: [UInt8], engine: Engine) throws {
        try Self.checkCompatible(manifest, engine.config)
        if memory.count != manifest.memorySize {
            throw RunnerError.incompatible("memory image of \(memory.count) bytes, the manifest says \(manifest.memorySize)")
        }
        guard (prefill != nil) == (manifest.prefillLength != nil) else {
            throw RunnerError.incompatible(prefill == nil ? "the manifest has a prefill length but no prefill program was given"
                                                          : "a prefill program was given for a build without a prefill length")
        }
        self.manifest = manifest
        self.engine = engine
        decodeCode = program.code
        prefillCode = prefill?.code
        var image = program
        image.data = [ProgramImage.DataSection(address: 0, bytes: memory)]
        load = try engine.load(image)
    }

    /// A build's programs (decode, and prefill when it has one) on `engine`.
    public convenience init(_ build: Build, engine: Engine) throws {
        try self.init(manifest: build.manifest, program: build.program, prefill: build.prefill?.program,
                      memory: build.memory, engine: engine)
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
        // A core of B streams runs a build of S <= B streams (S active, ISA.md "Streams").
        if have.streams < need.streams {
            problems.append("it is compiled for \(need.streams) stream(s), the core runs only \(have.streams) (generate the core with --batch \(need.streams))")
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
        try step(streams: [input])[0]
    }

    /// Runs one token whose input is already in the core's Q.F words
    /// (another card's `rawOutput`), so nothing is rounded between cards.
    /// On a build for several streams, this is stream 0 (the others run on zeros).
    public func step(encoded bytes: [UInt8]) throws -> Step {
        try run([bytes], prefill: false)[0]
    }

    /// Streams the build runs side by side.
    public var streams: Int { manifest.streams }
    /// The longest prompt `prefill` takes in all (nil: the build has no prefill program).
    public var prefillLength: Int? { manifest.prefillLength }

    /// One token of each of up to `streams` sequences: input k goes to
    /// stream k; streams without an input run on zeros and are not read.
    public func step(streams inputs: [[Float]]) throws -> [Step] {
        guard !inputs.isEmpty, inputs.count <= streams else {
            throw RunnerError.input("\(inputs.count) streams' inputs, the build runs \(streams) stream(s)")
        }
        return try encoded(inputs) { try run($0, prefill: false) }
    }

    /// B = `streams` consecutive tokens of the sequence whose state is
    /// stream 0's, in one run of the prefill program: step k is token k's
    /// (its output and block outputs; every step's states are the state
    /// after the last token).
    public func prefill(_ inputs: [[Float]]) throws -> [Step] {
        guard prefillCode != nil else { throw RunnerError.incompatible("the build has no prefill program (compile with --prefill T)") }
        guard inputs.count == streams else {
            throw RunnerError.input("a prefill run takes \(streams) tokens, got \(inputs.count)")
        }
        return try encoded(inputs) { try run($0, prefill: true) }
    }

    /// `body`'s steps for `inputs` in Q.F words, each with the count of its input's clamped elements.
    func encoded(_ inputs: [[Float]], _ body: ([[UInt8]]) throws -> [Step]) throws -> [Step] {
        let words = try inputs.map { x in
            guard x.count == manifest.input.count else {
                throw RunnerError.input("the input has \(x.count) elements, the build takes \(manifest.input.count)")
            }
            return try FixedPointVector.encode(x, fracBits: manifest.target.fracBits)
        }
        var steps = try body(words.map(\.bytes))
        for k in steps.indices { steps[k].clampedInputs = words[k].clamped }
        return steps
    }

    /// Writes each stream's input words, runs the decode or prefill program, reads every stream's results.
    func run(_ inputs: [[UInt8]], prefill: Bool) throws -> [Step] {
        let m = manifest, f = m.target.fracBits
        if prefill != prefillLoaded {
            try engine.replaceCode(prefill ? prefillCode! : decodeCode)
            prefillLoaded = prefill
        }
        for s in 0..<streams {
            let bytes = s < inputs.count ? inputs[s] : [UInt8](repeating: 0, count: 4 * m.input.count)
            guard bytes.count == 4 * m.input.count else {
                throw RunnerError.input("the input has \(bytes.count / 4) words, the build takes \(m.input.count)")
            }
            try engine.write(bytes, at: m.region(m.input, stream: s).address)
        }
        let run = try engine.run(timeout: timeout)
        if let fault = run.fault { throw RunnerError.fault("\(fault.code.name) at instruction \(fault.index)") }
        func raw(_ r: BuildManifest.Region, _ s: Int) throws -> [UInt8] { try engine.read(count: 4 * r.count, at: m.region(r, stream: s).address) }
        func read(_ r: BuildManifest.Region, _ s: Int) throws -> [Double] { FixedPointVector.decode(try raw(r, s), fracBits: f) }
        // Prefill keeps one state, stream 0's region: read once for every step.
        let sharedStates = prefill ? try m.states.map { try read($0, 0) } : nil
        return try (0..<inputs.count).map { s in
            let out = try raw(m.output, s)
            return Step(output: FixedPointVector.decode(out, fracBits: f), rawOutput: out,
                        layerOutputs: try m.layerOutputs.map { try read($0, s) },
                        states: try sharedStates ?? m.states.map { try read($0, s) }, run: run)
        }
    }

    public var loads: [LoadReport] { [load] }
    public var head: Bool { manifest.head }
    public var firstLayer: Int { manifest.firstLayer }

    /// Zeroes every compiled layer's recurrent state in data memory, of
    /// every stream: the next token starts new sequences.
    public func resetState() throws {
        for s in 0..<streams {
            for r in manifest.states {
                try engine.write([UInt8](repeating: 0, count: 4 * r.count), at: manifest.region(r, stream: s).address)
            }
        }
    }

    /// The whole data memory as the engine holds it now.
    public func dataMemory() throws -> [UInt8] { try engine.read(count: manifest.memorySize, at: 0) }
}
