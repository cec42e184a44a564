import TritJSON
import Assembler
import Core
import Cosim
import Foundation
import HDL
import ISA
import Interpreter
import Testing
import TestSupport

/// The co-simulation harness (memory banks, host, retirement collection,
/// lock-step comparison) against `StandInCore`, a tiny core with
/// `TritCore`'s ports.
@Suite(.serialized) struct TestBenchTests {
    static func params(banks: Int) -> CoreParameters {
        CoreParameters(isa: CoreConfig(maxVectorLength: 64), dataBits: 128, banks: banks, addressBits: 20)
    }

    /// Models are built once per process (and cached on disk across runs).
    nonisolated(unsafe) static var models: [String: TestBenchModel] = [:]
    static let lock = NSLock()
    static func model(banks: Int, mutation: StandInCore.Mutation = .none, waveforms: Bool = false) throws -> TestBenchModel {
        lock.lock()
        defer { lock.unlock() }
        let key = "\(banks) \(mutation) \(waveforms)"
        if let m = models[key] { return m }
        let p = params(banks: banks)
        let clock = ContinuousClock.now
        let m = try TestBenchModel(design: elaborate(StandInCore(params: p, mutation: mutation)), parameters: p, waveforms: waveforms)
        if !m.library.build.cacheHit {
            print("stand-in test bench (\(key)) built in \(ContinuousClock.now - clock)")
        }
        models[key] = m
        return m
    }

    static func assemble(_ source: String) throws -> ProgramImage {
        switch Assembler().assemble(source, file: "test.s") {
        case .success(let image): return image
        case .failure(let errors): throw TestBenchError.setup("does not assemble: \(errors)")
        }
    }

    static let storesAndLoads = """
            li s1, 1.5
            li s3, -2
            nop
            setvl 7
            sts s1, out
            sts s3, out + 4
            lds s4, inp
            sts s4, out + 8
            lds s5, far
            sts s5, out + 60
            halt
        .org 0
        inp: .word 0x12345678
        .org 0x40
        out: .zero 64
        .org 0x1F0
        far: .word -5
        """

    @Test(arguments: [1, 2])
    func programRunsInLockStep(_ banks: Int) throws {
        let image = try Self.assemble(Self.storesAndLoads)
        for (latency, backpressure) in [(1, 0.0), (7, 0.4)] {
            let cosim = CoSimulation(model: try Self.model(banks: banks),
                                     options: TestBenchOptions(latency: latency, backpressure: backpressure, seed: 5, pollInterval: 7))
            let report = try cosim.run(image)
            #expect(report.result == .halted)
            #expect(report.instructions == 11)
            #expect(report.cycles > 11)
            #expect(report.bench.writeBeats.reduce(0, +) == 4)
            #expect(report.bench.readCommands.reduce(0, +) == 11 + 2)
            #expect(report.bench.statusPolls > 0)
            if backpressure > 0 { #expect(report.bench.heldCycles.reduce(0, +) > 0) }
            if banks == 2 { #expect(report.bench.readCommands.allSatisfy { $0 > 0 }, "both banks used") }
            #expect(report.json["result"] == .string("halted"))
            #expect(report.json["utilization"] == .rounded(report.utilization, 6))
        }
    }

    @Test func faultsAgree() throws {
        let cases: [(String, FaultCode, Int)] = [
            ("li s1, 1\n .inst 0x0300000000000000\n halt", .badVectorLength, 1),
            ("lds s1, 2\n halt\n.org 0\n.zero 64", .misaligned, 0),
            ("nop\n sts s1, 64\n halt\n.org 0\n.zero 64", .addressOutOfRange, 1),
            ("nop\n li s1, 3", .fetchOutOfRange, 2),
            ("nop\n .inst 0\n halt", .illegalInstruction, 1),
        ]
        let cosim = CoSimulation(model: try Self.model(banks: 1), options: TestBenchOptions(latency: 3, backpressure: 0.2))
        for (source, code, index) in cases {
            let report = try cosim.run(try Self.assemble(source))
            #expect(report.result == .faulted, "\(source)")
            #expect(report.fault?.code == code && report.fault?.index == index, "\(source): \(String(describing: report.fault))")
            #expect(report.json["fault"]?["name"] == .string(code.name))
        }
    }

    /// Random programs of the instructions the stand-in implements, with
    /// random latency and back-pressure.
    @Test(arguments: [1, 2])
    func randomStandInPrograms(_ banks: Int) throws {
        let seed = testSeed(0xC051_0000 + UInt64(banks))
        var rng = SplitMix64(seed: seed)
        let model = try Self.model(banks: banks)
        var cycles: UInt64 = 0
        var seconds = 0.0, rtlSeconds = 0.0
        for program in 0..<iterations(20) {
            var code: [UInt64] = []
            for _ in 0..<rng.int(1...40) {
                switch rng.below(8) {
                case 0: code.append(Instruction(.nop).word)
                case 1: code.append(Instruction(.li, rd: UInt8(rng.below(16)), imm: UInt32(truncatingIfNeeded: rng.next())).word)
                case 2: code.append(Instruction(.setvl, imm: UInt32(rng.int(1...64))).word)
                case 3: code.append(Instruction(.sts, ra: UInt8(rng.below(16)), imm: UInt32(4 * rng.below(256))).word)
                case 4: code.append(Instruction(.bcast, rd: UInt8(rng.below(16)), ra: UInt8(rng.below(16))).word)
                case 5: code.append(Instruction(.sv, ra: UInt8(rng.below(16)), imm: UInt32(4 * rng.below(200))).word)
                default: code.append(Instruction(.lds, rd: UInt8(rng.below(16)), imm: UInt32(4 * rng.below(256))).word)
                }
            }
            // Mostly a clean halt; sometimes a fault at the end.
            switch rng.below(8) {
            case 0: code.append(Instruction(.setvl, imm: 65).word)
            case 1: code.append(Instruction(.lds, rd: 1, imm: 1024).word)
            case 2: break
            default: code.append(Instruction(.halt).word)
            }
            let data = (0..<1024).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let image = ProgramImage(memorySize: 1024, code: code, data: [.init(address: 0, bytes: data)])
            let options = TestBenchOptions(latency: rng.int(1...12), backpressure: rng.chance(0.3) ? 0 : rng.uniform() * 0.7,
                                           seed: rng.next(), pollInterval: rng.int(0...40))
            do {
                let report = try CoSimulation(model: model, options: options).run(image)
                cycles += report.simulatedCycles
                seconds += report.seconds
                rtlSeconds += report.rtlSeconds
            } catch {
                Issue.record("seed \(seed), program \(program): \(error)")
                return
            }
        }
        print("stand-in, \(banks) bank(s): \(cycles) cycles at \(Int(Double(cycles) / max(seconds, 1e-9))) cycles/s in lock step, \(Int(Double(cycles) / max(rtlSeconds, 1e-9))) for the model alone")
    }

    @Test func wrongDigestIsCaughtWithItsDisassembly() throws {
        let image = try Self.assemble(Self.storesAndLoads.replacingOccurrences(of: "nop", with: "li s3, 0.25"))
        let cosim = CoSimulation(model: try Self.model(banks: 1, mutation: .liDigest), options: TestBenchOptions(backpressure: 0.3))
        do {
            _ = try cosim.run(image)
            Issue.record("a core with a wrong li digest passed")
        } catch let failure as CoSimulationFailure {
            #expect(failure.kind == .recordMismatch)
            #expect(failure.index == 1)
            let text = failure.description
            #expect(text.contains("li s3, -2"), "\(text)")
            #expect(text.contains("RTL:         1 li s3 1 fffe0001"), "\(text)")
            #expect(text.contains("interpreter: 1 li s3 1 fffe0000"), "\(text)")
            #expect(text.contains("value: RTL 0xfffe0001"), "\(text)")
        }
    }

    @Test func wrongSaturationCountIsCaught() throws {
        let image = try Self.assemble(Self.storesAndLoads)
        let cosim = CoSimulation(model: try Self.model(banks: 1, mutation: .liSaturation), options: TestBenchOptions())
        do {
            _ = try cosim.run(image)
            Issue.record("a core reporting a saturation the interpreter did not see passed")
        } catch let failure as CoSimulationFailure {
            // The first li retires with one saturated element; the interpreter's li never saturates.
            #expect(failure.kind == .recordMismatch)
            #expect(failure.index == 0)
            #expect(failure.description.contains("saturated elements: RTL 1, interpreter 0"), "\(failure.description)")
        }
    }

    @Test func wrongVectorElementIsNamed() throws {
        let image = try Self.assemble("li s2, 1.5\n setvl 9\n bcast v2, s2\n sv v2, 0\n halt\n.org 0\n.zero 64")
        let cosim = CoSimulation(model: try Self.model(banks: 2, mutation: .bcastElement), options: TestBenchOptions(backpressure: 0.3))
        do {
            _ = try cosim.run(image)
            Issue.record("a core with a wrong vector element passed")
        } catch let failure as CoSimulationFailure {
            #expect(failure.kind == .recordMismatch)
            #expect(failure.index == 2)
            let text = failure.description
            #expect(text.contains("bcast v2, s2"), "\(text)")
            #expect(text.contains("first differing element v2[5]: RTL 0x00018001 (1.5000152587890625), interpreter 0x00018000 (1.5)"), "\(text)")
            #expect(text.contains("1 of 9 differ"), "\(text)")
        }
        // Without the probe, the digests are all there is.
        cosim.probeVectorMismatches = false
        #expect(throws: CoSimulationFailure.self) { try cosim.run(image) }
    }

    @Test func wrongStoreIsCaughtInMemory() throws {
        let image = try Self.assemble("li s2, 3\n sts s2, 8\n halt\n.org 0\n.zero 64\n.symbol buf, 0, 16")
        let cosim = CoSimulation(model: try Self.model(banks: 1, mutation: .stsData))
        do {
            _ = try cosim.run(image)
            Issue.record("a core that stores the wrong value passed")
        } catch let failure as CoSimulationFailure {
            #expect(failure.kind == .memoryMismatch)
            #expect(failure.description.contains("0x00000008 (buf[2]): RTL 0x00030001"), "\(failure)")
        }
    }

    @Test func protocolViolationStopsTheRun() throws {
        let cosim = CoSimulation(model: try Self.model(banks: 1, mutation: .burstZero))
        do {
            _ = try cosim.run(try Self.assemble("nop\n lds s1, 4\n halt\n.org 0\n.zero 64"))
            Issue.record("a read with burstcount 0 went unnoticed")
        } catch let error as TestBenchError {
            guard case .protocolViolation(let message) = error else { Issue.record("\(error)"); return }
            #expect(message.hasSuffix("bank 0: read with burstcount 0"), "\(message)")
        }
    }

    @Test func hostRegistersAndBackdoorMemory() throws {
        let bench = try Self.model(banks: 2).makeBench(TestBenchOptions())
        try bench.reset()
        try bench.csrWrite(.codeBase, 0x1234_5678_9ABC_DEF0)
        try bench.csrWrite(.dataSize, 4096)
        #expect(try bench.csrRead(.codeBase) == 0x1234_5678_9ABC_DEF0)
        #expect(try bench.csrRead(.dataSize) == 4096)
        #expect(try bench.csrRead(.status) == 0)
        #expect(bench.portStatus == TestBench.PortStatus(busy: false, halted: false, faulted: false))
        // Across a storage page boundary, and unwritten memory reads as zero.
        let bytes = (0..<300).map { UInt8($0 & 0xFF) }
        bench.writeMemory(65536 - 100, bytes)
        #expect(bench.readMemory(65536 - 100, count: 300) == bytes)
        #expect(bench.readMemory(1 << 30, count: 8) == [UInt8](repeating: 0, count: 8))
    }

    @Test func badOptionsAreRejected() throws {
        let model = try Self.model(banks: 1)
        #expect(throws: TestBenchError.self) { try model.makeBench(TestBenchOptions(latency: 0)) }
        #expect(throws: TestBenchError.self) { try model.makeBench(TestBenchOptions(backpressure: 1)) }
        #expect(throws: TestBenchError.self) { try model.makeBench(TestBenchOptions(waveform: URL(fileURLWithPath: "/tmp/x.fst"))) }
        // A model configured for more banks than the core has.
        let twoBanks = Self.params(banks: 2)
        let mismatched = try TestBenchModel(design: elaborate(StandInCore(params: Self.params(banks: 1))), parameters: twoBanks)
        #expect(throws: TestBenchError.self) { try mismatched.makeBench(TestBenchOptions()) }
    }

    @Test func waveformIsWritten() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cosim-\(UUID().uuidString).fst")
        defer { try? FileManager.default.removeItem(at: url) }
        let cosim = CoSimulation(model: try Self.model(banks: 1, waveforms: true), options: TestBenchOptions(waveform: url))
        let report = try cosim.run(try Self.assemble("li s1, 2\n halt"))
        #expect(report.result == .halted)
        let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        #expect(size > 100)
    }
}
