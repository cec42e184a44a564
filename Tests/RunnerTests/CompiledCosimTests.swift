import Compiler
import Core
import Cosim
import Foundation
import HDL
import ISA
import Interpreter
import Model
import Runner
import Testing
import TestSupport

/// Compiled model builds on the generated core in lock step with the
/// interpreter (every retirement and the final memory of every token are
/// compared inside `CoSimulation`), and the outputs equal the interpreter's.
@Suite(.serialized) struct CompiledCosimTests {
    /// Runs `tokens` through the build on the core and on the interpreter alone.
    func compare(_ build: Build, _ params: CoreParameters, tokens: [Int], options: TestBenchOptions) throws -> TokenRun {
        let clock = ContinuousClock.now
        let model = try TestBenchModel(design: elaborate(TritCore(params: params)), parameters: params)
        if !model.library.build.cacheHit { print("core model (max VL \(params.isa.maxVectorLength)) built in \(ContinuousClock.now - clock)") }
        let m = build.manifest
        let table = try EmbeddingTable(vocab: m.model.vocabSize, width: m.model.hiddenSize, values: try #require(build.embeddings))
        let inputs = try tokens.map { try table.row($0) }
        let core = try BuildSession(manifest: m, program: build.program, memory: build.memory,
                                    engine: CosimEngine(CoSimulation(model: model, options: options)))
        let golden = try BuildSession(manifest: m, program: build.program, memory: build.memory,
                                      engine: InterpreterEngine(config: params.isa))
        let onCore = try TokenRun.run(core, inputs: inputs)
        let onInterpreter = try TokenRun.run(golden, inputs: inputs)
        for (a, b) in zip(onCore.tokens, onInterpreter.tokens) {
            #expect(a.step.output == b.step.output)
            #expect(a.step.states == b.step.states)
        }
        #expect(try core.dataMemory() == golden.dataMemory())
        return onCore
    }

    @Test func twoLayersWithHeadAtWidth64() throws {
        let seed = testSeed(64)
        let weights = SyntheticCheckpoint(config: ModelConfig(hiddenSize: 64, layers: 2, vocabSize: 256), seed: seed).inMemory()
        let params = CoreParameters(isa: CoreConfig(maxVectorLength: 256), dataBits: 512)
        let build = try ModelCompiler.compile(weights, head: true, target: params.isa)
        let run = try compare(build, params, tokens: [5, 17, 5], options: TestBenchOptions(latency: 20, backpressure: 0.2, seed: seed))
        let cycles = run.tokens.map { $0.step.counters!.cycles }
        print("d = 64, 2 layers + head: \(build.manifest.instructions) instructions, cycles per token \(cycles) (seed \(seed))")
        #expect(run.tokens.allSatisfy { ($0.step.run.detail as? CoSimulationReport)?.result == .halted })
    }

    /// The paper's width: one block at d = 512 on a core with the D5005's
    /// memory width (max VL cut to 2048 to keep the build small).
    @Test func oneBlockAtWidth512() throws {
        let seed = testSeed(512)
        let weights = SyntheticCheckpoint(config: ModelConfig(hiddenSize: 512, layers: 2, vocabSize: 256), seed: seed).inMemory()
        let params = CoreParameters(isa: CoreConfig(maxVectorLength: 2048), dataBits: 512)
        let build = try ModelCompiler.compile(weights, layers: 0...0, head: false, target: params.isa)
        let run = try compare(build, params, tokens: [3, 9], options: TestBenchOptions(latency: 20, backpressure: 0.1, seed: seed))
        let matrices = build.plan.regions.filter { if case .matrix = $0.content { return true }; return false }.count
        for t in run.tokens {
            let r = try #require(t.step.run.detail as? CoSimulationReport)
            print("d = 512 block: \(r.summary)")
            // Every row beat of the block's seven matrices is consumed exactly once (headers are not weight beats).
            #expect(matrices == 7)
            let headerBeats = TernaryMatrix.headerBytes / TernaryMatrix.beatBytes
            #expect(r.weightBeats == UInt64(build.manifest.weightBytes / 64 - headerBeats * matrices))
        }
    }

    /// A 2-layer model with its head at B = 4 streams and a prefill of 8 on
    /// the batched core (the core of the batched random programs, so its
    /// model is built once): decode steps of four sequences, then a prompt
    /// by prefill and a decode step after it, each run in lock step, and
    /// every stream's outputs and the memory equal the interpreter's.
    @Test func twoLayersBatchedAndPrefilledInLockStep() throws {
        let seed = testSeed(0xBA7)
        let weights = SyntheticCheckpoint(config: ModelConfig(hiddenSize: 32, intermediateSize: 64, layers: 2, vocabSize: 64),
                                          seed: seed).inMemory()
        let params = CoreParameters(isa: CoreConfig(maxVectorLength: 64, streams: 4), dataBits: 512)
        let build = try ModelCompiler.compile(weights, head: true, target: params.isa, prefill: 8)
        let model = try TestBenchModel(design: elaborate(TritCore(params: params)), parameters: params)
        let options = TestBenchOptions(latency: 20, backpressure: 0.2, seed: seed)
        let core = try BuildSession(build, engine: CosimEngine(CoSimulation(model: model, options: options)))
        let golden = try BuildSession(build, engine: InterpreterEngine(config: params.isa))
        let table = try EmbeddingTable(vocab: 64, width: 32, values: try #require(build.embeddings))
        let sequences = try [[5, 17], [3, 3], [60, 1], [0, 42]].map { try $0.map { try table.row($0) } }
        let onCore = try TokenRun.run(core, streams: sequences), onInterpreter = try TokenRun.run(golden, streams: sequences)
        for (a, b) in zip(onCore, onInterpreter) {
            let same = a.tokens.map(\.step.output) == b.tokens.map(\.step.output) && a.tokens.map(\.step.states) == b.tokens.map(\.step.states)
            #expect(same, "decode (seed \(seed))")
        }
        try core.resetState(); try golden.resetState()
        let prompt = try (0..<8).map { try table.row(($0 * 7 + 1) % 64) }
        for start in [0, 4] {
            let a = try core.prefill(Array(prompt[start..<(start + 4)])), b = try golden.prefill(Array(prompt[start..<(start + 4)]))
            #expect(a.map(\.output) == b.map(\.output) && a[3].states == b[3].states, "prefill run at \(start) (seed \(seed))")
        }
        #expect(try core.step(table.row(9)).output == golden.step(table.row(9)).output, "decode after prefill (seed \(seed))")
        #expect(try core.dataMemory() == golden.dataMemory())
    }
}
