import HDL
import ISA

/// The accelerator core: fetch, decode, in-order issue with a scoreboard,
/// four execution units running concurrently, in-order retirement, the CSR
/// slave and the memory system with one Avalon-MM master per bank.
/// docs/core.md describes the architecture and every contract used here.
///
/// Top-level ports (`portGroups`): the CSR slave (`CSRBus` at `csr_`), one
/// Avalon-MM master per bank (`BankMaster` at `mem<b>_`), the retirement
/// port (`Retirement` at `retire_`, one record per retired instruction in
/// program order, the fields of `ISA.RetireRecord`) and `CoreStatus`
/// (`busy` / `halted` / `faulted`).
public struct TritCore: Module {
    public let params: CoreParameters

    public init(params: CoreParameters) { self.params = params }

    public var name: String { "TritCore" }
    public var parameters: [Parameter] {
        [Parameter("D", params.dataBits), Parameter("B", params.banks),
         Parameter("VL", params.isa.maxVectorLength), Parameter("V", params.isa.vectorRegisters),
         Parameter("S", params.isa.scalarRegisters), Parameter("F", params.isa.fracBits),
         Parameter("A", params.addressBits), Parameter("M", params.maxBurst), Parameter("O", params.outstandingBeats)]
            + params.streamParameters
    }

    /// Entries of the retire queue: instructions dispatched but not retired.
    static let retireDepth = 16

    public func build(_ m: ModuleBuilder) {
        let problems = params.problems
        guard m.require(problems.isEmpty, "bad core parameters: " + problems.joined(separator: "; ")) else { return }
        let p = params
        let csr = m.instance(CSRSlave(params: p), "csr")
        m.forward(csr.ports(CSRBus(addressBits: CSR.addressBits), prefix: CSRBus.prefix))
        let system = Self.memorySystem(p)
        let memory = m.instance(system, "memory")
        for b in 0..<p.banks { m.forward(system.bank(b, of: memory)) }

        // Byte addresses from the host become beat addresses.
        let control = csr.ports(CSRControl(p))
        let beatShift = addressWidth(p.beatBytes)
        let codeBaseLine = m.wire("code_base_line", (control.codeBase >> beatShift).truncate(to: p.lineBits))
        let dataBaseLine = m.wire("data_base_line", (control.dataBase >> beatShift).truncate(to: p.lineBits))

        let fetch = m.instance(FetchUnit(params: p), "fetch")
        m.connect(fetch.ports(MemoryRead(p)), system.readClient(ReadClient.fetch.rawValue, of: memory))
        fetch.code_base_line.set(codeBaseLine)
        fetch.code_length.set(control.codeLength)

        let decode = m.instance(DecodeStage(config: p.isa), "decode")
        decode.fetch_valid.set(fetch.head_valid)
        decode.fetch_word.set(fetch.head_word)
        decode.fetch_index.set(fetch.head_index)
        decode.fetch_past_end.set(fetch.head_past_end)
        fetch.pop.set(decode.fetch_pop)

        // The last active stream (the STREAMS register, ISA.md "Streams"), with several streams.
        let streamLast: Signal? = p.streams > 1 ? m.wire("stream_last", csr.active_last) : nil
        let units = ExecutionUnits(m, p, memory: memory, of: system, dataBaseLine: dataBaseLine, dataSize: control.dataSize,
                                   streamLast: streamLast)
        let issue = IssueStage(m, p, fetch: fetch, decode: decode, units: units, csr: control, memory: memory)
        issue.build()
    }

    /// The memory system's read clients, in its client order.
    enum ReadClient: Int, CaseIterable {
        case fetch, loadStore, ternary

        /// The load/store unit (a register chunk is a wide beat) and the
        /// ternary unit's weight stream take a beat of every bank per cycle.
        var isWide: Bool { self != .fetch }
    }

    /// The memory system of a core with parameters `p`.
    static func memorySystem(_ p: CoreParameters) -> MemorySystem {
        MemorySystem(params: p, readClients: ReadClient.allCases.count,
                     wideClients: Set(ReadClient.allCases.filter(\.isWide).map(\.rawValue)))
    }
}

/// A port group of a top module: a signature and the prefix of its ports.
public typealias PortGroup = (signature: any OrientedSignature, prefix: String)

extension TritCore {
    /// The core's top-level port groups in port order, as the shells connect
    /// them: the CSR slave, then `memoryAndRetirementGroups`.
    public static func portGroups(_ p: CoreParameters) -> [PortGroup] {
        [(CSRBus(addressBits: CSR.addressBits), CSRBus.prefix)] + memoryAndRetirementGroups(p)
    }

    /// A master per bank, the retirement port and the status lines: the
    /// core's ports that the AFU top has too.
    static func memoryAndRetirementGroups(_ p: CoreParameters) -> [PortGroup] {
        (0..<p.banks).map { (BankMaster(p), BankMaster.prefix($0)) } + [(Retirement(), Retirement.prefix), (CoreStatus(), "")]
    }
}
