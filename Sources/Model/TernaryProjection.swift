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
        let (q, sx) = Self.quantize(rmsNorm(x, norm, eps: ModelConfig.projectionNormEps))
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

    /// Per-token absmax int8 codes and their scale `s_x = 127 / max(max|y|, 1e-5)`.
    /// Ties round away from zero, as the official activation kernel does.
    /// Int16 codes (at most 128 in size) let the product use 16-bit multiply-adds.
    static func quantize(_ y: [Double]) -> (codes: [Int16], scale: Double) {
        var peak = 0.0
        for v in y { peak = max(peak, abs(v)) }
        let sx = 127 / max(peak, 1e-5)
        return (y.map { Int16(max(-128, min(127, ($0 * sx).rounded(.toNearestOrAwayFromZero)))) }, sx)
    }
}

/// `x / sqrt(mean(x^2) + eps) * w`, with the sum of squares added pairwise
/// and divide-then-weight, the order of the official float64 graph. Only
/// an exact activation tie (a value exactly k + 1/2 before rounding) can
/// tell the orders apart: the last bit decides which side of the half the
/// quantizer sees (docs/model.md, "Exact ties").
func rmsNorm(_ x: [Double], _ w: [Double], eps: Double) -> [Double] {
    let squares = x.map { $0 * $0 }
    let ss = squares.withUnsafeBufferPointer { pairwiseSum($0) }
    let s = (ss / Double(x.count) + eps).squareRoot()
    return (0..<x.count).map { x[$0] / s * w[$0] }
}

/// Pairwise summation in NumPy's blocking: fewer than 8 values in order;
/// up to 128 in eight interleaved partial sums combined as a tree, then the
/// remainder; longer runs split near the middle at a multiple of 8. Error
/// grows as log n rather than n.
func pairwiseSum(_ a: UnsafeBufferPointer<Double>) -> Double {
    let n = a.count
    if n < 8 {
        var r = 0.0
        for v in a { r += v }
        return r
    }
    if n <= 128 {
        var r = Array(a[0..<8])
        var i = 8
        while i < n - n % 8 {
            for j in 0..<8 { r[j] += a[i + j] }
            i += 8
        }
        var res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < n { res += a[i]; i += 1 }
        return res
    }
    var half = n / 2
    half -= half % 8
    return pairwiseSum(UnsafeBufferPointer(rebasing: a[0..<half])) + pairwiseSum(UnsafeBufferPointer(rebasing: a[half...]))
}

func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
func silu(_ x: Double) -> Double { x * sigmoid(x) }
