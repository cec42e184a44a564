/// Builds one module: `Module.build(_:)` receives a builder and declares
/// ports, wires, registers, memories and instances on it, then describes
/// their behaviour with `set`, `when` and `switch`.
public final class ModuleBuilder {
    public let moduleName: String
    let elaborator: Elaborator

    private(set) var declarations: [SignalDecl] = []
    private(set) var ports: [SignalDecl] = []
    private(set) var memories: [Memory] = []
    private(set) var instances: [Instance] = []
    private var names: [String: CodeLocation] = [:]
    let body = Block()
    var scopes: [Block]
    var diagnostics: [Diagnostic] = []
    /// Set inside a `ClockEnabled` module: every register, memory and
    /// sequential child advances only while it is true.
    var clockEnable: Expr?
    /// Signals whose assignment was rejected: already reported, so the
    /// undriven and latch checks stay quiet about them.
    var rejectedTargets = Set<ObjectIdentifier>()

    init(moduleName: String, elaborator: Elaborator) {
        self.moduleName = moduleName
        self.elaborator = elaborator
        self.scopes = [body]
    }

    var currentScope: Block { scopes[scopes.count - 1] }

    func error(_ message: String, _ location: CodeLocation) {
        diagnostics.append(Diagnostic(message, at: location, module: moduleName))
    }

    /// Report every error hidden in `expr` at `location`; true when clean.
    @discardableResult
    func checkExpr(_ expr: Expr, _ location: CodeLocation) -> Bool {
        let messages = expr.invalidMessages()
        messages.forEach { error($0, location) }
        return messages.isEmpty
    }

    /// Report a bad parameter (or any other precondition of a module) as an
    /// elaboration error at the caller's line; returns `condition`.
    @discardableResult
    public func require(_ condition: Bool, _ message: @autoclosure () -> String,
                        file: String = #fileID, line: Int = #line, column: Int = #column) -> Bool {
        if !condition { error(message(), CodeLocation(file: file, line: line, column: column)) }
        return condition
    }

    // MARK: Declarations

    func declare(_ name: String, _ type: HWType, _ kind: SignalDecl.Kind, _ location: CodeLocation) -> SignalDecl {
        if let problem = Identifier.problem(name) {
            error(problem, location)
        } else if let previous = names[name] {
            error("the name '\(name)' is already declared at \(previous)", location)
        } else {
            names[name] = location
        }
        if let p = type.problem { error("bad type for '\(name)': \(p)", location) }
        let decl = SignalDecl(name: name, type: type, kind: kind, location: location)
        decl.builder = self
        declarations.append(decl)
        return decl
    }

    func signal(_ decl: SignalDecl) -> Signal {
        Signal(Expr(.ref(SignalRef(decl: decl)), decl.type), builder: self)
    }

    /// An input port.
    public func input(_ name: String, _ type: HWType,
                      file: String = #fileID, line: Int = #line, column: Int = #column) -> Signal {
        signal(declarePort(name, type, .input, CodeLocation(file: file, line: line, column: column)))
    }

    /// An output port; drive it with `set`.
    public func output(_ name: String, _ type: HWType,
                       file: String = #fileID, line: Int = #line, column: Int = #column) -> Signal {
        signal(declarePort(name, type, .output, CodeLocation(file: file, line: line, column: column)))
    }

    /// A port (`kind` is `.input` or `.output`), after the ports declared so far.
    func declarePort(_ name: String, _ type: HWType, _ kind: SignalDecl.Kind, _ location: CodeLocation) -> SignalDecl {
        let d = declare(name, type, kind, location)
        ports.append(d)
        return d
    }

    /// A combinational wire; drive it with `set` on every path.
    public func wire(_ name: String, _ type: HWType,
                     file: String = #fileID, line: Int = #line, column: Int = #column) -> Signal {
        signal(declare(name, type, .wire, CodeLocation(file: file, line: line, column: column)))
    }

    /// A named wire that always carries `value` (names an intermediate result).
    public func wire(_ name: String, _ value: Signal,
                     file: String = #fileID, line: Int = #line, column: Int = #column) -> Signal {
        let loc = CodeLocation(file: file, line: line, column: column)
        let e = value.expr
        let d = declare(name, e.type, .wire, loc)
        if checkExpr(e, loc) { append(Assignment(target: d, value: e, location: loc), to: body) }
        return signal(d)
    }

    /// A register clocked by the module's clock. `reset` (a constant) is loaded
    /// while the synchronous reset is high; without it the register has no
    /// reset. With `enable`, assignments take effect only while it is true.
    /// Unassigned in a cycle, a register keeps its value.
    public func reg(_ name: String, _ type: HWType, reset: Signal? = nil, enable: Signal? = nil,
                    file: String = #fileID, line: Int = #line, column: Int = #column) -> Signal {
        let loc = CodeLocation(file: file, line: line, column: column)
        var resetBits: BitVector?
        if let reset {
            let e = reset.expr(as: type)
            if checkExpr(e, loc) {
                if case .literal(let bits) = e.op, e.type == type {
                    resetBits = bits
                } else {
                    error("the reset value of '\(name)' must be a constant of type \(type), got \(e.type)", loc)
                }
            }
        }
        var enableExpr: Expr?
        if let enable {
            let e = enable.expr(as: .bool)
            if checkExpr(e, loc) {
                if e.type == .bool { enableExpr = e } else { error("the enable of '\(name)' must be a Bool, got \(e.type)", loc) }
            }
        }
        return signal(declare(name, type, .register(reset: resetBits, enable: combinedEnable(enableExpr)), loc))
    }

    /// A register that takes `value` every cycle (a pipeline stage).
    public func regNext(_ name: String, _ value: Signal, reset: Signal? = nil, enable: Signal? = nil,
                        file: String = #fileID, line: Int = #line, column: Int = #column) -> Signal {
        let e = value.expr
        let r = reg(name, e.type, reset: reset, enable: enable, file: file, line: line, column: column)
        r.set(value, file: file, line: line, column: column)
        return r
    }

    func adopt(_ memory: Memory) { memories.append(memory) }
    func adopt(_ instance: Instance) { instances.append(instance) }

    // MARK: Assignment

    func append(_ a: Assignment, to block: Block) {
        let key = ObjectIdentifier(a.target)
        if let previous = block.directlyAssigned[key] {
            error("'\(a.target.name)' is driven twice in the same scope (first at \(previous)); "
                  + "a later unconditional assignment would silently win", a.location)
            return
        }
        block.directlyAssigned[key] = a.location
        block.statements.append(.assign(a))
    }

    func assign(_ target: Signal, _ value: Signal, _ loc: CodeLocation) {
        if case .expr(let t) = target.storage, case .invalid(let message) = t.op {
            error(message, loc)
            return
        }
        guard case .expr(let t) = target.storage, case .ref(let ref) = t.op, target.builder === self else {
            error("only a port, wire or register of this module can be assigned", loc)
            return
        }
        let decl = ref.decl
        guard decl.isAssignable else {
            error("'\(decl.name)' is an \(decl.kindName) and cannot be driven here", loc)
            return
        }
        let e = value.expr(as: decl.type)
        guard checkExpr(e, loc) else {
            rejectedTargets.insert(ObjectIdentifier(decl))
            return
        }
        guard e.type == decl.type else {
            rejectedTargets.insert(ObjectIdentifier(decl))
            error("cannot assign \(e.type) to '\(decl.name)' of type \(decl.type); "
                  + "extend, truncate or convert explicitly", loc)
            return
        }
        append(Assignment(target: decl, value: e, location: loc), to: currentScope)
    }
}

extension Signal {
    /// Drive this port, wire or register with `value` in the current scope
    /// (for a register: its value after the next clock edge).
    public func set(_ value: Signal, file: String = #fileID, line: Int = #line, column: Int = #column) {
        let loc = CodeLocation(file: file, line: line, column: column)
        // Find the module through any signal either side mentions, so even a
        // misplaced assignment is reported with its location.
        let mentioned = [self, value].flatMap { s -> [SignalDecl] in
            if case .expr(let e) = s.storage { return e.referencedSignals() }
            return []
        }
        guard let builder = builder ?? mentioned.lazy.compactMap(\.builder).first else { return }
        builder.assign(self, value, loc)
    }
}

/// SystemVerilog identifier rules.
enum Identifier {
    static let reserved: Set<String> = ["clk", "rst"]

    static func problem(_ name: String) -> String? {
        guard let first = name.unicodeScalars.first else { return "a name must not be empty" }
        let ok = name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
        guard ok, first != "_", !("0"..."9").contains(first) else {
            return "'\(name)' is not a valid name: use letters, digits and '_', starting with a letter"
        }
        if reserved.contains(name) { return "'\(name)' is reserved for the implicit clock and reset" }
        if SystemVerilogKeywords.all.contains(name) { return "'\(name)' is a SystemVerilog keyword" }
        return nil
    }
}
