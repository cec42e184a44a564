import HDL
import HDLEmit
import HDLSim
import Testing

/// `instance(_:_:clockEnable:)`: which modules get a clock-enabled variant,
/// what is emitted for them, and how they behave in Verilator.
@Suite struct ClockEnableTests {
    static var adder: InlineModule { InlineModule("AddOne") { m in
        m.output("y", .uint(8)).set((m.input("x", .uint(8)) + 1).truncate(to: 8))
    } }
    static var stage: InlineModule { InlineModule("Stage") { m in
        let x = m.input("x", .uint(8))
        let inc = m.instance(ClockEnableTests.adder, "inc")
        inc.x.set(x)
        let mem = m.memory("delay", depth: 4, of: .uint(8))
        let at = m.reg("at", .uint(2), reset: 0)
        at.set(at + 1)
        let w = mem.write()
        w.enable.set(true)
        w.address.set(at)
        w.data.set(inc.y)
        let r = mem.read()
        r.address.set(at)
        m.output("y", .uint(8)).set(r.data)
    } }

    static func top(enabled: Bool) -> InlineModule {
        InlineModule("Top") { m in
            let en = m.input("en", .bool)
            let x = m.input("x", .uint(8))
            let s = enabled ? m.instance(stage, "s", clockEnable: en) : m.instance(stage, "s")
            if !enabled { m.output("unused_en", .bool).set(en) }
            s.x.set(x)
            m.output("y", .uint(8)).set(s.y)
        }
    }

    @Test func sequentialChildrenGetTheEnableAndCombinationalOnesDoNot() throws {
        let design = try elaborate(Self.top(enabled: true))
        let names = Set(design.modules.map(\.name))
        #expect(names == ["Top", "Stage_CE1", "AddOne"], "modules: \(names.sorted())")
        let sv = SystemVerilogEmitter().files(for: design).first { $0.name == "Stage_CE1.sv" }!.contents
        #expect(sv.contains(" ce,\n"), "\(sv)")
        #expect(sv.contains("if (ce) begin"), "the register and the memory are gated:\n\(sv)")
        #expect(sv.contains("AddOne inc ("), "the combinational child is placed as it is:\n\(sv)")
    }

    @Test func withoutAnEnableNothingChanges() throws {
        let design = try elaborate(Self.top(enabled: false))
        #expect(Set(design.modules.map(\.name)) == ["Top", "Stage", "AddOne"])
        let sv = SystemVerilogEmitter().files(for: design).first { $0.name == "Stage.sv" }!.contents
        #expect(!sv.contains(" ce,\n") && !sv.contains("if (ce)"), "\(sv)")
    }

    @Test func aWideEnableIsAnError() {
        let line = #line + 3
        let top = InlineModule("M") { m in
            let en = m.input("en", .uint(2))
            let s = m.instance(Self.stage, "s", clockEnable: en)
            s.x.set(lit(0, width: 8))
            m.output("y", .uint(8)).set(s.y)
        }
        #expect {
            try elaborate(top)
        } throws: { error in
            let found = (error as? ElaborationError)?.diagnostics ?? []
            return found.contains { $0.message.contains("clock enable of instance 's' must be a Bool") && $0.location.line == line }
        }
    }

    /// The stage under a random enable against a model that advances only
    /// in enabled cycles: the register, the memory's write and its read all
    /// hold while `en` is low; reset still applies.
    @Test func theStageAdvancesOnlyWhenEnabled() throws {
        let seed = testSeed(0xCE)
        var rng = SplitMix64(seed: seed)
        let sim = try simulate(Self.top(enabled: true))
        try sim.poke("en", false)
        try sim.reset()
        var at = 0, words = [Int?](repeating: nil, count: 4), read: Int?
        var enabledEdges = 0, checked = 0
        for cycle in 0..<iterations(400) {
            let en = rng.chance(0.4), x = rng.int(0...255)
            try sim.poke("en", en)
            try sim.poke("x", x)
            sim.eval()
            if let read {
                let y = try sim.peek("y")
                try #require(y == UInt64(read), "seed \(seed), cycle \(cycle): y \(y), model \(read)")
                checked += 1
            }
            try sim.step()
            if en {
                read = words[at]
                words[at] = (x + 1) & 0xFF
                at = (at + 1) % 4
                enabledEdges += 1
            }
        }
        #expect(enabledEdges > 100 && checked > 100, "seed \(seed): \(enabledEdges) enabled edges, \(checked) checked")
    }
}
