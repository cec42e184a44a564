/// The register assignment of the generated program. Fixed names keep the
/// printed code readable; the projections write their results in place of
/// their quantized inputs, so one block needs 14 vector and 7 scalar registers.
enum Registers {
    /// The residual stream: block input x, then r1, then the block output.
    static let x = "v0"
    static let hPrev = "v1"
    /// a = rmsnorm(x), later m = rmsnorm(r1): the shared input of several projections.
    static let a = "v2"
    /// i, later h, later gate.
    static let i = "v3"
    /// f, later up, later z.
    static let f = "v4"
    /// g, later o.
    static let g = "v5"
    /// Norm weight vectors, loaded ahead of their use.
    static let weights = ["v6", "v7", "v8", "v9"]
    /// The lower bound, later down_proj's norm weight (I elements).
    static let lowerBound = "v10"
    /// A vector of ones (d elements), for 1 - f.
    static let ones = "v11"
    static let oneMinusF = "v12"
    static let siluH = "v13"
    static let vectorCount = 14

    /// Activation scales of the block's six quantized inputs (the head reuses s0).
    static let scales = ["s0", "s1", "s2", "s3", "s4", "s5"]
    static let one = "s6"
    static let scalarCount = 7
}
