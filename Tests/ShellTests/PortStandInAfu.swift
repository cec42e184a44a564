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
        let address = m.input("csr_address", .uint(TritAfu.csrAddressBits))
        let read = m.input("csr_read", .bool)
        let write = m.input("csr_write", .bool)
        let writeData = m.input("csr_writedata", .uint(64))
        let byteEnable = m.input("csr_byteenable", .uint(8))
        let readData = m.output("csr_readdata", .uint(64))
        let readDataValid = m.output("csr_readdatavalid", .bool)
        let waitRequest = m.output("csr_waitrequest", .bool)

        for port in CorePort.afu(p, AfuTop.host) where port.name.hasPrefix("host_") {
            if port.isInput {
                _ = m.input(port.name, port.width == 1 ? .bool : .uint(port.width))
            } else {
                m.output(port.name, port.width == 1 ? .bool : .uint(port.width)).set(port.width == 1 ? false : lit(.zero(port.width), .uint(port.width)))
            }
        }
        for b in 0..<p.banks {
            m.output("mem\(b)_address", .uint(p.addressBits)).set(0)
            m.output("mem\(b)_read", .bool).set(false)
            m.output("mem\(b)_write", .bool).set(false)
            m.output("mem\(b)_burstcount", .uint(p.burstBits)).set(1)
            m.output("mem\(b)_writedata", .uint(p.dataBits)).set(lit(.zero(p.dataBits), .uint(p.dataBits)))
            m.output("mem\(b)_byteenable", .uint(p.beatBytes)).set(lit(.zero(p.beatBytes), .uint(p.beatBytes)))
            _ = m.input("mem\(b)_waitrequest", .bool)
            _ = m.input("mem\(b)_readdata", .uint(p.dataBits))
            _ = m.input("mem\(b)_readdatavalid", .bool)
        }
        for (name, width) in [("retire_index", 32), ("retire_opcode", 8), ("retire_dest", 3),
                              ("retire_dest_index", 32), ("retire_count", 32), ("retire_digest", 32), ("retire_saturations", 32)] {
            if name == "retire_index" { m.output("retire_valid", .bool).set(false) }
            m.output(name, .uint(width)).set(0)
        }
        for name in ["busy", "halted", "faulted"] { m.output(name, .bool).set(false) }

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
        readData.set(m.regNext("read_data_q", value, reset: word(0)))
        readDataValid.set(m.regNext("read_valid_q", read, reset: false))
        waitRequest.set(false)
    }
}
