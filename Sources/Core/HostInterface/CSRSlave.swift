import HDL

/// The host's 64-bit Avalon-MM CSR slave (map: `CSR`): identification,
/// the program's location, start, status, and the performance counters.
/// Reads answer one cycle later; there is never a wait state. Counters
/// clear on start and count while the core runs.
public struct CSRSlave: Module {
    public let params: CoreParameters

    public init(params: CoreParameters) { self.params = params }

    public var parameters: [Parameter] { [Parameter("D", params.dataBits), Parameter("B", params.banks)] }

    /// Event inputs, one counter each (same order as their CSRs); each is a
    /// Bool (count a cycle) except `ev_weight_beat`, the number of weight
    /// beats the ternary unit consumed this cycle (0 ... banks), and
    /// `ev_saturations`, the saturated elements of the instruction retiring
    /// this cycle (0 ... max vector length).
    public static let events: [(port: String, csr: CSR)] = [
        ("ev_retire", .retired), ("ev_busy_ls", .busyLoadStore), ("ev_busy_vector", .busyVector),
        ("ev_busy_reduction", .busyReduction), ("ev_busy_ternary", .busyTernary), ("ev_memory_stall", .memoryStall),
        ("ev_weight_beat", .weightBeats), ("ev_issue_stall", .issueStall), ("ev_saturations", .saturations),
    ]

    /// Width of the weight-beat count of one cycle (0 ... banks).
    public static func weightBeatBits(_ p: CoreParameters) -> Int { addressWidth(CoreParameters.ternaryCatchUp * p.banks + 1) }

    /// Width of an event input: 1 for a cycle event, more for an amount.
    static func eventBits(_ csr: CSR, _ p: CoreParameters) -> Int {
        switch csr {
        case .weightBeats: return weightBeatBits(p)
        case .saturations: return p.vlBits
        default: return 1
        }
    }

    public func build(_ m: ModuleBuilder) {
        let address = m.input("csr_address", .uint(CSR.addressBits))
        let read = m.input("csr_read", .bool)
        let write = m.input("csr_write", .bool)
        let writeData = m.input("csr_writedata", .uint(64))
        _ = m.input("csr_byteenable", .uint(8))      // full 64-bit writes only; kept for the Avalon shape
        let readData = m.output("csr_readdata", .uint(64))
        let readValid = m.output("csr_readdatavalid", .bool)
        let waitRequest = m.output("csr_waitrequest", .bool)

        let running = m.input("running", .bool)
        let halted = m.input("halted", .bool)
        let faulted = m.input("faulted", .bool)
        let busy = m.input("busy", .bool)
        let faultCode = m.input("fault_code", .uint(DispatchPort.faultBits))
        let faultIndex = m.input("fault_index", .uint(32))
        let events = Self.events.map { e in
            let bits = Self.eventBits(e.csr, params)
            return (m.input(e.port, bits == 1 ? .bool : .uint(bits)), e.csr)
        }

        let start = m.output("start", .bool)
        let codeBase = m.output("code_base", .uint(64))
        let codeLength = m.output("code_length", .uint(32))
        let dataBase = m.output("data_base", .uint(64))
        let dataSize = m.output("data_size", .uint(33))
        let timeout = m.output("timeout_cycles", .uint(32))

        func writes(_ csr: CSR) -> Signal { write && address == lit(csr.rawValue, width: CSR.addressBits) }
        func settable(_ csr: CSR, _ width: Int) -> Signal {
            let r = m.reg("\(csr)_q", .uint(width), reset: 0)
            m.when(writes(csr)) { r.set(writeData[width - 1, 0]) }
            return r
        }
        codeBase.set(settable(.codeBase, 64))
        codeLength.set(settable(.codeLength, 32))
        dataBase.set(settable(.dataBase, 64))
        dataSize.set(settable(.dataSize, 33))
        let timeoutValue = settable(.timeout, 32)
        timeout.set(mux(timeoutValue == 0, lit(1 << 24, width: 32), timeoutValue))
        start.set(writes(.control) && writeData[0])

        let cycles = m.reg("cycles", .uint(64), reset: 0)
        m.when(start) { cycles.set(0) }.elseWhen(running) { cycles.set(cycles + 1) }
        var counters: [(CSR, Signal)] = [(.cycles, cycles)]
        for (event, csr) in events {
            let c = m.reg("\(csr)_count", .uint(64), reset: 0)
            if Self.eventBits(csr, params) > 1 {
                m.when(start) { c.set(0) }.otherwise { c.set(c + event.extend(to: 64)) }
            } else {
                m.when(start) { c.set(0) }.elseWhen(event) { c.set(c + 1) }
            }
            counters.append((csr, c))
        }

        let (high, low) = CSR.afuIdHalves
        let status = cat(lit(0, width: 48), faultCode.extend(to: 8), lit(0, width: 4), busy, faulted, halted, running)
        var value = lit(0, width: 64)
        var table: [(CSR, Signal)] = [
            (.dfh, lit(BitVector(width: 64, words: [CSR.dfhValue]), .uint(64))),
            (.afuIdLow, lit(BitVector(width: 64, words: [low]), .uint(64))),
            (.afuIdHigh, lit(BitVector(width: 64, words: [high]), .uint(64))),
            (.status, status), (.faultIndex, faultIndex.extend(to: 64)),
            (.codeBase, codeBase), (.codeLength, codeLength.extend(to: 64)), (.dataBase, dataBase),
            (.dataSize, dataSize.extend(to: 64)), (.timeout, timeoutValue.extend(to: 64)),
            (.configuration, lit(BitVector(width: 64, words: [CSR.configurationValue(params)]), .uint(64))),
        ]
        table += counters
        for (csr, v) in table.reversed() {
            value = mux(address == lit(csr.rawValue, width: CSR.addressBits), v, value)
        }
        readData.set(m.regNext("read_q", m.wire("read_value", value)))
        readValid.set(m.regNext("read_valid_q", read, reset: false))
        waitRequest.set(false)
    }
}
