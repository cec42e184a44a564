import HDL

/// The accelerator as the host sees it: the core (`TritCore`) and the DMA
/// (`HostDMA`) sharing the local-memory banks, behind one CSR slave.
/// docs/host.md has the register map, the host's call sequence and the
/// port list.
///
/// CSR slave (64-bit Avalon-MM, `csr_address` = 64-bit register index):
/// indices 0 ... 31 (bytes 0x000 ... 0x0F8) are the core's registers,
/// unchanged; 32 ... 47 (bytes 0x100 ... 0x178) the DMA's (`DMARegister`);
/// reads elsewhere return 0 and writes there are dropped. Every read is
/// answered exactly one cycle later.
///
/// Banks: the DMA owns them while it is busy, the core otherwise; the
/// other side sees `waitrequest` high and no read data. The two never
/// overlap: a DMA start while the core is busy (running, or its memory
/// still busy) fails with `coreRunning`, and a core start (CONTROL bit 0)
/// while the DMA is busy is dropped and reported in the DMA's STATUS bit 3.
public struct TritAfu: Module {
    public let params: CoreParameters
    public let host: HostDMAParameters

    public init(params: CoreParameters, host: HostDMAParameters = .standard) {
        self.params = params
        self.host = host
    }

    public var name: String { "TritAfu" }
    public var parameters: [Parameter] {
        TritCore(params: params).parameters
            + [Parameter("HA", host.addressBits), Parameter("HM", host.maxBurst), Parameter("HB", host.bufferBeats)]
    }

    /// Bits of the AFU's CSR index: the core's 32 registers and the DMA's window above them.
    public static let csrAddressBits = 6

    /// The bank master fields the DMA and the core drive, and those the banks drive.
    static let bankOutputs = ["address", "read", "write", "burstcount", "writedata", "byteenable"]
    static let bankInputs = ["waitrequest", "readdata", "readdatavalid"]

    public func build(_ m: ModuleBuilder) {
        let problems = params.problems + host.problems(params)
        guard m.require(problems.isEmpty, "bad AFU parameters: " + problems.joined(separator: "; ")) else { return }
        let core = m.instance(TritCore(params: params), "core")
        let dma = m.instance(HostDMA(params: params, host: host), "dma")
        let dmaOwns = dma.busy

        // MARK: CSR windows
        let address = m.input("csr_address", .uint(Self.csrAddressBits))
        let read = m.input("csr_read", .bool)
        let write = m.input("csr_write", .bool)
        let writeData = m.input("csr_writedata", .uint(64))
        core.csr_byteenable.set(m.input("csr_byteenable", .uint(8)))
        let toCore = m.wire("to_core", !address[5])
        let toDMA = m.wire("to_dma", address[5, 4] == lit(2, width: 2))
        let coreStart = m.wire("core_start", write && toCore && address[4, 0] == lit(CSR.control.rawValue, width: CSR.addressBits)
                               && writeData[0])
        let refuse = m.wire("refuse_core_start", coreStart && dmaOwns)
        core.csr_address.set(address[4, 0])
        core.csr_read.set(read && toCore)
        core.csr_write.set(write && toCore && !refuse)
        core.csr_writedata.set(writeData)
        dma.csr_address.set(address[3, 0])
        dma.csr_read.set(read && toDMA)
        dma.csr_write.set(write && toDMA)
        dma.csr_writedata.set(writeData)
        dma.core_busy.set(core.busy)
        dma.core_start_refused.set(refuse)
        let elsewhere = m.regNext("elsewhere_read", read && !toCore && !toDMA, reset: false)
        m.output("csr_readdata", .uint(64)).set(mux(core.csr_readdatavalid, core.csr_readdata,
                                                    mux(dma.csr_readdatavalid, dma.csr_readdata, lit(0, width: 64))))
        m.output("csr_readdatavalid", .bool).set(core.csr_readdatavalid || dma.csr_readdatavalid || elsewhere)
        m.output("csr_waitrequest", .bool).set(core.csr_waitrequest)

        // MARK: Host memory: the DMA's master
        for port in dma.module.ports where port.name.hasPrefix("host_") {
            if port.isInputPort {
                dma.port(port.name).set(m.input(port.name, port.type))
            } else {
                m.output(port.name, port.type).set(dma.port(port.name))
            }
        }

        // MARK: Banks: the owner's master
        for b in 0..<params.banks {
            func name(_ f: String) -> String { "mem\(b)_\(f)" }
            for f in Self.bankOutputs {
                m.output(name(f), core.port(name(f)).type!).set(mux(dmaOwns, dma.port(name(f)), core.port(name(f))))
            }
            let wait = m.input(name("waitrequest"), .bool)
            let data = m.input(name("readdata"), .uint(params.dataBits))
            let valid = m.input(name("readdatavalid"), .bool)
            core.port(name("waitrequest")).set(wait || dmaOwns)
            dma.port(name("waitrequest")).set(wait || !dmaOwns)
            core.port(name("readdata")).set(data)
            dma.port(name("readdata")).set(data)
            core.port(name("readdatavalid")).set(valid && !dmaOwns)
            dma.port(name("readdatavalid")).set(valid && dmaOwns)
        }

        // MARK: The core's retirement port and status, for simulation
        for port in core.module.ports where port.name.hasPrefix("retire_") || ["busy", "halted", "faulted"].contains(port.name) {
            m.output(port.name, port.type).set(core.port(port.name))
        }
    }
}
