import Model

/// Real numbers to the target's Q.F element format, and the `norm`
/// instruction's epsilon to its unsigned Q.(2F) immediate.
public enum FixedPointConversion {
    /// `x` in Q.F, rounded to nearest (ties away from zero, like the
    /// assembler), saturating at the edges of the range; nil when `x` lies
    /// outside the representable range [-2^(31-F), 2^(31-F)) or is not finite.
    public static func fixed(_ x: Double, fracBits f: Int) -> Int32? {
        let limit = Double(Int64(1) << Int64(31 - f))
        guard x.isFinite, x >= -limit, x < limit else { return nil }
        let r = (x * Double(Int64(1) << Int64(f))).rounded(.toNearestOrAwayFromZero)
        return Int32(max(Double(Int32.min), min(Double(Int32.max), r)))
    }

    /// A norm weight or lower-bound vector in Q.F; an error names the tensor
    /// and the first value that does not fit.
    public static func vector<T: BinaryFloatingPoint>(_ values: [T], fracBits f: Int, tensor: String) throws -> [Int32] {
        var out = [Int32](repeating: 0, count: values.count)
        for (i, v) in values.enumerated() {
            guard let q = fixed(Double(v), fracBits: f) else {
                throw CompileError(tensor: tensor, "element \(i) = \(v) is outside the Q\(31 - f).\(f) range of the target")
            }
            out[i] = q
        }
        return out
    }

    /// The matrix header's weight scale ws = mean|W| in Q.F; it must be
    /// positive (a zero scale would silence the projection).
    public static func weightScale(_ ws: Double, fracBits f: Int, tensor: String) throws -> Int32 {
        guard let q = fixed(ws, fracBits: f) else {
            throw CompileError(tensor: tensor, "weight scale mean|W| = \(ws) is outside the Q\(31 - f).\(f) range of the target")
        }
        guard q > 0 else {
            throw CompileError(tensor: tensor, "weight scale mean|W| = \(ws) rounds to 0 in Q\(31 - f).\(f); the target needs more fraction bits")
        }
        return q
    }

    /// `rms_norm_eps` as `norm`'s immediate: unsigned with 2F fraction bits.
    public static func epsilon(_ eps: Double, fracBits f: Int) throws -> UInt32 {
        let r = (eps * Double(UInt64(1) << UInt64(2 * f))).rounded(.toNearestOrAwayFromZero)
        guard eps.isFinite, r >= 1 else {
            throw CompileError(tensor: "rms_norm_eps", "\(eps) rounds to 0 with \(2 * f) fraction bits; the target cannot represent it")
        }
        guard r <= Double(UInt32.max) else {
            throw CompileError(tensor: "rms_norm_eps", "\(eps) does not fit norm's 32-bit immediate with \(2 * f) fraction bits")
        }
        return UInt32(r)
    }
}

/// `norm`'s immediates (unsigned Q.2F): `rms_norm_eps` for the block norms
/// and the final norm, `ModelConfig.projectionNormEps` for the norm inside
/// every projection (lm_head's included), as the official code does.
struct NormEpsilons {
    let block: UInt32
    let projection: UInt32

    init(_ config: ModelConfig, fracBits f: Int) throws {
        block = try FixedPointConversion.epsilon(config.rmsNormEps, fracBits: f)
        // The model's own constant, not a user's value: below F = 10 it is
        // less than one step of Q.(2F), so it becomes that one step (a
        // difference only for vectors already at the format's resolution).
        let steps = (ModelConfig.projectionNormEps * Double(UInt64(1) << UInt64(2 * f))).rounded(.toNearestOrAwayFromZero)
        projection = UInt32(max(1, steps))
    }

    var blockOperand: String { "0x" + String(block, radix: 16) }
    var projectionOperand: String { "0x" + String(projection, radix: 16) }
}
