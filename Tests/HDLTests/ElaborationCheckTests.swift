import HDL
import HDLLib
import Testing

/// Every elaboration check: a circuit that breaks it, and the message and
/// source line it reports.
@Suite struct ElaborationCheckTests {
    @Test func undrivenOutputNamesItsDeclaration() {
        let mark = LineMark()
        let found = diagnostics(InlineModule("M") { m in
            _ = m.output("y", .uint(8)); mark.here()
        })
        expectSingle(found, contains: "output 'y' is never driven", line: mark.line)
    }

    @Test func undrivenWireNamesItsDeclaration() {
        let mark = LineMark()
        let found = diagnostics(InlineModule("M") { m in
            let w = m.wire("w", .bool); mark.here()
            m.output("y", .bool).set(w)
        })
        expectSingle(found, contains: "wire 'w' is never driven", line: mark.line)
    }

    @Test func registerThatIsNeverAssigned() {
        let mark = LineMark()
        let found = diagnostics(InlineModule("M") { m in
            let r = m.reg("r", .uint(4), reset: 3); mark.here()
            m.output("y", .uint(4)).set(r)
        })
        expectSingle(found, contains: "register 'r' is never assigned", line: mark.line)
    }

    @Test func undrivenInstanceInput() {
        let mark = LineMark()
        let found = diagnostics(InlineModule("M") { m in
            let c = m.instance(Counter(width: 4), "u"); mark.here()
            c.enable.set(true)
            m.output("y", .uint(4)).set(c.count)
        })
        expectSingle(found, contains: "'u_clear' is never driven", line: mark.line)
    }

    @Test func twoDriversInOneScope() {
        let mark = LineMark()
        let found = diagnostics(InlineModule("M") { m in
            let a = m.input("a", .bool)
            let y = m.output("y", .bool)
            y.set(a)
            y.set(!a); mark.here()
        })
        expectSingle(found, contains: "'y' is driven twice in the same scope", line: mark.line)
    }

    @Test func twoDriversInOneBranch() {
        let mark = LineMark()
        let found = diagnostics(InlineModule("M") { m in
            let a = m.input("a", .bool)
            let y = m.output("y", .bool)
            y.set(false)
            m.when(a) {
                y.set(true)
                y.set(a); mark.here()
            }
        })
        expectSingle(found, contains: "driven twice", line: mark.line)
    }

    @Test func defaultThenOverrideIsOneDriver() throws {
        _ = try elaborate(InlineModule("M") { m in
            let a = m.input("a", .bool)
            let y = m.output("y", .bool)
            y.set(false)
            m.when(a) { y.set(true) }
        })
    }

    @Test func drivingAnInputIsRefused() {
        let mark = LineMark()
        let found = diagnostics(InlineModule("M") { m in
            let a = m.input("a", .bool)
            a.set(true); mark.here()
            m.output("y", .bool).set(a)
        })
        expectSingle(found, contains: "'a' is an input and cannot be driven", line: mark.line)
    }

    @Test func drivingAnInstanceOutputIsRefused() {
        let mark = LineMark()
        let found = diagnostics(InlineModule("M") { m in
            let c = m.instance(Counter(width: 4), "u")
            c.enable.set(true)
            c.clear.set(false)
            c.count.set(0); mark.here()
            m.output("y", .uint(4)).set(c.count)
        })
        expectSingle(found, contains: "output of instance u", line: mark.line)
    }

    @Test func combinationalLoopPrintsThePath() {
        let mark = LineMark()
        let found = diagnostics(InlineModule("M") { m in
            let a = m.input("a", .bool)
            let x = m.wire("x", .bool)
            let z = m.wire("z", .bool)
            x.set(z ^ a); mark.here()
            z.set(!x)
            m.output("y", .bool).set(z)
        })
        #expect(found.count == 1)
        #expect(found.first?.message.contains("combinational loop") == true)
        let path = found.first?.message ?? ""
        #expect(path.contains("x -> z -> x") || path.contains("z -> x -> z"), "path was: \(path)")
        #expect(found.first.map { [mark.line, mark.line + 1].contains($0.location.line) } == true)
    }

    @Test func loopThroughAConditionIsFound() {
        let found = diagnostics(InlineModule("M") { m in
            let x = m.wire("x", .bool)
            x.set(false)
            m.when(x) { x.set(true) }
            m.output("y", .bool).set(x)
        })
        #expect(found.contains { $0.message.contains("combinational loop: x -> x") }, "\(found)")
    }

    @Test func loopThroughAChildModuleIsFound() {
        let passThrough = InlineModule("Pass") { m in
            m.output("o", .bool).set(m.input("i", .bool))
        }
        let found = diagnostics(InlineModule("M") { m in
            let p = m.instance(passThrough, "p")
            p.i.set(!p.o)
            m.output("y", .bool).set(p.o)
        })
        #expect(found.contains { $0.message.contains("combinational loop") && $0.message.contains("p_o") }, "\(found)")
    }

    @Test func registerBreaksALoop() throws {
        _ = try elaborate(InlineModule("M") { m in
            let r = m.reg("r", .bool, reset: false)
            let x = m.wire("x", !r)
            r.set(x)
            m.output("y", .bool).set(x)
        })
    }

    @Test func whenWithoutOtherwiseInfersALatch() {
        let mark = LineMark()
        let found = diagnostics(InlineModule("M") { m in
            let a = m.input("a", .bool)
            let y = m.output("y", .bool); mark.here()
            m.when(a) { y.set(true) }
        })
        expectSingle(found, contains: "would infer a latch", line: mark.line)
    }

    @Test func elseWhenWithoutOtherwiseInfersALatch() {
        let found = diagnostics(InlineModule("M") { m in
            let a = m.input("a", .uint(2))
            let y = m.output("y", .bool)
            m.when(a == 0) { y.set(true) }.elseWhen(a == 1) { y.set(false) }
        })
        #expect(found.count == 1 && found[0].message.contains("latch"), "\(found)")
    }

    @Test func everyBranchAssigningIsNoLatch() throws {
        _ = try elaborate(InlineModule("M") { m in
            let a = m.input("a", .uint(2))
            let y = m.output("y", .bool)
            m.when(a == 0) { y.set(true) }.elseWhen(a == 1) { y.set(false) }.otherwise { y.set(a[1]) }
        })
    }

    @Test func switchWithoutDefaultInfersALatch() {
        let found = diagnostics(InlineModule("M") { m in
            let s = m.input("s", .uint(2))
            let y = m.output("y", .bool)
            m.switch(s) { c in
                c.is(0) { y.set(true) }
                c.is(1, 2) { y.set(false) }
            }
        })
        #expect(found.count == 1 && found[0].message.contains("latch"), "\(found)")
    }

    @Test func switchNamingEveryValueNeedsNoDefault() throws {
        _ = try elaborate(InlineModule("M") { m in
            let s = m.input("s", .uint(2))
            let y = m.output("y", .bool)
            m.switch(s) { c in
                c.is(0, 3) { y.set(true) }
                c.is(1, 2) { y.set(false) }
            }
        })
    }

    @Test func duplicateCaseValue() {
        let mark = LineMark()
        let found = diagnostics(InlineModule("M") { m in
            let s = m.input("s", .uint(2))
            let y = m.output("y", .bool)
            m.switch(s) { c in
                c.is(0) { y.set(true) }
                c.is(0) { y.set(false) }; mark.here()
                c.default { y.set(false) }
            }
        })
        expectSingle(found, contains: "appears twice", line: mark.line)
    }

    @Test func elseWhenMustFollowItsWhen() {
        let mark = LineMark()
        let found = diagnostics(InlineModule("M") { m in
            let a = m.input("a", .bool)
            let y = m.output("y", .bool)
            let z = m.output("z", .bool)
            y.set(false)
            z.set(false)
            let chain = m.when(a) { y.set(true) }
            m.when(!a) { z.set(true) }
            chain.elseWhen(a) { z.set(a) }; mark.here()
        })
        expectSingle(found, contains: "must directly follow", line: mark.line)
    }

    @Test func namesMustBeValidAndUnique() {
        let found = diagnostics(InlineModule("M") { m in
            let a = m.input("a", .bool)
            let b = m.input("a", .bool)
            let c = m.input("module", .bool)
            let d = m.input("clk", .bool)
            let e = m.input("2x", .bool)
            m.output("y", .bool).set(a ^ b ^ c ^ d ^ e)
        })
        let messages = found.map(\.message)
        #expect(messages.count == 4, "\(messages)")
        #expect(messages.contains { $0.contains("already declared") })
        #expect(messages.contains { $0.contains("SystemVerilog keyword") })
        #expect(messages.contains { $0.contains("reserved for the implicit clock") })
        #expect(messages.contains { $0.contains("not a valid name") })
    }

    @Test func aModuleCannotContainItself() {
        struct Recursive: Module {
            func build(_ m: ModuleBuilder) {
                let r = m.instance(Recursive(), "again")
                m.output("y", .bool).set(r.y)
            }
        }
        let found = diagnostics(Recursive())
        #expect(found.contains { $0.message.contains("contains itself: Recursive -> Recursive") }, "\(found)")
    }

    @Test func missingParameterIsCaught() {
        // Two widths, but `parameters` forgets the width: same name, different circuits.
        struct Sloppy: Module {
            let width: Int
            var name: String { "Sloppy" }
            func build(_ m: ModuleBuilder) {
                m.output("y", .uint(width)).set(m.input("a", .uint(width)))
            }
        }
        let found = diagnostics(InlineModule("Top") { m in
            let a = m.instance(Sloppy(width: 4), "a")
            let b = m.instance(Sloppy(width: 8), "b")
            a.a.set(0)
            b.a.set(0)
            m.output("y", .uint(12)).set(cat(a.y, b.y))
        })
        #expect(found.contains { $0.message.contains("two different circuits are both named 'Sloppy'") }, "\(found)")
    }

    @Test func unknownInstancePortIsReportedWhereUsed() {
        let mark = LineMark()
        let found = diagnostics(InlineModule("M") { m in
            let c = m.instance(Counter(width: 4), "u")
            c.enable.set(true)
            c.clear.set(false)
            m.output("y", .uint(4)).set(c.cnt); mark.here()
        })
        #expect(found.contains { $0.message.contains("has no port 'cnt'") && $0.location.line == mark.line }, "\(found)")
    }

    @Test func allErrorsAreReportedTogether() {
        let (first, second, third) = (LineMark(), LineMark(), LineMark())
        let found = diagnostics(InlineModule("M") { m in
            let a = m.input("a", .uint(8))
            let b = m.input("b", .uint(4))
            m.output("x", .uint(8)).set(a + b); first.here()
            m.output("y", .bool).set(a); second.here()
            _ = m.output("z", .bool); third.here()
        })
        #expect(found.map(\.location.line).sorted() == [first.line, second.line, third.line], "\(found)")
    }

    @Test func resetMustBeAConstant() {
        let found = diagnostics(InlineModule("M") { m in
            let a = m.input("a", .uint(4))
            let r = m.reg("r", .uint(4), reset: a)
            r.set(a)
            m.output("y", .uint(4)).set(r)
        })
        #expect(found.contains { $0.message.contains("reset value of 'r' must be a constant") }, "\(found)")
    }

    @Test func memoryParametersAreChecked() {
        let found = diagnostics(InlineModule("M") { m in
            _ = m.memory("a", depth: 1, of: .uint(8))
            _ = m.memory("b", depth: 8, of: .uint(8), readLatency: 3)
            _ = m.memory("c", depth: 2, of: .uint(8), initial: [.zero(8), .zero(4)])
            _ = m.memory("d", depth: 2, of: .uint(8), initial: [.zero(8), .zero(8), .zero(8)])
        })
        let messages = found.map(\.message).joined(separator: "\n")
        #expect(messages.contains("depth of at least 2"))
        #expect(messages.contains("read latency must be 0, 1 or 2"))
        #expect(messages.contains("is 4 bits, expected 8"))
        #expect(messages.contains("3 initial words but depth 2"))
    }

    @Test func badLibraryParametersAreErrorsNotTraps() {
        #expect(diagnostics(TernaryAdderTree(inputs: 0)).contains { $0.message.contains("at least one input") })
        #expect(diagnostics(FIFO(width: 8, depth: 12)).contains { $0.message.contains("power of two") })
        #expect(diagnostics(Counter(width: 0)).contains { $0.message.contains("width must be at least 1") })
        #expect(addressWidth(Int.max) == 63)
    }

    @Test func oneModulePerParameterization() throws {
        let design = try elaborate(TernaryAdderTree(inputs: 64, width: 8))
        // 64, 32, 16, 8, 4, 2, 1 inputs: seven distinct modules for 127 instances.
        #expect(design.modules.map(\.name) == [1, 2, 4, 8, 16, 32, 64].map { "TernaryAdderTree_N\($0)_W8_R0" })
        #expect(design.top.name == "TernaryAdderTree_N64_W8_R0")
    }

    @Test func unevenTreeGetsOneModulePerSize() throws {
        let design = try elaborate(TernaryAdderTree(inputs: 5, width: 8))
        #expect(Set(design.modules.map(\.name)) == Set([5, 3, 2, 1].map { "TernaryAdderTree_N\($0)_W8_R0" }))
    }
}
