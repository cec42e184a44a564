/// A sequence of statements: a module body or one branch of a `when` or `switch`.
public final class Block {
    public internal(set) var statements: [Statement] = []
    /// Signals assigned directly in this block (not in nested branches), for
    /// the multiple-driver check.
    var directlyAssigned: [ObjectIdentifier: CodeLocation] = [:]
}

public enum Statement {
    case assign(Assignment)
    case when(WhenStatement)
    case switchOn(SwitchStatement)
}

public struct Assignment {
    public let target: SignalDecl
    public let value: Expr
    public let location: CodeLocation
}

/// `when(c0) {...}.elseWhen(c1) {...}.otherwise {...}`: the first branch whose
/// condition holds runs.
public final class WhenStatement {
    public struct Branch {
        public let condition: Expr
        public let body: Block
        public let location: CodeLocation
    }

    public internal(set) var branches: [Branch]
    public internal(set) var otherwise: Block?

    init(first: Branch) { branches = [first] }
}

/// `switch(subject) { is(v) {...} ... default {...} }`: values are constants of
/// the subject's type; at most one case runs.
public final class SwitchStatement {
    public struct Case {
        public let values: [BitVector]
        public let body: Block
        public let location: CodeLocation
        /// Emitted beside the case label (for example the mnemonic of an opcode).
        public let comment: String?
    }

    public let subject: Expr
    public let location: CodeLocation
    public internal(set) var cases: [Case] = []
    public internal(set) var defaultBody: Block?

    init(subject: Expr, location: CodeLocation) {
        self.subject = subject
        self.location = location
    }

    /// True when the cases name every value of the subject's type.
    var coversEveryValue: Bool {
        let w = subject.type.width
        guard w < 16 else { return false }
        return Set(cases.flatMap(\.values)).count == 1 << w
    }
}
