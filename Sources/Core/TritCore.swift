import HDL
import ISA

/// The accelerator core: fetch, decode, in-order issue with a scoreboard,
/// four execution units running concurrently, in-order retirement, the CSR
/// slave and the memory system with one Avalon-MM master per bank.
/// docs/core.md describes the architecture and every contract used here.
///
/// Top-level ports: the CSR slave (`csr_*`), one Avalon-MM master per bank
/// (`mem<b>_*`), the retirement port (`retire_*`, one record per retired
/// instruction in program order, the fields of `ISA.RetireRecord`) and
/// `busy` / `halted` / `faulted`.
public struct TritCore: Module {
    public let params: CoreParameters

    public init(params: CoreParameters) { self.params = params }

    public var name: String { "TritCore" }
    public var parameters: [Parameter] {
        [Parameter("D", params.dataBits), Parameter("B", params.banks),
         Parameter("VL", params.isa.maxVectorLength), Parameter("V", params.isa.vectorRegisters),
         Parameter("S", params.isa.scalarRegisters), Parameter("F", params.isa.fracBits),
         Parameter("A", params.addressBits), Parameter("M", params.maxBurst), Parameter("O", params.outstandingBeats)]
    }

    /// Entries of the retire queue: instructions dispatched but not retired.
    static let retireDepth = 16

    public func build(_ m: ModuleBuilder) {
        let problems = params.problems
        guard m.require(problems.isEmpty, "bad core parameters: " + problems.joined(separator: "; ")) else { return }
        let p = params
        let csr = m.instance(CSRSlave(params: p), "csr")
        forward(m, csr, ["csr_address", "csr_read", "csr_write", "csr_writedata", "csr_byteenable",
                         "csr_readdata", "csr_readdatavalid", "csr_waitrequest"])
        let memory = m.instance(MemorySystem(params: p, readClients: Self.readClients.count,
                                             wideClients: Self.wideClients), "memory")
        forward(m, memory, memory.module.ports.map(\.name).filter { $0.hasPrefix("mem") })

        // Byte addresses from the host become beat addresses.
        let beatShift = addressWidth(p.beatBytes)
        let codeBaseLine = m.wire("code_base_line", (csr.code_base >> beatShift).truncate(to: p.lineBits))
        let dataBaseLine = m.wire("data_base_line", (csr.data_base >> beatShift).truncate(to: p.lineBits))

        let fetch = m.instance(FetchUnit(params: p), "fetch")
        Self.connectReadClient(memory, "fetch", to: fetch)
        fetch.code_base_line.set(codeBaseLine)
        fetch.code_length.set(csr.code_length)

        let decoder = m.instance(InstructionDecoder(config: p.isa), "decoder")
        decoder.word.set(fetch.head_word)

        let units = ExecutionUnits(m, p, memory: memory, dataBaseLine: dataBaseLine, dataSize: csr.data_size)
        let issue = IssueStage(m, p, fetch: fetch, decoder: decoder, units: units, csr: csr, memory: memory)
        issue.build()
    }

    /// Memory read clients, in the memory system's client order.
    static let readClients = ["fetch", "ls", "ternary"]
    /// The read clients that take a beat of every bank per cycle: the
    /// load/store unit (a register chunk is a wide beat) and the ternary
    /// unit's weight stream.
    static let wideClients = Set(["ls", "ternary"].map { readClients.firstIndex(of: $0)! })

    /// Creates a top-level port for each named port of `inst` and connects it.
    func forward(_ m: ModuleBuilder, _ inst: Instance, _ names: [String]) {
        for port in inst.module.ports where names.contains(port.name) {
            if port.isInputPort {
                inst.port(port.name).set(m.input(port.name, port.type))
            } else {
                m.output(port.name, port.type).set(inst.port(port.name))
            }
        }
    }

    /// Wires `unit`'s read client to the memory system's port for `client`.
    static func connectReadClient(_ memory: Instance, _ client: String, to unit: Instance) {
        let index = readClients.firstIndex(of: client)!
        for name in MemoryReadClient.outputs { memory.port("c\(index)_\(name)").set(unit.port(name)) }
        for name in MemoryReadClient.inputs { unit.port(name).set(memory.port("c\(index)_\(name)")) }
    }
}
