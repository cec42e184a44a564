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

    /// Base-3 packing holds the same trits in fewer bytes: the build's outputs
    /// and states are identical to the 2-bit build's, token after token.
    @Test func base3BuildMatchesTheTwoBitBuildExactly() throws {
        var rng = SplitMix64(seed: testSeed(43))
        // d = 37 and I = 101 end inside bytes of both packings; 150 rows of lm_head are three groups.
        let w = RandomModel.weights(d: 37, intermediate: 101, layers: 2, vocab: 150, seed: rng.next())
        let two = try ModelCompiler.compile(w, head: true, target: RandomModel.target(maxVectorLength: 256))
        let b3 = try ModelCompiler.compile(w, head: true, target: RandomModel.target(maxVectorLength: 256), packing: .base3)
        #expect(two.manifest.packing == 0 && b3.manifest.packing == 1)
        #expect(b3.manifest.weightBytes < two.manifest.weightBytes)
        #expect(b3.program.code.count == two.program.code.count)
        #expect(b3.assembly.contains("tmatmul.b3 ") && !two.assembly.contains("tmatmul.b3"))
        let modes = Set(b3.program.code.compactMap { w -> UInt64? in
            Encoding.op.extract(w) == UInt64(Opcode.tmatmul.rawValue) ? Encoding.mode.extract(w) : nil
        })
        #expect(modes == [1])
        var runTwo = TokenRunner(two), runB3 = TokenRunner(b3)
        for t in 0..<3 {
            let x = toFixed((0..<37).map { _ in rng.normal() })
            let a = try runTwo.step(x), b = try runB3.step(x)
            #expect(a == b, "token \(t): logits differ")
            #expect(a.contains { $0 != 0 })
            #expect(two.manifest.states.map { runTwo.words($0) } == b3.manifest.states.map { runB3.words($0) }, "token \(t): states differ")
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
