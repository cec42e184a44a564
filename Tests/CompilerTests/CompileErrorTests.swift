import Compiler
import ISA
import Model
import Testing
import TestSupport

@Suite struct CompileErrorTests {
    let w = RandomModel.weights(d: 32, intermediate: 64, layers: 2, vocab: 64, seed: testSeed(61))

    func problem(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        Issue.record("expected an error")
        return ""
    }

    @Test func layersOutOfRange() {
        #expect(problem { _ = try ModelCompiler.compile(w, layers: 1...2, head: false) }.contains("outside the model's layers 0...1"))
        #expect(problem { _ = try ModelCompiler.compile(w, layers: -1...0, head: false) }.contains("outside"))
        #expect(problem { _ = try ModelCompiler.compile(w, layers: 0...0, head: true) }.contains("must end at 1"))
    }

    @Test func targetTooSmall() {
        let p = problem { _ = try ModelCompiler.compile(w, head: false, target: CoreConfig(maxVectorLength: 48)) }
        #expect(p.contains("max vector length 48") && p.contains("at least 64"))
        let r = problem { _ = try ModelCompiler.compile(w, head: false, target: CoreConfig(vectorRegisters: 8)) }
        #expect(r.contains("14 vector and 7 scalar registers"))
        #expect(problem { _ = try ModelCompiler.compile(w, head: false, target: CoreConfig(fracBits: 30)) }.contains("bad target"))
    }

    @Test func epsilonTheTargetCannotRepresent() {
        let tiny = InMemoryWeights(config: { var c = w.config; c.rmsNormEps = 1e-15; return c }(), tensors: w.tensors)
        #expect(problem { _ = try ModelCompiler.compile(tiny, head: false) }.contains("rms_norm_eps"))
    }

    @Test func missingOrMisshapenTensors() {
        var missing = w
        missing.tensors[TensorNames.weight(1, .o)] = nil
        #expect(problem { _ = try ModelCompiler.compile(missing, head: false) } == "model.layers.1.attn.o_proj.weight: missing tensor")
        // Only the tensors of the compiled layers are read.
        #expect(throws: Never.self) { _ = try ModelCompiler.compile(missing, layers: 0...0, head: false) }
        var wrong = w
        wrong.tensors[TensorNames.headNorm] = ([31], [Float](repeating: 1, count: 31))
        #expect(problem { _ = try ModelCompiler.compile(wrong, head: true) } == "lm_head.norm.weight: shape [31], expected [32]")
    }

    @Test func valuesOutsideTheTargetRange() {
        var big = w
        var norm = big.tensors[TensorNames.mlpNorm(0)]!
        norm.values[3] = 1e6
        big.tensors[TensorNames.mlpNorm(0)] = norm
        let p = problem { _ = try ModelCompiler.compile(big, head: false) }
        #expect(p.hasPrefix("model.layers.0.mlp_norm.weight: element 3"))
        // A weight scale that rounds to zero with 8 fraction bits names its tensor.
        var zero = InMemoryWeights(config: { var c = w.config; c.rmsNormEps = 1e-3; return c }(), tensors: w.tensors)
        zero.tensors[TensorNames.weight(0, .down)] = ([32, 64], [Float](repeating: 0, count: 32 * 64))
        let q = problem { _ = try ModelCompiler.compile(zero, head: false, target: CoreConfig(fracBits: 8)) }
        #expect(q.hasPrefix("model.layers.0.mlp.down_proj.weight: weight scale"))
    }
}
