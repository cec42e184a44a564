import Core
import HDL
import HDLEmit
import HDLSim
import ISA
import Testing
import TestSupport

/// The memory system against the Swift Avalon model: every read returns the
/// memory as of its acceptance (so in the order the memory system accepted
/// requests), in address order, to the client that asked; a single stream
/// runs at a beat per cycle, a wide stream at B beats per cycle; a write
/// changes only the enabled bytes of a wide beat; the
/// time-out fires when, and only when, memory stops answering.
@Suite(.serialized) struct MemorySystemTests {
    static let readClients = 3
    /// The last two read clients are wide (as the load/store and ternary units in the core).
    static let wideClients: Set<Int> = [1, 2]

    /// Small buffers so credits and queues fill up.
    static func params(banks: Int) -> CoreParameters {
        CoreParameters(isa: CoreConfig(maxVectorLength: 64), dataBits: 128, banks: banks,
                       addressBits: 16, maxBurst: 16, outstandingBeats: 32)
    }

    @Test func lintCleanAtFullWidth() throws {
        let p = CoreParameters(banks: 4)
        #expect(p.problems.isEmpty)
        let design = try elaborate(MemorySystem(params: p, readClients: Self.readClients, wideClients: Self.wideClients))
        let files = SystemVerilogEmitter().files(for: design)
        let problems = try Lint.verilator(files, top: design.top.name)
        #expect(problems.isEmpty, "\(problems)")
        #expect(try Lint.yosys(files, top: design.top.name).problems.isEmpty)
    }

    /// Drives a memory system with read clients and the write client.
    final class Bench {
        let sim: Simulator
        let memory: AvalonMemoryModel
        let p: CoreParameters
        let clients: Int
        let wideClients: Set<Int>
        /// What memory holds as the memory system has accepted the writes so far.
        var shadow: [Int: [UInt64]] = [:]
        var expected: [[[UInt64]]]
        var received: [Int]
        var failures: [String] = []

        init(_ p: CoreParameters, clients: Int, wideClients: Set<Int> = [], latency: Int, waitChance: Double, seed: UInt64) throws {
            self.p = p
            self.clients = clients
            self.wideClients = wideClients
            sim = try Simulator(elaborate(MemorySystem(params: p, readClients: clients, wideClients: wideClients)))
            if !sim.build.cacheHit {
                let b = sim.build
                print("[sim] \(sim.moduleName): built in \(Int((b.verilateSeconds + b.compileSeconds).rounded()))s")
            }
            memory = AvalonMemoryModel(banks: p.banks, dataBits: p.dataBits, latency: latency, waitChance: waitChance,
                                       seed: seed ^ 0xA5A5, initial: AvalonMemoryModel.pattern(words: p.dataBits / 64, salt: seed))
            expected = Array(repeating: [], count: clients)
            received = Array(repeating: 0, count: clients)
            try sim.reset()
            try sim.poke("timeout_cycles", 1000)
        }

        func shadowLine(_ l: Int) -> [UInt64] { shadow[l] ?? memory.initial(l) }

        /// One cycle. `reads[i]` / `write` are the requests offered; returns
        /// which were accepted (read clients, then the write client).
        func cycle(reads: [(line: Int, beats: Int)?], write: (line: Int, data: [UInt64], enable: BitVector)?) throws -> [Bool] {
            try memory.drive(sim)
            for i in 0..<clients {
                try sim.poke("c\(i)_rq_valid", reads[i] != nil)
                try sim.poke("c\(i)_rq_line", reads[i]?.line ?? 0)
                try sim.poke("c\(i)_rq_beats", reads[i]?.beats ?? 0)
            }
            try sim.poke("wq_valid", write != nil)
            try sim.poke("wq_line", write?.line ?? 0)
            try sim.poke("wq_data", BitVector(width: p.dataBits * p.banks, words: write?.data ?? []))
            try sim.poke("wq_byteenable", write?.enable ?? BitVector.zero(p.wideBeatBytes))
            sim.eval()
            try memory.observe(sim)
            var taken: [Bool] = []
            for i in 0..<clients {
                let ok = try sim.peekBool("c\(i)_rq_ready")
                taken.append(ok)
                if ok, let r = reads[i] {
                    if wideClients.contains(i) {
                        // One wide beat per B lines, the lowest line in the low bits.
                        expected[i] += stride(from: 0, to: r.beats, by: p.banks).map { k in
                            (0..<p.banks).flatMap { shadowLine(r.line + k + $0) }
                        }
                    } else {
                        expected[i] += (0..<r.beats).map { shadowLine(r.line + $0) }
                    }
                }
                if try sim.peekBool("c\(i)_rs_valid") {
                    let data = try sim.peekBits("c\(i)_rs_data").words
                    if expected[i].isEmpty {
                        failures.append("cycle \(sim.cycle): client \(i) got a beat it did not ask for")
                    } else {
                        let want = expected[i].removeFirst()
                        if data != want {
                            failures.append("cycle \(sim.cycle): client \(i) beat \(received[i]): got \(data), expected \(want)")
                        }
                    }
                    received[i] += 1
                }
            }
            let wrote = try sim.peekBool("wq_ready")
            if wrote, let w = write {
                // Byte k of the wide beat is byte k mod beatBytes of line line + k / beatBytes.
                for b in 0..<p.banks {
                    var words = shadowLine(w.line + b)
                    for byte in 0..<p.beatBytes where w.enable.bit(b * p.beatBytes + byte) {
                        let at = b * p.beatBytes + byte
                        let mask = UInt64(0xFF) << UInt64(8 * (byte % 8))
                        words[byte / 8] = (words[byte / 8] & ~mask) | (w.data[at / 8] & mask)
                    }
                    shadow[w.line + b] = words
                }
            }
            taken.append(wrote)
            try sim.step()
            memory.advance()
            return taken
        }

        var drained: Bool { expected.allSatisfy(\.isEmpty) && memory.idle }
    }

    @Test(arguments: [1, 2, 4])
    func randomTrafficMatchesMemory(_ banks: Int) throws {
        let seed = testSeed(0x3E3_0000 + UInt64(banks))
        var rng = SplitMix64(seed: seed)
        let p = Self.params(banks: banks)
        let bench = try Bench(p, clients: Self.readClients, wideClients: Self.wideClients, latency: rng.int(1...12),
                              waitChance: 0.25, seed: seed)
        // A few dozen lines, so reads and writes collide.
        let span = 40
        var reads: [(line: Int, beats: Int)?] = Array(repeating: nil, count: Self.readClients)
        var write: (line: Int, data: [UInt64], enable: BitVector)?
        var offered = 0
        let total = iterations(300)
        var cycles = 0
        while offered < total || reads.contains(where: { $0 != nil }) || write != nil || !bench.drained {
            for i in reads.indices where reads[i] == nil && offered < total && rng.chance(0.3) {
                if Self.wideClients.contains(i) {
                    // Bank-aligned, whole wide beats, up to maxBurst per bank.
                    reads[i] = (rng.int(0...(span / banks)) * banks, banks * rng.int(1...p.maxBurst))
                } else {
                    reads[i] = (rng.int(0...span), rng.int(1...p.maxBurst))
                }
                offered += 1
            }
            if write == nil && offered < total && rng.chance(0.3) {
                // Any bytes of a wide beat: none of a bank's at times, so that bank is left alone.
                var words = [UInt64](repeating: 0, count: (p.wideBeatBytes + 63) / 64)
                for byte in 0..<p.wideBeatBytes where rng.chance(0.5) { words[byte / 64] |= 1 << UInt64(byte % 64) }
                var enable = BitVector(width: p.wideBeatBytes, words: words)
                if rng.chance(0.3) { enable = BitVector(width: p.wideBeatBytes, value: -1) }
                if rng.chance(0.2) {  // one word, as sts writes: one bank alone
                    let at = 4 * rng.int(0...(p.wideBeatBytes / 4 - 1))
                    words = [UInt64](repeating: 0, count: words.count)
                    words[at / 64] = 0xF << UInt64(at % 64)
                    enable = BitVector(width: p.wideBeatBytes, words: words)
                }
                write = (rng.int(0...(span / banks)) * banks, (0..<(p.dataBits * banks / 64)).map { _ in rng.next() }, enable)
                offered += 1
            }
            let taken = try bench.cycle(reads: reads, write: write)
            for i in reads.indices where taken[i] { reads[i] = nil }
            if taken[Self.readClients] { write = nil }
            cycles += 1
            if cycles > 40 * total { break }
        }
        #expect(bench.failures.isEmpty, "seed \(seed), \(banks) banks: \(bench.failures.prefix(5))")
        #expect(bench.drained, "seed \(seed), \(banks) banks: not drained after \(cycles) cycles")
        #expect(bench.memory.readCommands > 0 && bench.memory.writeCommands > 0)
        #expect(Self.wideClients.allSatisfy { bench.received[$0] > 0 })
        for l in 0...(span + p.maxBurst * banks) {
            #expect(bench.memory.line(l) == bench.shadowLine(l), "seed \(seed), \(banks) banks: line \(l) differs")
        }
        #expect(try !bench.sim.peekBool("timeout"), "seed \(seed): spurious time-out")
    }

    /// One client streaming 1024 beats in maxBurst bursts, no waitrequest,
    /// latency 20: a beat every cycle once the first arrives.
    @Test(arguments: [1, 2, 4])
    func oneStreamRunsAtABeatPerCycle(_ banks: Int) throws {
        let p = CoreParameters(isa: CoreConfig(maxVectorLength: 64), dataBits: 128, banks: banks,
                               addressBits: 16, maxBurst: 64, outstandingBeats: 128)
        let latency = 20, beats = 1024
        let bench = try Bench(p, clients: 1, latency: latency, waitChance: 0, seed: 77)
        var next = 3  // an odd start: bursts straddle banks
        var cycles = 0
        while bench.received[0] < beats && cycles < 4 * beats {
            let request: (line: Int, beats: Int)? = next < 3 + beats ? (next, min(p.maxBurst, 3 + beats - next)) : nil
            let taken = try bench.cycle(reads: [request], write: nil)
            if taken[0], let r = request { next += r.beats }
            cycles += 1
        }
        #expect(bench.failures.isEmpty, "\(bench.failures.prefix(5))")
        #expect(bench.received[0] == beats)
        print("memory system, \(banks) bank(s): \(beats) beats at latency \(latency) in \(cycles) cycles")
        #expect(cycles <= beats + latency + 8, "\(banks) banks: \(cycles) cycles for \(beats) beats")
    }

    /// The wide client streaming 1024 beats in bursts of maxBurst per bank,
    /// latency 20: B beats per cycle once the first arrive.
    @Test(arguments: [1, 2, 4])
    func aWideStreamGetsABeatOfEveryBankPerCycle(_ banks: Int) throws {
        let p = CoreParameters(isa: CoreConfig(maxVectorLength: 64), dataBits: 128, banks: banks,
                               addressBits: 16, maxBurst: 64, outstandingBeats: 128)
        let latency = 20, beats = 1024
        let bench = try Bench(p, clients: 2, wideClients: [1], latency: latency, waitChance: 0, seed: 78)
        var next = 4 * banks
        var cycles = 0
        while bench.received[1] < beats / banks && cycles < 4 * beats {
            let end = 4 * banks + beats
            let request: (line: Int, beats: Int)? = next < end ? (next, min(p.maxBurst * banks, end - next)) : nil
            let taken = try bench.cycle(reads: [nil, request], write: nil)
            if taken[1], let r = request { next += r.beats }
            cycles += 1
        }
        #expect(bench.failures.isEmpty, "\(bench.failures.prefix(5))")
        #expect(bench.received[1] == beats / banks)
        print("memory system, \(banks) bank(s): \(beats) beats to the wide client at latency \(latency) in \(cycles) cycles")
        #expect(cycles <= beats / banks + latency + 8, "\(banks) banks: \(cycles) cycles for \(beats) beats")
    }

    /// Memory that never answers, or never takes a command, fires the
    /// time-out after timeout_cycles; memory that is merely slow does not.
    @Test func timeoutFiresOnlyWhenMemoryStops() throws {
        let p = Self.params(banks: 2)
        for mode in ["silent", "stuck", "slow"] {
            let bench = try Bench(p, clients: 1, latency: 30, waitChance: 0, seed: 5)
            let limit = 40
            try bench.sim.poke("timeout_cycles", limit)
            bench.memory.silent = mode == "silent"
            bench.memory.stuck = mode == "stuck"
            var firedAt: Int?
            var pending: (line: Int, beats: Int)? = (4, 8)
            for c in 0..<200 {
                // The slow memory: waitrequest for limit cycles, then latency 30 (< limit).
                if mode == "slow" { bench.memory.stuck = c < limit }
                let taken = try bench.cycle(reads: [pending], write: nil)
                if taken[0] { pending = nil }
                if firedAt == nil, try bench.sim.peekBool("timeout") { firedAt = c }
            }
            switch mode {
            case "slow":
                #expect(firedAt == nil, "slow memory fired the time-out at cycle \(firedAt ?? -1)")
                #expect(bench.received[0] == 8)
            default:
                let at = try #require(firedAt, "\(mode) memory never fired the time-out")
                #expect(at >= limit && at <= limit + 6, "\(mode): fired at cycle \(at), limit \(limit)")
                #expect(try bench.sim.peekBool("timeout"), "the time-out is sticky")
            }
        }
    }
}
