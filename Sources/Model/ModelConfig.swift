/// The shape of an HGRN-Bit ("MatMul-free LM") model: the fields of a
/// checkpoint's config.json that the math depends on (docs/model.md).
public struct ModelConfig: Sendable, Equatable, Codable {
    /// d, the width of the residual stream.
    public var hiddenSize: Int
    /// I, the width of the MLP (gate_proj has 2I outputs).
    public var intermediateSize: Int
    /// L, the number of blocks.
    public var layers: Int
    public var vocabSize: Int
    /// The epsilon of the block norms (`attn_norm`, `g_norm`, `mlp_norm`)
    /// and the final `model.norm`; not of the projections' own norms.
    public var rmsNormEps: Double
    /// Whether layers above 0 bound their forget gate from below (`model.lower_bounds`).
    public var useLowerBound: Bool
    /// The context the model was trained for (`max_position_embeddings`), nil
    /// when config.json does not say. Not part of the math (the recurrence has
    /// no positions): generation refuses to run past it.
    public var maxPositions: Int?

    public init(hiddenSize: Int, intermediateSize: Int? = nil, layers: Int, vocabSize: Int,
                rmsNormEps: Double = 1e-6, useLowerBound: Bool = true, maxPositions: Int? = nil) {
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize ?? Self.defaultIntermediateSize(hiddenSize: hiddenSize)
        self.layers = layers
        self.vocabSize = vocabSize
        self.rmsNormEps = rmsNormEps
        self.useLowerBound = useLowerBound
        self.maxPositions = maxPositions
    }

    /// The epsilon of the RMSNorm inside every BitLinear projection: the
    /// official fused kernel is called without an eps, so its default
    /// applies whatever `rms_norm_eps` says (docs/model.md).
    public static let projectionNormEps = 1e-6

    /// The reference implementation's rule when `intermediate_size` is null:
    /// `256 * ceil(int(d * 4 * 2 / 3) / 256)`.
    public static func defaultIntermediateSize(hiddenSize d: Int, hiddenRatio: Int = 4) -> Int {
        let raw = d * hiddenRatio * 2 / 3
        return 256 * ((raw + 255) / 256)
    }

    /// Ternary weights in one block: `4 d^2 + 2 I d + I d`.
    public var ternaryWeightsPerBlock: Int {
        4 * hiddenSize * hiddenSize + 3 * intermediateSize * hiddenSize
    }
}
