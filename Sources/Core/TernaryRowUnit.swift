import HDL
import HDLLib
import ISA

/// The ternary datapath of `tmatmul`: one memory beat of `lanes` 2-bit trits
/// per cycle, multiplied by the matching int8 activations through an adder
/// tree, accumulated over the beats of a matrix row, then rescaled once per
/// row exactly as `Numeric.matmulOutput` does: `sat32(rshr(acc * K, F))`.
///
/// Per cycle with `in_valid`: `weights` holds trit i in bits 2i+1:2i (the
/// layout of `TernaryMatrix`), `activations` the int8 codes of the same
/// columns, `lane_mask` bit i set for columns inside the matrix (the
/// padding of a row's last beat is ignored), `in_last` marks a row's last
/// beat, and `scale` is K (Q.2F, from `Numeric.matmulScale`). One row result
/// leaves on `out_valid` / `out_value` `latency` cycles after its last beat.
/// `bad_weight` pulses one cycle after a beat holding the illegal code 10
/// inside the mask. The unit never stalls: a beat can enter every cycle.
public struct TernaryRowUnit: Module {
    public let lanes: Int
    public let fracBits: Int
    /// Pipeline registers inside the adder tree: one above every subtree
    /// of at least this many inputs.
    public let registerAbove: Int

    public init(lanes: Int, fracBits: Int = CoreConfig.standard.fracBits, registerAbove: Int = 16) {
        self.lanes = lanes
        self.fracBits = fracBits
        self.registerAbove = registerAbove
    }

    public var name: String { "TernaryRowUnit" }
    public var parameters: [Parameter] {
        [Parameter("L", lanes), Parameter("F", fracBits), Parameter("R", registerAbove)]
    }

    var tree: TernaryAdderTree { TernaryAdderTree(inputs: lanes, width: 8, registerAbove: registerAbove) }

    /// Cycles from a row's last beat to its result.
    public var latency: Int { tree.latency + 2 }

    /// Accumulator width: a row of up to `CoreConfig.vectorLengthLimit`
    /// columns of |int8| <= 128 needs 24 bits; 32 leaves room.
    static let accumulatorWidth = 32
    static let scaleWidth = 64

    public func build(_ m: ModuleBuilder) {
        guard m.require(lanes >= 1, "a ternary unit needs at least one lane, got \(lanes)"),
              m.require((1...30).contains(fracBits), "fraction bits must be 1...30, got \(fracBits)") else { return }
        let inValid = m.input("in_valid", .bool)
        let inLast = m.input("in_last", .bool)
        let weights = m.input("weights", .uint(2 * lanes))
        let activations = m.input("activations", .vec(.sint(8), count: lanes))
        let laneMask = m.input("lane_mask", .uint(lanes))
        let scale = m.input("scale", .sint(Self.scaleWidth))
        let outValid = m.output("out_valid", .bool)
        let outValue = m.output("out_value", .sint(32))
        let badWeight = m.output("bad_weight", .bool)

        // Codes outside the mask become 00 (zero); code 10 inside it is a fault.
        let lowBits = (0..<lanes).map { weights[2 * $0] }
        let highBits = (0..<lanes).map { weights[2 * $0 + 1] }
        let codeMask = m.wire("code_mask", cat((0..<lanes).reversed().flatMap { [laneMask[$0], laneMask[$0]] }))
        let illegal = m.wire("illegal", cat((0..<lanes).reversed().map { highBits[$0] & !lowBits[$0] }) & laneMask)
        badWeight.set(m.regNext("bad_weight_q", inValid && illegal.orR, reset: false))

        let adder = m.instance(tree, "tree")
        adder.x.set(activations)
        adder.trits.set(weights & codeMask)

        // Valid, last and scale travel beside the tree's pipeline.
        var valid = inValid, last = inLast, k = scale
        for stage in 0..<tree.latency {
            valid = m.regNext("valid_d\(stage)", valid, reset: false)
            last = m.regNext("last_d\(stage)", last, reset: false)
            k = m.regNext("scale_d\(stage)", k)
        }

        // Accumulate the row; its last beat starts the rescale.
        let acc = m.reg("acc", .sint(Self.accumulatorWidth), reset: 0)
        let total = m.wire("total", acc + adder.sum.extend(to: Self.accumulatorWidth))
        let product = m.reg("product", .sint(Self.accumulatorWidth + Self.scaleWidth))
        let productValid = m.reg("product_valid", .bool, reset: false)
        productValid.set(valid && last)
        m.when(valid) {
            acc.set(mux(last, 0, total))
        }
        m.when(valid && last) { product.set(total * k) }

        // Round half up at bit F, then saturate to 32 bits.
        let half = slit(1 << (fracBits - 1), width: Self.accumulatorWidth + Self.scaleWidth)
        let rounded = m.wire("rounded", product.expandingAdd(half) >> fracBits)
        let w = rounded.width!
        let saturated = mux(rounded > slit(Int(Int32.max), width: w), slit(Int(Int32.max), width: 32),
                            mux(rounded < slit(Int(Int32.min), width: w), slit(Int(Int32.min), width: 32),
                                rounded.truncate(to: 32)))
        outValue.set(m.regNext("out_q", saturated))
        outValid.set(m.regNext("out_valid_q", productValid, reset: false))
    }
}
