/// A hardware value as the user handles it: a port, wire, register, or any
/// expression built from them with the operators in `Operators.swift`.
///
/// An integer literal is a `Signal` too (`count + 1`, `state.set(3)`); it has
/// no width of its own and takes the type of the value it meets. A literal
/// that does not fit that type is a width error.
public struct Signal {
    enum Storage {
        case expr(Expr)
        case unsized(Int)
    }

    let storage: Storage
    /// The module being built, for signals that can be assigned.
    let builder: ModuleBuilder?

    init(_ expr: Expr, builder: ModuleBuilder? = nil) {
        self.storage = .expr(expr)
        self.builder = builder
    }

    init(unsized value: Int) {
        self.storage = .unsized(value)
        self.builder = nil
    }

    /// The type, or nil for a literal that has not met a type yet.
    public var type: HWType? {
        if case .expr(let e) = storage { return e.type }
        return nil
    }

    public var width: Int? { type?.width }

    /// The expression, with an unsized literal given `type` (or an error node
    /// when it does not fit).
    func expr(as type: HWType) -> Expr {
        switch storage {
        case .expr(let e): return e
        case .unsized(let v): return Signal.literalExpr(v, type)
        }
    }

    /// The expression where no partner type is known: unsized literals are errors.
    var expr: Expr {
        switch storage {
        case .expr(let e): return e
        case .unsized(let v):
            return Expr(.invalid("the literal \(v) has no width here; write lit(\(v), width: N)"), .uint(1))
        }
    }

    static func literalExpr(_ value: Int, _ type: HWType) -> Expr {
        switch type {
        case .bool:
            guard value == 0 || value == 1 else {
                return Expr(.invalid("the literal \(value) is not a Bool (use true or false)"), type)
            }
            return Expr(.literal(BitVector(width: 1, value: value)), type)
        case .uint(let w), .sint(let w):
            guard BitVector.fits(value, width: w, signed: type.isSigned) else {
                return Expr(.invalid("the literal \(value) does not fit in \(type)"), type)
            }
            return Expr(.literal(BitVector(width: w, value: value)), type)
        case .vec, .record:
            guard value == 0 else {
                return Expr(.invalid("only the literal 0 can stand for a whole \(type)"), type)
            }
            return Expr(.literal(.zero(type.width)), type)
        }
    }

    static func invalid(_ message: String, _ type: HWType = .uint(1)) -> Signal {
        Signal(Expr(.invalid(message), type))
    }
}

extension Signal: ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(integerLiteral value: Int) { self.init(unsized: value) }
    public init(booleanLiteral value: Bool) {
        self.init(Expr(.literal(BitVector(width: 1, value: value ? 1 : 0)), .bool))
    }
}

// MARK: - Literals with a width

/// An unsigned literal of the given width: `lit(5, width: 8)` is `8'd5`.
public func lit(_ value: Int, width: Int) -> Signal {
    Signal(Signal.literalExpr(value, .uint(width)))
}

/// A signed literal of the given width: `slit(-3, width: 8)`.
public func slit(_ value: Int, width: Int) -> Signal {
    Signal(Signal.literalExpr(value, .sint(width)))
}

/// A literal of any type from a bit pattern (for wide constants).
public func lit(_ bits: BitVector, _ type: HWType) -> Signal {
    guard bits.width == type.width else {
        return .invalid("a \(bits.width)-bit pattern cannot be a \(type)", type)
    }
    return Signal(Expr(.literal(bits), type))
}
