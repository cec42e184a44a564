import HDL
import ISA

/// The element operations of one vector lane, as the lane's own op codes
/// (the unit maps `adds`, `muls` and `bcast` onto `add`, `mul` and `mv`
/// with the scalar as an operand).
public enum VectorLaneOp: Int, CaseIterable, Sendable {
    case add, sub, mul, div, mac, lba, mv, exp, sig, csig, silu, rsqrt

    public static let bits = 4

    /// `result` of `Numeric` for this op (`d` is mac's destination element).
    public func reference(a: Int32, b: Int32, d: Int32, f: Int) -> Int32 { referenceReporting(a: a, b: b, d: d, f: f).value }

    /// `result` and `saturated` of `Numeric` for this op.
    public func referenceReporting(a: Int32, b: Int32, d: Int32, f: Int) -> Numeric.Clamped {
        switch self {
        case .add: return Numeric.addReporting(a, b)
        case .sub: return Numeric.subReporting(a, b)
        case .mul: return Numeric.mulReporting(a, b, f: f)
        case .div: return Numeric.divReporting(a, b, f: f)
        case .mac: return Numeric.macReporting(d, a, b, f: f)
        case .lba: return Numeric.lbaReporting(a, b, f: f)
        case .mv: return (a, false)
        case .exp: return Numeric.expReporting(a, f: f)
        case .sig: return (Numeric.sigmoid(a, f: f), false)
        case .csig: return (Numeric.csig(a, f: f), false)
        case .silu: return Numeric.siluReporting(a, f: f)
        case .rsqrt: return Numeric.rsqrtReporting(a, f: f)
        }
    }
}

/// One element of the vector unit: `result = op(a, b, d)` exactly as
/// `Numeric`, for every `VectorLaneOp`, with one fixed latency for all ops.
///
/// A new (`op`, `a`, `b`, `d`) may enter every cycle; `result` appears
/// `latency` clock edges later (registered). The sigmoid family reuses the
/// exponential and the divider: sig(x) = div(ONE, ONE + exp(-|x|)) mirrored
/// for x < 0, so `div` and the sigmoids share one `DivideDatapath`, and
/// `mul`, `mac`, `lba` and `silu` share the final multiplier:
///
/// - edge 1: the exponential's argument (x for `exp`, -|x| for the sigmoids);
/// - `ExpDatapath`; then one edge to choose the divider's operands;
/// - `DivideDatapath`; then one edge to form the sigmoids and simple results;
/// - one edge for the shared product, one to round, add and saturate.
///
/// `rsqrt` runs beside it in `RsqrtDatapath`. `saturated` comes with
/// `result`: the op's value was clamped (`VectorLaneOp.referenceReporting`).
public struct VectorLane: Module {
    public let fracBits: Int

    public init(fracBits: Int = CoreConfig.standard.fracBits) { self.fracBits = fracBits }

    public var parameters: [Parameter] { [Parameter("F", fracBits)] }

    var exponential: ExpDatapath { ExpDatapath(fracBits: fracBits) }
    var divider: DivideDatapath { DivideDatapath(fracBits: fracBits) }
    var rsqrt: RsqrtDatapath { RsqrtDatapath(fracBits: fracBits) }

    /// Edges from the inputs to the divider's result.
    var divideDone: Int { 1 + exponential.latency + 1 + divider.latency }

    /// Clock edges from the inputs to `result`: the same for every op.
    public var latency: Int { divideDone + 3 + Self.productLatency }

    /// Cycles of the lane's product (33 x 33 bits, a `splitProduct`).
    static let productLatency = SplitProduct.latency(33, 33, signed: true)

    public func build(_ m: ModuleBuilder) {
        let f = fracBits
        guard m.require(CoreConfig.fracBitsRange.contains(f),
                        "fraction bits must be in \(CoreConfig.fracBitsRange), got \(f)"),
              m.require(rsqrt.latency <= divideDone, "rsqrt must finish before the divider") else { return }
        let op = m.input("op", .uint(VectorLaneOp.bits))
        let a = m.input("a", .sint(32))
        let b = m.input("b", .sint(32))
        let d = m.input("d", .sint(32))
        let result = m.output("result", .sint(32))
        let saturated = m.output("saturated", .bool)
        let one = slit(1 << f, width: 32)
        func code(_ o: VectorLaneOp) -> Signal { lit(o.rawValue, width: VectorLaneOp.bits) }

        // Edge 1: e^x for exp, e^-|x| for the sigmoid family.
        let negativeAbs = mux(a < slit(0, width: 32), a, -a)
        let expArgument1 = m.regNext("exp_argument1", mux(op == code(.exp), a, negativeAbs))
        let op1 = m.regNext("op1", op), a1 = m.regNext("a1", a), b1 = m.regNext("b1", b), d1 = m.regNext("d1", d)

        let exponential = m.instance(self.exponential, "exponential")
        exponential.x.set(expArgument1)
        let expDone = 1 + self.exponential.latency
        let opE = m.pipelineDelay("op_e", op1, cycles: self.exponential.latency)
        let aE = m.pipelineDelay("a_e", a1, cycles: self.exponential.latency)
        let bE = m.pipelineDelay("b_e", b1, cycles: self.exponential.latency)

        // Next edge: div's own operands, or ONE / (ONE + E) for the sigmoids.
        let isDiv = opE == code(.div)
        let dividend = m.regNext("dividend", mux(isDiv, aE, one))
        let divisor = m.regNext("divisor", mux(isDiv, bE, one + exponential.y))
        let divider = m.instance(self.divider, "divider")
        divider.a.set(dividend)
        divider.b.set(divisor)

        // Everything else waits for the divider.
        let wait = divideDone
        let opW = m.pipelineDelay("op_w", op1, cycles: wait - 1)
        let aW = m.pipelineDelay("a_w", a1, cycles: wait - 1)
        let bW = m.pipelineDelay("b_w", b1, cycles: wait - 1)
        let dW = m.pipelineDelay("d_w", d1, cycles: wait - 1)
        let expW = m.pipelineDelay("exp_w", exponential.y, cycles: wait - expDone)
        let expSaturatedW = m.pipelineDelay("exp_saturated_w", exponential.saturated, cycles: wait - expDone)
        let rsqrt = m.instance(self.rsqrt, "rsqrt")
        rsqrt.x.set(a)
        let rsqrtW = m.pipelineDelay("rsqrt_w", rsqrt.y, cycles: wait - self.rsqrt.latency)
        let rsqrtSaturatedW = m.pipelineDelay("rsqrt_saturated_w", rsqrt.saturated, cycles: wait - self.rsqrt.latency)

        // Edge divideDone + 1: sigmoid = S for x >= 0, ONE - S for x < 0
        // (csig the other way round); the simple results; the product's operands.
        let quotient = divider.q
        let complement = m.wire("complement", one - quotient)
        let xNonNegative = aW >= slit(0, width: 32)
        let sigmoid = m.wire("sigmoid", mux(xNonNegative, quotient, complement))
        let simple = m.wire("simple", .sint(32))
        let simpleSaturated = m.wire("simple_saturated", .bool)
        let sum1 = m.wire("sum1", aW.expandingAdd(bW)), difference1 = m.wire("difference1", aW.expandingSub(bW))
        m.switch(opW) { c in
            c.is(code(.add)) { simple.set(saturatedToInt32(sum1)); simpleSaturated.set(exceedsInt32(sum1)) }
            c.is(code(.sub)) { simple.set(saturatedToInt32(difference1)); simpleSaturated.set(exceedsInt32(difference1)) }
            c.is(code(.div)) { simple.set(quotient); simpleSaturated.set(divider.saturated) }
            c.is(code(.exp)) { simple.set(expW); simpleSaturated.set(expSaturatedW) }
            c.is(code(.sig)) { simple.set(sigmoid); simpleSaturated.set(false) }
            c.is(code(.csig)) { simple.set(mux(xNonNegative, complement, quotient)); simpleSaturated.set(false) }
            c.is(code(.rsqrt)) { simple.set(rsqrtW); simpleSaturated.set(rsqrtSaturatedW) }
            c.default { simple.set(aW); simpleSaturated.set(false) }
        }
        let simple1 = m.regNext("simple1", simple)
        let simpleSaturated1 = m.regNext("simple_saturated1", simpleSaturated)
        // lba(x = a, lb = b) = sat32(lb + rshr((ONE - lb) * x, F)); mac adds d.
        let multiplicand = m.regNext("multiplicand", aW.extend(to: 33))
        let multiplier = m.regNext("multiplier", mux(opW == code(.silu), sigmoid.extend(to: 33),
                                                     mux(opW == code(.lba), one.extend(to: 33) - bW.extend(to: 33),
                                                         bW.extend(to: 33))))
        let addend = m.regNext("addend", mux(opW == code(.mac), dW, mux(opW == code(.lba), bW, slit(0, width: 32))))
        let productOps = [VectorLaneOp.mul, .mac, .lba, .silu].map { opW == code($0) }
        let usesProduct = productOps.dropFirst().reduce(productOps[0]) { $0 || $1 }
        let usesProduct1 = m.regNext("uses_product1", usesProduct)

        // The exact product; the addend becomes addend * 2^F + 2^(F-1),
        // so rounding and adding take one adder.
        let later = Self.productLatency
        let product2 = m.splitProduct("product2", multiplicand, multiplier)
        let offset2 = m.pipelineDelay("offset2", cat(addend.asUInt, lit(1 << (f - 1), width: f)).asSInt.extend(to: 66), cycles: later)
        let simple2 = m.pipelineDelay("simple2", simple1, cycles: later)
        let simpleSaturated2 = m.pipelineDelay("simple_saturated2", simpleSaturated1, cycles: later)
        let usesProduct2 = m.pipelineDelay("uses_product2", usesProduct1, cycles: later)

        // floor((product + addend * 2^F + 2^(F-1)) / 2^F), registered before
        // the saturation (an add and a compare chain were too much for one cycle).
        let sum = m.regNext("rounded_sum", product2.expandingAdd(offset2) >> f)
        let simple3 = m.regNext("simple3", simple2)
        let simpleSaturated3 = m.regNext("simple_saturated3", simpleSaturated2)
        let usesProduct3 = m.regNext("uses_product3", usesProduct2)
        result.set(m.regNext("result_q", mux(usesProduct3, saturatedToInt32(sum), simple3)))
        saturated.set(m.regNext("saturated_q", mux(usesProduct3, exceedsInt32(sum), simpleSaturated3)))
    }
}
