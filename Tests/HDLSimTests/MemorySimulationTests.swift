import HDL
import HDLLib
import HDLSim
import Testing

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
