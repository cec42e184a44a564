import HDL

/// One row's share of a `TernaryGroupDatapath` cycle for one stream: the
/// products of the row's `steps` weight bytes (5 trit codes each) with
/// their activations, summed by a registered adder tree. `partial` is the
/// sum, `latency` cycles after `codes` and `activations`; both come from
/// registers of the datapath and the sum leaves from a register, so the
/// module's ports are register boundaries. Why a module: the datapath
/// holds 64 of these per stream, and the Intel survey synthesizes one and
/// counts it (`ResourcePlan`) instead of one flat netlist of all of them.
struct TernaryRowTree: Module {
    /// Column steps per cycle (bytes of the row).
    let steps: Int

    var name: String { "TernaryRowTree" }
    var parameters: [Parameter] { [Parameter("S", steps)] }

    /// Cycles from `codes` to `partial`: the levels of the tree over 5
    /// products and 5 negation bits per step, all but the last registered,
    /// then the output register.
    var latency: Int { Core.treeLevels(10 * steps) }
    /// Exact for 5 products of int8 by a trit per step.
    var partialBits: Int { addressWidth(128 * 5 * steps + 1) + 1 }

    func build(_ m: ModuleBuilder) {
        let codes = m.input("codes", .uint(10 * steps))
        let activations = m.input("activations", .vec(.sint(8), count: 5 * steps))
        let partial = m.output("partial", .sint(partialBits))
        var terms: [Signal] = []
        for s in 0..<steps {
            for i in 0..<5 {
                // w * a without a multiplexer per trit: a masked by the
                // code's low bit, inverted when the trit is -1, and the +1
                // that completes the negation added as its own term (the
                // same adders in hardware; in Verilator no branch on random
                // weight bits, which made this the most expensive logic of
                // a simulated block).
                let lo = codes[10 * s + 2 * i], negative = codes[10 * s + 2 * i] && codes[10 * s + 2 * i + 1]
                let a = activations[s * 5 + i].extend(to: 9).asUInt
                let masked = (a & lo.replicate(9)) ^ negative.replicate(9)
                terms.append(masked.asSInt.extend(to: partialBits))
                terms.append(cat(lit(0, width: partialBits - 1), negative).asSInt)
            }
        }
        // Each level registered but the last (in one cycle the trees and the
        // decode were 10 LUT levels; `registeredTree`), then the sum held.
        let sum = registeredTree(m, "sum", terms, registeredLevels: latency - 1)
        partial.set(m.regNext("partial_q", sum))
    }
}
