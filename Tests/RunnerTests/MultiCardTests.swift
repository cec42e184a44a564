import Compiler
import Foundation
import Interpreter
import Model
import Runner
import Testing
import TestSupport

/// A model split over cards (`trit compile --cards N`) runs bit for bit as
/// one card does, and the split balances the cards' weights.
struct MultiCardTests {
    @Test func splitBalancesWeightsAndKeepsTheHeadLast() throws {
        let c = ModelConfig(hiddenSize: 256, layers: 24, vocabSize: 32000)
        for cards in [1, 2, 3, 4, 24] {
            let r = try CardSplit.ranges(c, layers: 0...23, head: true, cards: cards)
            #expect(r.count == cards && r.first?.lowerBound == 0 && r.last?.upperBound == 23)
            #expect(zip(r, r.dropFirst()).allSatisfy { $0.upperBound + 1 == $1.lowerBound })
            // No card carries more than the ideal share plus one block (plus the head's excess on the last).
            let weights = r.enumerated().map { k, range in
                range.count * c.ternaryWeightsPerBlock + (k == cards - 1 ? c.vocabSize * c.hiddenSize : 0)
            }
            let ideal = Double(weights.reduce(0, +)) / Double(cards)
            #expect(Double(weights.max()!) <= max(ideal, Double(c.vocabSize * c.hiddenSize + c.ternaryWeightsPerBlock)) + Double(c.ternaryWeightsPerBlock),
                    "\(cards) cards: \(r) carry \(weights)")
        }
        #expect(throws: CompileError.self) { try CardSplit.ranges(c, layers: 0...1, head: true, cards: 3) }
    }

    @Test func twoCardsAreBitIdenticalToOne() throws {
        let ckpt = try Checkpoint(directory: shippedModelPath)
        let one = try ModelCompiler.compile(ckpt, head: true)
        let split = try CardSplit.ranges(ckpt.config, layers: 0...3, head: true, cards: 2)
        let cards = try split.enumerated().map { k, r in try ModelCompiler.compile(ckpt, layers: r, head: k == 1) }
        func session(_ b: Build) throws -> BuildSession {
            try BuildSession(manifest: b.manifest, program: b.program, memory: b.memory, engine: InterpreterEngine(config: b.manifest.target))
        }
        let single = try session(one), chain = try CardChain(cards.map(session))
        let table = try EmbeddingTable(vocab: 2048, width: 256, values: try #require(one.embeddings))
        let ids = try NPY.read(path: fixturePath("trained/S/val_ids.npy")).values.prefix(64).map { Int($0) }
        for id in ids {
            let a = try single.step(try table.row(id)), b = try chain.step(try table.row(id))
            #expect(a.rawOutput == b.rawOutput && a.states == b.states && a.layerOutputs == b.layerOutputs, "token \(id)")
        }
        // A card that does not continue the previous one is refused.
        #expect(throws: RunnerError.self) { _ = try CardChain([try session(cards[1]), try session(cards[0])]) }
    }
}
