import Core
import HDL
import HDLEmit

/// The AFU top the shells wrap: the core and the DMA (`TritAfu`), with the
/// host channel of `HostDMAParameters.standard` on every board.
public enum AfuTop {
    public static let host = HostDMAParameters.standard

    public static func module(_ p: CoreParameters) -> any Module { TritAfu(params: p, host: host) }

    /// Elaborate the AFU top for `p`, checking that its ports are the ones the shells connect.
    public static func design(_ p: CoreParameters) throws -> Design {
        let problems = p.problems + host.problems(p)
        guard problems.isEmpty else { throw ShellError.badParameters(problems) }
        let design = try elaborate(module(p))
        try checkPorts(design.top, p)
        return design
    }

    /// The name of the core module inside an elaborated AFU top.
    public static func coreName(_ afu: Design) throws -> String {
        guard let core = afu.modules.first(where: { $0.name.hasPrefix("TritCore_") }) else {
            throw ShellError.badParameters(["the AFU top \(afu.top.name) holds no TritCore"])
        }
        return core.name
    }

    /// Throws unless `top` has exactly the ports `CorePort.afu(p, host)`.
    public static func checkPorts(_ top: ElaboratedModule, _ p: CoreParameters) throws {
        try CoreTop.check(top, against: CorePort.afu(p, host))
    }
}
