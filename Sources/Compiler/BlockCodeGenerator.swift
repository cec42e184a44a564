/// The code of one HGRN-Bit block (docs/model.md) for one token, in three parts so
/// the program can overlap a block's loads with the end of the previous one:
/// `loads` (VL = d), `body` (starts with VL = d, ends with VL = I, z
/// in flight), `finish` (VL = d: out = r1 + z, stored).
///
/// Schedule: the core issues in order and stalls at the first instruction
/// whose unit is busy or whose operands are pending, and stores wait for
/// the ternary unit to be idle. So the i, f, g inputs are all normalized and
/// quantized before f's product is issued (their reduction work hides under
/// i's stream), the element-wise gate math runs while g streams, the state
/// store sits where the ternary unit is idle anyway, and norm weights are
/// loaded while matrices stream.
struct BlockCodeGenerator {
    let layer: Int
    let d: Int
    let intermediate: Int
    /// The `norm` immediates.
    let eps: NormEpsilons
    let useLowerBound: Bool
    /// The ternary product's spelling for the build's weight packing.
    let tmatmul: String
    /// How the program's streams share the state (`.s` suffixes, `macp`).
    let streams: StreamKind

    typealias R = Registers

    private func norm(_ v: Names.NormVector) -> String { Names.norm(layer, v) }
    private func matrix(_ m: Names.Matrix) -> String { Names.matrix(layer, m) }

    /// The loads `body` starts from: the first norm weights, the ones the
    /// critical path to the first product needs.
    var criticalLoads: [ProgramLine] {
        [
            .op("ldv", R.weights[0], norm(.attn)),
            .op("ldv", R.weights[1], norm(.i)),
        ]
    }

    /// Loads needed only once i streams: h_prev and the f, g norm weights.
    var laterLoads: [ProgramLine] {
        [
            .op("ldv" + streams.state, R.hPrev, Names.state(layer), note: "h_prev"),
            .op("ldv", R.weights[2], norm(.f)),
            .op("ldv", R.weights[3], norm(.g)),
        ]
    }

    /// Every load `body` expects, when they can all be issued early (while
    /// the previous layer's last product streams).
    var loads: [ProgramLine] { criticalLoads + laterLoads }

    /// norm + absmax + quant: a projection's input, ready for `tmatmul`.
    private func quantized(_ dst: String, _ src: String, weight: String, scale: String, _ what: String) -> [ProgramLine] {
        [
            .op("norm", dst, src, weight, eps.projectionOperand, note: "\(what).norm"),
            .op("absmax", scale, dst),
            .op("quant", dst, dst, scale),
        ]
    }

    /// The block; `deferred` lines (loads the first product does not need)
    /// are issued right after i's product, where they cost no time.
    func body(deferred: [ProgramLine] = []) -> [ProgramLine] {
        let l = layer
        let s = R.scales
        var out: [ProgramLine] = [.comment("layer \(l): a = rmsnorm(x, attn_norm)")]
        out.append(.op("norm", R.a, R.x, R.weights[0], eps.blockOperand, note: "a"))

        out.append(.comment("layer \(l): i, f, g = BitLinear_{i,f,g}(a), streamed back to back"))
        out += quantized(R.i, R.a, weight: R.weights[1], scale: s[0], "i_proj")
        out.append(.op(tmatmul, R.i, R.i, s[0], matrix(.i), note: "i = BitLinear_i(a)"))
        out += deferred
        out += quantized(R.f, R.a, weight: R.weights[2], scale: s[1], "f_proj")
        out += quantized(R.g, R.a, weight: R.weights[3], scale: s[2], "g_proj")
        out.append(.op("ldv", R.weights[0], norm(.gOut)))
        out.append(.op("ldv", R.weights[1], norm(.o)))
        if useLowerBound { out.append(.op("ldv", R.lowerBound, Names.lowerBound(l))) }
        out.append(.op(tmatmul, R.f, R.f, s[1], matrix(.f), note: "f = BitLinear_f(a)"))
        out.append(.op(tmatmul, R.g, R.g, s[2], matrix(.g), note: "g = BitLinear_g(a)"))
        out.append(.op("ldv", R.weights[2], norm(.mlp)))
        out.append(.op("ldv", R.weights[3], norm(.gate)))

        out.append(.comment("layer \(l): h = f * h_prev + silu(i) * (1 - f), while g streams"))
        out.append(.op("sig", R.f, R.f, note: "f = sigmoid(f)"))
        if useLowerBound { out.append(.op("lba", R.f, R.f, R.lowerBound, note: "f = lb + (1 - lb) * f")) }
        out.append(.op("sub", R.oneMinusF, R.ones, R.f, note: "1 - f"))
        out.append(.op("silu", R.i, R.i))
        out.append(.op("mul", R.i, R.i, R.oneMinusF, note: "i = silu(i) * (1 - f)"))
        out.append(.op(streams.recurrence, R.i, R.f, R.hPrev, note: streams == .prefill ? "h = i + f * h_prev, h_prev from the stream before" : "h = i + f * h_prev"))
        out.append(.op("silu", R.siluH, R.i, note: "silu(h)"))

        out.append(.comment("layer \(l): o = BitLinear_o(rmsnorm(g, g_norm) * silu(h)); r1 = x + o"))
        out.append(.op("norm", R.g, R.g, R.weights[0], eps.blockOperand, note: "rmsnorm(g, g_norm)"))
        out.append(.op("sv" + streams.state, R.i, Names.state(l), note: streams == .prefill ? "the last stream's h, for the next token" : "h, for the next token"))
        out.append(.op("mul", R.g, R.g, R.siluH))
        out += quantized(R.g, R.g, weight: R.weights[1], scale: s[3], "o_proj")
        out.append(.op(tmatmul, R.g, R.g, s[3], matrix(.o), note: "o = BitLinear_o(...)"))
        out.append(.op("add", R.x, R.x, R.g, note: "r1 = x + o"))

        out.append(.comment("layer \(l): u = BitLinear_gate(rmsnorm(r1, mlp_norm)); gate, up = u[0:I], u[I:2I]"))
        out.append(.op("norm", R.a, R.x, R.weights[2], eps.blockOperand, note: "m"))
        out += quantized(R.a, R.a, weight: R.weights[3], scale: s[4], "gate_proj")
        out.append(.op(tmatmul, R.i, R.a, s[4], matrix(.gate), note: "gate"))
        out.append(.op("setvl", String(intermediate), note: "I"))
        out.append(.op("ldv", R.lowerBound, norm(.down)))
        out.append(.op(tmatmul, R.f, R.a, s[4], matrix(.up), note: "up"))

        out.append(.comment("layer \(l): z = BitLinear_down(silu(gate) * up)"))
        out.append(.op("silu", R.i, R.i))
        out.append(.op("mul", R.i, R.i, R.f, note: "silu(gate) * up"))
        out += quantized(R.i, R.i, weight: R.lowerBound, scale: s[5], "down_proj")
        out.append(.op(tmatmul, R.f, R.i, s[5], matrix(.down), note: "z"))
        return out
    }

    /// out = r1 + z, stored to the layer's output region (VL must be d).
    var finish: [ProgramLine] {
        [
            .op("add", R.x, R.x, R.f, note: "layer \(layer) out = r1 + z"),
            .op("sv" + streams.own, R.x, Names.output(layer)),
        ]
    }
}
