import Foundation

/// One FusedBitLinear projection quantized once: its input RMSNorm weight,
/// the ternary matrix ([out, in] as Int8) and the per-tensor scale.
/// Applying it is RMSNorm, per-token absmax int8 quantization, an integer
/// accumulation over ternary signs, and one rescale per output.
struct TernaryProjection: Sendable {
    let rows: Int, cols: Int
    let signs: [Int8]
    /// `1 / s_w = max(mean|W|, 1e-5)`.
    let weightScale: Double
    let norm: [Double]

    init(weights w: [Float], rows: Int, cols: Int, norm: [Float]) {
        precondition(w.count == rows * cols && norm.count == cols)
        self.rows = rows
        self.cols = cols
        var sum = 0.0
        w.withUnsafeBufferPointer { for v in $0 { sum += Double(abs(v)) } }
        weightScale = max(sum / Double(w.count), 1e-5)
        let sw = 1 / weightScale
        // clamp(round(w * s_w), -1, 1) is the sign of w where |w * s_w| > 0.5
        // (exactly 0.5 rounds to the even 0), else 0: no rounding in the loop.
        signs = [Int8](unsafeUninitializedCapacity: w.count) { out, n in
            w.withUnsafeBufferPointer { w in
                for k in 0..<w.count {
                    let big = Double(abs(w[k])) * sw > 0.5
                    out[k] = big ? (w[k] < 0 ? -1 : 1) : 0
                }
            }
            n = w.count
        }
        self.norm = norm.map(Double.init)
    }

    /// The projection's own norm uses `ModelConfig.projectionNormEps`, never
    /// the config's `rms_norm_eps`.
    func callAsFunction(_ x: [Double]) -> [Double] {
        let y = rmsNorm(x, norm, eps: ModelConfig.projectionNormEps)
        var peak = 0.0
        for v in y { peak = max(peak, abs(v)) }
        let sx = 127 / max(peak, 1e-5)
        // Ties round away from zero, as the official activation kernel does.
        // Int16 products (at most 128 in size) let the loop use 16-bit multiply-adds.
        let q = y.map { Int16(max(-128, min(127, ($0 * sx).rounded(.toNearestOrAwayFromZero)))) }
        let scale = weightScale / sx
        var out = [Double](repeating: 0, count: rows)
        signs.withUnsafeBufferPointer { w in
            q.withUnsafeBufferPointer { q in
                for r in 0..<rows {
                    let row = w.baseAddress! + r * cols
                    var acc: Int32 = 0
                    for j in 0..<cols { acc &+= Int32(Int16(row[j]) &* q[j]) }
                    out[r] = Double(acc) * scale
                }
            }
        }
        return out
    }
}

/// `x * rsqrt(mean(x^2) + eps) * w`.
func rmsNorm(_ x: [Double], _ w: [Double], eps: Double) -> [Double] {
    var ss = 0.0
    for v in x { ss += v * v }
    let r = 1 / (ss / Double(x.count) + eps).squareRoot()
    return (0..<x.count).map { x[$0] * r * w[$0] }
}

func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
func silu(_ x: Double) -> Double { x * sigmoid(x) }
