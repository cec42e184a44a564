import HDL

/// The heart of a ternary unit: the sum of `inputs` signed activations, each
/// added, subtracted or skipped according to its 2-bit trit.
///
/// Trit codes (bits 2i+1..2i for input i): `01` = +1, `11` = -1, `00` and
/// `10` = 0. The sum is exact: width + log2(inputs) + 1 bits.
/// The tree is built from instances of itself, so each level is one
/// emitted module; `registerAbove` puts a pipeline register on the output
/// of every subtree with at least that many inputs (0: combinational).
public struct TernaryAdderTree: Module {
    public let inputs: Int
    public let width: Int
    public let registerAbove: Int

    public init(inputs: Int, width: Int = 8, registerAbove: Int = 0) {
        self.inputs = inputs
        self.width = width
        self.registerAbove = registerAbove
    }

    public var name: String { "TernaryAdderTree" }
    public var parameters: [Parameter] {
        [Parameter("N", inputs), Parameter("W", width), Parameter("R", registerAbove)]
    }

    /// Width of the exact sum.
    public var sumWidth: Int { Self.sumWidth(inputs: inputs, width: width) }

    static func sumWidth(inputs: Int, width: Int) -> Int {
        inputs <= 1 ? width + 1 : sumWidth(inputs: (inputs + 1) / 2, width: width) + 1
    }

    /// Pipeline registers from an input to the sum.
    public var latency: Int {
        let here = registerAbove > 0 && inputs >= registerAbove ? 1 : 0
        return inputs <= 1 ? here : TernaryAdderTree(inputs: (inputs + 1) / 2, width: width, registerAbove: registerAbove).latency + here
    }

    public func build(_ m: ModuleBuilder) {
        guard m.require(inputs >= 1 && width >= 1, "an adder tree needs at least one input of at least one bit, got \(inputs) x \(width)") else { return }
        let x = m.input("x", .vec(.sint(width), count: inputs))
        let trits = m.input("trits", .uint(2 * inputs))
        let sum = m.output("sum", .sint(sumWidth))

        let total: Signal
        if inputs == 1 {
            // One term: +x, -x or 0, one bit wider so -(-2^(w-1)) fits.
            let wide = m.wire("wide", x[0].extend(to: width + 1))
            let code = m.wire("code", trits)
            total = mux(code == 1, wide, mux(code == 3, -wide, 0))
        } else {
            let lowCount = (inputs + 1) / 2, highCount = inputs - lowCount
            let low = m.instance(TernaryAdderTree(inputs: lowCount, width: width, registerAbove: registerAbove), "low")
            let high = m.instance(TernaryAdderTree(inputs: highCount, width: width, registerAbove: registerAbove), "high")
            low.x.set(x.asUInt[lowCount * width - 1, 0].reinterpret(as: .vec(.sint(width), count: lowCount)))
            low.trits.set(trits[2 * lowCount - 1, 0])
            high.x.set(x.asUInt[inputs * width - 1, lowCount * width].reinterpret(as: .vec(.sint(width), count: highCount)))
            high.trits.set(trits[2 * inputs - 1, 2 * lowCount])
            let w = sumWidth - 1
            // Halves of unequal size have sums of unequal width: widen the smaller.
            total = low.sum.extend(to: w).expandingAdd(high.sum.extend(to: w))
        }
        if registerAbove > 0 && inputs >= registerAbove {
            sum.set(m.regNext("sum_q", total))
        } else {
            sum.set(total)
        }
    }
}
