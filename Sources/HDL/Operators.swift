// Operators on `Signal`, with the width rules written next to each.
//
// The rules in one place:
// - `+ - & | ^` and comparisons need both sides of the same type (same
//   signedness and width); the result of `+ - & | ^` has that type and `+ -`
//   wrap around. `expandingAdd` / `expandingSub` give one more bit instead.
// - `*` needs the same signedness; the result is wide enough for any
//   product: width(a) + width(b).
// - `<< k` / `>> k` by a constant grow / shrink the width by k (no bit is
//   lost); `<< s` / `>> s` by a signal keep the width (arithmetic `>>` for SInt).
// - Comparisons and reductions give Bool; `&& || !` take Bool only.
// - Nothing is extended or cut silently: use `extend(to:)`, `truncate(to:)`,
//   `asUInt`, `asSInt`, `asBool`.

extension Signal {
    /// The first error node among the operands, so one mistake is reported once.
    private static func firstInvalid(_ operands: [Expr]) -> Expr? {
        operands.first { if case .invalid = $0.op { return true } else { return false } }
    }

    /// Give unsized literals the partner's type; error when both are unsized.
    private static func pair(_ a: Signal, _ b: Signal) -> (Expr, Expr)? {
        switch (a.type, b.type) {
        case (let ta?, _): return (a.expr(as: ta), b.expr(as: ta))
        case (nil, let tb?): return (a.expr(as: tb), b.expr(as: tb))
        case (nil, nil): return nil
        }
    }

    static func make(_ op: Expr.Op, _ type: HWType, _ operands: [Expr]) -> Signal {
        if let bad = firstInvalid(operands) { return Signal(bad) }
        return Signal(Expr(op, type, operands))
    }

    /// Both sides the same type, and that type allowed by `allowed`.
    private static func sameType(
        _ a: Signal, _ b: Signal, _ name: String,
        allowed: (HWType) -> Bool, what: String,
        result: (HWType) -> HWType, _ op: Expr.Op
    ) -> Signal {
        guard let (x, y) = pair(a, b) else {
            return .invalid("'\(name)' of two literals: give one of them a width with lit(_:width:)")
        }
        if let bad = firstInvalid([x, y]) { return Signal(bad) }
        guard x.type == y.type else {
            return .invalid("'\(name)' needs operands of the same type, got \(x.type) and \(y.type); extend, truncate or convert one explicitly")
        }
        guard allowed(x.type) else { return .invalid("'\(name)' is not defined on \(x.type); it needs \(what)") }
        return make(op, result(x.type), [x, y])
    }

    // MARK: Arithmetic

    public static func + (a: Signal, b: Signal) -> Signal {
        sameType(a, b, "+", allowed: \.isNumeric, what: "UInt or SInt", result: { $0 }, .add)
    }

    public static func - (a: Signal, b: Signal) -> Signal {
        sameType(a, b, "-", allowed: \.isNumeric, what: "UInt or SInt", result: { $0 }, .sub)
    }

    /// `a + b` one bit wider, so the carry is kept.
    public func expandingAdd(_ b: Signal) -> Signal { Signal.expanding(self, b, "+", .add) }

    /// `a - b` one bit wider, so the borrow is kept (wraps for UInt below zero).
    public func expandingSub(_ b: Signal) -> Signal { Signal.expanding(self, b, "-", .sub) }

    private static func expanding(_ a: Signal, _ b: Signal, _ name: String, _ op: Expr.Op) -> Signal {
        let same = sameType(a, b, name, allowed: \.isNumeric, what: "UInt or SInt", result: { $0 }, op)
        guard case .expr(let e) = same.storage, e.operands.count == 2 else { return same }
        let wider = e.operands.map { $0.resizedExpr(to: $0.type.width + 1) }
        return make(op, wider[0].type, wider)
    }

    public static func * (a: Signal, b: Signal) -> Signal {
        guard let (x, y) = pair(a, b) else {
            return .invalid("'*' of two literals: give one of them a width with lit(_:width:)")
        }
        if let bad = firstInvalid([x, y]) { return Signal(bad) }
        guard x.type.isNumeric, y.type.isNumeric, x.type.isSigned == y.type.isSigned else {
            return .invalid("'*' needs two UInt or two SInt operands, got \(x.type) and \(y.type)")
        }
        let w = x.type.width + y.type.width
        let t: HWType = x.type.isSigned ? .sint(w) : .uint(w)
        return make(.mul, t, [x.resizedExpr(to: w), y.resizedExpr(to: w)])
    }

    public static prefix func - (a: Signal) -> Signal {
        let x = a.expr
        guard x.type.isSigned else { return .invalid("unary '-' needs an SInt, got \(x.type)") }
        return make(.negate, x.type, [x])
    }

    // MARK: Bitwise and logical

    public static func & (a: Signal, b: Signal) -> Signal {
        sameType(a, b, "&", allowed: \.isScalar, what: "UInt, SInt or Bool", result: { $0 }, .and)
    }

    public static func | (a: Signal, b: Signal) -> Signal {
        sameType(a, b, "|", allowed: \.isScalar, what: "UInt, SInt or Bool", result: { $0 }, .or)
    }

    public static func ^ (a: Signal, b: Signal) -> Signal {
        sameType(a, b, "^", allowed: \.isScalar, what: "UInt, SInt or Bool", result: { $0 }, .xor)
    }

    public static prefix func ~ (a: Signal) -> Signal {
        let x = a.expr
        guard x.type.isScalar else { return .invalid("'~' is not defined on \(x.type)") }
        return make(.not, x.type, [x])
    }

    public static prefix func ! (a: Signal) -> Signal {
        let x = a.expr
        guard x.type == .bool else { return .invalid("'!' needs a Bool, got \(x.type); use ~ for bitwise not") }
        return make(.not, .bool, [x])
    }

    public static func && (a: Signal, b: Signal) -> Signal {
        sameType(a, b, "&&", allowed: \.isBool, what: "Bool", result: { _ in .bool }, .logicalAnd)
    }

    public static func || (a: Signal, b: Signal) -> Signal {
        sameType(a, b, "||", allowed: \.isBool, what: "Bool", result: { _ in .bool }, .logicalOr)
    }

    // MARK: Comparison

    public static func == (a: Signal, b: Signal) -> Signal {
        sameType(a, b, "==", allowed: { _ in true }, what: "", result: { _ in .bool }, .eq)
    }

    public static func != (a: Signal, b: Signal) -> Signal {
        sameType(a, b, "!=", allowed: { _ in true }, what: "", result: { _ in .bool }, .ne)
    }

    public static func < (a: Signal, b: Signal) -> Signal {
        sameType(a, b, "<", allowed: \.isNumeric, what: "UInt or SInt", result: { _ in .bool }, .lt)
    }

    public static func <= (a: Signal, b: Signal) -> Signal {
        sameType(a, b, "<=", allowed: \.isNumeric, what: "UInt or SInt", result: { _ in .bool }, .le)
    }

    public static func > (a: Signal, b: Signal) -> Signal {
        sameType(a, b, ">", allowed: \.isNumeric, what: "UInt or SInt", result: { _ in .bool }, .gt)
    }

    public static func >= (a: Signal, b: Signal) -> Signal {
        sameType(a, b, ">=", allowed: \.isNumeric, what: "UInt or SInt", result: { _ in .bool }, .ge)
    }

    // MARK: Shifts

    /// Shift left by a constant: the width grows by `k`, no bit is lost.
    public static func << (a: Signal, k: Int) -> Signal {
        let x = a.expr
        guard x.type.isNumeric else { return .invalid("'<<' is not defined on \(x.type)") }
        guard k >= 0 else { return .invalid("shift amount must not be negative, got \(k)") }
        if k == 0 { return Signal(x) }
        let zeros = Expr(.literal(.zero(k)), .uint(k))
        let w = x.type.width + k
        let bits = make(.concat, .uint(w), [x, zeros])
        return x.type.isSigned ? bits.asSInt : bits
    }

    /// Shift right by a constant: the width shrinks by `k` (the low bits are
    /// dropped; for SInt this is an arithmetic shift).
    public static func >> (a: Signal, k: Int) -> Signal {
        let x = a.expr
        guard x.type.isNumeric else { return .invalid("'>>' is not defined on \(x.type)") }
        guard k >= 0, k < x.type.width else {
            return .invalid("shift right by \(k) leaves nothing of \(x.type); shift by 0 ..< \(x.type.width)")
        }
        if k == 0 { return Signal(x) }
        let w = x.type.width - k
        return make(.slice(lo: k), x.type.isSigned ? .sint(w) : .uint(w), [x])
    }

    /// Shift left by a UInt signal; the width is kept (high bits fall off).
    public static func << (a: Signal, s: Signal) -> Signal { dynamicShift(a, s, "<<", .shiftLeft) }

    /// Shift right by a UInt signal; the width is kept (arithmetic for SInt).
    public static func >> (a: Signal, s: Signal) -> Signal { dynamicShift(a, s, ">>", .shiftRight) }

    private static func dynamicShift(_ a: Signal, _ s: Signal, _ name: String, _ op: Expr.Op) -> Signal {
        let x = a.expr, amount = s.expr
        guard x.type.isNumeric else { return .invalid("'\(name)' is not defined on \(x.type)") }
        guard case .uint = amount.type else {
            return .invalid("a shift amount must be a UInt, got \(amount.type)")
        }
        return make(op, x.type, [x, amount])
    }

    // MARK: Reductions

    /// True when any bit is set.
    public var orR: Signal { reduce(.reduceOr, "orR") }
    /// True when every bit is set.
    public var andR: Signal { reduce(.reduceAnd, "andR") }
    /// Parity: true when an odd number of bits is set.
    public var xorR: Signal { reduce(.reduceXor, "xorR") }

    private func reduce(_ op: Expr.Op, _ name: String) -> Signal {
        let x = expr
        guard x.type.isScalar else { return .invalid("'\(name)' is not defined on \(x.type); use asUInt first") }
        return Signal.make(op, .bool, [x])
    }
}

extension Expr {
    /// Extend (by signedness) or truncate to `width`, keeping signedness.
    func resizedExpr(to width: Int) -> Expr {
        if type.width == width { return self }
        let t: HWType = type.isSigned ? .sint(width) : .uint(width)
        return Expr(.resize, t, [self])
    }
}
