import Core
import HDL
import ISA
import Shells

/// A module with exactly the AFU top's ports (`CorePort.afu`) for any
/// number of banks: a CSR register file answering like the core's (device
/// feature header, AFU ID, the writable registers, the configuration word)
/// and idle host-memory and bank masters. The shells are checked around it
/// where elaborating the whole AFU for every configuration would be slow.
struct PortStandInAfu: Module {
    let params: CoreParameters

    init(params: CoreParameters) { self.params = params }

    var parameters: [Parameter] {
        [Parameter("D", params.dataBits), Parameter("B", params.banks),
         Parameter("VL", params.isa.maxVectorLength), Parameter("A", params.addressBits)]
    }

    func build(_ m: ModuleBuilder) {
        let p = params
        let bus = m.ports(CSRBus(addressBits: TritAfu.csrAddressBits), prefix: CSRBus.prefix)
        let address = bus.address, write = bus.write, writeData = bus.writeData, byteEnable = bus.byteEnable

        // The host channels, the bank masters and the retirement port, all idle.
        func idle<S>(_ group: Interface<S>) {
            for (member, signal) in group.signals where member.direction == .output {
                signal.set(lit(.zero(member.type.width), member.type))
            }
        }
        let (channel, host) = TritAfu.hostChannel(p, AfuTop.host)
        idle(m.ports(HostRead(channel, host), prefix: HostRead.prefix))
        idle(m.ports(HostWrite(channel, host), prefix: HostWrite.prefix))
        for b in 0..<p.banks { idle(m.ports(BankMaster(p), prefix: BankMaster.prefix(b))) }
        idle(m.ports(Retirement(), prefix: Retirement.prefix))
        idle(m.ports(CoreStatus()))

        // Writable registers take the bytes selected by csr_byteenable.
        let mask = m.wire("byte_mask", cat((0..<8).reversed().map { i in
            mux(byteEnable[i], lit(0xFF, width: 8), lit(0, width: 8))
        }))
        var stored: [CSR: Signal] = [:]
        for r in CSR.allCases where r.isWritable {
            let reg = m.reg("csr_\(r)", .uint(64), reset: 0)
            m.when(write && address == lit(r.rawValue, width: TritAfu.csrAddressBits)) {
                reg.set((reg & ~mask) | (writeData & mask))
            }
            stored[r] = reg
        }

        let id = CSR.afuIdHalves
        func word(_ v: UInt64) -> Signal { lit(BitVector(width: 64, words: [v]), .uint(64)) }
        let configuration = UInt64(p.tritsPerCycle) | UInt64(p.vectorLanes) << 16 | UInt64(p.banks) << 32
            | UInt64(p.isa.maxVectorLength.trailingZeroBitCount) << 40
        let value = m.wire("read_value", .uint(64))
        m.switch(address) { c in
            c.is(lit(CSR.dfh.rawValue, width: TritAfu.csrAddressBits)) { value.set(word(1 << 60 | 1 << 40)) }
            c.is(lit(CSR.afuIdLow.rawValue, width: TritAfu.csrAddressBits)) { value.set(word(id.low)) }
            c.is(lit(CSR.afuIdHigh.rawValue, width: TritAfu.csrAddressBits)) { value.set(word(id.high)) }
            for r in CSR.allCases where r.isWritable {
                c.is(lit(r.rawValue, width: TritAfu.csrAddressBits)) { value.set(stored[r]!) }
            }
            c.is(lit(CSR.configuration.rawValue, width: TritAfu.csrAddressBits)) { value.set(word(configuration)) }
            c.default { value.set(word(0)) }
        }
        bus.readData.set(m.regNext("read_data_q", value, reset: word(0)))
        bus.readDataValid.set(m.regNext("read_valid_q", bus.read, reset: false))
        bus.waitRequest.set(false)
    }
}
