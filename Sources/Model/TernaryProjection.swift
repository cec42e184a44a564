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
        for v in w { sum += abs(Double(v)) }
        weightScale = max(sum / Double(w.count), 1e-5)
        let sw = 1 / weightScale
        signs = w.map { Int8(max(-1, min(1, (Double($0) * sw).rounded(.toNearestOrEven)))) }
        self.norm = norm.map(Double.init)
    }

    func callAsFunction(_ x: [Double], eps: Double) -> [Double] {
        let y = rmsNorm(x, norm, eps: eps)
        var peak = 0.0
        for v in y { peak = max(peak, abs(v)) }
        let sx = 127 / max(peak, 1e-5)
        let q = y.map { Int32(max(-128, min(127, ($0 * sx).rounded(.toNearestOrEven)))) }
        let scale = weightScale / sx
        var out = [Double](repeating: 0, count: rows)
        signs.withUnsafeBufferPointer { w in
            q.withUnsafeBufferPointer { q in
                for r in 0..<rows {
                    let row = w.baseAddress! + r * cols
                    var acc: Int32 = 0
                    for j in 0..<cols { acc &+= Int32(row[j]) &* q[j] }
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
