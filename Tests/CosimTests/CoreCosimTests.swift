import Assembler
import Core
import Cosim
import DeviceAPI
import Foundation
import HDL
import ISA
import Testing
import TestSupport

/// `TritCore` against the interpreter in lock step: the isa/examples
/// programs and constrained-random programs, with memory back-pressure, on
/// small cores of 16 lanes over 1, 2 and 4 banks (512-, 256- and 128-bit
/// beats), and under `make test-long` on the widest, 512-bit x 4 banks
/// (64 lanes).
@Suite(.serialized) struct CoreCosimTests {
    /// 16 lanes (a wide beat of 512 bits) at every bank count, so each
    /// Verilator build stays the size of the one-bank core.
    static func params(banks: Int) -> CoreParameters {
        CoreParameters(isa: CoreConfig(maxVectorLength: 256), dataBits: 512 / banks, banks: banks)
    }
    /// The widest core: 512-bit beats on 4 banks.
    static let widest = CoreParameters(isa: CoreConfig(maxVectorLength: 256), dataBits: 512, banks: 4)

    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    nonisolated(unsafe) static var models: [String: TestBenchModel] = [:]
    static let lock = NSLock()
    static func model(_ p: CoreParameters) throws -> TestBenchModel {
        lock.lock()
        defer { lock.unlock() }
        let key = "\(p.banks) x \(p.dataBits), VL \(p.isa.maxVectorLength), \(p.streams) streams"
        if let m = models[key] { return m }
        let clock = ContinuousClock.now
        let m = try TestBenchModel(design: elaborate(TritCore(params: p)), parameters: p)
        if !m.library.build.cacheHit { print("TritCore test bench (\(key)) built in \(ContinuousClock.now - clock)") }
        models[key] = m
        return m
    }

    /// Runs random programs; the first failure is recorded with its seed.
    func runRandom(_ p: CoreParameters, config: RandomProgramConfig, count: Int, seed: UInt64) throws {
        let model = try Self.model(p)
        let banks = p.banks
        var cycles: UInt64 = 0, seconds = 0.0, rtlSeconds = 0.0, halted = 0
        for i in 0..<count {
            let s = seed &+ UInt64(i)
            let program = RandomProgram(seed: s, config: config)
            // Back-pressure from none to heavy, latency from 1 to DDR-like.
            let options = TestBenchOptions(latency: [1, 4, 20][i % 3], backpressure: [0, 0.2, 0.5][(i / 3) % 3], seed: s)
            do {
                let report = try CoSimulation(model: model, options: options).run(program.image)
                cycles += report.simulatedCycles
                seconds += report.seconds
                rtlSeconds += report.rtlSeconds
                if report.result == .halted { halted += 1 }
            } catch {
                Issue.record("random program \(i), seed \(s) (TRIT_SEED=\(s) reproduces it first), \(banks) x \(p.dataBits) bits, \(p.streams) streams: \(error)")
                return
            }
        }
        print("TritCore, \(banks) x \(p.dataBits) bits, \(p.streams) streams: \(count) random programs (\(halted) halted), \(cycles) cycles at \(Int(Double(cycles) / max(seconds, 1e-9))) cycles/s in lock step, \(Int(Double(cycles) / max(rtlSeconds, 1e-9))) for the model alone")
    }

    @Test func controlProgramsInLockStep() throws {
        let config = RandomProgramConfig.controlOnly(isa: Self.params(banks: 1).isa)
        try runRandom(Self.params(banks: 1), config: config, count: iterations(30), seed: testSeed(0xC0DE_0001))
    }

    @Test(arguments: [1, 2, 4])
    func examplesInLockStep(_ banks: Int) throws {
        let dir = Self.root.appendingPathComponent("isa/examples")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".s") }.sorted()
        #expect(files.count >= 5)
        for file in files {
            let source = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            var p = Self.params(banks: banks)
            let image = try Assembler(config: p.isa).assemble(source, file: file).get()
            // A batched example runs on the batched core of the random programs, one bank.
            if image.streams > 1 {
                guard banks == 1 else { continue }
                p = Self.batched(streams: image.streams)
            }
            let cosim = CoSimulation(model: try Self.model(p), options: TestBenchOptions(latency: 12, backpressure: 0.3, seed: 3))
            let report = try cosim.run(image)
            #expect(report.result == .halted, "\(file)")
            if image.code.contains(where: { $0 >> 56 == UInt64(Opcode.tmatmul.rawValue) }) {
                #expect(report.weightBeats > 0 && report.busy[3] > 0, "\(file): no ternary activity counted")
            }
        }
    }

    @Test(arguments: [1, 2, 4])
    func randomProgramsInLockStep(_ banks: Int) throws {
        let p = Self.params(banks: banks)
        let config = RandomProgramConfig(isa: p.isa, vectorLimit: 256, vectorLanes: p.vectorLanes)
        // About 120 programs in all (3000 under TRIT_LONG).
        let count = iterations(40) > 40 ? 1000 : 40
        try runRandom(p, config: config, count: count, seed: testSeed(0xC0DE_0100 + UInt64(banks) << 20))
    }

    /// A core of B streams (16 lanes; registers of 512 elements, the core
    /// `TernaryThroughputTests` measures at four streams, so one Verilator
    /// build serves both; the programs' vectors stay at 64 elements):
    /// every stream of every instruction in lock step. Four streams on one
    /// bank; two banks, more programs and more streams under `make test-long`.
    static func batched(streams: Int, banks: Int = 1) -> CoreParameters {
        CoreParameters(isa: CoreConfig(maxVectorLength: 512, streams: streams), dataBits: 512 / banks, banks: banks)
    }

    @Test(arguments: isLongRun ? [1, 2] : [1])
    func batchedRandomProgramsInLockStep(_ banks: Int) throws {
        let p = Self.batched(streams: 4, banks: banks)
        let config = RandomProgramConfig(isa: p.isa, vectorLimit: 64, vectorLanes: p.vectorLanes)
        let count = iterations(40) > 40 ? 500 : 40
        try runRandom(p, config: config, count: count, seed: testSeed(0xC0DE_0B00 + UInt64(banks) << 20))
    }

    /// Programs of one and two streams on the four-stream core (the same
    /// Verilator model): the host sets STREAMS to the program's streams, and
    /// the core gives exactly the records, memory and faults of a core of as
    /// many streams (the interpreter at the program's streams).
    @Test(arguments: [1, 2])
    func fewerStreamsOnTheBatchedCoreInLockStep(_ streams: Int) throws {
        let p = Self.batched(streams: 4)
        var isa = p.isa
        isa.streams = streams
        let config = RandomProgramConfig(isa: isa, vectorLimit: 64, vectorLanes: p.vectorLanes)
        let count = iterations(15) > 15 ? 200 : 15
        try runRandom(p, config: config, count: count, seed: testSeed(0xC0DE_0D00 + UInt64(streams) << 20))
    }

    /// STREAMS: B at reset, 1 ... B as written (0 or more than B sets B),
    /// unchanged by writes while the core runs; a one-stream core reads 1.
    @Test func streamsRegisterReadsBack() throws {
        let p = Self.batched(streams: 4)
        let bench = try Self.model(p).makeBench(TestBenchOptions(latency: 4, seed: 1))
        try bench.reset()
        #expect(try bench.csrRead(.streams) == 4)
        for (written, read) in [(2, 2), (1, 1), (0, 4), (3, 3), (5, 4), (4, 4), (1 << 40 | 2, 4)] as [(UInt64, UInt64)] {
            try bench.csrWrite(.streams, written)
            #expect(try bench.csrRead(.streams) == read, "STREAMS after writing \(written)")
        }
        // A two-stream program's start sets STREAMS to 2; writes while it runs are ignored.
        var isa = p.isa
        isa.streams = 2
        let source = ".streams 2\nsetvl 4\nsetss 64\n" + String(repeating: "ldv.s v1, 0\nsv.s v1, 256\n", count: 20) + "halt\n.memory 1024\n"
        let image = try Assembler(config: isa).assemble(source, file: "streams.s").get()
        let placement = ProgramPlacement(image)
        placement.load(image, into: bench)
        try bench.start(placement)
        try bench.csrWrite(.streams, 3)
        let running = try bench.csrRead(.status) & 1 != 0
        #expect(running, "the program ended before the write")
        #expect(try bench.csrRead(.streams) == 2)
        var result = TestBench.StepResult.running
        while result == .running { result = try bench.step(maxCycles: 100_000).0 }
        #expect(result == .halted)
        try bench.csrWrite(.streams, 3)
        #expect(try bench.csrRead(.streams) == 3)

        let one = try Self.model(Self.params(banks: 1)).makeBench(TestBenchOptions(latency: 4, seed: 1))
        try one.reset()
        #expect(try one.csrRead(.streams) == 1)
        try one.csrWrite(.streams, 3)
        #expect(try one.csrRead(.streams) == 1)
    }

    @Test(.enabled(if: isLongRun), arguments: [2, 3, 8])
    func moreStreamsInLockStep(_ streams: Int) throws {
        let p = Self.batched(streams: streams)
        let config = RandomProgramConfig(isa: p.isa, vectorLimit: 64, vectorLanes: p.vectorLanes)
        try runRandom(p, config: config, count: 200, seed: testSeed(0xC0DE_0C00 + UInt64(streams) << 20))
    }

    /// The widest core (64 lanes; a register chunk is one group of ternary
    /// rows) takes minutes to build, so only `make test-long` runs it.
    @Test(.enabled(if: isLongRun)) func randomProgramsOnTheWidestCore() throws {
        let p = Self.widest
        let config = RandomProgramConfig(isa: p.isa, vectorLimit: 256, vectorLanes: p.vectorLanes)
        try runRandom(p, config: config, count: 300, seed: testSeed(0xC0DE_0400))
    }

    /// 1024-bit beats on one bank (32 lanes, as 512 x 2 banks): the beat a
    /// D5005 core of the bank's full rate at half the DDR clock uses
    /// (docs/shells.md); under `make test-long`, with the widest.
    @Test(.enabled(if: isLongRun)) func randomProgramsOnThousandBitBeats() throws {
        let p = CoreParameters(isa: CoreConfig(maxVectorLength: 256), dataBits: 1024, banks: 1)
        let config = RandomProgramConfig(isa: p.isa, vectorLimit: 256, vectorLanes: p.vectorLanes)
        try runRandom(p, config: config, count: 200, seed: testSeed(0xC0DE_0800))
    }
}
