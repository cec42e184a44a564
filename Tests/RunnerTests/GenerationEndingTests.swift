import Compiler
import Interpreter
import Model
import Runner
import Testing
import TestSupport

/// How a generation ends: after `maxNew` tokens, at an end-of-sequence token
/// (kept as the last token, not fed), or when the caller stops it.
struct GenerationEndingTests {
    @Test func endOfSequenceAndTheCallerEndGeneration() throws {
        let seed = testSeed(0xE05)
        let weights = SyntheticCheckpoint(config: ModelConfig(hiddenSize: 32, layers: 1, vocabSize: 16), seed: seed).inMemory()
        let build = try ModelCompiler.compile(weights, head: true)
        let table = try EmbeddingTable(vocab: 16, width: 32, values: try #require(build.embeddings))
        func session() throws -> BuildSession { try ModelAccuracyTests.session(build) }

        let free = try Generation.greedy(session(), embeddings: table, prompt: [3], maxNew: 12)
        #expect(free.ending == .length && free.generated.count == 12 && free.run.tokens.count == 13)
        let tokens = Array(free.generated)

        // The third generated token as end of sequence: generation stops at its first occurrence.
        let eos = tokens[2]
        let first = try #require(tokens.firstIndex(of: eos))
        var sampler = try Sampler(.greedy)
        let ended = try Generation.generate(session(), embeddings: table, prompt: [3], maxNew: 12, sampler: &sampler, endOfSequence: [eos])
        #expect(ended.ending == .endOfSequence, "seed \(seed)")
        #expect(Array(ended.generated) == Array(tokens[...first]), "seed \(seed)")
        #expect(ended.run.tokens.count == 1 + first, "the end-of-sequence token is not fed (seed \(seed))")

        // The caller stops after two tokens; it saw exactly those.
        var seen: [Int] = []
        let stopped = try Generation.generate(session(), embeddings: table, prompt: [3], maxNew: 12, sampler: &sampler) { t in
            seen.append(t)
            return seen.count < 2
        }
        #expect(stopped.ending == .stopped && seen == Array(tokens.prefix(2)) && Array(stopped.generated) == seen, "seed \(seed)")
    }
}
