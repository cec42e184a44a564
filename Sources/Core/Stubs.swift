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
func TernaryUnit(params: CoreParameters) -> StubUnit { StubUnit(params: params, stubName: "TernaryUnit", reads: ["a"], memory: true, writer: false) }
