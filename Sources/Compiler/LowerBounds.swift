import Foundation

/// The forget-gate lower bounds of docs/model.md: `softmax(model.lower_bounds,
/// dim=0)` over the layers, then `cumsum - lb[0]`, so layer 0 gets 0.
public enum LowerBounds {
    /// `raw` is [layers, d] row-major; the result is one d-vector per layer.
    public static func compute(_ raw: [Float], layers: Int, width d: Int) -> [[Double]] {
        precondition(raw.count == layers * d)
        var out = [[Double]](repeating: [Double](repeating: 0, count: d), count: layers)
        for c in 0..<d {
            let column = (0..<layers).map { Double(raw[$0 * d + c]) }
            let peak = column.max() ?? 0
            let e = column.map { Foundation.exp($0 - peak) }
            let total = e.reduce(0, +)
            var running = 0.0
            for l in 0..<layers {
                running += e[l] / total
                out[l][c] = running - e[0] / total
            }
        }
        return out
    }
}
