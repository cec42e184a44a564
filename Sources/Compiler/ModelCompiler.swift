import Assembler
import ISA
import Model

/// Progress of a compile: called after each tensor is converted.
public struct CompileProgress: Sendable, Equatable {
    public var completed: Int
    public var total: Int
    /// The tensor just converted.
    public var tensor: String
}

/// Checkpoint to build: quantizes and packs the weights of blocks `layers`
/// (and the head), plans data memory, generates the token-step program and
/// assembles it for `target`. `packing` chooses the matrices' format
/// (lossless either way: the same trits, 2 bits or 1.6 bits each).
///
/// A target of B > 1 streams gets a program for B independent sequences
/// and, with `prefill` (T, the longest prompt the build takes, a multiple
/// of B), a second program that runs B consecutive tokens of one sequence
/// per weight pass; both use the same data memory.
public enum ModelCompiler {
    public static func compile(_ weights: WeightSource, layers requested: ClosedRange<Int>? = nil, head: Bool,
                               target: CoreConfig = .standard, packing: WeightPacking = .twoBit, prefill: Int? = nil,
                               progress: ((CompileProgress) -> Void)? = nil) throws -> Build {
        let c = weights.config
        try checkShape(c)
        let layers = requested ?? 0...(c.layers - 1)
        guard layers.lowerBound >= 0, layers.upperBound < c.layers else {
            throw CompileError("layers \(layers.lowerBound)...\(layers.upperBound) are outside the model's layers 0...\(c.layers - 1)")
        }
        if head && layers.upperBound != c.layers - 1 {
            throw CompileError("the head follows the last block: with head, the layers must end at \(c.layers - 1), not \(layers.upperBound)")
        }
        try checkTarget(target, c)
        try checkPrefill(prefill, streams: target.streams)
        let eps = try NormEpsilons(c, fracBits: target.fracBits)
        let plan = try MemoryPlan.make(c, layers: layers, head: head, maxVectorLength: target.maxVectorLength,
                                     packing: packing, streams: target.streams)
        let needed = neededTensors(plan, c, layers: layers)
        try checkTensors(weights, needed)

        func generate(_ kind: StreamKind, file: String) throws -> (assembly: String, program: ProgramImage) {
            let generator = ProgramGenerator(config: c, layers: layers, head: head, target: target, plan: plan, eps: eps, streams: kind)
            let assembly = generator.assembly()
            switch Assembler(config: target).assemble(assembly, file: file) {
            case .success(let image): return (assembly, image)
            case .failure(let errors):
                throw CompileError("internal error: the generated program does not assemble:\n\(errors)")
            }
        }
        let (assembly, program) = try generate(target.streams > 1 ? .batch : .single, file: Build.assemblyFile)
        let prefillProgram = try prefill.map { _ in try generate(.prefill, file: Build.prefillAssemblyFile) }

        let total = needed.count
        var done = 0
        func report(_ tensor: String) {
            done += 1
            progress?(CompileProgress(completed: done, total: total, tensor: tensor))
        }
        let memory = try MemoryImageBuilder(weights: weights, plan: plan, fracBits: target.fracBits, progress: report).build()
        var embeddings: [Float]? = nil
        if layers.lowerBound == 0 {
            let e = try weights.floats(TensorNames.embeddings)
            guard e.count == c.vocabSize * c.hiddenSize else {
                throw CompileError(tensor: TensorNames.embeddings, "has \(e.count) values, expected \(c.vocabSize * c.hiddenSize)")
            }
            embeddings = e
            report(TensorNames.embeddings)
        }

        func region(_ name: String) -> BuildManifest.Region {
            let r = plan.region(name)!
            return BuildManifest.Region(address: r.address, count: r.elements!)
        }
        let manifest = BuildManifest(
            model: c, firstLayer: layers.lowerBound, layerCount: layers.count, head: head, target: target, packing: Int(packing.rawValue),
            memorySize: plan.size, input: region("INPUT"),
            output: region(head ? "OUTPUT" : Names.output(layers.upperBound)),
            states: layers.map { region(Names.state($0)) }, layerOutputs: layers.map { region(Names.output($0)) },
            instructions: program.code.count, weightBytes: plan.matrixBytes,
            streamStride: plan.streamStride, prefillLength: prefill)
        return Build(manifest: manifest, plan: plan, assembly: assembly, program: program, prefill: prefillProgram,
                     memory: memory, embeddings: embeddings)
    }

    /// A prefill length needs streams to put the prompt's tokens on, and whole runs of them.
    static func checkPrefill(_ prefill: Int?, streams: Int) throws {
        guard let t = prefill else { return }
        guard streams > 1 else {
            throw CompileError("--prefill runs B tokens of a prompt per weight pass on B streams: it needs --batch of at least 2")
        }
        guard t >= streams, t % streams == 0 else {
            throw CompileError("--prefill \(t) must be a positive multiple of the batch \(streams) (whole runs of \(streams) tokens)")
        }
    }

    static func checkShape(_ c: ModelConfig) throws {
        guard c.hiddenSize >= 1, c.intermediateSize >= 1, c.layers >= 1, c.vocabSize >= 1 else {
            throw CompileError("model shape d = \(c.hiddenSize), I = \(c.intermediateSize), \(c.layers) layers, vocab \(c.vocabSize): every size must be at least 1")
        }
    }

    /// The target must hold the longest vector and have the registers the generated code uses.
    static func checkTarget(_ t: CoreConfig, _ c: ModelConfig) throws {
        let p = t.problems
        if !p.isEmpty { throw CompileError("bad target: " + p.joined(separator: "; ")) }
        let longest = max(c.hiddenSize, c.intermediateSize)
        guard longest <= t.maxVectorLength else {
            throw CompileError("the target's max vector length \(t.maxVectorLength) is below the model's longest vector (d = \(c.hiddenSize), I = \(c.intermediateSize)); it needs at least \(longest)")
        }
        guard t.vectorRegisters >= Registers.vectorCount, t.scalarRegisters >= Registers.scalarCount else {
            throw CompileError("the generated code needs \(Registers.vectorCount) vector and \(Registers.scalarCount) scalar registers; the target has \(t.vectorRegisters) and \(t.scalarRegisters)")
        }
    }

    /// Every tensor the build reads, with the shape the model's config implies.
    static func neededTensors(_ plan: MemoryPlan, _ c: ModelConfig, layers: ClosedRange<Int>) -> [(name: String, shape: [Int])] {
        var names: [String] = []
        for r in plan.regions {
            switch r.content {
            case .normWeight(let t): names.append(t)
            case .matrix(let t, _, _): if names.last != t { names.append(t) }
            case .lowerBound: if !names.contains(TensorNames.lowerBounds) { names.append(TensorNames.lowerBounds) }
            default: break
            }
        }
        if layers.lowerBound == 0 { names.append(TensorNames.embeddings) }
        let shapes = Dictionary(TensorNames.required(c).map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
        return names.map { ($0, shapes[$0] ?? []) }
    }

    static func checkTensors(_ w: WeightSource, _ needed: [(name: String, shape: [Int])]) throws {
        for (name, shape) in needed {
            guard let s = w.shape(name) else { throw CompileError(tensor: name, "missing tensor") }
            guard s == shape else { throw CompileError(tensor: name, "shape \(s), expected \(shape)") }
        }
    }
}
