import HDL

/// The host's 64-bit Avalon-MM CSR slave (map: `CSR`): identification,
/// the program's location, start, status, and the performance counters.
/// Reads answer one cycle later; there is never a wait state. Counters
/// clear on start and count while the core runs. With several streams,
/// `active_last` is the STREAMS register minus one: the last active stream.
public struct CSRSlave: Module {
    public let params: CoreParameters

    public init(params: CoreParameters) { self.params = params }

    public var parameters: [Parameter] { [Parameter("D", params.dataBits), Parameter("B", params.banks)] + params.streamParameters }

    public func build(_ m: ModuleBuilder) {
        let bus = m.ports(CSRBus(addressBits: CSR.addressBits), prefix: CSRBus.prefix)
        let address = bus.address, read = bus.read, write = bus.write, writeData = bus.writeData
        // bus.byteEnable is unused: full 64-bit writes only; kept for the Avalon shape.
        let control = m.ports(CSRControl(params))
        let start = control.start

        func writes(_ csr: CSR) -> Signal { write && address == lit(csr.rawValue, width: CSR.addressBits) }
        func settable(_ csr: CSR, _ width: Int) -> Signal {
            let r = m.reg("\(csr)_q", .uint(width), reset: 0)
            m.when(writes(csr)) { r.set(writeData[width - 1, 0]) }
            return r
        }
        control.codeBase.set(settable(.codeBase, 64))
        control.codeLength.set(settable(.codeLength, 32))
        control.dataBase.set(settable(.dataBase, 64))
        control.dataSize.set(settable(.dataSize, 33))
        let timeoutValue = settable(.timeout, 32)
        control.timeoutCycles.set(mux(timeoutValue == 0, lit(1 << 24, width: 32), timeoutValue))
        start.set(writes(.control) && writeData[0])
        let streamsValue = activeStreams(m, writes(.streams) && !control.busy, writeData)

        let cycles = m.reg("cycles", .uint(64), reset: 0)
        m.when(start) { cycles.set(0) }.elseWhen(control.running) { cycles.set(cycles + 1) }
        var counters: [(CSR, Signal)] = [(.cycles, cycles)]
        // Why each event is registered before it is counted: the retire decision
        // ended in the saturation counter's 64-bit carry chain. The counters run
        // a cycle behind (the host reads them long after).
        for (member, csr) in CSRControl.events {
            let c = m.reg("\(csr)_count", .uint(64), reset: 0)
            let now = control[member], isCount = now.type != .bool
            let none = isCount ? lit(0, width: now.width!) : Signal.no
            let event = m.reg("\(csr)_event", now.type!, reset: none)
            m.when(start) { event.set(none) }.otherwise { event.set(now) }
            if isCount {
                m.when(start) { c.set(0) }.otherwise { c.set(c + event.extend(to: 64)) }
            } else {
                m.when(start) { c.set(0) }.elseWhen(event) { c.set(c + 1) }
            }
            counters.append((csr, c))
        }

        let (high, low) = CSR.afuIdHalves
        let status = cat(lit(0, width: 48), control.faultCode.extend(to: 8), lit(0, width: 4), control.busy, control.faulted,
                         control.halted, control.running)
        var value = lit(0, width: 64)
        var table: [(CSR, Signal)] = [
            (.dfh, lit(BitVector(width: 64, words: [CSR.dfhValue]), .uint(64))),
            (.afuIdLow, lit(BitVector(width: 64, words: [low]), .uint(64))),
            (.afuIdHigh, lit(BitVector(width: 64, words: [high]), .uint(64))),
            (.status, status), (.faultIndex, control.faultIndex.extend(to: 64)),
            (.codeBase, control.codeBase), (.codeLength, control.codeLength.extend(to: 64)), (.dataBase, control.dataBase),
            (.dataSize, control.dataSize.extend(to: 64)), (.timeout, timeoutValue.extend(to: 64)),
            (.configuration, lit(BitVector(width: 64, words: [CSR.configurationValue(params)]), .uint(64))),
            (.streams, streamsValue),
        ]
        table += counters
        for (csr, v) in table.reversed() {
            value = mux(address == lit(csr.rawValue, width: CSR.addressBits), v, value)
        }
        bus.readData.set(m.regNext("read_q", m.wire("read_value", value)))
        bus.readDataValid.set(m.regNext("read_valid_q", read, reset: false))
        bus.waitRequest.set(false)
    }

    /// Why: a core of B streams runs programs of fewer; the host names them
    /// before the start. Returns STREAMS as read (1 at B = 1, no register).
    func activeStreams(_ m: ModuleBuilder, _ write: Signal, _ writeData: Signal) -> Signal {
        let p = params
        guard p.streams > 1 else { return lit(1, width: 64) }
        let last = m.reg("streams_last_q", .uint(p.streamBits), reset: lit(p.streams - 1, width: p.streamBits))
        let inRange = writeData != 0 && writeData <= lit(p.streams, width: 64)
        m.when(write) {
            last.set(mux(inRange, resize(writeData - 1, p.streamBits), lit(p.streams - 1, width: p.streamBits)))
        }
        m.output("active_last", .uint(p.streamBits)).set(last)
        return resize(last.extend(to: 64) + 1, 64)
    }
}
