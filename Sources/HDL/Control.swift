// Conditional behaviour: `when / elseWhen / otherwise` and `switch`.
// Assignments inside a branch take effect only when the branch is taken;
// later assignments in a nested branch override earlier ones in the
// enclosing scope ("default, then override").

/// Returned by `when`, to chain `elseWhen` and `otherwise` onto it.
public struct WhenChain {
    let statement: WhenStatement
    let builder: ModuleBuilder
    let scope: Block

    /// Another condition, tried when every earlier one was false.
    @discardableResult
    public func elseWhen(_ condition: Signal, file: String = #fileID, line: Int = #line, column: Int = #column,
                         _ body: () -> Void) -> WhenChain {
        let loc = CodeLocation(file: file, line: line, column: column)
        guard chainIsOpen(loc, "elseWhen") else { return self }
        let c = builder.condition(condition, loc)
        statement.branches.append(.init(condition: c, body: builder.run(body), location: loc))
        return self
    }

    /// The branch taken when no condition held.
    public func otherwise(file: String = #fileID, line: Int = #line, column: Int = #column, _ body: () -> Void) {
        let loc = CodeLocation(file: file, line: line, column: column)
        guard chainIsOpen(loc, "otherwise") else { return }
        statement.otherwise = builder.run(body)
    }

    /// A chain may only grow while it is the last statement of its scope and
    /// has no `otherwise` yet; anything else would reorder priorities.
    private func chainIsOpen(_ loc: CodeLocation, _ what: String) -> Bool {
        guard statement.otherwise == nil else {
            builder.error("'\(what)' after 'otherwise': the chain is already complete", loc)
            return false
        }
        guard case .when(let last)? = scope.statements.last, last === statement,
              builder.currentScope === scope else {
            builder.error("'\(what)' must directly follow its 'when' chain", loc)
            return false
        }
        return true
    }
}

/// Collects the cases of a `switch`.
public struct SwitchCases {
    let statement: SwitchStatement
    let builder: ModuleBuilder

    /// A case taken when the subject equals any of `values`; `comment` is
    /// written beside its label in the emitted code.
    public func `is`(_ values: Signal..., comment: String? = nil,
                     file: String = #fileID, line: Int = #line, column: Int = #column,
                     _ body: () -> Void) {
        let loc = CodeLocation(file: file, line: line, column: column)
        guard statement.defaultBody == nil else {
            builder.error("a case after 'default' is never reached", loc)
            return
        }
        var constants: [BitVector] = []
        for v in values {
            let e = v.expr(as: statement.subject.type)
            guard builder.checkExpr(e, loc) else { continue }
            guard case .literal(let bits) = e.op, e.type == statement.subject.type else {
                builder.error("a case value must be a constant of the subject's type \(statement.subject.type), got \(e.type)", loc)
                continue
            }
            if statement.cases.contains(where: { $0.values.contains(bits) }) || constants.contains(bits) {
                builder.error("the case value \(bits) appears twice", loc)
                continue
            }
            constants.append(bits)
        }
        if values.isEmpty { builder.error("a case needs at least one value", loc) }
        statement.cases.append(.init(values: constants, body: builder.run(body), location: loc, comment: comment))
    }

    /// The branch taken when no case matched.
    public func `default`(file: String = #fileID, line: Int = #line, column: Int = #column, _ body: () -> Void) {
        let loc = CodeLocation(file: file, line: line, column: column)
        guard statement.defaultBody == nil else {
            builder.error("a switch has only one 'default'", loc)
            return
        }
        statement.defaultBody = builder.run(body)
    }
}

extension ModuleBuilder {
    func condition(_ c: Signal, _ loc: CodeLocation) -> Expr {
        let e = c.expr(as: .bool)
        if checkExpr(e, loc), e.type != .bool {
            error("a condition must be a Bool, got \(e.type); compare it, or use orR", loc)
        }
        return e
    }

    /// Run `body` with a fresh block as the current scope and return that block.
    func run(_ body: () -> Void) -> Block {
        let block = Block()
        scopes.append(block)
        body()
        scopes.removeLast()
        return block
    }

    /// Statements in `body` take effect only while `condition` is true.
    @discardableResult
    public func when(_ condition: Signal, file: String = #fileID, line: Int = #line, column: Int = #column,
                     _ body: () -> Void) -> WhenChain {
        let loc = CodeLocation(file: file, line: line, column: column)
        let c = self.condition(condition, loc)
        let scope = currentScope
        let statement = WhenStatement(first: .init(condition: c, body: run(body), location: loc))
        scope.statements.append(.when(statement))
        return WhenChain(statement: statement, builder: self, scope: scope)
    }

    /// Choose a branch by the value of `subject` (a UInt, SInt or Bool).
    public func `switch`(_ subject: Signal, file: String = #fileID, line: Int = #line, column: Int = #column,
                         _ cases: (SwitchCases) -> Void) {
        let loc = CodeLocation(file: file, line: line, column: column)
        let e = subject.expr
        if checkExpr(e, loc), !e.type.isScalar {
            error("switch needs a UInt, SInt or Bool subject, got \(e.type)", loc)
        }
        let statement = SwitchStatement(subject: e, location: loc)
        cases(SwitchCases(statement: statement, builder: self))
        currentScope.statements.append(.switchOn(statement))
    }
}
