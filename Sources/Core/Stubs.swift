import HDL
// TEMPORARY stand-ins (not committed) so TritCore compiles before the units merge.
struct StubUnit: Module {
    let params: CoreParameters; let stubName: String; let reads: [String]; let memory: Bool; let writer: Bool
    var name: String { stubName }
    var parameters: [Parameter] { [Parameter("D", params.dataBits)] }
    func build(_ m: ModuleBuilder) {
        let d = DispatchPort(m, params)
        d.idle.set(true); d.done.set(m.regNext("done_q", d.start, reset: false)); d.doneFault.set(0); d.doneCount.set(0); d.doneDigest.set(0); d.doneScalar.set(0)
        for r in reads { let x = RegisterReadPort(m, r, params); x.reg.set(0); x.chunk.set(0) }
        let w = RegisterWritePort(m, "w", params); w.valid.set(false); w.reg.set(0); w.chunk.set(0); w.mask.set(0); w.data.set(lit(.zero(params.dataBits), .vec(.sint(32), count: params.vectorLanes)))
        if memory {
            _ = DataRegionPort(m, params)
            let c = MemoryReadClient(m, params); c.requestValid.set(false); c.requestLine.set(0); c.requestBeats.set(1)
        }
        if writer { let c = MemoryWriteClient(m, params); c.valid.set(false); c.line.set(0); c.data.set(0); c.byteEnable.set(0) }
        if stubName == "TernaryUnit" { m.output("beat", .bool).set(false) }
    }
}
func LoadStoreUnit(params: CoreParameters) -> StubUnit { StubUnit(params: params, stubName: "LoadStoreUnit", reads: ["a"], memory: true, writer: true) }
func VectorUnit(params: CoreParameters) -> StubUnit { StubUnit(params: params, stubName: "VectorUnit", reads: ["a", "b", "d"], memory: false, writer: false) }
func ReductionUnit(params: CoreParameters) -> StubUnit { StubUnit(params: params, stubName: "ReductionUnit", reads: ["a", "b"], memory: false, writer: false) }
func TernaryUnit(params: CoreParameters) -> StubUnit { StubUnit(params: params, stubName: "TernaryUnit", reads: ["a"], memory: true, writer: false) }
struct MemorySystem: Module {
    let params: CoreParameters; let readClients: Int
    var parameters: [Parameter] { [Parameter("D", params.dataBits)] }
    func build(_ m: ModuleBuilder) {
        let p = params
        var c0: (Signal, Signal, Signal)? = nil
        for i in 0..<readClients {
            let v = m.input("c\(i)_rq_valid", .bool), l = m.input("c\(i)_rq_line", .uint(p.lineBits)), b = m.input("c\(i)_rq_beats", .uint(p.burstBits))
            if i == 0 { c0 = (v, l, b) }
            let rdy = m.output("c\(i)_rq_ready", .bool), rv = m.output("c\(i)_rs_valid", .bool), rdat = m.output("c\(i)_rs_data", .uint(p.dataBits))
            if i == 0 { rdy.set(!m.input("mem0_waitrequest", .bool)); rv.set(m.input("mem0_readdatavalid", .bool)); rdat.set(m.input("mem0_readdata", .uint(p.dataBits))) } else { rdy.set(false); rv.set(false); rdat.set(0) }
        }
        _ = m.input("wq_valid", .bool); _ = m.input("wq_line", .uint(p.lineBits)); _ = m.input("wq_data", .uint(p.dataBits)); _ = m.input("wq_byteenable", .uint(p.beatBytes))
        m.output("wq_ready", .bool).set(false)
        m.output("mem0_address", .uint(p.addressBits)).set(c0!.1.truncate(to: p.addressBits))
        m.output("mem0_read", .bool).set(c0!.0)
        m.output("mem0_write", .bool).set(false)
        m.output("mem0_burstcount", .uint(p.burstBits)).set(c0!.2)
        m.output("mem0_writedata", .uint(p.dataBits)).set(0)
        m.output("mem0_byteenable", .uint(p.beatBytes)).set(0)
        _ = m.input("timeout_cycles", .uint(32))
        m.output("timeout", .bool).set(false)
        m.output("stall", .bool).set(false)
    }
}
