import HDL
import HDLEmit
import HDLSim
import Testing

/// The complete example of docs/hdl.md, kept here so the guide stays true.
struct MovingSum: Module {
    let width: Int
    var parameters: [Parameter] { [Parameter("W", width)] }

    func build(_ m: ModuleBuilder) {
        let valid = m.input("in_valid", .bool)
        let sample = m.input("sample", .uint(width))
        let sum = m.output("sum", .uint(width + 2))

        let taps = (0..<4).map { m.reg("tap\($0)", .uint(width), reset: 0) }
        m.when(valid) {
            taps[0].set(sample)
            for i in 1..<4 { taps[i].set(taps[i - 1]) }
        }
        let pair0 = taps[0].expandingAdd(taps[1])
        let pair1 = taps[2].expandingAdd(taps[3])
        sum.set(pair0.expandingAdd(pair1))
    }
}

@Suite struct GuideExampleTests {
    @Test func guideExampleElaboratesAndLints() throws {
        let design = try elaborate(MovingSum(width: 8))
        let files = SystemVerilogEmitter().files(for: design)
        #expect(files.map(\.name) == ["MovingSum_W8.sv"])
        #expect(try Lint.verilator(files, top: design.top.name).isEmpty)
    }

    @Test func guideErrorExampleIsReal() {
        do {
            _ = try elaborate(InlineModule("Bad") { m in
                let a = m.input("a", .uint(8))
                m.output("y", .uint(10)).set(a + m.input("b", .uint(10)))
            })
            Issue.record("expected an error")
        } catch let e as ElaborationError {
            #expect(e.description.contains("error: '+' needs operands of the same type, got UInt(8) and UInt(10)"))
            #expect(e.description.contains("HDLEmitTests/GuideExampleTests.swift:"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
