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

/// The interface example of docs/hdl.md.
private struct Stream: Signature {
    let valid = Member.out("valid", .bool)
    let ready = Member.in("ready", .bool)
    let data: Member
    init(width: Int) { data = .out("data", .uint(width)) }
}

@Suite struct InterfaceEmissionTests {
    /// A producer with its stream declared as a group, or port by port.
    static func producer(grouped: Bool) -> InlineModule {
        InlineModule("Producer") { m in
            let valid, ready, data: Signal
            if grouped {
                let out = m.ports(Stream(width: 8), prefix: "out_")
                (valid, ready, data) = (out.valid, out.ready, out.data)
            } else {
                (valid, ready, data) = (m.output("out_valid", .bool), m.input("out_ready", .bool), m.output("out_data", .uint(8)))
            }
            let count = m.reg("count", .uint(8), reset: 0)
            m.when(valid && ready) { count.set(count + 1) }
            valid.set(true)
            data.set(count)
        }
    }

    static func consumer(grouped: Bool) -> InlineModule {
        InlineModule("Consumer") { m in
            let valid, ready, data: Signal
            if grouped {
                let input = m.ports(Stream(width: 8).flipped(), prefix: "in_")
                (valid, ready, data) = (input.valid, input.ready, input.data)
            } else {
                (valid, ready, data) = (m.input("in_valid", .bool), m.output("in_ready", .bool), m.input("in_data", .uint(8)))
            }
            ready.set(true)
            m.output("last", .uint(8)).set(m.regNext("held", mux(valid, data, lit(0, width: 8))))
        }
    }

    static func pipe(grouped: Bool) -> InlineModule {
        InlineModule("Pipe") { m in
            let p = m.instance(producer(grouped: grouped), "p")
            let c = m.instance(consumer(grouped: grouped), "c")
            if grouped {
                m.connect(p.ports(Stream(width: 8), prefix: "out_"), c.ports(Stream(width: 8).flipped(), prefix: "in_"))
            } else {
                c.in_valid.set(p.out_valid)
                p.out_ready.set(c.in_ready)
                c.in_data.set(p.out_data)
            }
            m.output("last", .uint(8)).set(c.last)
        }
    }

    /// The producer's stream as the wrapper's own.
    static func wrapper(grouped: Bool) -> InlineModule {
        InlineModule("Wrapper") { m in
            let p = m.instance(producer(grouped: grouped), "p")
            if grouped {
                m.forward(p.ports(Stream(width: 8), prefix: "out_"), prefix: "stream_")
            } else {
                m.output("stream_valid", .bool).set(p.out_valid)
                p.out_ready.set(m.input("stream_ready", .bool))
                m.output("stream_data", .uint(8)).set(p.out_data)
            }
        }
    }

    /// Interfaces are wiring only: the same text as ports written one by one
    /// (but for the Swift lines in comments), lint-clean.
    @Test func groupsEmitWhatPortsWrittenOneByOneEmit() throws {
        for top in [Self.pipe, Self.wrapper] {
            func text(_ grouped: Bool) throws -> [String] {
                try SystemVerilogEmitter().files(for: elaborate(top(grouped))).map {
                    $0.contents.replacing(/GuideExampleTests\.swift:\d+/, with: "")
                }
            }
            #expect(try text(true) == text(false))
            let design = try elaborate(top(true))
            #expect(try Lint.verilator(SystemVerilogEmitter().files(for: design), top: design.top.name).isEmpty)
        }
    }
}
