import Core
import HDL
import HDLEmit
import HDLSim
import ISA
import Testing
import TestSupport

/// The vector register file (writes, reads, the per-register clear) and the digest against Swift models.
@Suite(.serialized) struct RegisterFileTests {
    static func params(streams: Int) -> CoreParameters {
        CoreParameters(isa: CoreConfig(vectorRegisters: 4, maxVectorLength: 32, streams: streams), dataBits: 128)
    }

    /// One stream, and three (rows: the stream above the chunk; the clear zeroes a chunk of every stream in turn).
    @Test(arguments: [1, 3])
    func registerFileMatchesModel(_ streams: Int) throws {
        let p = Self.params(streams: streams)
        let seed = testSeed(0xF11E + UInt64(streams))
        var rng = SplitMix64(seed: seed)
        let rf = VectorRegisterFile(params: p, readPorts: ["a", "b"], writePorts: ["w", "x"])
        let design = try elaborate(rf)
        let files = SystemVerilogEmitter().files(for: design)
        #expect(try Lint.verilator(files, top: design.top.name).isEmpty)
        let sim = try Simulator(design)
        try sim.reset()
        let lanes = p.vectorLanes, chunks = p.chunksPerRegister, rows = streams * chunks
        // Register r's row of stream s and chunk c at model[r][(s * chunks + c) * lanes ...]; its port address.
        var model = [[Int32]](repeating: [Int32](repeating: 0, count: rows * lanes), count: p.isa.vectorRegisters)
        func address(_ row: Int) -> Int { (row / chunks) << p.chunkBits | row % chunks }
        for name in ["w", "x"] { try sim.poke("\(name)_valid", false) }
        try sim.poke("clear_start", false)
        // The clear's model: chunks zeroed per register (all of them until the first start).
        var cleared = [Int](repeating: chunks, count: p.isa.vectorRegisters)
        var clearStream = [Int](repeating: 0, count: p.isa.vectorRegisters)
        let progressBits = VectorRegisterFile.progressBits(p)
        func checkCleared(_ context: String) throws {
            let packed = try sim.peek("cleared")
            let got = (0..<p.isa.vectorRegisters).map { Int(packed >> UInt64($0 * progressBits)) & ((1 << progressBits) - 1) }
            #expect(got == cleared, "\(context): cleared \(got), expected \(cleared), seed \(seed)")
        }
        // Scribble on every register: nothing is cleared before a start.
        for r in 0..<p.isa.vectorRegisters {
            for c in 0..<rows {
                try sim.poke("w_valid", true); try sim.poke("w_reg", r); try sim.poke("w_chunk", address(c))
                try sim.poke("w_mask", (1 << lanes) - 1); try sim.poke("w_data", elements: [Int](repeating: -7, count: lanes))
                try sim.step()
                for lane in 0..<lanes { model[r][c * lanes + lane] = -7 }
            }
        }
        try sim.poke("w_valid", false)
        sim.eval()
        try checkCleared("after reset")
        for cycle in 0..<iterations(600) {
            // A clear restarts now and then, interleaved with the writes.
            let clearStart = cycle == 0 || rng.chance(0.03)
            try sim.poke("clear_start", clearStart)
            // Two writers to distinct registers, two readers anywhere.
            let regs = Array((0..<p.isa.vectorRegisters).shuffled(using: &rng).prefix(2))
            var writes: [(Int, Int, Int, [Int32])] = []
            for (k, name) in ["w", "x"].enumerated() {
                let valid = rng.chance(0.4)
                let c = rng.int(0...(rows - 1)), mask = rng.int(0...((1 << lanes) - 1))
                let data = (0..<lanes).map { _ in Int32(truncatingIfNeeded: rng.next()) }
                try sim.poke("\(name)_valid", valid); try sim.poke("\(name)_reg", regs[k]); try sim.poke("\(name)_chunk", address(c))
                try sim.poke("\(name)_mask", mask); try sim.poke("\(name)_data", elements: data.map { Int($0) })
                if valid { writes.append((regs[k], c, mask, data)) }
            }
            var reads: [(port: String, reg: Int, chunk: Int)] = []
            for name in ["a", "b"] {
                let r = rng.int(0...(p.isa.vectorRegisters - 1)), c = rng.int(0...(rows - 1))
                try sim.poke("\(name)_reg", r); try sim.poke("\(name)_chunk", address(c))
                reads.append((name, r, c))
            }
            // Reads see the contents before this edge's writes.
            let expected = reads.map { rd in Array(model[rd.reg][(rd.chunk * lanes)..<((rd.chunk + 1) * lanes)]) }
            try sim.step()
            for (r, c, mask, data) in writes {
                for lane in 0..<lanes where mask >> lane & 1 == 1 { model[r][c * lanes + lane] = data[lane] }
            }
            // A register not written this cycle zeroes its next row: chunk c of every stream, then c + 1.
            for r in 0..<p.isa.vectorRegisters where cleared[r] < chunks && !writes.contains(where: { $0.0 == r }) {
                let row = clearStream[r] * chunks + cleared[r]
                for lane in 0..<lanes { model[r][row * lanes + lane] = 0 }
                clearStream[r] += 1
                if clearStream[r] == streams { clearStream[r] = 0; cleared[r] += 1 }
            }
            if clearStart {
                cleared = [Int](repeating: 0, count: p.isa.vectorRegisters)
                clearStream = [Int](repeating: 0, count: p.isa.vectorRegisters)
            }
            try checkCleared("cycle \(cycle)")
            for (rd, want) in zip(reads, expected) {
                let got = try sim.peekBits("\(rd.port)_data")
                let values = (0..<lanes).map { Int32(truncatingIfNeeded: got.words[$0 / 2] >> UInt64(32 * ($0 % 2))) }
                #expect(values == want, "cycle \(cycle) port \(rd.port) v\(rd.reg) chunk \(rd.chunk), seed \(seed)")
            }
        }
    }

    @Test func digestMatchesTheInterpreter() throws {
        let lanes = 4
        let seed = testSeed(0xD16E)
        var rng = SplitMix64(seed: seed)
        let sim = try Simulator(elaborate(DigestAccumulator(lanes: lanes)))
        try sim.reset()
        for record in 0..<iterations(20) {
            // A vector written chunk by chunk with a random tail, like a unit does.
            let n = rng.int(1...70)
            let values = (0..<n).map { _ in Int32(truncatingIfNeeded: rng.next()) }
            // Saturation flags on every lane, the masked-off ones included (they must not count).
            let flags = (0..<(n + lanes)).map { _ in rng.int(0...2) == 0 }
            var first = true
            for base in stride(from: 0, to: n, by: lanes) {
                let count = min(lanes, n - base)
                var chunk = [Int32](repeating: 0, count: lanes)
                for j in 0..<count { chunk[j] = values[base + j] }
                try sim.poke("clear", first); try sim.poke("valid", true); try sim.poke("base", base)
                try sim.poke("mask", (1 << count) - 1); try sim.poke("data", elements: chunk.map { Int($0) })
                try sim.poke("saturated", (0..<lanes).reduce(0) { $0 | (flags[base + $1] ? 1 << $1 : 0) })
                first = false
                try sim.step()
            }
            // The next record's clear, a cycle after the last add, must not reach these totals.
            try sim.poke("valid", false); try sim.poke("clear", true)
            try sim.step()
            try sim.poke("clear", false)
            try sim.step(DigestAccumulator.latency(lanes: lanes) - 2)
            sim.eval()
            #expect(try sim.peek("digest") == UInt64(Digest.of(values)), "record \(record) of \(n), seed \(seed)")
            #expect(try sim.peek("count") == UInt64(n), "record \(record), seed \(seed)")
            let clamped = flags.prefix(n).filter { $0 }.count
            #expect(try sim.peek("saturations") == UInt64(clamped), "record \(record), seed \(seed)")
            try sim.step()
            sim.eval()
            #expect(try sim.peek("count") == 0, "record \(record): the clear a cycle later, seed \(seed)")
        }
    }

    /// The digest's pipeline keeps every stage within the 300 MHz budget of
    /// docs/silicon.md's rules (4 LUT levels; in one cycle it was 18 to 22).
    @Test func digestStagesAreAtMostFourLUTLevels() throws {
        let path = try deepestPath(of: DigestAccumulator(lanes: 16))
        #expect(path.lutLevels <= 4, "deepest path \(path.start) -> \(path.end): \(path.lutLevels) LUT levels")
    }
}
