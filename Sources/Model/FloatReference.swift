import Foundation

/// The result of one token through the compiled layers.
public struct ReferenceStep: Sendable {
    /// The residual stream after each compiled layer.
    public var layerOutputs: [[Double]]
    /// The recurrent state h of each compiled layer after this token.
    public var states: [[Double]]
    /// With the head: final RMSNorm then ternary lm_head, [vocab].
    public var logits: [Double]?
}

/// The accuracy reference: the HGRN-Bit blocks exactly as docs/model.md writes
/// them, in Double, with the quantizers applied as at inference time.
/// Weights are quantized once at init; a step is integer accumulations over
/// ternary signs plus vector work. State is carried from step to step.
public final class FloatReference {
    struct Layer {
        let index: Int
        let attnNorm: [Double], gNorm: [Double], mlpNorm: [Double]
        let i: TernaryProjection, f: TernaryProjection, g: TernaryProjection, o: TernaryProjection
        let gate: TernaryProjection, down: TernaryProjection
        /// The forget gate's lower bound, nil for layer 0 or without lower bounds.
        let lowerBound: [Double]?
    }

    public let config: ModelConfig
    public let layers: ClosedRange<Int>
    private let blocks: [Layer]
    private let finalNorm: [Double]?
    private let head: TernaryProjection?
    public private(set) var states: [[Double]]
    /// Largest magnitudes seen since `trackPeaks` was set (costs one more
    /// norm per projection, so it is off by default).
    public var trackPeaks = false
    public private(set) var peaks = ActivationPeaks()

    public init(source: WeightSource, layers: ClosedRange<Int>, head: Bool) throws {
        let c = source.config
        guard layers.lowerBound >= 0, layers.upperBound < c.layers else {
            throw ReferenceError("layers \(layers.lowerBound)..\(layers.upperBound) outside the model's 0..\(c.layers - 1)")
        }
        config = c
        self.layers = layers
        let d = c.hiddenSize, inter = c.intermediateSize
        func doubles(_ name: String) throws -> [Double] { try source.floats(name).map(Double.init) }
        func projection(_ l: Int, _ p: TensorNames.Projection, rows: Int, cols: Int) throws -> TernaryProjection {
            TernaryProjection(weights: try source.floats(TensorNames.weight(l, p)), rows: rows, cols: cols,
                              norm: try source.floats(TensorNames.inputNorm(l, p)))
        }
        var bounds: [[Double]]? = nil
        if c.useLowerBound {
            bounds = Self.lowerBounds(try doubles(TensorNames.lowerBounds), layers: c.layers, width: d)
        }
        blocks = try layers.map { l in
            Layer(index: l,
                  attnNorm: try doubles(TensorNames.attnNorm(l)), gNorm: try doubles(TensorNames.gNorm(l)),
                  mlpNorm: try doubles(TensorNames.mlpNorm(l)),
                  i: try projection(l, .i, rows: d, cols: d), f: try projection(l, .f, rows: d, cols: d),
                  g: try projection(l, .g, rows: d, cols: d), o: try projection(l, .o, rows: d, cols: d),
                  gate: try projection(l, .gate, rows: 2 * inter, cols: d),
                  down: try projection(l, .down, rows: d, cols: inter),
                  lowerBound: l > 0 ? bounds?[l] : nil)
        }
        if head {
            finalNorm = try doubles(TensorNames.finalNorm)
            self.head = TernaryProjection(weights: try source.floats(TensorNames.head), rows: c.vocabSize, cols: d,
                                          norm: try source.floats(TensorNames.headNorm))
        } else {
            finalNorm = nil
            self.head = nil
        }
        states = Array(repeating: Array(repeating: 0, count: d), count: layers.count)
    }

    /// Forget every token seen: all states back to zero.
    public func reset() {
        // Peaks are kept: they cover every sequence run so far.
        states = Array(repeating: Array(repeating: 0, count: config.hiddenSize), count: layers.count)
    }

    /// One token: `x` is the hidden state entering the first compiled layer.
    public func step(_ x: [Double]) -> ReferenceStep {
        precondition(x.count == config.hiddenSize, "input has \(x.count) values, the model's width is \(config.hiddenSize)")
        let eps = config.rmsNormEps, inter = config.intermediateSize
        var r = x
        var outputs: [[Double]] = []
        if trackPeaks { peaks.see(r, \.residual) }
        for (k, b) in blocks.enumerated() {
            let a = rmsNorm(r, b.attnNorm, eps: eps)
            let iRaw = apply(b.i, a), fRaw = apply(b.f, a), g = apply(b.g, a)
            var h = states[k]
            var f = fRaw.map(sigmoid)
            if let lb = b.lowerBound { f = (0..<f.count).map { lb[$0] + (1 - lb[$0]) * f[$0] } }
            for j in 0..<h.count { h[j] = f[j] * h[j] + silu(iRaw[j]) * (1 - f[j]) }
            states[k] = h
            let gn = rmsNorm(g, b.gNorm, eps: eps)
            let o = apply(b.o, (0..<h.count).map { gn[$0] * silu(h[$0]) })
            for j in 0..<r.count { r[j] += o[j] }
            let u = apply(b.gate, rmsNorm(r, b.mlpNorm, eps: eps))
            let z = apply(b.down, (0..<inter).map { silu(u[$0]) * u[inter + $0] })
            for j in 0..<r.count { r[j] += z[j] }
            outputs.append(r)
            if trackPeaks {
                peaks.see(r, \.residual)
                peaks.see(h, \.state)
            }
        }
        var logits: [Double]? = nil
        if let head, let finalNorm { logits = apply(head, rmsNorm(r, finalNorm, eps: eps)) }
        if trackPeaks, let logits { peaks.see(logits, \.logits) }
        return ReferenceStep(layerOutputs: outputs, states: states, logits: logits)
    }

    /// A projection, its input, normalized input and output seen when tracking peaks.
    private func apply(_ p: TernaryProjection, _ x: [Double]) -> [Double] {
        let y = p(x)
        if trackPeaks {
            peaks.see(x, \.projectionInput)
            peaks.see(rmsNorm(x, p.norm, eps: ModelConfig.projectionNormEps), \.normalizedInput)
            peaks.see(y, \.projectionOutput)
        }
        return y
    }

    /// `softmax(lower_bounds, dim 0)` over layers, then `cumsum(dim 0)` minus
    /// the first row: layer 0 gets 0, later layers a growing floor. `raw` is
    /// [layers, width] row-major; the result is one row per layer.
    public static func lowerBounds(_ raw: [Double], layers: Int, width: Int) -> [[Double]] {
        precondition(raw.count == layers * width)
        var out = Array(repeating: Array(repeating: 0.0, count: width), count: layers)
        for j in 0..<width {
            var peak = -Double.infinity
            for l in 0..<layers { peak = max(peak, raw[l * width + j]) }
            let e = (0..<layers).map { Foundation.exp(raw[$0 * width + j] - peak) }
            let total = e.reduce(0, +)
            var sum = 0.0
            for l in 0..<layers {
                sum += e[l] / total
                out[l][j] = sum - e[0] / total
            }
        }
        return out
    }

    /// The float embedding row of a token.
    public static func embedding(_ source: WeightSource, token: Int) throws -> [Double] {
        try embeddings(source, tokens: [token])[0]
    }

    /// Embedding rows of several tokens, converting the table once.
    public static func embeddings(_ source: WeightSource, tokens: [Int]) throws -> [[Double]] {
        let c = source.config
        for t in tokens where t < 0 || t >= c.vocabSize {
            throw ReferenceError("token \(t) is outside the vocabulary (0..\(c.vocabSize - 1))")
        }
        let table = try source.floats(TensorNames.embeddings)
        let d = c.hiddenSize
        guard table.count == c.vocabSize * d else {
            throw ReferenceError("\(TensorNames.embeddings) has \(table.count) values, expected \(c.vocabSize) x \(d)")
        }
        return tokens.map { t in table[(t * d)..<((t + 1) * d)].map(Double.init) }
    }
}
