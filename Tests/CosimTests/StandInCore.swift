import Core
import HDL
import ISA

/// A stand-in for `TritCore` with exactly its top-level ports and just
/// enough behaviour to exercise the co-simulation test bench: the CSR
/// registers of the host protocol, and an engine that fetches one
/// instruction at a time through the interleaved banks and executes `halt`,
/// `nop`, `setvl`, `li`, `lds`, `sts`, `bcast` and `sv` (with their faults;
/// vectors one element per cycle); any other opcode faults as illegal. `mutation` plants a bug so the tests can show
/// that a wrong core is caught.
struct StandInCore: Module {
    enum Mutation: Int {
        case none = 0
        /// `li s3, ...` retires with a digest one too large.
        case liDigest = 1
        /// `sts` stores the value with bit 0 flipped (its record stays right).
        case stsData = 2
        /// `bcast` writes element 5 one too large.
        case bcastElement = 3
        /// Data reads ask for burstcount 0, which the memory model rejects.
        case burstZero = 4
        /// `li` retires reporting one saturated element.
        case liSaturation = 5
    }

    let params: CoreParameters
    var mutation: Mutation = .none

    var name: String { "StandInCore" }
    var parameters: [Parameter] {
        [Parameter("B", params.banks), Parameter("D", params.dataBits), Parameter("A", params.addressBits),
         Parameter("VL", params.isa.maxVectorLength), Parameter("MUT", mutation.rawValue)]
    }

    func build(_ m: ModuleBuilder) {
        let banks = params.banks, dataBits = params.dataBits
        let lineShift = addressWidth(dataBits / 8)        // byte address -> beat
        let bankBits = banks == 1 ? 0 : addressWidth(banks)

        let csrAddress = m.input("csr_address", .uint(CSR.addressBits))
        let csrRead = m.input("csr_read", .bool)
        let csrWrite = m.input("csr_write", .bool)
        let csrWritedata = m.input("csr_writedata", .uint(64))
        _ = m.input("csr_byteenable", .uint(8))
        let csrReaddata = m.output("csr_readdata", .uint(64))
        let csrReaddatavalid = m.output("csr_readdatavalid", .bool)
        m.output("csr_waitrequest", .bool).set(false)

        struct Bank { let address, read, write, burstcount, writedata, byteenable, waitrequest, readdata, readdatavalid: Signal }
        let bankPorts = (0..<banks).map { b in
            Bank(address: m.output("mem\(b)_address", .uint(params.addressBits)),
                 read: m.output("mem\(b)_read", .bool),
                 write: m.output("mem\(b)_write", .bool),
                 burstcount: m.output("mem\(b)_burstcount", .uint(params.burstBits)),
                 writedata: m.output("mem\(b)_writedata", .uint(dataBits)),
                 byteenable: m.output("mem\(b)_byteenable", .uint(dataBits / 8)),
                 waitrequest: m.input("mem\(b)_waitrequest", .bool),
                 readdata: m.input("mem\(b)_readdata", .uint(dataBits)),
                 readdatavalid: m.input("mem\(b)_readdatavalid", .bool))
        }
        let retireValid = m.reg("retire_valid_r", .bool, reset: false)
        let retireIndex = m.reg("retire_index_r", .uint(32), reset: 0)
        let retireOpcode = m.reg("retire_opcode_r", .uint(8), reset: 0)
        let retireDest = m.reg("retire_dest_r", .uint(3), reset: 0)
        let retireDestIndex = m.reg("retire_dest_index_r", .uint(32), reset: 0)
        let retireCount = m.reg("retire_count_r", .uint(32), reset: 0)
        let retireDigest = m.reg("retire_digest_r", .uint(32), reset: 0)
        let retireSaturations = m.reg("retire_saturations_r", .uint(32), reset: 0)
        for (name, r) in [("retire_valid", retireValid), ("retire_index", retireIndex), ("retire_opcode", retireOpcode),
                          ("retire_dest", retireDest), ("retire_dest_index", retireDestIndex),
                          ("retire_count", retireCount), ("retire_digest", retireDigest),
                          ("retire_saturations", retireSaturations)] {
            m.output(name, r.type!).set(r)
        }
        let busy = m.reg("busy_r", .bool, reset: false)
        let halted = m.reg("halted_r", .bool, reset: false)
        let faulted = m.reg("faulted_r", .bool, reset: false)
        m.output("busy", .bool).set(busy)
        m.output("halted", .bool).set(halted)
        m.output("faulted", .bool).set(faulted)

        // Host-visible registers.
        let codeBase = m.reg("code_base", .uint(64), reset: 0)
        let codeLength = m.reg("code_length", .uint(64), reset: 0)
        let dataBase = m.reg("data_base", .uint(64), reset: 0)
        let dataSize = m.reg("data_size", .uint(64), reset: 0)
        let timeout = m.reg("timeout", .uint(64), reset: 0)
        let faultCode = m.reg("fault_code", .uint(8), reset: 0)
        let faultIndex = m.reg("fault_index", .uint(32), reset: 0)
        let cycles = m.reg("cycles", .uint(64), reset: 0)
        let retired = m.reg("retired", .uint(64), reset: 0)

        // The engine: 0 idle, 1 fetch, 2 wait for the word, 3 execute, 4 data command, 5 wait for data,
        // 6 bcast element by element, 7 sv element by element.
        let state = m.reg("state", .uint(3), reset: 0)
        let pc = m.reg("pc", .uint(32), reset: 0)
        let instr = m.reg("instr", .uint(64), reset: 0)
        let op = m.wire("op", instr[63, 56])
        let rd = m.wire("rd", instr[55, 52])
        let ra = m.wire("ra", instr[51, 48])
        let imm = m.wire("imm", instr[31, 0])
        let sregs = m.memory("sregs", depth: 16, of: .uint(32), readLatency: 0)
        let sregRead = sregs.read()
        sregRead.address.set(ra)
        let sregWrite = sregs.write()
        let maxVL = params.isa.maxVectorLength
        let elementBits = addressWidth(maxVL)
        let vl = m.reg("vl", .uint(32), reset: lit(maxVL, width: 32))
        let element = m.reg("element", .uint(32), reset: 0)
        let digest = m.reg("digest", .uint(32), reset: 0)
        let vregs = m.memory("vregs", depth: 16 * maxVL, of: .uint(32), readLatency: 0)
        let vregRead = vregs.read()
        vregRead.address.set(cat(ra, element[elementBits - 1, 0]))
        let vregWrite = vregs.write()
        let lastElement = element + 1 == vl
        func rotated(_ v: Signal) -> Signal { (cat(v, v) << element[4, 0])[63, 32] }

        let fetchByte = m.wire("fetch_byte", codeBase + (pc.extend(to: 64) << 3).truncate(to: 64))
        let dataByte = m.wire("data_byte", dataBase + imm.extend(to: 64) + (element.extend(to: 64) << 2).truncate(to: 64))
        let line = m.wire("line", mux(state == 1 || state == 2, fetchByte, dataByte) >> lineShift)
        let bank: Signal? = banks == 1 ? nil : m.wire("bank", line[bankBits - 1, 0])
        let bankAddress = m.wire("bank_address", (line >> bankBits).truncate(to: params.addressBits))
        let selected = (0..<banks).map { b in bank.map { $0 == lit(b, width: bankBits) } ?? Signal(booleanLiteral: true) }
        var readdata = bankPorts[0].readdata, readdatavalid = bankPorts[0].readdatavalid
        var accepted = !bankPorts[0].waitrequest
        for b in 1..<max(1, banks) {
            readdata = mux(selected[b], bankPorts[b].readdata, readdata)
            readdatavalid = mux(selected[b], bankPorts[b].readdatavalid, readdatavalid)
            accepted = mux(selected[b], !bankPorts[b].waitrequest, accepted)
        }
        let wordShift = cat(fetchByte[lineShift - 1, 3], lit(0, width: 6))
        let byteOffset = m.wire("byte_offset", dataByte[lineShift - 1, 0])
        let bitOffset = cat(byteOffset, lit(0, width: 3))
        let loaded = m.wire("loaded", (readdata >> bitOffset).truncate(to: 32))
        let storeValue = m.wire("store_value", mux(state == 7, vregRead.data,
                                                    mutation == .stsData ? sregRead.data ^ lit(1, width: 32) : sregRead.data))
        let broadcast = m.wire("broadcast", mutation == .bcastElement ? mux(element == 5, sregRead.data + 1, sregRead.data) : sregRead.data)

        let pastEnd = pc.extend(to: 64) >= codeLength
        let fetching = state == 1 && !pastEnd
        let isLoad = op == 0x12
        let reading = fetching || (state == 4 && isLoad)
        let writing = (state == 4 && !isLoad) || state == 7
        for (b, p) in bankPorts.enumerated() {
            p.address.set(bankAddress)
            p.read.set(reading && selected[b])
            p.write.set(writing && selected[b])
            p.burstcount.set(mutation == .burstZero ? mux(state == 4, lit(0, width: params.burstBits), lit(1, width: params.burstBits))
                                                    : lit(1, width: params.burstBits))
            p.writedata.set(storeValue.extend(to: dataBits) << bitOffset)
            p.byteenable.set(lit(0xF, width: dataBits / 8) << byteOffset)
        }

        vregWrite.enable.set(false)
        vregWrite.address.set(cat(rd, element[elementBits - 1, 0]))
        vregWrite.data.set(broadcast)
        sregWrite.enable.set(false)
        sregWrite.address.set(rd)
        sregWrite.data.set(mux(state == 5, loaded, imm))
        retireValid.set(false)

        func retire(_ dest: DestinationKind, _ index: Signal, count: Signal, digest: Signal) {
            retireValid.set(true)
            retireIndex.set(pc)
            retireOpcode.set(op)
            retireDest.set(lit(InstructionDecoder.destinations.firstIndex(of: dest)!, width: 3))
            retireDestIndex.set(index)
            retireCount.set(count)
            retireDigest.set(digest)
            let li = op == lit(Int(Opcode.li.rawValue), width: 8)
            retireSaturations.set(mutation == .liSaturation ? mux(li, lit(1, width: 32), lit(0, width: 32)) : lit(0, width: 32))
            retired.set(retired + 1)
        }
        func next() {
            pc.set(pc + 1)
            state.set(1)
        }
        func fault(_ code: FaultCode) {
            faulted.set(true)
            busy.set(false)
            faultCode.set(lit(Int(code.rawValue), width: 8))
            faultIndex.set(pc)
            state.set(0)
        }

        m.when(busy) { cycles.set(cycles + 1) }
        m.switch(state) { c in
            c.is(1) {
                m.when(pastEnd) { fault(.fetchOutOfRange) }
                    .elseWhen(accepted) { state.set(2) }
            }
            c.is(2) {
                m.when(readdatavalid) {
                    instr.set((readdata >> wordShift).truncate(to: 64))
                    state.set(3)
                }
            }
            c.is(3) {
                m.switch(op) { o in
                    o.is(0x01) {
                        retire(.none, lit(0, width: 32), count: lit(0, width: 32), digest: lit(0, width: 32))
                        halted.set(true)
                        busy.set(false)
                        state.set(0)
                    }
                    o.is(0x02) {
                        retire(.none, lit(0, width: 32), count: lit(0, width: 32), digest: lit(0, width: 32))
                        next()
                    }
                    o.is(0x03) {
                        m.when(imm >= 1 && imm <= lit(params.isa.maxVectorLength, width: 32)) {
                            retire(.vectorLength, lit(0, width: 32), count: lit(1, width: 32), digest: imm)
                            vl.set(imm)
                            next()
                        }.otherwise { fault(.badVectorLength) }
                    }
                    o.is(0x04) {
                        sregWrite.enable.set(true)
                        let digest = mutation == .liDigest ? mux(rd == 3, imm + 1, imm) : imm
                        retire(.scalar, rd.extend(to: 32), count: lit(1, width: 32), digest: digest)
                        next()
                    }
                    o.is(0x12, 0x13) {
                        m.when(imm[1, 0] != 0) { fault(.misaligned) }
                            .elseWhen(imm.extend(to: 64) + 4 > dataSize) { fault(.addressOutOfRange) }
                            .otherwise { state.set(4) }
                    }
                    o.is(0x2A) {
                        element.set(lit(0, width: 32))
                        digest.set(lit(0, width: 32))
                        state.set(6)
                    }
                    o.is(0x11) {
                        element.set(lit(0, width: 32))
                        digest.set(lit(0, width: 32))
                        m.when(imm[1, 0] != 0) { fault(.misaligned) }
                            .elseWhen(imm.extend(to: 64) + (vl.extend(to: 64) << 2).truncate(to: 64) > dataSize) { fault(.addressOutOfRange) }
                            .otherwise { state.set(7) }
                    }
                    o.default { fault(.illegalInstruction) }
                }
            }
            c.is(4) {
                m.when(accepted) {
                    m.when(isLoad) { state.set(5) }.otherwise {
                        retire(.memory, imm, count: lit(1, width: 32), digest: sregRead.data)
                        next()
                    }
                }
            }
            c.is(5) {
                m.when(readdatavalid) {
                    sregWrite.enable.set(true)
                    retire(.scalar, rd.extend(to: 32), count: lit(1, width: 32), digest: loaded)
                    next()
                }
            }
            c.is(6) {
                vregWrite.enable.set(true)
                digest.set(digest + rotated(broadcast))
                element.set(element + 1)
                m.when(lastElement) {
                    retire(.vector, rd.extend(to: 32), count: vl, digest: digest + rotated(broadcast))
                    element.set(lit(0, width: 32))
                    next()
                }
            }
            c.is(7) {
                m.when(accepted) {
                    digest.set(digest + rotated(vregRead.data))
                    element.set(element + 1)
                    m.when(lastElement) {
                        retire(.memory, imm, count: vl, digest: digest + rotated(vregRead.data))
                        element.set(lit(0, width: 32))
                        next()
                    }
                }
            }
        }

        // The CSR slave: reads answer in the next cycle.
        csrReaddatavalid.set(m.regNext("csr_read_r", csrRead, reset: false))
        let readValue = m.reg("csr_readdata_r", .uint(64), reset: 0)
        csrReaddata.set(readValue)
        let status = cat(lit(0, width: 48), faultCode, lit(0, width: 5), faulted, halted, busy)
        m.switch(csrAddress) { c in
            c.is(lit(CSR.status.rawValue, width: 5)) { readValue.set(status) }
            c.is(lit(CSR.faultIndex.rawValue, width: 5)) { readValue.set(faultIndex.extend(to: 64)) }
            c.is(lit(CSR.codeBase.rawValue, width: 5)) { readValue.set(codeBase) }
            c.is(lit(CSR.codeLength.rawValue, width: 5)) { readValue.set(codeLength) }
            c.is(lit(CSR.dataBase.rawValue, width: 5)) { readValue.set(dataBase) }
            c.is(lit(CSR.dataSize.rawValue, width: 5)) { readValue.set(dataSize) }
            c.is(lit(CSR.timeout.rawValue, width: 5)) { readValue.set(timeout) }
            c.is(lit(CSR.cycles.rawValue, width: 5)) { readValue.set(cycles) }
            c.is(lit(CSR.retired.rawValue, width: 5)) { readValue.set(retired) }
            c.default { readValue.set(lit(0, width: 64)) }
        }
        m.when(csrWrite) {
            m.switch(csrAddress) { c in
                c.is(lit(CSR.control.rawValue, width: 5)) {
                    m.when(csrWritedata[0] && !busy) {
                        busy.set(true)
                        halted.set(false)
                        faulted.set(false)
                        faultCode.set(lit(0, width: 8))
                        faultIndex.set(lit(0, width: 32))
                        pc.set(lit(0, width: 32))
                        vl.set(lit(maxVL, width: 32))
                        cycles.set(lit(0, width: 64))
                        retired.set(lit(0, width: 64))
                        state.set(1)
                    }.elseWhen(csrWritedata[1]) {
                        busy.set(false)
                        halted.set(false)
                        faulted.set(false)
                        state.set(0)
                    }
                }
                c.is(lit(CSR.codeBase.rawValue, width: 5)) { codeBase.set(csrWritedata) }
                c.is(lit(CSR.codeLength.rawValue, width: 5)) { codeLength.set(csrWritedata) }
                c.is(lit(CSR.dataBase.rawValue, width: 5)) { dataBase.set(csrWritedata) }
                c.is(lit(CSR.dataSize.rawValue, width: 5)) { dataSize.set(csrWritedata) }
                c.is(lit(CSR.timeout.rawValue, width: 5)) { timeout.set(csrWritedata) }
                c.default {}
            }
        }
    }
}
