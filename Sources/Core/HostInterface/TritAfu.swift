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

    public func build(_ m: ModuleBuilder) {
        let problems = params.problems + host.problems(params)
        guard m.require(problems.isEmpty, "bad AFU parameters: " + problems.joined(separator: "; ")) else { return }
        let core = m.instance(TritCore(params: params), "core")
        let dma = m.instance(HostDMA(params: params, host: host.inCoreBeats(params)), "dma")
        let dmaOwns = dma.busy

        // MARK: CSR windows
        let bus = m.ports(CSRBus(addressBits: Self.csrAddressBits), prefix: CSRBus.prefix)
        let coreBus = core.ports(CSRBus(addressBits: CSR.addressBits), prefix: CSRBus.prefix)
        let address = bus.address, read = bus.read, write = bus.write, writeData = bus.writeData
        coreBus.byteEnable.set(bus.byteEnable)
        let toCore = m.wire("to_core", !address[5])
        let toDMA = m.wire("to_dma", address[5, 4] == lit(2, width: 2))
        let coreStart = m.wire("core_start", write && toCore && address[4, 0] == lit(CSR.control.rawValue, width: CSR.addressBits)
                               && writeData[0])
        let refuse = m.wire("refuse_core_start", coreStart && dmaOwns)
        coreBus.address.set(address[4, 0])
        coreBus.read.set(read && toCore)
        coreBus.write.set(write && toCore && !refuse)
        coreBus.writeData.set(writeData)
        dma.csr_address.set(address[3, 0])
        dma.csr_read.set(read && toDMA)
        dma.csr_write.set(write && toDMA)
        dma.csr_writedata.set(writeData)
        dma.core_busy.set(core.busy)
        dma.core_start_refused.set(refuse)
        let elsewhere = m.regNext("elsewhere_read", read && !toCore && !toDMA, reset: false)
        bus.readData.set(mux(coreBus.readDataValid, coreBus.readData,
                             mux(dma.csr_readdatavalid, dma.csr_readdata, lit(0, width: 64))))
        bus.readDataValid.set(coreBus.readDataValid || dma.csr_readdatavalid || elsewhere)
        bus.waitRequest.set(coreBus.waitRequest)

        // MARK: Host memory: the DMA's master, through a width adapter when the core's beat is wider
        let ratio = host.ratio(params), dmaHost = host.inCoreBeats(params)
        if ratio == 1 {
            m.forward(dma.ports(HostRead(params, host), prefix: HostRead.prefix))
            m.forward(dma.ports(HostWrite(params, host), prefix: HostWrite.prefix))
        } else {
            let adapter = m.instance(HostWidthAdapter(wide: params, host: dmaHost, ratio: ratio), "host_width")
            m.connect(dma.ports(HostRead(params, dmaHost), prefix: HostRead.prefix),
                      adapter.ports(HostRead(params, dmaHost).flipped(), prefix: "wide_rd_"))
            m.connect(dma.ports(HostWrite(params, dmaHost), prefix: HostWrite.prefix),
                      adapter.ports(HostWrite(params, dmaHost).flipped(), prefix: "wide_wr_"))
            let (channel, channelHost) = Self.hostChannel(params, host)
            m.forward(adapter.ports(HostRead(channel, channelHost), prefix: HostRead.prefix))
            m.forward(adapter.ports(HostWrite(channel, channelHost), prefix: HostWrite.prefix))
        }

        // MARK: Banks: the owner's master
        for b in 0..<params.banks {
            let prefix = BankMaster.prefix(b)
            let bank = m.ports(BankMaster(params), prefix: prefix)
            let fromCore = core.ports(BankMaster(params), prefix: prefix), fromDMA = dma.ports(BankMaster(params), prefix: prefix)
            for (i, (member, out)) in bank.signals.enumerated() where member.direction == .output {
                out.set(mux(dmaOwns, fromDMA.signals[i].signal, fromCore.signals[i].signal))
            }
            fromCore.waitRequest.set(bank.waitRequest || dmaOwns)
            fromDMA.waitRequest.set(bank.waitRequest || !dmaOwns)
            fromCore.readData.set(bank.readData)
            fromDMA.readData.set(bank.readData)
            fromCore.readDataValid.set(bank.readDataValid && !dmaOwns)
            fromDMA.readDataValid.set(bank.readDataValid && dmaOwns)
        }

        // MARK: The core's retirement port and status, for simulation
        m.forward(core.ports(Retirement(), prefix: Retirement.prefix))
        m.forward(core.ports(CoreStatus()))
    }
}

extension TritAfu {
    /// The AFU top's port groups in port order: the core's, with a CSR index
    /// wide enough for both windows and the DMA's host-memory channels before the banks.
    public static func portGroups(_ p: CoreParameters, _ host: HostDMAParameters) -> [PortGroup] {
        let (channel, channelHost) = hostChannel(p, host)
        return [(CSRBus(addressBits: csrAddressBits), CSRBus.prefix), (HostRead(channel, channelHost), HostRead.prefix),
                (HostWrite(channel, channelHost), HostWrite.prefix)] + TritCore.memoryAndRetirementGroups(p)
    }

    /// The parameters the AFU's host ports are built with: the core's, or the
    /// platform's narrower channel behind the width adapter.
    public static func hostChannel(_ p: CoreParameters, _ host: HostDMAParameters) -> (CoreParameters, HostDMAParameters) {
        let ratio = host.ratio(p)
        return ratio == 1 ? (p, host) : (p.narrowed(by: ratio), host)
    }
}
