import Core
import HDL
import HDLEmit

/// The core's top module and its SystemVerilog, for the shells.
public enum CoreTop {
    /// The module the shells wrap.
    public static func module(_ p: CoreParameters) -> any Module { TritCore(params: p) }

    /// Elaborate the core for `p`, checking that its ports are the ones the
    /// shells connect.
    public static func design(_ p: CoreParameters) throws -> Design {
        let problems = p.problems
        guard problems.isEmpty else { throw ShellError.badParameters(problems) }
        let design = try elaborate(module(p))
        try checkPorts(design.top, p)
        return design
    }

    /// Throws unless `top` has exactly the ports `CorePort.expected(p)`.
    public static func checkPorts(_ top: ElaboratedModule, _ p: CoreParameters) throws {
        try check(top, against: CorePort.expected(p))
    }

    /// Throws unless `top` has exactly the ports `expected`, naming the differences.
    static func check(_ top: ElaboratedModule, against expected: [CorePort]) throws {
        let actual = CorePort.of(top)
        guard Set(actual.map(\.description)) == Set(expected.map(\.description)) else {
            throw ShellError.portMismatch(module: top.name,
                                          missing: expected.filter { !actual.contains($0) }.map(\.description),
                                          unexpected: actual.filter { !expected.contains($0) }.map(\.description))
        }
    }
}

public enum ShellError: Error, CustomStringConvertible, Equatable {
    case badParameters([String])
    case portMismatch(module: String, missing: [String], unexpected: [String])

    public var description: String {
        switch self {
        case .badParameters(let problems):
            return "invalid core parameters:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
        case .portMismatch(let module, let missing, let unexpected):
            return "\(module) does not have the ports the shells connect; missing: "
                + (missing.isEmpty ? "none" : missing.joined(separator: ", "))
                + "; unexpected: " + (unexpected.isEmpty ? "none" : unexpected.joined(separator: ", "))
        }
    }
}
