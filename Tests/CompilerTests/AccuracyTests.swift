import Compiler
import Foundation
import Model
import Testing
import TestSupport

/// docs/model.md in Double, written out plainly: the integer program must track it.
struct DoubleReference {
    let w: InMemoryWeights
    var c: ModelConfig { w.config }

    func t(_ name: String) -> [Double] { w.tensors[name]!.values.map(Double.init) }

    /// Block and final norms use `rms_norm_eps`; a projection's own norm always 1e-6.
    func rmsnorm(_ x: [Double], _ weight: String, eps: Double? = nil) -> [Double] {
        let ms = x.reduce(0) { $0 + $1 * $1 } / Double(x.count)
        let r = 1 / (ms + (eps ?? c.rmsNormEps)).squareRoot()
        return zip(x, t(weight)).map { $0 * r * $1 }
    }

    /// rmsnorm with the projection's norm weight, int8 absmax activations, absmean ternary weights.
    func bitLinear(_ x: [Double], _ tensor: String, rows: Range<Int>? = nil) -> [Double] {
        let raw = w.tensors[tensor]!
        let cols = raw.shape[1]
        let ws = max(raw.values.reduce(0.0) { $0 + Double(abs($1)) } / Double(raw.values.count), 1e-5)
        let sx = 127 / max(x.map(abs).max()!, 1e-5)
        let xq = x.map { max(-128, min(127, ($0 * sx).rounded(.toNearestOrAwayFromZero))) }
        return (rows ?? 0..<raw.shape[0]).map { r in
            var acc = 0.0
            for k in 0..<cols {
                let wt = max(-1, min(1, (Double(raw.values[r * cols + k]) / ws).rounded(.toNearestOrEven)))
                acc += wt * xq[k]
            }
            return acc * ws / sx
        }
    }

    func projection(_ x: [Double], _ l: Int, _ p: TensorNames.Projection, rows: Range<Int>? = nil) -> [Double] {
        bitLinear(rmsnorm(x, TensorNames.inputNorm(l, p), eps: 1e-6), TensorNames.weight(l, p), rows: rows)
    }

    func sigmoid(_ v: Double) -> Double { 1 / (1 + Foundation.exp(-v)) }
    func silu(_ v: Double) -> Double { v * sigmoid(v) }

    func lowerBound(_ l: Int) -> [Double] {
        let raw = t(TensorNames.lowerBounds), d = c.hiddenSize
        return (0..<d).map { k in
            let e = (0..<c.layers).map { Foundation.exp(raw[$0 * d + k]) }
            let sum = e.reduce(0, +)
            return e[1...l].reduce(0, +) / sum
        }
    }

    /// One block: (out, h).
    func block(_ l: Int, _ x: [Double], _ hPrev: [Double]) -> ([Double], [Double]) {
        let n = c.intermediateSize
        let a = rmsnorm(x, TensorNames.attnNorm(l))
        let i = projection(a, l, .i), g = projection(a, l, .g)
        var f = projection(a, l, .f).map(sigmoid)
        if c.useLowerBound && l > 0 { f = zip(lowerBound(l), f).map { $0 + (1 - $0) * $1 } }
        let h = (0..<x.count).map { k in f[k] * hPrev[k] + silu(i[k]) * (1 - f[k]) }
        let o = projection(zip(rmsnorm(g, TensorNames.gNorm(l)), h).map { $0 * silu($1) }, l, .o)
        let r1 = zip(x, o).map(+)
        let m = rmsnorm(r1, TensorNames.mlpNorm(l))
        let gate = projection(m, l, .gate, rows: 0..<n), up = projection(m, l, .gate, rows: n..<(2 * n))
        let z = projection(zip(gate, up).map { silu($0) * $1 }, l, .down)
        return (zip(r1, z).map(+), h)
    }

    func logits(_ x: [Double]) -> [Double] {
        bitLinear(rmsnorm(rmsnorm(x, TensorNames.finalNorm), TensorNames.headNorm, eps: 1e-6), TensorNames.head)
    }
}

func cosine(_ a: [Double], _ b: [Double]) -> Double {
    let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    let na = a.reduce(0) { $0 + $1 * $1 }.squareRoot(), nb = b.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return dot / (na * nb)
}

@Suite struct AccuracyTests {
    @Test func tracksADoubleImplementationOfTheModel() throws {
        let w = RandomModel.weights(d: 64, intermediate: 128, layers: 2, vocab: 100, seed: testSeed(51))
        let b = try ModelCompiler.compile(w, head: true)
        let ref = DoubleReference(w: w)
        var run = TokenRunner(b)
        var h = [[Double]](repeating: [Double](repeating: 0, count: 64), count: 2)
        for token in [7, 42] {
            let x = Array(b.embeddings![(token * 64)..<((token + 1) * 64)]).map(Double.init)
            let logits = toDoubles(try run.step(toFixed(x)))
            var y = x
            for l in 0...1 {
                (y, h[l]) = ref.block(l, y, h[l])
                let got = toDoubles(run.words(b.manifest.layerOutputs[l]))
                let state = toDoubles(run.words(b.manifest.states[l]))
                #expect(cosine(got, y) >= 0.99, "token \(token) layer \(l) output: cosine \(cosine(got, y))")
                #expect(cosine(state, h[l]) >= 0.99, "token \(token) layer \(l) state: cosine \(cosine(state, h[l]))")
            }
            let want = ref.logits(y)
            #expect(cosine(logits, want) >= 0.99, "token \(token) logits: cosine \(cosine(logits, want))")
        }
    }
}
