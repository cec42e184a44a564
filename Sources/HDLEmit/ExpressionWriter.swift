import HDL

/// Turns expression graphs into SystemVerilog text whose widths match exactly,
/// so `verilator -Wall` has nothing to say. SystemVerilog selects bits only
/// from names: a slice of a named signal is written `x[hi:lo]`, a slice of
/// any other expression `W'(expr >> lo)`, which needs no temporary wire.
final class ExpressionWriter {
    private let names: NameTable

    init(names: NameTable) { self.names = names }

    /// SystemVerilog text for `e`, with the signedness of its IR type.
    func write(_ e: Expr) -> String {
        let (text, signed) = raw(e)
        if e.type.isSigned && !signed { return "$signed(\(text))" }
        if !e.type.isSigned && signed { return "$unsigned(\(text))" }
        return text
    }

    /// The name `e` stands for when it is a signal seen through any number
    /// of reinterpretations (which keep the bits), else nil.
    static func underlyingSignal(_ e: Expr) -> SignalDecl? {
        switch e.op {
        case .ref(let r): return r.decl
        case .reinterpret: return underlyingSignal(e.operands[0])
        default: return nil
        }
    }

    /// The text and whether SystemVerilog treats it as signed.
    private func raw(_ e: Expr) -> (String, Bool) {
        let o = e.operands
        switch e.op {
        case .ref(let r):
            return (names[r.decl], r.decl.type.isSigned)
        case .literal(let bits):
            return (Self.literal(bits, e.type), e.type.isSigned)
        case .invalid(let message):
            // Unreachable for a checked design; keep the text obviously wrong.
            return ("/* invalid: \(message) */ 'x", false)
        case .not:
            return e.type == .bool ? ("(!\(write(o[0])))", false) : ("(~\(write(o[0])))", e.type.isSigned)
        case .negate:
            return ("(-\(write(o[0])))", true)
        case .reduceAnd: return ("(&\(write(o[0])))", false)
        case .reduceOr: return ("(|\(write(o[0])))", false)
        case .reduceXor: return ("(^\(write(o[0])))", false)
        case .add: return binary("+", o, e.type.isSigned)
        case .sub: return binary("-", o, e.type.isSigned)
        case .mul: return binary("*", o, e.type.isSigned)
        case .and: return binary("&", o, e.type.isSigned)
        case .or: return binary("|", o, e.type.isSigned)
        case .xor: return binary("^", o, e.type.isSigned)
        case .eq: return binary("==", o, false)
        case .ne: return binary("!=", o, false)
        case .lt: return binary("<", o, false)
        case .le: return binary("<=", o, false)
        case .gt: return binary(">", o, false)
        case .ge: return binary(">=", o, false)
        case .logicalAnd: return binary("&&", o, false)
        case .logicalOr: return binary("||", o, false)
        case .shiftLeft: return ("(\(write(o[0])) << \(write(o[1])))", e.type.isSigned)
        case .shiftRight:
            let op = e.type.isSigned ? ">>>" : ">>"
            return ("(\(write(o[0])) \(op) \(write(o[1])))", e.type.isSigned)
        case .slice(let lo):
            return (slice(o[0], lo: lo, width: e.type.width), false)
        case .dynamicIndex:
            return (dynamicIndex(o[0], o[1], width: e.type.width), false)
        case .concat:
            return ("{" + o.map(write).joined(separator: ", ") + "}", false)
        case .mux:
            return ("(\(write(o[0])) ? \(write(o[1])) : \(write(o[2])))", e.type.isSigned)
        case .reinterpret:
            // Same bits: only the signedness may change, which `write` adds.
            return raw(o[0])
        case .resize:
            // A cast sizes its operand by context: widened, `a - b` or `~a`
            // would be computed at the new width. Fix the operand's own width
            // first with a one-element concatenation, which is self-determined
            // (a cast to the operand's own width would do too, but slang calls it useless).
            var inner = write(o[0])
            if e.type.width > o[0].type.width && !Self.isSelfDetermined(o[0]) {
                inner = o[0].type.isSigned ? "$signed({\(inner)})" : "{\(inner)}"
            }
            return ("\(e.type.width)'(\(inner))", e.type.isSigned)
        }
    }

    /// Whether the text of `e` has its own width in any context (a name, a
    /// literal, a concatenation, a cast, a 1-bit result), rather than taking
    /// the width of its surroundings as arithmetic, bitwise operators and `?:` do.
    static func isSelfDetermined(_ e: Expr) -> Bool {
        switch e.op {
        case .ref, .literal, .concat, .resize, .dynamicIndex, .invalid,
             .eq, .ne, .lt, .le, .gt, .ge, .reduceAnd, .reduceOr, .reduceXor, .logicalAnd, .logicalOr:
            return true
        case .not: return e.type == .bool
        case .reinterpret: return isSelfDetermined(e.operands[0])
        case .slice(let lo):
            // The whole operand is written as the operand itself.
            return lo != 0 || e.type.width != e.operands[0].type.width || isSelfDetermined(e.operands[0])
        default: return false
        }
    }

    private func binary(_ op: String, _ o: [Expr], _ signed: Bool) -> (String, Bool) {
        ("(\(write(o[0])) \(op) \(write(o[1])))", signed)
    }

    private func slice(_ operand: Expr, lo: Int, width: Int) -> String {
        // The whole value: no select needed (and a 1-bit `logic` has no bits to select).
        if lo == 0 && width == operand.type.width { return write(operand) }
        guard let signal = Self.underlyingSignal(operand) else {
            return "\(width)'(\(write(operand).asUnsigned(operand.type)) >> \(lo))"
        }
        let base = names[signal]
        return width == 1 ? "\(base)[\(lo)]" : "\(base)[\(lo + width - 1):\(lo)]"
    }

    private func dynamicIndex(_ vector: Expr, _ index: Expr, width: Int) -> String {
        let i = write(index)
        // The bit offset of the element: the index followed by zeros for a
        // power-of-two element width, else a 32-bit product.
        let offset: String
        if width == 1 {
            offset = i
        } else if width & (width - 1) == 0 {
            offset = "{\(i), \(width.trailingZeroBitCount)'b0}"
        } else {
            offset = "32'(\(i)) * 32'd\(width)"
        }
        guard let signal = Self.underlyingSignal(vector) else {
            return "\(width)'(\(write(vector).asUnsigned(vector.type)) >> (\(offset)))"
        }
        return width == 1 ? "\(names[signal])[\(i)]" : "\(names[signal])[\(offset) +: \(width)]"
    }

    static func literal(_ bits: BitVector, _ type: HWType) -> String {
        let w = bits.width
        if type == .bool { return bits.isZero ? "1'b0" : "1'b1" }
        if type.isSigned {
            if let u = bits.uint64, w <= 64 {
                let negative = w < 64 ? (u >> UInt64(w - 1)) & 1 == 1 : Int64(bitPattern: u) < 0
                let value = w < 64 && negative ? Int64(bitPattern: u) - (Int64(1) << Int64(w)) : Int64(bitPattern: u)
                let isMin = negative && w < 64 && value == -(Int64(1) << Int64(w - 1))
                if negative && !isMin { return "(-\(w)'sd\(-value))" }
                if !negative { return "\(w)'sd\(value)" }
            }
            return "\(w)'sh\(bits.hexDigits)"
        }
        if let u = bits.uint64, u < 1 << 16 { return "\(w)'d\(u)" }
        return "\(w)'h\(bits.hexDigits)"
    }
}

extension String {
    /// This expression text viewed as unsigned, so `>>` shifts in zeros.
    func asUnsigned(_ type: HWType) -> String { type.isSigned ? "$unsigned(\(self))" : self }
}
