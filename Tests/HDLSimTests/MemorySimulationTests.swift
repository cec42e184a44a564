import HDL
import HDLLib
import HDLSim
import Testing
import TestSupport

@Suite struct MemorySimulationTests {
    /// A Swift model of `Memory` (see Sources/HDL/Memory.swift): latency 0
    /// reads the current contents combinationally; latency 1 samples the
    /// address at the edge, returning the old word (or, with `newData`, the
    /// word being written to that address); latency 2 adds an output register.
    struct RAMModel {
        let latency: Int
        let readDuringWrite: ReadDuringWrite
        var words: [UInt64]
        /// Output pipeline: [after the first edge, after the second]; nil = unknown.
        var stages: [UInt64?] = [nil, nil]

        /// What `rdata` shows now (before the edge) for `raddr`.
        func rdata(raddr: Int) -> UInt64? {
            switch latency {
            case 0: return words[raddr]
            case 1: return stages[0]
            default: return stages[1]
            }
        }

        mutating func edge(we: Bool, waddr: Int, wdata: UInt64, raddr: Int) {
            let read = we && waddr == raddr && readDuringWrite == .newData ? wdata : words[raddr]
            stages = [read, stages[0]]
            if we { words[waddr] = wdata }
        }
    }

    @Test(arguments: [
        (0, ReadDuringWrite.oldData),
        (1, ReadDuringWrite.oldData), (1, ReadDuringWrite.newData),
        (2, ReadDuringWrite.oldData), (2, ReadDuringWrite.newData),
    ])
    func ramMatchesModel(latency: Int, readDuringWrite: ReadDuringWrite) throws {
        let seed = testSeed(0xA11 + UInt64(latency) * 16 + (readDuringWrite == .newData ? 1 : 0))
        var rng = SplitMix64(seed: seed)
        let depth = 16
        let sim = try simulate(SimpleRAM(width: 8, depth: depth, readLatency: latency, readDuringWrite: readDuringWrite))
        try sim.reset()
        var model = RAMModel(latency: latency, readDuringWrite: readDuringWrite, words: Array(repeating: 0, count: depth))
        var sameAddressWrites = 0

        // Fill every word first so nothing read later is uninitialised.
        var cycles: [(we: Bool, waddr: Int, wdata: UInt64, raddr: Int)] = (0..<depth).map {
            (true, $0, UInt64(rng.int(0...255)), 0)
        }
        for _ in 0..<iterations(1000) {
            let waddr = rng.int(0...depth - 1)
            // Often read the address being written: read-during-write.
            let raddr = rng.chance(0.3) ? waddr : rng.int(0...depth - 1)
            cycles.append((rng.chance(0.5), waddr, UInt64(rng.int(0...255)), raddr))
        }
        for (n, c) in cycles.enumerated() {
            try sim.poke("we", c.we)
            try sim.poke("waddr", c.waddr)
            try sim.poke("wdata", c.wdata)
            try sim.poke("raddr", c.raddr)
            sim.eval()
            if n >= depth, let expected = model.rdata(raddr: c.raddr) {
                let got = try sim.peek("rdata")
                try #require(got == expected, "seed \(seed), latency \(latency) \(readDuringWrite), cycle \(n) \(c): rdata \(got), model \(expected)")
            }
            sameAddressWrites += c.we && c.waddr == c.raddr ? 1 : 0
            try sim.step()
            model.edge(we: c.we, waddr: c.waddr, wdata: c.wdata, raddr: c.raddr)
        }
        #expect(sameAddressWrites > 50, "seed \(seed): too few read-during-write cycles (\(sameAddressWrites))")
    }

    @Test func romReadsItsInitialContents() throws {
        let seed = testSeed(0x0B0E)
        var rng = SplitMix64(seed: seed)
        let contents = (0..<12).map { _ in UInt64(rng.int(0...0xFFF)) }
        let sim = try simulate(ROM(name: "TestTable", width: 12, contents: contents.map { BitVector(width: 12, words: [$0]) }))
        try sim.reset()
        var previous: Int?
        for n in 0..<iterations(200) {
            let address = rng.int(0...contents.count - 1)
            try sim.poke("address", address)
            sim.eval()
            // Registered read: the data still shows the previous address.
            if let previous {
                try #require(try sim.peek("data") == contents[previous], "seed \(seed), read \(n)")
            }
            try sim.step()
            let data = try sim.peek("data")
            try #require(data == contents[address], "seed \(seed), read \(n): address \(address) gave \(data), table \(contents[address])")
            previous = address
        }
    }
}

/// Lane-masked writes: only the lanes whose mask bit is set change.
@Suite struct MaskedMemorySimulationTests {
    struct MaskedRAM: Module {
        var parameters: [Parameter] { [] }
        func build(_ m: ModuleBuilder) {
            let we = m.input("we", .bool)
            let waddr = m.input("waddr", .uint(3))
            let wmask = m.input("wmask", .uint(4))
            let wdata = m.input("wdata", .vec(.uint(8), count: 4))
            let raddr = m.input("raddr", .uint(3))
            let rdata = m.output("rdata", .vec(.uint(8), count: 4))
            let mem = m.memory("lanes", depth: 8, of: .vec(.uint(8), count: 4), laneMask: true)
            let w = mem.write()
            w.enable.set(we)
            w.address.set(waddr)
            w.data.set(wdata)
            w.mask!.set(wmask)
            let r = mem.read()
            r.address.set(raddr)
            rdata.set(r.data)
        }
    }

    @Test func onlyMaskedLanesAreWritten() throws {
        let seed = testSeed(0x3A5C)
        var rng = SplitMix64(seed: seed)
        let sim = try Simulator(elaborate(MaskedRAM()))
        try sim.reset()
        var model = [[UInt64]](repeating: [0, 0, 0, 0], count: 8)
        for a in 0..<8 {
            try sim.poke("we", true); try sim.poke("waddr", a); try sim.poke("wmask", 0xF)
            try sim.poke("wdata", elements: [0, 0, 0, 0] as [Int])
            try sim.step()
        }
        for n in 0..<iterations(500) {
            let we = rng.chance(0.6), waddr = rng.int(0...7), mask = rng.int(0...15), raddr = rng.int(0...7)
            let data = (0..<4).map { _ in UInt64(rng.int(0...255)) }
            try sim.poke("we", we); try sim.poke("waddr", waddr); try sim.poke("wmask", mask)
            try sim.poke("wdata", elements: data.map { Int($0) })
            try sim.poke("raddr", raddr)
            let expected = model[raddr]       // old data on read-during-write
            try sim.step()
            if we { for lane in 0..<4 where mask >> lane & 1 == 1 { model[waddr][lane] = data[lane] } }
            let got = try sim.peekBits("rdata")
            for lane in 0..<4 {
                let value = (got.words[0] >> UInt64(8 * lane)) & 0xFF
                #expect(value == expected[lane], "cycle \(n) lane \(lane), seed \(seed)")
            }
        }
    }

    @Test func laneMaskNeedsAVecWordAndOldData() {
        let flat = InlineModule("FlatMasked") { m in _ = m.memory("m", depth: 4, of: .uint(8), laneMask: true) }
        let bypass = InlineModule("BypassMasked") { m in
            _ = m.memory("m", depth: 4, of: .vec(.uint(8), count: 2), readDuringWrite: .newData, laneMask: true)
        }
        for (design, message) in [(flat, "needs a vec element"), (bypass, "reads old data")] {
            #expect(throws: ElaborationError.self) { try elaborate(design) }
            do { _ = try elaborate(design) } catch let e as ElaborationError {
                #expect(e.diagnostics.contains { $0.message.contains(message) }, "\(e.diagnostics)")
            } catch {}
        }
    }
}
