import Core
import HDL
import HDLEmit
import HDLSim
import ISA
import Testing
import TestSupport

/// The DMA alone between a Swift host memory and Swift banks, both with
/// random latency and waitrequest: random transfers both ways checked line
/// by line (a line is a beat) at the interleaved addresses, every error
/// code, time-outs, and the streaming rate.
@Suite(.serialized) struct HostDMATests {
    /// 128-bit beats, short bursts and a small buffer, so credits and bursts wrap often.
    static func params(banks: Int) -> CoreParameters {
        CoreParameters(isa: CoreConfig(maxVectorLength: 64), dataBits: 128, banks: banks,
                       addressBits: 10, maxBurst: 8, outstandingBeats: 32, streamWindowBeats: 16)
    }
    static let host = HostDMAParameters(addressBits: 20, maxBurst: 8, bufferBeats: 32)

    @Test func lintCleanAtTheD5005Preset() throws {
        for (p, h) in [(CoreParameters.d5005, HostDMAParameters.standard), (Self.params(banks: 2), Self.host)] {
            let design = try elaborate(HostDMA(params: p, host: h))
            let files = SystemVerilogEmitter().files(for: design)
            let problems = try Lint.verilator(files, top: design.top.name)
            #expect(problems.isEmpty, "\(problems)")
            #expect(try Lint.yosys(files, top: design.top.name).problems.isEmpty)
        }
    }

    @Test(arguments: [1, 2])
    func randomTransfersMoveEveryByte(_ banks: Int) throws {
        let seed = testSeed(0xD3A_0000 + UInt64(banks))
        var rng = SplitMix64(seed: seed)
        let p = Self.params(banks: banks)
        let bench = try DMABench(p, Self.host, bankLatency: rng.int(1...12), hostLatency: rng.int(1...30),
                                 waitChance: 0.25, seed: seed)
        let span = 160
        var counts = [0, 0]
        for t in 0..<iterations(16) {
            let beats = rng.int(1...60), toHost = rng.chance(0.5)
            let h = rng.int(0...(span - beats)), c = rng.int(0...(span - beats))
            let s = try bench.transfer(hostLine: h, cardLine: c, beats: beats, toHost: toHost)
            #expect(s?.done == true && s?.error == false, "seed \(seed), transfer \(t): \(String(describing: s))")
            #expect(try bench.read(.bytes) == UInt64(beats * p.beatBytes), "seed \(seed), transfer \(t)")
            counts[toHost ? 1 : 0] += 1
        }
        let wrong = bench.mismatches(span: span)
        #expect(wrong.isEmpty, "seed \(seed), \(banks) bank(s): \(wrong.prefix(8))")
        #expect(bench.hostMemory.violations.isEmpty, "seed \(seed): \(bench.hostMemory.violations.prefix(4))")
        #expect(counts.allSatisfy { $0 > 0 }, "seed \(seed): both directions")
        #expect(bench.hostMemory.readBursts > 0 && bench.hostMemory.writeBursts > 0)
    }

    /// Every start-time error, in the engine's idle state and with nothing moved; the next transfer works.
    @Test func everyStartErrorHasItsCode() throws {
        let p = Self.params(banks: 2), b = UInt64(p.beatBytes)
        let bench = try DMABench(p, Self.host, bankLatency: 3, hostLatency: 5, waitChance: 0.1, seed: 11)
        let capacity = UInt64(DMARegister.capacityBeats(p)) * b
        #expect(try bench.read(.capacity) == capacity)
        let cases: [(host: UInt64, card: UInt64, length: UInt64, DMAError)] = [
            (4, 0, b, .misaligned), (0, 8, b, .misaligned), (0, 0, b + 1, .misaligned), (0, 0, 0, .zeroLength),
            (0, capacity - b, 2 * b, .cardRange), (0, capacity, b, .cardRange),
            ((1 << 20) * b - b, 0, 2 * b, .hostRange),
        ]
        for (h, c, length, error) in cases {
            try bench.start(host: h, card: c, length: length, toHost: false)
            let s = try #require(try bench.wait(maxCycles: 4))
            #expect(s.error && !s.done && s.code == error.rawValue, "\(h) \(c) \(length): \(s), expected \(error)")
            #expect(try bench.read(.bytes) == 0)
        }
        bench.coreBusy = true
        try bench.start(host: 0, card: 0, length: b, toHost: true)
        let s = try #require(try bench.wait(maxCycles: 4))
        #expect(s.error && s.code == DMAError.coreRunning.rawValue, "\(s)")
        bench.coreBusy = false
        // The last beat of each space is in range.
        let ok = try bench.transfer(hostLine: (1 << 20) - 1, cardLine: Int(capacity / b) - 1, beats: 1, toHost: false)
        #expect(ok?.done == true && ok?.error == false, "\(String(describing: ok))")
        #expect(bench.mismatches(span: 64).isEmpty)
    }

    /// A descriptor written, or a start, while busy aborts the transfer with
    /// `busy`: it collects what it asked for and is idle; the next transfer works.
    @Test(arguments: [false, true])
    func writingWhileBusyAbortsCleanly(_ toHost: Bool) throws {
        let p = Self.params(banks: 2), b = p.beatBytes
        let bench = try DMABench(p, Self.host, bankLatency: 6, hostLatency: 20, waitChance: 0.2, seed: toHost ? 21 : 22)
        for culprit in [DMARegister.length, .control] {
            try bench.start(host: 0, card: 0, length: UInt64(200 * b), toHost: toHost)
            for _ in 0..<30 { try bench.tick() }
            #expect(try bench.status().busy)
            try bench.write(culprit, culprit == .control ? 1 : 64)
            let s = try #require(try bench.wait(maxCycles: 2000), "abort never ended")
            #expect(s.error && !s.done && s.code == DMAError.busy.rawValue, "\(s)")
            #expect(try bench.read(.length) == UInt64(200 * b), "the write while busy is dropped")
            let moved = try bench.read(.bytes)
            #expect(moved > 0 && moved < UInt64(200 * b), "moved \(moved)")
        }
        #expect(bench.hostMemory.violations.isEmpty, "\(bench.hostMemory.violations.prefix(4))")
        // Bytes an abort moved are not tracked: check a fresh range after it.
        bench.expectedCard = [:]; bench.expectedHost = [:]
        let s = try bench.transfer(hostLine: 300, cardLine: 300, beats: 40, toHost: !toHost)
        #expect(s?.done == true, "\(String(describing: s))")
        for l in 300..<340 { #expect(bench.banks.line(l) == bench.hostMemory.line(l), "line \(l)") }
    }

    /// A host channel that stops answering (silent reads, silent write
    /// responses, a stuck waitrequest) ends in `timeout` within a few cycles
    /// of TIMEOUT; after a reset the engine works again.
    @Test(arguments: ["silent-read", "silent-write", "stuck"])
    func anUnansweringHostTimesOut(_ mode: String) throws {
        let p = Self.params(banks: 1)
        let bench = try DMABench(p, Self.host, bankLatency: 4, hostLatency: 10, waitChance: 0, seed: 31)
        let limit = 60
        try bench.write(.timeout, UInt64(limit))
        bench.hostMemory.silent = mode.hasPrefix("silent")
        bench.hostMemory.stuck = mode == "stuck"
        let toHost = mode == "silent-write"
        try bench.start(host: 0, card: 0, length: UInt64(20 * p.beatBytes), toHost: toHost)
        let s = try #require(try bench.wait(maxCycles: 10 * limit), "\(mode): no time-out")
        #expect(s.error && s.code == DMAError.timeout.rawValue, "\(mode): \(s)")
        let cycles = try bench.read(.cycles)
        #expect(cycles >= UInt64(limit) && cycles < UInt64(limit + 80), "\(mode): \(cycles) cycles")
        // The reset path: the host resets the AFU (fpgaReset).
        try bench.sim.reset()
        bench.hostMemory.reset()
        bench.hostMemory.silent = false
        bench.hostMemory.stuck = false
        bench.expectedHost = [:]
        let ok = try bench.transfer(hostLine: 40, cardLine: 40, beats: 20, toHost: !toHost)
        #expect(ok?.done == true, "\(mode): after reset \(String(describing: ok))")
    }

    /// A core start refused while the DMA owns the banks shows in STATUS bit 3 until the next start.
    @Test func aRefusedCoreStartIsReported() throws {
        let p = Self.params(banks: 1)
        let bench = try DMABench(p, Self.host, bankLatency: 2, hostLatency: 2, waitChance: 0, seed: 41)
        bench.refusePulse = true
        try bench.tick()
        #expect(try bench.status().refused)
        _ = try bench.transfer(hostLine: 0, cardLine: 0, beats: 2, toHost: false)
        #expect(try !bench.status().refused)
    }

    /// Long transfers with a host that never stalls: beats per cycle both
    /// ways (printed; asserted only loosely).
    @Test func streamingRate() throws {
        var p = Self.params(banks: 1)
        p.maxBurst = 64
        p.outstandingBeats = 128
        p.addressBits = 16
        let h = HostDMAParameters(addressBits: 20, maxBurst: 16, bufferBeats: 256)
        let bench = try DMABench(p, h, bankLatency: 20, hostLatency: 100, waitChance: 0, seed: 51)
        let beats = 4096
        for toHost in [false, true] {
            let s = try bench.transfer(hostLine: 0, cardLine: 0, beats: beats, toHost: toHost)
            #expect(s?.done == true)
            let cycles = Int(try bench.read(.cycles))
            let rate = Double(beats) / Double(cycles)
            print("DMA \(toHost ? "card->host" : "host->card"), 1 bank, host latency 100, bank latency 20: "
                  + "\(beats) beats in \(cycles) cycles, \(String(format: "%.3f", rate)) beats/cycle")
            #expect(rate > 0.5, "\(rate) beats/cycle")
        }
        #expect(bench.mismatches(span: beats).isEmpty)
    }
}
