/// The largest magnitudes seen by kind of value, to hold a model against
/// the core's fixed-point range (Q15.16 reaches 32768).
public struct ActivationPeaks: Sendable, Equatable {
    /// The residual stream: every block's input and output.
    public var residual = 0.0
    /// What enters a projection, before its own RMSNorm.
    public var projectionInput = 0.0
    /// The same after that RMSNorm: what `absmax` and `quant` see.
    public var normalizedInput = 0.0
    /// What leaves a projection (i, f, g, o, gate/up, down).
    public var projectionOutput = 0.0
    /// The recurrent state h.
    public var state = 0.0
    public var logits = 0.0

    public init() {}

    public var named: [(name: String, value: Double)] {
        [("residual", residual), ("projection_input", projectionInput), ("normalized_input", normalizedInput),
         ("projection_output", projectionOutput), ("state", state), ("logits", logits)]
    }

    mutating func see(_ values: [Double], _ field: WritableKeyPath<ActivationPeaks, Double>) {
        var m = self[keyPath: field]
        for v in values { m = max(m, abs(v)) }
        self[keyPath: field] = m
    }
}
