import Dispatch

/// BitNet b1.58 absmean ternary quantization of a weight tensor (docs/model.md):
/// `ws = max(mean|W|, 1e-5)`, `Wt = clamp(round(W / ws), -1, 1)` with
/// round-half-to-even (torch.round).
public enum WeightQuantizer {
    /// The floor docs/model.md puts under mean|W|.
    public static let minimumScale = 1e-5

    /// `max(mean|W|, 1e-5)`, summed in Double. The tensor is cut into a fixed
    /// number of chunks summed side by side, so the result does not depend on
    /// the machine's core count.
    public static func scale(of w: [Float]) -> Double {
        guard !w.isEmpty else { return minimumScale }
        let chunks = min(64, max(1, w.count / 65536))
        let per = (w.count + chunks - 1) / chunks
        let sums = PartialSums(count: chunks)
        w.withUnsafeBufferPointer { buf in
            let source = SharedFloats(buf)
            DispatchQueue.concurrentPerform(iterations: chunks) { k in
                let lo = k * per, hi = min(w.count, lo + per)
                var s = 0.0
                if lo < hi { for i in lo..<hi { s += Double(abs(source[i])) } }
                sums.set(k, s)
            }
        }
        let mean = sums.total / Double(w.count)
        return max(mean, minimumScale)
    }

    /// One weight's trit. `clamp(round(w / ws), -1, 1)`: |w / ws| <= 0.5
    /// rounds to 0 (0.5 is a tie, to even), anything larger to +-1 after the clamp.
    @inline(__always)
    public static func trit(_ w: Float, scale ws: Double) -> Int8 {
        let q = Double(abs(w)) / ws
        guard q > 0.5 else { return 0 }
        return w < 0 ? -1 : 1
    }

    /// The whole tensor's trits and scale (tests and small tensors; the
    /// compiler packs straight from the floats instead).
    public static func ternary(_ w: [Float]) -> (trits: [Int8], scale: Double) {
        let ws = scale(of: w)
        return (w.map { trit($0, scale: ws) }, ws)
    }
}

/// Read-only float storage shared with `concurrentPerform` iterations.
struct SharedFloats: @unchecked Sendable {
    let base: UnsafeBufferPointer<Float>
    init(_ base: UnsafeBufferPointer<Float>) { self.base = base }
    subscript(i: Int) -> Float { base[i] }
}

/// One Double slot per iteration of `concurrentPerform`; each slot is
/// written by exactly one iteration, so no lock is needed.
final class PartialSums: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Double>
    init(count: Int) { slots = .allocate(capacity: count); slots.initialize(repeating: 0) }
    deinit { slots.deallocate() }
    func set(_ k: Int, _ v: Double) { slots[k] = v }
    /// Summed in chunk order: deterministic.
    var total: Double { slots.reduce(0, +) }
}
