/// A module described by a closure: for small circuits, test benches and
/// tests, where declaring a type would be ceremony.
///
///     let inverter = InlineModule("Inverter") { m in
///         let a = m.input("a", .bool)
///         m.output("y", .bool).set(!a)
///     }
public struct InlineModule: Module {
    public let name: String
    public let parameters: [Parameter]
    let body: (ModuleBuilder) -> Void

    public init(_ name: String, parameters: [Parameter] = [], _ body: @escaping (ModuleBuilder) -> Void) {
        self.name = name
        self.parameters = parameters
        self.body = body
    }

    public func build(_ m: ModuleBuilder) { body(m) }
}
