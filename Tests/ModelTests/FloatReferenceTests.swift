import Foundation
@testable import Model
import Testing
import TestSupport

/// The float reference against an independent NumPy transcription of
/// docs/model.md, plus the pieces that can be checked by hand.
@Suite struct FloatReferenceTests {
    /// With max|y| = 254, s_x = 1/2 exactly: odd values are ties, which go
    /// away from zero (half-to-even would give 0, -2, 2).
    @Test func activationTiesRoundAwayFromZero() {
        let (codes, scale) = TernaryProjection.quantize([1, -3, 5, 254, -2, 0])
        #expect(scale == 0.5)
        #expect(codes == [1, -2, 3, 127, -1, 0])
        #expect(TernaryProjection.quantize([-254, -1]).codes == [-127, -1])
    }

    /// NumPy's pairwise blocking, checked against a plain sum on integers
    /// (exact either way) and on a case where the orders differ.
    @Test func pairwiseSumMatchesNumPyBlocking() {
        for n in [0, 1, 7, 8, 9, 127, 128, 129, 256, 1000] {
            let a = (0..<n).map { Double($0 % 13) }
            #expect(a.withUnsafeBufferPointer { pairwiseSum($0) } == a.reduce(0, +), "n \(n)")
        }
        // 1 + 1e-16 * 8 in blocks: the eight partial sums keep the small terms together.
        let a = [1.0] + [Double](repeating: 1e-16, count: 15)
        #expect(a.withUnsafeBufferPointer { pairwiseSum($0) } > a.reduce(0, +))
    }

    /// docs/model.md in NumPy: reads the F32 safetensors file itself, runs the
    /// tokens of x.npy through every layer and the head.
    static let numpyModel = #"""
    import json, sys
    import numpy as np
    d = sys.argv[1]
    raw = open(d + "/model.safetensors", "rb").read()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    W = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        assert t["dtype"] == "F32"
        b, e = t["data_offsets"]
        W[name] = np.frombuffer(data[b:e], dtype="<f4").reshape(t["shape"]).astype(np.float64)
    cfg = json.load(open(d + "/config.json"))
    L, I, eps = cfg["num_hidden_layers"], cfg["intermediate_size"], cfg["rms_norm_eps"]

    def rmsnorm(x, w, e=None):
        return x / np.sqrt(np.mean(x * x) + (eps if e is None else e)) * w

    def bitlinear(p, x):
        y = rmsnorm(x, W[p + ".norm.weight"], 1e-6)  # always 1e-6 inside BitLinear
        sx = 127.0 / max(np.max(np.abs(y)), 1e-5)
        v = y * sx
        q = np.clip(np.sign(v) * np.floor(np.abs(v) + 0.5), -128, 127)  # ties away from zero
        w = W[p + ".weight"]
        sw = 1.0 / max(np.mean(np.abs(w)), 1e-5)
        t = np.clip(np.round(w * sw), -1, 1)
        return (t @ q) / (sw * sx)

    sigmoid = lambda x: 1 / (1 + np.exp(-x))
    silu = lambda x: x * sigmoid(x)
    lb = np.exp(W["model.lower_bounds"])
    lb = lb / lb.sum(0)
    lb = np.cumsum(lb, 0) - lb[0]

    xs = np.load(d + "/x.npy")
    h = np.zeros((L, xs.shape[1]))
    outs, states, logits = [], [], []
    for x in xs:
        r = x.copy()
        per_layer = []
        for l in range(L):
            p = "model.layers.%d." % l
            a = rmsnorm(r, W[p + "attn_norm.weight"])
            i = bitlinear(p + "attn.i_proj", a)
            f = sigmoid(bitlinear(p + "attn.f_proj", a))
            g = bitlinear(p + "attn.g_proj", a)
            if l > 0:
                f = lb[l] + (1 - lb[l]) * f
            h[l] = f * h[l] + silu(i) * (1 - f)
            r = r + bitlinear(p + "attn.o_proj", rmsnorm(g, W[p + "attn.g_norm.weight"]) * silu(h[l]))
            u = bitlinear(p + "mlp.gate_proj", rmsnorm(r, W[p + "mlp_norm.weight"]))
            r = r + bitlinear(p + "mlp.down_proj", silu(u[:I]) * u[I:])
            per_layer.append(r.copy())
        outs.append(per_layer)
        states.append(h.copy())
        logits.append(bitlinear("lm_head", rmsnorm(r, W["model.norm.weight"])))
    np.save(d + "/outs.npy", np.array(outs))
    np.save(d + "/states.npy", np.array(states))
    np.save(d + "/logits.npy", np.array(logits))
    """#

    static func python(_ arguments: [String]) throws -> ProcessResult { try runOnPath("python3", arguments) }

    /// max |a - b| / max |b|: one relative error for a whole array.
    func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        let scale = b.map(abs).max() ?? 0
        return zip(a, b).map { abs($0 - $1) }.max().map { $0 / max(scale, 1e-300) } ?? 0
    }

    @Test func matchesNumPy() throws {
        guard (try? Self.python(["-c", "import numpy"]))?.status == 0 else {
            print("FloatReferenceTests.matchesNumPy skipped: python3 with NumPy not found")
            return
        }
        let config = ModelConfig(hiddenSize: 32, intermediateSize: 64, layers: 2, vocabSize: 48)
        let seed = testSeed(31)
        let dir = try scratchDirectory()
        try CheckpointWriter.write(SyntheticCheckpoint(config: config, seed: seed), to: dir.path, dtype: .f32)
        let ckpt = try Checkpoint(directory: dir.path)
        let xs = try FloatReference.embeddings(ckpt, tokens: [5, 17, 5])
        try Data(NPY.float64(xs.flatMap { $0 }, shape: [3, 32])).write(to: dir.appendingPathComponent("x.npy"))

        let run = try Self.python(["-c", Self.numpyModel, dir.path])
        try #require(run.status == 0, "numpy model failed: \(run.error)")
        let outs = try NPY.read(path: dir.appendingPathComponent("outs.npy").path)
        let states = try NPY.read(path: dir.appendingPathComponent("states.npy").path)
        let logits = try NPY.read(path: dir.appendingPathComponent("logits.npy").path)
        #expect(outs.shape == [3, 2, 32] && states.shape == [3, 2, 32] && logits.shape == [3, 48])

        let reference = try FloatReference(source: ckpt, layers: 0...1, head: true)
        for (t, x) in xs.enumerated() {
            let s = reference.step(x)
            for l in 0..<2 {
                let at = (t * 2 + l) * 32
                let e1 = relativeError(s.layerOutputs[l], Array(outs.values[at..<at + 32]))
                let e2 = relativeError(s.states[l], Array(states.values[at..<at + 32]))
                #expect(e1 < 1e-9, "token \(t) layer \(l) output: relative error \(e1) (seed \(seed))")
                #expect(e2 < 1e-9, "token \(t) layer \(l) state: relative error \(e2) (seed \(seed))")
            }
            let e3 = relativeError(s.logits!, Array(logits.values[(t * 48)..<((t + 1) * 48)]))
            #expect(e3 < 1e-9, "token \(t) logits: relative error \(e3) (seed \(seed))")
        }
        // The state matters: the same token twice gives different outputs.
        #expect(outs.values[0..<64] != outs.values[128..<192])
    }

    @Test func lowerBoundFormula() {
        // Two layers, width 2: softmax over the layer axis, cumulative sum minus the first row.
        let lb = FloatReference.lowerBounds([0, 1, 0, 3], layers: 2, width: 2)
        #expect(lb[0] == [0, 0])
        #expect(abs(lb[1][0] - 0.5) < 1e-15)
        #expect(abs(lb[1][1] - exp(3.0) / (exp(1.0) + exp(3.0))) < 1e-15)
        let three = FloatReference.lowerBounds([1, 2, 3], layers: 3, width: 1)
        let e = [exp(1.0), exp(2.0), exp(3.0)], total = e.reduce(0, +)
        #expect(abs(three[2][0] - (e[1] + e[2]) / total) < 1e-15)
    }

    @Test func partialLayerRangesCompose() throws {
        let weights = SyntheticCheckpoint(config: tinyConfig, seed: testSeed(32)).inMemory()
        let xs = try FloatReference.embeddings(weights, tokens: [1, 2, 3, 1])
        let full = try FloatReference(source: weights, layers: 0...1, head: false)
        let second = try FloatReference(source: weights, layers: 1...1, head: false)
        for x in xs {
            let a = full.step(x)
            let b = second.step(a.layerOutputs[0])
            #expect(b.layerOutputs[0] == a.layerOutputs[1])
            #expect(b.states[0] == a.states[1] && b.logits == nil)
        }
        #expect(full.states[0].contains { $0 != 0 })
        full.reset()
        #expect(full.states.allSatisfy { $0.allSatisfy { $0 == 0 } })
    }

    @Test func badRequests() throws {
        let weights = SyntheticCheckpoint(config: tinyConfig, seed: 1).inMemory()
        expectError("layers 1..2 outside the model's 0..1") { _ = try FloatReference(source: weights, layers: 1...2, head: false) }
        expectError("token 16 is outside the vocabulary (0..15)") { _ = try FloatReference.embedding(weights, token: 16) }
    }
}
