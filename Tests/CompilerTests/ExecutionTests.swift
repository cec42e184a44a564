import Compiler
import ISA
import Interpreter
import Testing
import TestSupport

@Suite struct ExecutionTests {
    @Test(arguments: [(1, false), (1, true), (2, false), (2, true)])
    func runsTokenAfterTokenOnTheInterpreter(_ shape: (layers: Int, head: Bool)) throws {
        var rng = SplitMix64(seed: testSeed(41))
        let w = RandomModel.weights(d: 32, intermediate: 96, layers: shape.layers, vocab: 150, seed: rng.next())
        let b = try ModelCompiler.compile(w, head: shape.head, target: RandomModel.target(maxVectorLength: 128))
        var run = TokenRunner(b)
        var previousStates = b.manifest.states.map { run.words($0) }
        #expect(previousStates.allSatisfy { $0.allSatisfy { $0 == 0 } })
        for _ in 0..<3 {
            let x = toFixed((0..<32).map { _ in rng.normal() })
            let out = try run.step(x)
            #expect(out.count == (shape.head ? 150 : 32))
            #expect(out.contains { $0 != 0 })
            if !shape.head { #expect(out == run.words(b.manifest.layerOutputs.last!)) }
            let states = b.manifest.states.map { run.words($0) }
            for (s, p) in zip(states, previousStates) { #expect(s != p, "the state changes every token") }
            previousStates = states
        }
    }

    @Test func aBuildStartingPastLayerZeroRuns() throws {
        let w = RandomModel.weights(d: 16, intermediate: 48, layers: 3, vocab: 64, seed: testSeed(42))
        let b = try ModelCompiler.compile(w, layers: 1...2, head: true)
        #expect(b.embeddings == nil)
        #expect(b.manifest.firstLayer == 1 && b.manifest.layerCount == 2)
        var run = TokenRunner(b)
        let out = try run.step(toFixed((0..<16).map { Double($0) / 8 - 1 }))
        #expect(out.count == 64)
    }
}
