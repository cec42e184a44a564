/// A named piece of state or wiring in a module: a port, wire, register,
/// memory port signal or the port of a child instance.
public final class SignalDecl {
    public enum Kind {
        case input
        case output
        case wire
        /// A register; `reset` is nil for registers without reset.
        case register(reset: BitVector?, enable: Expr?)
        /// A signal the parent drives into a child instance or memory.
        case sinkPort(owner: String)
        /// A signal a child instance or memory drives for the parent to read.
        case sourcePort(owner: String)
    }

    public let name: String
    public let type: HWType
    public internal(set) var kind: Kind
    public let location: CodeLocation
    /// The module being built that owns this signal (only while it is built).
    weak var builder: ModuleBuilder?

    init(name: String, type: HWType, kind: Kind, location: CodeLocation) {
        self.name = name
        self.type = type
        self.kind = kind
        self.location = location
    }

    /// Can the module's own statements assign this signal?
    public var isAssignable: Bool {
        switch kind {
        case .output, .wire, .register, .sinkPort: return true
        case .input, .sourcePort: return false
        }
    }

    public var isRegister: Bool { if case .register = kind { return true } else { return false } }

    /// Combinational signals must be driven on every path, or they infer a latch.
    public var isCombinational: Bool {
        switch kind {
        case .output, .wire, .sinkPort: return true
        default: return false
        }
    }

    public var kindName: String {
        switch kind {
        case .input: return "input"
        case .output: return "output"
        case .wire: return "wire"
        case .register: return "register"
        case .sinkPort(let o): return "input of \(o)"
        case .sourcePort(let o): return "output of \(o)"
        }
    }
}
