/// A child module placed inside the module being built. Its ports appear as
/// signals of the parent: `counter.enable.set(go)`, `let n = counter.count`.
@dynamicMemberLookup
public final class Instance {
    public let name: String
    public let module: ElaboratedModule
    public let location: CodeLocation
    /// Parent-side signal for each child port, in the child's port order.
    public let connections: [(port: SignalDecl, parent: SignalDecl)]
    unowned let builder: ModuleBuilder

    init(name: String, module: ElaboratedModule, location: CodeLocation, builder: ModuleBuilder) {
        self.name = name
        self.module = module
        self.location = location
        self.builder = builder
        let owner = "instance \(name)"
        self.connections = module.ports.map { port in
            let kind: SignalDecl.Kind = port.isInputPort ? .sinkPort(owner: owner) : .sourcePort(owner: owner)
            return (port, builder.declare("\(name)_\(port.name)", port.type, kind, location))
        }
    }

    /// The parent-side signal of a child port (an error signal for an unknown name).
    public func port(_ name: String) -> Signal {
        guard let c = connections.first(where: { $0.port.name == name }) else {
            let names = connections.map(\.port.name).joined(separator: ", ")
            return Signal(Expr(.invalid("module \(module.name) has no port '\(name)' (ports: \(names))"), .uint(1)), builder: builder)
        }
        return builder.signal(c.parent)
    }

    public subscript(dynamicMember name: String) -> Signal { port(name) }
}

extension SignalDecl {
    public var isInputPort: Bool { if case .input = kind { return true } else { return false } }
    public var isOutputPort: Bool { if case .output = kind { return true } else { return false } }
}

extension ModuleBuilder {
    /// Place `module` here as instance `name`. Each distinct parameterization
    /// of a module is elaborated once and emitted once.
    public func instance(_ module: some Module, _ name: String,
                         file: String = #fileID, line: Int = #line, column: Int = #column) -> Instance {
        placeInstance(module, name, clockEnable: nil, CodeLocation(file: file, line: line, column: column))
    }

    /// Inside a clock-enabled module, sequential children share its enable.
    func placeInstance(_ module: some Module, _ name: String, clockEnable extra: Expr?, _ loc: CodeLocation) -> Instance {
        if let p = Identifier.problem(name) { error(p, loc) }
        let enable = combinedEnable(extra)
        var child = enable.map { _ in elaborator.elaborateChild(ClockEnabled(inner: module), at: loc, parent: self) }
        let enabled = child?.isSequential == true
        if !enabled { child = elaborator.elaborateChild(module, at: loc, parent: self) }
        let inst = Instance(name: name, module: child!, location: loc, builder: self)
        adopt(inst)
        if enabled, let enable { inst.port(ClockEnable.portName).set(Signal(enable, builder: self)) }
        return inst
    }
}
