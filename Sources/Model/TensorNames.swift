/// The tensor names of the published checkpoint layout (docs/model.md), in
/// one place so the loader, the synthetic writer, the float reference and
/// the compiler cannot disagree.
public enum TensorNames {
    public static let embeddings = "model.embeddings.weight"
    public static let lowerBounds = "model.lower_bounds"
    public static let finalNorm = "model.norm.weight"
    public static let head = "lm_head.weight"
    public static let headNorm = "lm_head.norm.weight"

    /// The ternary projections of a block, in the order the block uses them.
    public enum Projection: String, CaseIterable, Sendable {
        case i = "attn.i_proj", f = "attn.f_proj", g = "attn.g_proj", o = "attn.o_proj"
        case gate = "mlp.gate_proj", down = "mlp.down_proj"
    }

    public static func layer(_ l: Int, _ suffix: String) -> String { "model.layers.\(l).\(suffix)" }
    public static func attnNorm(_ l: Int) -> String { layer(l, "attn_norm.weight") }
    public static func gNorm(_ l: Int) -> String { layer(l, "attn.g_norm.weight") }
    public static func mlpNorm(_ l: Int) -> String { layer(l, "mlp_norm.weight") }
    /// The projection's ternary weight, [out, in].
    public static func weight(_ l: Int, _ p: Projection) -> String { layer(l, p.rawValue + ".weight") }
    /// The RMSNorm weight the projection applies to its input, [in].
    public static func inputNorm(_ l: Int, _ p: Projection) -> String { layer(l, p.rawValue + ".norm.weight") }

    /// Every tensor a model of this shape needs, with its shape.
    public static func required(_ c: ModelConfig) -> [(name: String, shape: [Int])] {
        let d = c.hiddenSize, i = c.intermediateSize
        var out: [(String, [Int])] = [(embeddings, [c.vocabSize, d])]
        if c.useLowerBound { out.append((lowerBounds, [c.layers, d])) }
        for l in 0..<c.layers {
            out.append((attnNorm(l), [d]))
            for p in [Projection.i, .f, .g, .o] {
                out.append((weight(l, p), [d, d]))
                out.append((inputNorm(l, p), [d]))
            }
            out.append((gNorm(l), [d]))
            out.append((mlpNorm(l), [d]))
            out.append((weight(l, .gate), [2 * i, d]))
            out.append((inputNorm(l, .gate), [d]))
            out.append((weight(l, .down), [d, i]))
            out.append((inputNorm(l, .down), [i]))
        }
        out += [(finalNorm, [d]), (head, [c.vocabSize, d]), (headNorm, [d])]
        return out
    }
}
