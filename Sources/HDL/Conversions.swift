// Explicit changes of type and width, bit selection, structure access,
// concatenation and multiplexing.

extension Signal {
    // MARK: Reinterpretation (same bits)

    /// The same bits as an unsigned number.
    public var asUInt: Signal { reinterpret(as: .uint(expr.type.width)) }

    /// The same bits as a two's-complement signed number.
    public var asSInt: Signal { reinterpret(as: .sint(expr.type.width)) }

    /// A one-bit value as a Bool.
    public var asBool: Signal {
        let x = expr
        guard x.type.width == 1 else { return .invalid("asBool needs a 1-bit value, got \(x.type)") }
        return reinterpret(as: .bool)
    }

    /// The same bits seen as another type of the same width (for example a
    /// UInt(16) as a Vec of two UInt(8), or back).
    public func reinterpret(as type: HWType) -> Signal {
        let x = expr
        if let p = type.problem { return .invalid("bad type \(type): \(p)", type) }
        guard x.type.width == type.width else {
            return .invalid("cannot view \(x.type) (\(x.type.width) bits) as \(type) (\(type.width) bits)", type)
        }
        if x.type == type { return Signal(x) }
        return Signal.make(.reinterpret, type, [x])
    }

    // MARK: Width changes

    /// Widen to `width` bits: zero-extended for UInt, sign-extended for SInt.
    public func extend(to width: Int) -> Signal {
        let x = expr
        guard x.type.isNumeric else { return .invalid("extend needs a UInt or SInt, got \(x.type)") }
        guard width >= x.type.width else {
            return .invalid("extend(to: \(width)) would narrow \(x.type); use truncate(to:)")
        }
        return Signal(x.resizedExpr(to: width))
    }

    /// Keep the low `width` bits.
    public func truncate(to width: Int) -> Signal {
        let x = expr
        guard x.type.isNumeric else { return .invalid("truncate needs a UInt or SInt, got \(x.type)") }
        guard width >= 1, width <= x.type.width else {
            return .invalid("truncate(to: \(width)) would widen or empty \(x.type); use extend(to:)")
        }
        return Signal(x.resizedExpr(to: width))
    }

    // MARK: Bit selection

    /// Bits `hi` down to `lo` as a UInt of `hi - lo + 1` bits (SystemVerilog order).
    public subscript(hi: Int, lo: Int) -> Signal {
        let x = expr
        guard x.type.isScalar else { return .invalid("bit slices need a UInt, SInt or Bool; view \(x.type) with asUInt first") }
        guard lo >= 0, hi >= lo, hi < x.type.width else {
            return .invalid("bits [\(hi):\(lo)] are outside \(x.type) (bits [\(x.type.width - 1):0])")
        }
        return Signal.make(.slice(lo: lo), .uint(hi - lo + 1), [x])
    }

    /// One bit of a number, or one element of a Vec.
    public subscript(index: Int) -> Signal {
        let x = expr
        if case .vec(let element, let count) = x.type {
            guard index >= 0, index < count else {
                return .invalid("element \(index) is outside \(x.type)", element)
            }
            return Signal.make(.slice(lo: index * element.width), element, [x])
        }
        guard x.type.isScalar else { return .invalid("cannot index \(x.type) by a number") }
        guard index >= 0, index < x.type.width else {
            return .invalid("bit \(index) is outside \(x.type)", .bool)
        }
        return Signal.make(.slice(lo: index), .bool, [x])
    }

    /// The element of a Vec chosen at run time by a UInt index. The index
    /// must be exactly wide enough to count the elements.
    public subscript(index: Signal) -> Signal {
        let x = expr
        guard case .vec(let element, let count) = x.type else {
            return .invalid("only a Vec can be indexed by a signal, got \(x.type)")
        }
        let need = addressWidth(count)
        let i = index.expr(as: .uint(need))
        guard i.type == .uint(need) else {
            return .invalid("an index into \(x.type) must be UInt(\(need)), got \(i.type)", element)
        }
        return Signal.make(.dynamicIndex, element, [x, i])
    }

    /// A field of a record.
    public subscript(field: String) -> Signal {
        let x = expr
        guard case .record(let r) = x.type else {
            return .invalid("only a record has fields; \(x.type) has no field '\(field)'")
        }
        guard let (offset, type) = r.layout(of: field) else {
            let names = r.fields.map(\.name).joined(separator: ", ")
            return .invalid("record \(r.name) has no field '\(field)' (fields: \(names))")
        }
        return Signal.make(.slice(lo: offset), type, [x])
    }

    /// `count` copies side by side.
    public func replicate(_ count: Int) -> Signal {
        guard count >= 1 else { return .invalid("replicate needs a count of at least 1, got \(count)") }
        return cat(Array(repeating: self, count: count))
    }
}

// MARK: - Building values

/// Concatenation, first part most significant (as in SystemVerilog `{a, b}`).
public func cat(_ parts: Signal...) -> Signal { cat(parts) }

/// Concatenation of an array, first element most significant.
public func cat(_ parts: [Signal]) -> Signal {
    guard !parts.isEmpty else { return .invalid("cat needs at least one part") }
    let exprs = parts.map(\.expr)
    if exprs.count == 1 { return Signal(exprs[0]).asUInt }
    let w = exprs.reduce(0) { $0 + $1.type.width }
    return Signal.make(.concat, .uint(w), exprs)
}

/// `condition ? whenTrue : whenFalse`; both values of the same type.
public func mux(_ condition: Signal, _ whenTrue: Signal, _ whenFalse: Signal) -> Signal {
    let c = condition.expr(as: .bool)
    guard c.type == .bool else { return .invalid("a mux condition must be a Bool, got \(c.type)") }
    let t: HWType
    switch (whenTrue.type, whenFalse.type) {
    case (let a?, _): t = a
    case (nil, let b?): t = b
    case (nil, nil): return .invalid("mux of two literals: give one of them a width")
    }
    let a = whenTrue.expr(as: t), b = whenFalse.expr(as: t)
    guard a.type == b.type else {
        return .invalid("mux needs both values of the same type, got \(a.type) and \(b.type)")
    }
    return Signal.make(.mux, t, [c, a, b])
}

/// A Vec from its elements, element 0 first (in the least significant bits).
public func vec(_ elements: [Signal]) -> Signal {
    guard let first = elements.first(where: { $0.type != nil })?.type else {
        return .invalid("vec needs at least one element with a type")
    }
    let exprs = elements.map { $0.expr(as: first) }
    if let bad = exprs.first(where: { $0.type != first }) {
        return .invalid("vec elements must share one type: \(first) and \(bad.type)")
    }
    let t = HWType.vec(first, count: exprs.count)
    return Signal.make(.reinterpret, t, [cat(exprs.reversed().map { Signal($0) }).expr])
}

/// A record value from its fields; every field must be given, with its exact type.
public func record(_ type: HWType, _ fields: [String: Signal]) -> Signal {
    guard case .record(let r) = type else { return .invalid("record(...) needs a record type, got \(type)") }
    var parts: [Signal] = []
    for f in r.fields {
        guard let v = fields[f.name] else { return .invalid("record \(r.name) is missing field '\(f.name)'", type) }
        let e = v.expr(as: f.type)
        guard e.type == f.type else {
            return .invalid("field '\(f.name)' of \(r.name) is \(f.type), got \(e.type)", type)
        }
        parts.append(Signal(e))
    }
    if let extra = fields.keys.sorted().first(where: { r.layout(of: $0) == nil }) {
        return .invalid("record \(r.name) has no field '\(extra)'", type)
    }
    return cat(parts.reversed()).reinterpret(as: type)
}
