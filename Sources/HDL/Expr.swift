/// A node of the expression graph. Nodes are immutable and shared, so a
/// value used twice is one node (the emitter names it once if needed).
public final class Expr {
    public enum Op: Hashable {
        case ref(SignalRef)
        case literal(BitVector)
        case not, negate, reduceAnd, reduceOr, reduceXor
        case add, sub, mul, and, or, xor
        case eq, ne, lt, le, gt, ge
        case logicalAnd, logicalOr
        /// Shift by a signal amount; width unchanged.
        case shiftLeft, shiftRight
        /// Bits `lo ... lo + width - 1` of the operand (width from the node type).
        case slice(lo: Int)
        /// Element of a Vec chosen by a signal index (operands: vector, index).
        case dynamicIndex
        /// Concatenation, first operand most significant (as in SystemVerilog).
        case concat
        /// Operands: condition, then-value, else-value.
        case mux
        /// Same bits, new type (UInt <-> SInt <-> Bool <-> Vec/record views).
        case reinterpret
        /// Zero or sign extension (by the operand's signedness), or truncation.
        case resize
        /// An expression that failed to type-check; the message says why.
        case invalid(String)
    }

    public let op: Op
    public let type: HWType
    public let operands: [Expr]

    init(_ op: Op, _ type: HWType, _ operands: [Expr] = []) {
        self.op = op
        self.type = type
        self.operands = operands
    }

    /// Every error message inside this expression, depth first.
    func invalidMessages() -> [String] {
        var seen = Set<ObjectIdentifier>()
        var out: [String] = []
        func walk(_ e: Expr) {
            guard seen.insert(ObjectIdentifier(e)).inserted else { return }
            if case .invalid(let m) = e.op { out.append(m) }
            e.operands.forEach(walk)
        }
        walk(self)
        return out
    }

    /// Every signal this expression reads.
    public func referencedSignals() -> [SignalDecl] {
        var seen = Set<ObjectIdentifier>()
        var out: [SignalDecl] = []
        func walk(_ e: Expr) {
            guard seen.insert(ObjectIdentifier(e)).inserted else { return }
            if case .ref(let r) = e.op { out.append(r.decl) }
            e.operands.forEach(walk)
        }
        walk(self)
        return out
    }
}

/// Identity wrapper so `Expr.Op` can stay `Hashable`.
public struct SignalRef: Hashable {
    public let decl: SignalDecl
    public static func == (a: SignalRef, b: SignalRef) -> Bool { a.decl === b.decl }
    public func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(decl)) }
}
