import HDL
import HDLEmit
import HDLSim
import Testing

/// Widening keeps the value the narrow expression had: `(a - b).extend(to:)`
/// wraps at the operands' width first (SystemVerilog would otherwise compute
/// the difference at the wider width).
struct WideningCircuit: Module {
    func build(_ m: ModuleBuilder) {
        let a = m.input("a", .uint(2))
        let b = m.input("b", .uint(2))
        let s = m.input("s", .uint(2))
        let c = m.input("c", .bool)
        let x = m.input("x", .sint(3))
        let y = m.input("y", .sint(3))
        m.output("diff", .uint(8)).set((a - b).extend(to: 8))
        m.output("inverted", .uint(8)).set((~a).extend(to: 8))
        m.output("shifted", .uint(8)).set((a << s).extend(to: 8))
        m.output("chosen", .uint(8)).set(mux(c, a + b, a | ~b).extend(to: 8))
        m.output("signed_sum", .sint(8)).set((x + y).extend(to: 8))
        m.output("negated", .sint(8)).set((-x).extend(to: 8))
    }
}

@Suite struct WideningSimulationTests {
    @Test func widenedExpressionsKeepTheirWidth() throws {
        let design = try elaborate(WideningCircuit())
        let files = SystemVerilogEmitter().files(for: design)
        #expect(try Lint.verilator(files, top: design.top.name).isEmpty)
        let sim = try simulate(WideningCircuit())
        for a in 0..<4 {
            for b in 0..<4 {
                for s in 0..<4 {
                    try sim.poke("a", a); try sim.poke("b", b); try sim.poke("s", s); try sim.poke("c", s & 1 == 1)
                    let x = a - 2 * (a & 2), y = b - 2 * (b & 2)  // -2...1
                    try sim.poke("x", x); try sim.poke("y", y)
                    sim.eval()
                    #expect(try sim.peek("diff") == UInt64((a - b) & 3))
                    #expect(try sim.peek("inverted") == UInt64(~a & 3))
                    #expect(try sim.peek("shifted") == UInt64((a << s) & 3))
                    #expect(try sim.peek("chosen") == UInt64((s & 1 == 1 ? a + b : a | ~b) & 3))
                    let sum = (x + y) & 7
                    #expect(try sim.peekSigned("signed_sum") == (sum >= 4 ? sum - 8 : sum), "x \(x), y \(y)")
                    let neg = -x & 7
                    #expect(try sim.peekSigned("negated") == (neg >= 4 ? neg - 8 : neg), "x \(x)")
                }
            }
        }
    }
}
