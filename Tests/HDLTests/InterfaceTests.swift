import HDL
import Testing

/// A ready/valid stream: the producer's view.
private struct Stream: Signature {
    let valid = Member.out("valid", .bool)
    let ready = Member.in("ready", .bool)
    let data: Member

    init(width: Int) { data = .out("data", .uint(width)) }
}

/// Drives its `out_` stream with a counter.
private struct Producer: Module {
    let width: Int
    var parameters: [Parameter] { [Parameter("W", width)] }

    func build(_ m: ModuleBuilder) {
        let out = m.ports(Stream(width: width), prefix: "out_")
        let count = m.reg("count", .uint(width), reset: 0)
        m.when(out.valid && out.ready) { count.set(count + 1) }
        out.valid.set(true)
        out.data.set(count)
    }
}

/// Takes its `in_` stream and shows the last value.
private struct Consumer: Module {
    let width: Int
    var parameters: [Parameter] { [Parameter("W", width)] }

    func build(_ m: ModuleBuilder) {
        let input = m.ports(Stream(width: width).flipped(), prefix: "in_")
        input.ready.set(true)
        m.output("last", .uint(width)).set(m.regNext("held", input.data))
    }
}

/// Typed port groups: declaration, flipping, `connect` and `forward`, and
/// the one error a mismatch gives.
@Suite struct InterfaceTests {
    @Test func membersInDeclarationOrderAndFlipped() {
        let s = Stream(width: 8)
        #expect(s.members.map(\.name) == ["valid", "ready", "data"])
        #expect(s.members.map(\.direction) == [.output, .input, .output])
        #expect(s.flipped().members.map(\.direction) == [.input, .output, .input])
        #expect(s.flipped().flipped().members == s.members)
        #expect(s.members[2].type == .uint(8))
    }

    @Test func portsAreDeclaredWithThePrefix() throws {
        let design = try elaborate(Producer(width: 8))
        let ports = design.top.ports.map { ($0.name, $0.isInputPort, $0.type) }
        #expect(ports.map(\.0) == ["out_valid", "out_ready", "out_data"])
        #expect(ports.map(\.1) == [false, true, false])
        #expect(ports[2].2 == .uint(8))
        let consumer = try elaborate(Consumer(width: 8)).top.ports
        #expect(consumer.map(\.name) == ["in_valid", "in_ready", "in_data", "last"])
        #expect(consumer.map(\.isInputPort) == [true, false, true, false])
    }

    @Test func connectWiresEveryMember() throws {
        let design = try elaborate(InlineModule("Pipe") { m in
            let p = m.instance(Producer(width: 8), "p")
            let c = m.instance(Consumer(width: 8), "c")
            m.connect(p.ports(Stream(width: 8), prefix: "out_"), c.ports(Stream(width: 8).flipped(), prefix: "in_"))
            m.output("last", .uint(8)).set(c.last)
        })
        #expect(design.top.instances.map(\.name) == ["p", "c"])
        #expect(design.top.ports.map(\.name) == ["last"])
    }

    @Test func forwardMakesAChildsGroupAGroupOfTheParent() throws {
        let design = try elaborate(InlineModule("Wrapper") { m in
            let p = m.instance(Producer(width: 4), "p")
            let own = m.forward(p.ports(Stream(width: 4), prefix: "out_"), prefix: "stream_")
            #expect(own.portName(\.data) == "stream_data")
        })
        #expect(design.top.ports.map(\.name) == ["stream_valid", "stream_ready", "stream_data"])
        #expect(design.top.ports.map(\.isInputPort) == [false, true, false])
    }

    @Test func membersByKeyPath() throws {
        _ = try elaborate(InlineModule("Table") { m in
            let s = m.ports(Stream(width: 2))
            let driven: [KeyPath<Stream, Member>] = [\.valid, \.data]
            for member in driven { s[member].set(0) }
            #expect(s.portName(\.ready) == "ready")
            #expect(s.signals.map(\.member.name) == ["valid", "ready", "data"])
        })
    }

    @Test func widthMismatchIsOneErrorNamingBothEnds() {
        let mark = LineMark()
        let found = diagnostics(InlineModule("Pipe") { m in
            let p = m.instance(Producer(width: 8), "p")
            let c = m.instance(Consumer(width: 4), "c")
            m.connect(p.ports(Stream(width: 8), prefix: "out_"), c.ports(Stream(width: 8).flipped(), prefix: "in_")); mark.here()
            m.output("last", .uint(4)).set(c.last)
        })
        expectSingle(found, contains: "cannot connect Stream instance 'p' (Producer_W8) at 'out_' to instance 'c' (Consumer_W4) at 'in_'",
                     line: mark.line)
        #expect(found.first?.message.contains("c.in_data is UInt(4) where Stream says UInt(8)") == true)
    }

    @Test func signaturesOfDifferentWidthsDoNotConnect() {
        let mark = LineMark()
        let found = diagnostics(InlineModule("Pipe") { m in
            let p = m.instance(Producer(width: 8), "p")
            let c = m.instance(Consumer(width: 4), "c")
            // Each end matches its own signature; the two do not match each other.
            m.connect(p.ports(Stream(width: 8), prefix: "out_"), c.ports(Stream(width: 4).flipped(), prefix: "in_")); mark.here()
            m.output("last", .uint(4)).set(c.last)
        })
        expectSingle(found, contains: "p.out_data is UInt(8) but c.in_data is UInt(4)", line: mark.line)
    }

    @Test func twoOutputsFacingEachOther() {
        let mark = LineMark()
        let found = diagnostics(InlineModule("Pair") { m in
            let a = m.instance(Producer(width: 8), "a")
            let b = m.instance(Producer(width: 8), "b")
            m.connect(a.ports(Stream(width: 8), prefix: "out_"), b.ports(Stream(width: 8), prefix: "out_")); mark.here()
        })
        expectSingle(found, contains: "a.out_valid and b.out_valid are both driven (two outputs)", line: mark.line)
        #expect(found.first?.message.contains("nothing drives a.out_ready or b.out_ready (two inputs)") == true)
    }

    @Test func aMissingPortNamesTheInstance() {
        let mark = LineMark()
        let noReady = InlineModule("NoReady") { m in
            let valid = m.input("in_valid", .bool)
            let data = m.input("in_data", .uint(8))
            m.output("last", .uint(8)).set(mux(valid, data, lit(0, width: 8)))
        }
        let found = diagnostics(InlineModule("Pipe") { m in
            let p = m.instance(Producer(width: 8), "p")
            let c = m.instance(noReady, "c")
            m.connect(p.ports(Stream(width: 8), prefix: "out_"), c.ports(Stream(width: 8).flipped(), prefix: "in_")); mark.here()
            m.output("last", .uint(8)).set(c.last)
        })
        expectSingle(found, contains: "to instance 'c' (NoReady) at 'in_': c.in_ready does not exist", line: mark.line)
    }

    @Test func aPortOfTheWrongDirection() {
        let mark = LineMark()
        let backwards = InlineModule("Backwards") { m in
            m.output("in_valid", .bool).set(false)
            _ = m.output("in_ready", .bool)
            _ = m.input("in_data", .uint(8))
        }
        let found = diagnostics(InlineModule("Pipe") { m in
            let p = m.instance(Producer(width: 8), "p")
            let c = m.instance(backwards, "c")
            m.connect(p.ports(Stream(width: 8), prefix: "out_"), c.ports(Stream(width: 8).flipped(), prefix: "in_")); mark.here()
        }).filter { $0.message.contains("cannot connect") }
        expectSingle(found, contains: "c.in_valid is an output where Stream has an input", line: mark.line)
    }

    @Test func usingAMissingMemberIsAnErrorWhereItIsUsed() {
        let mark = LineMark()
        let found = diagnostics(InlineModule("Reader") { m in
            let c = m.instance(Consumer(width: 8), "c")
            let view = c.ports(Stream(width: 8).flipped(), prefix: "out_")
            view.valid.set(true); mark.here()
            c.in_valid.set(true); c.in_data.set(0)
            m.output("last", .uint(8)).set(c.last)
        })
        expectSingle(found, contains: "Consumer_W8 has no port 'out_valid' (member valid of Stream)", line: mark.line)
    }
}
