import Core
import HDL

/// The core's top-level ports, as the shells connect them, listed from the
/// signatures the core is built with (`TritCore.portGroups`). Every port is
/// synchronous to `clk`; `rst` is synchronous and active high (both added
/// by the emitter).
///
/// - CSR slave, 64-bit Avalon-MM (`CSRBus` at `csr_`): `csr_address` is the
///   index of a 64-bit register (`CSR`); `csr_readdatavalid` rises exactly
///   one cycle after `csr_read`; `csr_waitrequest` is always low.
/// - Memory master per bank `b` (`BankMaster` at `mem<b>_`): Avalon-MM with
///   bursts of up to `maxBurst` beats, word (beat) addresses.
/// - Retirement port and status (`Retirement` at `retire_`, `CoreStatus`):
///   one record per retired instruction, for simulation and debugging; the
///   host reads the same through the CSRs.
public struct CorePort: Equatable, Sendable, CustomStringConvertible {
    public let name: String
    public let isInput: Bool
    public let width: Int

    public var description: String { "\(isInput ? "input" : "output") \(name) [\(width)]" }

    /// The core's ports (`TritCore.portGroups`).
    public static func expected(_ p: CoreParameters) -> [CorePort] { ports(of: TritCore.portGroups(p)) }

    /// The AFU top's ports (`TritAfu.portGroups`): the core's, with a CSR
    /// index wide enough for both windows and the DMA's host-memory master
    /// (split read and write channels, `dataBits` wide, host beat addresses)
    /// before the banks.
    public static func afu(_ p: CoreParameters, _ host: HostDMAParameters) -> [CorePort] {
        ports(of: TritAfu.portGroups(p, host))
    }

    /// The ports of `groups`, in order.
    public static func ports(of groups: [PortGroup]) -> [CorePort] {
        groups.flatMap { group in
            group.signature.members.map { CorePort(name: group.prefix + $0.name, isInput: $0.direction == .input, width: $0.type.width) }
        }
    }

    /// The ports of an elaborated top module.
    public static func of(_ module: ElaboratedModule) -> [CorePort] {
        module.ports.map { d in
            let isInput: Bool
            if case .input = d.kind { isInput = true } else { isInput = false }
            return CorePort(name: d.name, isInput: isInput, width: d.type.width)
        }
    }
}
