import Model

/// The assembly names of memory regions (`.equ` names in program.s, and the
/// symbol names `trit run --dump` takes), e.g. `L3_STATE`, `L3_W_GATE`.
/// Layers keep their model index, so a build of layers 12...23 names L12 up.
enum Names {
    static func state(_ l: Int) -> String { "L\(l)_STATE" }
    static func output(_ l: Int) -> String { "L\(l)_OUT" }
    static func lowerBound(_ l: Int) -> String { "L\(l)_LB" }
    static func norm(_ l: Int, _ v: NormVector) -> String { "L\(l)_\(v.rawValue)" }
    static func matrix(_ l: Int, _ m: Matrix) -> String { "L\(l)_W_\(m.rawValue)" }
    static func headChunk(_ k: Int) -> String { "HEAD_W\(k)" }

    /// A block's norm weight vectors, in the order the block uses them.
    enum NormVector: String, CaseIterable {
        case attn = "ATTN_NORM", i = "I_NORM", f = "F_NORM", g = "G_NORM"
        case gOut = "G_OUT_NORM", o = "O_NORM", mlp = "MLP_NORM", gate = "GATE_NORM", down = "DOWN_NORM"

        func tensor(_ l: Int) -> String {
            switch self {
            case .attn: return TensorNames.attnNorm(l)
            case .i: return TensorNames.inputNorm(l, .i)
            case .f: return TensorNames.inputNorm(l, .f)
            case .g: return TensorNames.inputNorm(l, .g)
            case .gOut: return TensorNames.gNorm(l)
            case .o: return TensorNames.inputNorm(l, .o)
            case .mlp: return TensorNames.mlpNorm(l)
            case .gate: return TensorNames.inputNorm(l, .gate)
            case .down: return TensorNames.inputNorm(l, .down)
            }
        }
    }

    /// A block's ternary matrices, in the order the block streams them.
    /// gate_proj is two matrices: gate (rows 0..<I) and up (rows I..<2I).
    enum Matrix: String, CaseIterable {
        case i = "I", f = "F", g = "G", o = "O", gate = "GATE", up = "UP", down = "DOWN"

        var projection: TensorNames.Projection {
            switch self {
            case .i: return .i
            case .f: return .f
            case .g: return .g
            case .o: return .o
            case .gate, .up: return .gate
            case .down: return .down
            }
        }

        /// The rows of the tensor this matrix takes, and its columns.
        func rows(d: Int, intermediate n: Int) -> (Range<Int>, Int) {
            switch self {
            case .i, .f, .g, .o: return (0..<d, d)
            case .gate: return (0..<n, d)
            case .up: return (n..<(2 * n), d)
            case .down: return (0..<d, n)
            }
        }
    }
}
