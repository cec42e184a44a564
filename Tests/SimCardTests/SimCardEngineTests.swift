import Assembler
import Compiler
import Core
import DeviceAPI
import Foundation
import ISA
import Interpreter
import Model
import OPAE
import Runner
import Testing
import TestSupport

/// `OPAEEngine`, the host code a D5005 runs under, against the simulated
/// card: programs and data go in by DMA, run from the CSRs, and come back
/// by DMA bit for bit equal to the interpreter's.
extension SimCardTests {
    @Test func theISAExamplesRunAsOnTheInterpreter() throws {
        let seed = testSeed(0xE7)
        SimCardFixture.configure(["SEED": "\(seed)", "BACKPRESSURE": "0.1"])
        let engine = try OPAEEngine(library: SimCardFixture.library, bufferBytes: 64 * 1024)
        #expect(engine.config == p.isa && engine.beatBytes == p.beatBytes)
        let directory = repositoryRoot + "/isa/examples"
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".s") }.sorted()
        #expect(files.count >= 6)
        for file in files {
            let source = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            let image = try Assembler(config: p.isa).assemble(source, file: file).get()
            // A program of more streams than the card's core runs is refused at load.
            guard image.streams <= engine.config.streams else {
                #expect(throws: OPAEError.self, "\(file)") { _ = try engine.load(image) }
                continue
            }
            let golden = InterpreterEngine(config: p.isa)
            _ = try golden.load(image)
            let expected = try golden.run(timeout: 60)
            let load = try engine.load(image)
            let run = try engine.run(timeout: 60)
            #expect(run.fault == nil && expected.fault == nil, "\(file): \(String(describing: run.fault))")
            #expect(run.instructions == expected.instructions, "\(file)")
            #expect(run.saturationTotal == expected.saturationTotal, "\(file)")
            let size = Int(image.memorySize)
            #expect(try engine.read(count: size, at: 0) == golden.read(count: size, at: 0), "\(file) (seed \(seed)): memory differs")
            print("simulated card, \(file): \(run.instructions) instructions in \(run.counters?.cycles ?? 0) cycles, "
                  + "loaded in \(load.cycles ?? 0) DMA cycles (seed \(seed))")
        }
    }

    /// A compiled model (d = 64, 2 layers and the head) token by token, the
    /// state carried in card memory: every output and state equal to the
    /// interpreter's, and the whole data memory at the end.
    @Test func aCompiledModelGivesTheInterpretersOutputs() throws {
        let seed = testSeed(0x64)
        let stats = FileManager.default.temporaryDirectory.appendingPathComponent("trit-simcard-model-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: stats) }
        SimCardFixture.configure(["SEED": "\(seed)", "BACKPRESSURE": "0.1", "LATENCY": "20", "STATS": stats.path])
        let weights = SyntheticCheckpoint(config: ModelConfig(hiddenSize: 64, layers: 2, vocabSize: 256), seed: seed).inMemory()
        let build = try ModelCompiler.compile(weights, head: true, target: p.isa)
        let m = build.manifest
        let table = try EmbeddingTable(vocab: m.model.vocabSize, width: m.model.hiddenSize, values: try #require(build.embeddings))
        // `make test-long`: 40 tokens instead of 4.
        let tokens = isLongRun ? (0..<40).map { ($0 * 37 + 5) % 256 } : [5, 17, 5, 200]
        let inputs = try tokens.map { try table.row($0) }
        let clock = ContinuousClock.now
        let card = try BuildSession(manifest: m, program: build.program, memory: build.memory,
                                    engine: OPAEEngine(library: SimCardFixture.library))
        let golden = try BuildSession(manifest: m, program: build.program, memory: build.memory,
                                      engine: InterpreterEngine(config: p.isa))
        let onCard = try TokenRun.run(card, inputs: inputs)
        let cardMemory = try card.dataMemory()
        let seconds = ContinuousClock.now - clock
        let onInterpreter = try TokenRun.run(golden, inputs: inputs)
        #expect(onCard.tokens.count == inputs.count)
        for (k, (a, b)) in zip(onCard.tokens, onInterpreter.tokens).enumerated() {
            #expect(a.step.output == b.step.output, "token \(k) (seed \(seed)): outputs differ")
            #expect(a.step.states == b.step.states, "token \(k) (seed \(seed)): states differ")
            #expect(a.step.instructions == b.step.instructions && a.step.run.fault == nil)
            #expect(a.step.run.saturationTotal == b.step.run.saturationTotal)
        }
        #expect(try cardMemory == golden.dataMemory())
        let cycles = onCard.tokens.map { $0.step.counters?.cycles ?? 0 }
        (card.engine as? OPAEEngine)?.card.close() // writes the statistics
        let json = (try? String(contentsOf: stats, encoding: .utf8)) ?? "(no statistics)"
        print("simulated card, d = 64, 2 layers + head: \(m.instructions) instructions, core cycles per token \(cycles), "
              + "load \(card.load.cycles ?? 0) DMA cycles, \(m.memorySize) bytes, \(seconds) in all (seed \(seed)); card: "
              + json.prefix(220).replacingOccurrences(of: "\n", with: " "))
    }

    /// The same model split over two simulated cards (`--cards 2`): each
    /// token runs on card 0, its output words go to card 1, and the logits
    /// equal one card's bit for bit.
    @Test func twoSimulatedCardsGiveOneCardsOutputs() throws {
        let seed = testSeed(0x65)
        SimCardFixture.configure(["SEED": "\(seed)", "BACKPRESSURE": "0.1", "CARDS": "2"])
        defer { SimCardFixture.configure([:]) }
        let weights = SyntheticCheckpoint(config: ModelConfig(hiddenSize: 64, layers: 2, vocabSize: 256), seed: seed).inMemory()
        let whole = try ModelCompiler.compile(weights, head: true, target: p.isa)
        let split = try CardSplit.ranges(weights.config, layers: 0...1, head: true, cards: 2)
        let parts = try split.enumerated().map { k, r in try ModelCompiler.compile(weights, layers: r, head: k == 1, target: p.isa) }
        let chain = try CardChain(parts.enumerated().map { k, b in
            try BuildSession(manifest: b.manifest, program: b.program, memory: b.memory,
                             engine: OPAEEngine(library: SimCardFixture.library, card: k))
        })
        let one = try BuildSession(manifest: whole.manifest, program: whole.program, memory: whole.memory,
                                   engine: InterpreterEngine(config: p.isa))
        let table = try EmbeddingTable(vocab: 256, width: 64, values: try #require(whole.embeddings))
        for token in [5, 17, 5] {
            let a = try chain.step(try table.row(token)), b = try one.step(try table.row(token))
            #expect(a.rawOutput == b.rawOutput && a.states == b.states, "token \(token) (seed \(seed))")
        }
        // A third card is not there.
        #expect(throws: OPAEError.self) { _ = try OPAEEngine(library: SimCardFixture.library, card: 2) }
    }
}
