import Core
import HDL

/// The core's top-level ports, as the shells connect them. Every port is
/// synchronous to `clk`; `rst` is synchronous and active high (both added
/// by the emitter).
///
/// - CSR slave, 64-bit Avalon-MM: `csr_address` is the index of a 64-bit
///   register (`CSR`); `csr_readdatavalid` rises exactly one cycle after
///   `csr_read`; `csr_waitrequest` is always low.
/// - Memory master per bank `b`: `mem<b>_*`, Avalon-MM with bursts of up to
///   `maxBurst` beats, word (beat) addresses.
/// - Retirement port and status: one record per retired instruction, for
///   simulation and debugging; the host reads the same through the CSRs.
public struct CorePort: Equatable, Sendable, CustomStringConvertible {
    public let name: String
    public let isInput: Bool
    public let width: Int

    public var description: String { "\(isInput ? "input" : "output") \(name) [\(width)]" }

    public static func expected(_ p: CoreParameters) -> [CorePort] {
        func i(_ n: String, _ w: Int = 1) -> CorePort { CorePort(name: n, isInput: true, width: w) }
        func o(_ n: String, _ w: Int = 1) -> CorePort { CorePort(name: n, isInput: false, width: w) }
        var ports = [i("csr_address", CSR.addressBits), i("csr_read"), i("csr_write"), i("csr_writedata", 64),
                     i("csr_byteenable", 8), o("csr_readdata", 64), o("csr_readdatavalid"), o("csr_waitrequest")]
        for b in 0..<p.banks {
            ports += [o("mem\(b)_address", p.addressBits), o("mem\(b)_read"), o("mem\(b)_write"),
                      o("mem\(b)_burstcount", p.burstBits), o("mem\(b)_writedata", p.dataBits),
                      o("mem\(b)_byteenable", p.beatBytes),
                      i("mem\(b)_waitrequest"), i("mem\(b)_readdata", p.dataBits), i("mem\(b)_readdatavalid")]
        }
        ports += [o("retire_valid"), o("retire_index", 32), o("retire_opcode", 8), o("retire_dest", 3),
                  o("retire_dest_index", 32), o("retire_count", 32), o("retire_digest", 32), o("retire_saturations", 32),
                  o("busy"), o("halted"), o("faulted")]
        return ports
    }

    /// The AFU top's ports (`TritAfu`): the core's, with a CSR index wide
    /// enough for both windows and the DMA's host-memory master (split read
    /// and write channels, `dataBits` wide, host beat addresses) before the banks.
    public static func afu(_ p: CoreParameters, _ host: HostDMAParameters) -> [CorePort] {
        func i(_ n: String, _ w: Int = 1) -> CorePort { CorePort(name: n, isInput: true, width: w) }
        func o(_ n: String, _ w: Int = 1) -> CorePort { CorePort(name: n, isInput: false, width: w) }
        let hostPorts = [o("host_rd_address", host.addressBits), o("host_rd_read"), o("host_rd_burstcount", host.burstBits),
                         o("host_rd_byteenable", p.beatBytes), i("host_rd_waitrequest"), i("host_rd_readdata", p.dataBits),
                         i("host_rd_readdatavalid"),
                         o("host_wr_address", host.addressBits), o("host_wr_write"), o("host_wr_burstcount", host.burstBits),
                         o("host_wr_writedata", p.dataBits), o("host_wr_byteenable", p.beatBytes), i("host_wr_waitrequest"),
                         i("host_wr_writeresponsevalid")]
        var ports = expected(p).map { $0.name == "csr_address" ? i("csr_address", TritAfu.csrAddressBits) : $0 }
        let firstBank = ports.firstIndex { $0.name.hasPrefix("mem") }!
        ports.insert(contentsOf: hostPorts, at: firstBank)
        return ports
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
