import Compiler
import ISA
import Interpreter
import Model
import Runner
import Testing
import TestSupport

/// Builds for B streams (`--batch`) and prefill (`--prefill`) on the
/// interpreter: every stream bit for bit what a one-stream build gives for
/// its sequence alone, and a prefilled prompt bit for bit token-by-token
/// decoding of it.
struct BatchedBuildTests {
    static let vocab = 24
    static let config = ModelConfig(hiddenSize: 32, intermediateSize: 64, layers: 2, vocabSize: vocab)

    static func builds(seed: UInt64, streams: Int = 4, prefill: Int? = 8) throws -> (single: Build, batched: Build) {
        let weights = SyntheticCheckpoint(config: config, seed: seed).inMemory()
        var target = CoreConfig.standard
        target.maxVectorLength = 128
        let single = try ModelCompiler.compile(weights, head: true, target: target)
        target.streams = streams
        return (single, try ModelCompiler.compile(weights, head: true, target: target, prefill: prefill))
    }

    static func session(_ build: Build) throws -> BuildSession {
        try BuildSession(build, engine: InterpreterEngine(config: build.manifest.target))
    }

    static func table(_ build: Build) throws -> EmbeddingTable {
        try EmbeddingTable(vocab: vocab, width: config.hiddenSize, values: try #require(build.embeddings))
    }

    @Test func everyStreamEqualsItsSequenceAlone() throws {
        let seed = testSeed(0xBA7C)
        let (single, batched) = try Self.builds(seed: seed)
        let table = try Self.table(single)
        var rng = SplitMix64(seed: seed)
        let sequences = (0..<4).map { _ in (0..<5).map { _ in Int(rng.next() % UInt64(Self.vocab)) } }
        let inputs = try sequences.map { try $0.map { try table.row($0) } }
        let runs = try TokenRun.run(Self.session(batched), streams: inputs)
        for (k, seq) in inputs.enumerated() {
            let alone = try TokenRun.run(Self.session(single), inputs: seq)
            for t in seq.indices {
                let same = runs[k].tokens[t].step.rawOutput == alone.tokens[t].step.rawOutput
                    && runs[k].tokens[t].step.states == alone.tokens[t].step.states
                #expect(same, "stream \(k) token \(t) (seed \(seed))")
            }
        }
        // Fewer sequences than streams run on the first streams.
        let two = try TokenRun.run(Self.session(batched), streams: Array(inputs.prefix(2)))
        let same = two[1].tokens.map(\.step.rawOutput) == runs[1].tokens.map(\.step.rawOutput)
        #expect(same, "seed \(seed)")
    }

    /// A 7-token prompt on 4 streams: one prefill run, then 3 decode steps,
    /// then generation; the same tokens and logits as one stream all the way.
    @Test(arguments: [4, 7, 8]) func prefillEqualsTokenByTokenDecoding(promptLength: Int) throws {
        let seed = testSeed(0x9F11 + UInt64(promptLength))
        let (single, batched) = try Self.builds(seed: seed)
        let table = try Self.table(single)
        var rng = SplitMix64(seed: seed)
        let prompt = (0..<promptLength).map { _ in Int(rng.next() % UInt64(Self.vocab)) }
        let alone = try Generation.greedy(Self.session(single), embeddings: table, prompt: prompt, maxNew: 6)
        let fast = try Generation.greedy(Self.session(batched), embeddings: table, prompt: prompt, maxNew: 6)
        #expect(fast.tokens == alone.tokens, "seed \(seed)")
        let sameLogits = fast.run.tokens.map(\.step.rawOutput) == alone.run.tokens.map(\.step.rawOutput)
        let sameState = fast.run.tokens.last?.step.states == alone.run.tokens.last?.step.states
        #expect(sameLogits && sameState, "logits \(sameLogits), final state \(sameState) (seed \(seed))")
        // The prefill runs: one instruction count per run of 4 tokens, not one per token.
        let prefilled = promptLength / 4 * 4
        #expect(Set(fast.run.tokens.prefix(prefilled).map(\.step.instructions)).count <= 1)
    }

    @Test func severalPromptsGenerateAsEachAlone() throws {
        let seed = testSeed(0x5EB)
        let (single, batched) = try Self.builds(seed: seed, prefill: nil)
        let table = try Self.table(single)
        let prompts = [[1, 2, 3], [4], [5, 6, 7, 8, 9], [10, 11]]
        var samplers = try prompts.map { _ in try Sampler(.greedy) }
        let gens = try Generation.generate(Self.session(batched), embeddings: table, prompts: prompts, maxNew: 5, samplers: &samplers)
        for (k, p) in prompts.enumerated() {
            let alone = try Generation.greedy(Self.session(single), embeddings: table, prompt: p, maxNew: 5)
            #expect(gens[k].tokens == alone.tokens, "prompt \(k) (seed \(seed))")
            let same = gens[k].run.tokens.map(\.step.rawOutput) == alone.run.tokens.map(\.step.rawOutput)
            #expect(same, "prompt \(k) logits (seed \(seed))")
        }
    }

    /// A one-stream build on a core of 4 streams runs with one stream active:
    /// the same outputs and states as on a one-stream core.
    @Test func oneStreamBuildRunsOnABatchedCore() throws {
        let seed = testSeed(0xB1A5)
        let (single, batched) = try Self.builds(seed: seed)
        let table = try Self.table(single)
        var rng = SplitMix64(seed: seed)
        let inputs = try (0..<4).map { _ in try table.row(Int(rng.next() % UInt64(Self.vocab))) }
        let wide = try BuildSession(single, engine: InterpreterEngine(config: batched.manifest.target))
        let onWide = try TokenRun.run(wide, inputs: inputs)
        let alone = try TokenRun.run(Self.session(single), inputs: inputs)
        for t in inputs.indices {
            let same = onWide.tokens[t].step.rawOutput == alone.tokens[t].step.rawOutput
                && onWide.tokens[t].step.states == alone.tokens[t].step.states
            #expect(same, "token \(t) (seed \(seed))")
        }
    }

    @Test func badRequestsAreRefused() throws {
        let (single, batched) = try Self.builds(seed: 3)
        let table = try Self.table(single)
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "" } catch { return "\(error)" }
        }
        // A prompt longer than the prefill length.
        #expect(message { _ = try Generation.greedy(Self.session(batched), embeddings: table, prompt: Array(0..<9), maxNew: 1) }
            .contains("at most 8"))
        // More prompts than streams.
        var samplers = try (0..<5).map { _ in try Sampler(.greedy) }
        #expect(message { _ = try Generation.generate(Self.session(batched), embeddings: table, prompts: Array(repeating: [1], count: 5),
                                                      maxNew: 1, samplers: &samplers) }.contains("5 prompts"))
        // Streams of different lengths in one run.
        let rows = try [[table.row(1), table.row(2)], [table.row(3)]]
        #expect(message { _ = try TokenRun.run(Self.session(batched), streams: rows) }.contains("one length"))
        // A batched build on a one-stream core is refused.
        #expect(message { _ = try BuildSession(batched, engine: InterpreterEngine(config: single.manifest.target)) }
            .contains("compiled for 4 stream(s), the core runs only 1"))
        // Prefill lengths the batch cannot cut into runs.
        let weights = SyntheticCheckpoint(config: Self.config, seed: 3).inMemory()
        var target = CoreConfig.standard
        target.maxVectorLength = 128
        #expect(message { _ = try ModelCompiler.compile(weights, head: true, target: target, prefill: 8) }.contains("--batch of at least 2"))
        target.streams = 4
        #expect(message { _ = try ModelCompiler.compile(weights, head: true, target: target, prefill: 6) }.contains("multiple of the batch 4"))
    }
}
