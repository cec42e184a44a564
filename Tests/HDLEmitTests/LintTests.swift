import HDL
import HDLEmit
import HDLLib
import HDLSim
import Testing

/// Every circuit the DSL emits must be silent under `verilator --lint-only
/// -Wall` (no waivers) and read cleanly in Yosys.
@Suite(.serialized) struct LintTests {
    static var circuits: [(String, any Module)] { [
        ("counter", Counter(width: 8)),
        ("wide counter", Counter(width: 70)),
        ("fifo", FIFO(width: 32, depth: 16)),
        ("adder tree 64, combinational", TernaryAdderTree(inputs: 64)),
        ("adder tree 64, pipelined", TernaryAdderTree(inputs: 64, width: 8, registerAbove: 8)),
        ("adder tree 13, uneven", TernaryAdderTree(inputs: 13, width: 4)),
        ("ram latency 0", SimpleRAM(width: 8, depth: 16, readLatency: 0)),
        ("ram latency 1 old", SimpleRAM(width: 16, depth: 256, readLatency: 1)),
        ("ram latency 1 new", SimpleRAM(width: 16, depth: 100, readLatency: 1, readDuringWrite: .newData)),
        ("ram latency 2", SimpleRAM(width: 12, depth: 32, readLatency: 2)),
        ("rom", ROM(name: "Squares", width: 16, contents: (0..<64).map { BitVector(width: 16, value: $0 * $0) })),
        ("state machine", SequenceDetector()),
        ("kitchen sink", KitchenSink()),
        ("truncated input", InlineModule("TruncatedInput") { m in
            m.output("y", .uint(8)).set(m.input("x", .uint(16)).truncate(to: 8))
        }),
    ] }

    @Test(arguments: circuits.indices)
    func lintClean(_ index: Int) throws {
        let (what, module) = Self.circuits[index]
        let design = try elaborate(module)
        let files = SystemVerilogEmitter().files(for: design)
        let verilator = try Lint.verilator(files, top: design.top.name)
        #expect(verilator.isEmpty, "\(what): verilator -Wall says:\n\(verilator)")
        let yosys = try Lint.yosys(files, top: design.top.name).problems
        #expect(yosys.isEmpty, "\(what): yosys says:\n\(yosys)")
    }

    @Test func yosysSynthesizesTheAdderTree() throws {
        let design = try elaborate(TernaryAdderTree(inputs: 16))
        let result = try Lint.yosys(SystemVerilogEmitter().files(for: design), top: design.top.name, synthesize: true)
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(result.stats.contains("Number of cells"), "\(result.stats)")
    }
}

/// One module using every construct of the DSL at once.
struct KitchenSink: Module {
    func build(_ m: ModuleBuilder) {
        let pair = HWType.record("Pair", [("valid", .bool), ("data", .sint(6))])
        let a = m.input("a", .uint(8))
        let b = m.input("b", .sint(8))
        let sel = m.input("sel", .uint(2))
        let v = m.input("v", .vec(.uint(3), count: 6))
        let i = m.input("i", .uint(3))
        let p = m.input("p", pair)
        let go = m.input("go", .bool)

        let y = m.output("y", .uint(8))
        let z = m.output("z", .sint(17))
        let flags = m.output("flags", .uint(4))
        let q = m.output("q", pair)
        let mem = m.output("mem", .uint(8))

        let mixed = m.wire("mixed", (a << 2)[9, 2] ^ (a >> 3).extend(to: 8))
        let wide = m.wire("wide", (b * b).expandingAdd(b.extend(to: 16) << 0))
        y.set(0)
        m.switch(sel) { c in
            c.is(0) { y.set(mixed) }
            c.is(1) { y.set(a << cat(sel, lit(0, width: 1))) }
            c.is(2, 3) {
                m.when(go) { y.set(mux(a > 100, a - 100, a)) }.otherwise { y.set(~a) }
            }
        }
        z.set(wide)
        flags.set(cat(a.orR, a.andR, a.xorR, (a.asSInt < b) || (v[i] == 5)))
        let state = m.reg("state", pair, reset: 0)
        m.when(p["valid"] && go) { state.set(p) }
        q.set(state)
        let ram = m.memory("store", depth: 8, of: .uint(8))
        let w = ram.write()
        w.enable.set(go)
        w.address.set(i)
        w.data.set(a)
        let r = ram.read()
        r.address.set(sel.extend(to: 3))
        mem.set(r.data)
    }
}
