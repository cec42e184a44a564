/// A hardware module written in Swift. Conforming types hold the
/// elaboration-time parameters as stored properties and describe the
/// circuit in `build(_:)`:
///
///     struct Counter: Module {
///         let width: Int
///         var parameters: [Parameter] { [Parameter("WIDTH", width)] }
///         func build(_ m: ModuleBuilder) {
///             let enable = m.input("enable", .bool)
///             let count = m.output("count", .uint(width))
///             let value = m.reg("value", .uint(width), reset: 0)
///             m.when(enable) { value.set(value + 1) }
///             count.set(value)
///         }
///     }
public protocol Module {
    /// The base name of the emitted module (defaults to the Swift type name).
    var name: String { get }
    /// Every parameter that changes the circuit; each distinct set of values
    /// is emitted as its own module, named after them.
    var parameters: [Parameter] { get }
    func build(_ m: ModuleBuilder)
}

extension Module {
    public var name: String { String(describing: Self.self) }
    public var parameters: [Parameter] { [] }

    /// The emitted module name: the base name, then each parameter and value.
    public var emittedName: String {
        ([name] + parameters.map { "\($0.name)\($0.value)" })
            .joined(separator: "_")
            .map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" }
            .reduce(into: "") { $0.append($1) }
    }
}

/// An elaboration-time parameter, recorded in the emitted header and name.
public struct Parameter: Hashable, Sendable {
    public let name: String
    public let value: String

    public init(_ name: String, _ value: some CustomStringConvertible) {
        self.name = name
        self.value = value.description
    }
}

/// A module after elaboration: declarations and statements, checked.
public final class ElaboratedModule {
    public let name: String
    public let baseName: String
    public let parameters: [Parameter]
    public let ports: [SignalDecl]
    public let declarations: [SignalDecl]
    public let body: Block
    public let memories: [Memory]
    public let instances: [Instance]
    /// For each output port, the input ports it depends on without a register
    /// in between (used to find loops through instances).
    public internal(set) var combinationalPaths: [String: Set<String>] = [:]

    init(name: String, baseName: String, parameters: [Parameter], builder: ModuleBuilder) {
        self.name = name
        self.baseName = baseName
        self.parameters = parameters
        self.ports = builder.ports
        self.declarations = builder.declarations
        self.body = builder.body
        self.memories = builder.memories
        self.instances = builder.instances
    }

    /// True when the module needs the clock and reset ports.
    public var isSequential: Bool {
        declarations.contains(where: \.isRegister)
            || memories.contains { $0.readLatency > 0 || $0.writePort != nil }
            || instances.contains { $0.module.isSequential }
    }
}

/// A whole elaborated design: the top module and every module it uses,
/// each distinct module once, children before parents.
public struct Design {
    public let top: ElaboratedModule
    public let modules: [ElaboratedModule]
}

/// Elaborate `top` and everything it instantiates, and run every check.
/// Throws an `ElaborationError` listing each problem with its source location.
public func elaborate(_ top: some Module) throws -> Design {
    let elaborator = Elaborator()
    let module = elaborator.elaborateModule(top)
    if !elaborator.diagnostics.isEmpty {
        throw ElaborationError(diagnostics: elaborator.diagnostics)
    }
    return Design(top: module, modules: reachable(from: module, in: elaborator.ordered))
}

/// The modules `top` uses, in `ordered`'s order (children first): an
/// elaboration tried and not placed (a clock-enabled variant of a
/// combinational module) is left out.
private func reachable(from top: ElaboratedModule, in ordered: [ElaboratedModule]) -> [ElaboratedModule] {
    var used: Set<String> = [top.name]
    // Parents come after their children, so one pass from the end finds all.
    for module in ordered.reversed() where used.contains(module.name) {
        for i in module.instances { used.insert(i.module.name) }
    }
    return ordered.filter { used.contains($0.name) }
}

/// Keeps one elaborated module per emitted name and collects diagnostics.
final class Elaborator {
    private var byName: [String: (module: ElaboratedModule, fingerprint: String)] = [:]
    private(set) var ordered: [ElaboratedModule] = []
    private var inProgress: [String] = []
    private(set) var diagnostics: [Diagnostic] = []

    func elaborateModule(_ definition: some Module) -> ElaboratedModule {
        let name = definition.emittedName
        inProgress.append(name)
        defer { inProgress.removeLast() }
        let builder = ModuleBuilder(moduleName: name, elaborator: self)
        definition.build(builder)
        let module = ElaboratedModule(name: name, baseName: definition.name,
                                      parameters: definition.parameters, builder: builder)
        let checked = ModuleChecks(module: module, builder: builder)
        module.combinationalPaths = checked.run()
        diagnostics += builder.diagnostics
        let fingerprint = Fingerprint.of(module)
        if let existing = byName[name] {
            if existing.fingerprint != fingerprint {
                diagnostics.append(Diagnostic(
                    "two different circuits are both named '\(name)': list the parameter that tells them apart in `parameters`",
                    at: module.ports.first?.location ?? CodeLocation(file: "?", line: 0, column: 0), module: name))
            }
            return existing.module
        }
        byName[name] = (module, fingerprint)
        ordered.append(module)
        return module
    }

    func elaborateChild(_ definition: some Module, at location: CodeLocation, parent: ModuleBuilder) -> ElaboratedModule {
        let name = definition.emittedName
        if inProgress.contains(name) {
            parent.error("module '\(name)' contains itself: \((inProgress + [name]).joined(separator: " -> "))", location)
            let empty = ModuleBuilder(moduleName: name, elaborator: self)
            return ElaboratedModule(name: name, baseName: definition.name, parameters: [], builder: empty)
        }
        // Elaborate every instance so a module whose circuit depends on
        // something missing from `parameters` is caught by its fingerprint.
        return elaborateModule(definition)
    }
}
