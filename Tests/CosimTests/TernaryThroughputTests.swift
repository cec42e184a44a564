import Assembler
import Core
import Cosim
import HDL
import ISA
import Testing
import TestSupport

/// The ternary unit's streaming rate on the whole core, read from the
/// core's own counters: a property of the design (cycle counts are exact in
/// simulation), not a timer.
@Suite(.serialized) struct TernaryThroughputTests {
    /// The d5005 datapath (512-bit beats, one bank), registers long enough for 512 columns.
    static let params = CoreParameters(isa: CoreConfig(maxVectorLength: 512), dataBits: 512)

    /// `tmatmul` of a random `rows` x `cols` matrix, between a load and a halt;
    /// with several streams each stream loads its own activations (`ldv.s`)
    /// and stores its own result (`sv.s`).
    static func program(rows: Int, cols: Int, seed: UInt64, params: CoreParameters,
                        packing: WeightPacking = .twoBit) throws -> ProgramImage {
        var rng = SplitMix64(seed: seed)
        let streams = params.streams, stride = cols * 4
        let matrixAddress = (streams * stride + 4095) / 4096 * 4096
        let perStream = streams > 1 ? ".s" : ""
        var image = try Assembler(config: params.isa).assemble("""
            setvl \(cols)
            \(streams > 1 ? "setss \(stride)" : "nop")
            ldv\(perStream) v1, 0
            li s1, 3.5
            tmatmul v2, v1, s1, \(matrixAddress)
            setvl \(rows)
            sv\(perStream) v2, 0
            halt
            .org 0
            .zero \(matrixAddress)
            """, file: "throughput.s").get()
        var activations: [UInt8] = []
        for _ in 0..<(cols * streams) {
            let v = Int32(rng.int(-127...127))
            for k in 0..<4 { activations.append(UInt8(truncatingIfNeeded: v >> Int32(8 * k))) }
        }
        image.data = [.init(address: 0, bytes: activations)]
        let trits = (0..<(rows * cols)).map { _ in Int8(rng.int(-1...1)) }
        let matrix = TernaryMatrix.pack(rows: rows, cols: cols, weightScale: 1 << 14, trits: trits, packing: packing)
        // The packing is the instruction's mode field (bits 39:32).
        image.code = image.code.map { $0 >> 56 == UInt64(Opcode.tmatmul.rawValue) ? $0 | UInt64(packing.rawValue) << 32 : $0 }
        image.data.append(.init(address: UInt32(matrixAddress), bytes: matrix))
        image.memorySize = UInt32(matrixAddress + matrix.count + 64)
        return image
    }

    @Test(arguments: WeightPacking.allCases)
    func a512x512ProductStreamsAtTheMemoryLimit(_ packing: WeightPacking) throws {
        try checkStreaming(size: 512, params: Self.params, packing: packing)
    }

    /// The paper's largest projection shape, with its own build: only in `make test-long`.
    @Test(.enabled(if: isLongRun, "a 2048-element core build runs in make test-long"))
    func a2048x2048ProductStreamsAtTheMemoryLimit() throws {
        var p = Self.params
        p.isa.maxVectorLength = 2048
        try checkStreaming(size: 2048, params: p)
    }

    /// Four streams share one pass over the weights: the matrix's beats are
    /// consumed once, and the product of four tokens takes little longer
    /// than one token's (the activation copies and write-outs of the other
    /// streams overlap the stream).
    @Test func fourStreamsShareTheWeightStream() throws {
        var p = Self.params
        p.isa.streams = 4
        let one = try measure(rows: 512, cols: 512, params: Self.params)
        let four = try measure(rows: 512, cols: 512, params: p)
        let ratio = 4 * Double(one) / Double(four)
        #expect(ratio >= 3.2, "4 streams: tokens per cycle \(ratio) x one stream's (\(four) vs \(one) busy cycles)")
        print("512 x 512 tmatmul: 1 stream \(one) busy cycles, 4 streams \(four): \(String(format: "%.2f", ratio)) x the tokens per cycle")
    }

    /// The block's largest projection (d = 2048, I = 5632, as the down
    /// projection: 2048 rows of 5632 columns) at 1 and 8 streams on one bank:
    /// `TRIT_LONG=1 swift test --skip-build --filter TernaryThroughputTests/eightStreamsAtScale`.
    @Test(.enabled(if: isLongRun, "two 5632-element core builds run in make test-long"))
    func eightStreamsAtScale() throws {
        var one = Self.params
        one.isa.maxVectorLength = 5632
        var eight = one
        eight.isa.streams = 8
        let (rows, cols) = (2048, 5632)
        let cycles1 = try measure(rows: rows, cols: cols, params: one)
        let cycles8 = try measure(rows: rows, cols: cols, params: eight)
        let ratio = 8 * Double(cycles1) / Double(cycles8)
        print("\(rows) x \(cols) tmatmul, one bank: 1 stream \(cycles1) busy cycles, 8 streams \(cycles8): \(String(format: "%.2f", ratio)) x the tokens per cycle")
        #expect(ratio >= 6, "8 streams: \(ratio) x one stream's tokens per cycle")
    }

    /// The ternary unit's busy cycles for one `tmatmul`; the whole run in lock step with the interpreter.
    func measure(rows: Int, cols: Int, params p: CoreParameters) throws -> UInt64 {
        let report = try CoSimulation(model: Self.model(p), options: TestBenchOptions(latency: 20))
            .run(Self.program(rows: rows, cols: cols, seed: testSeed(0x512), params: p))
        #expect(report.result == .halted)
        // The weights are read once for every stream.
        let beats = TernaryMatrix.weightBeats(rows: rows, cols: cols, packing: .twoBit) * TernaryMatrix.beatBytes / p.beatBytes
        #expect(report.weightBeats == UInt64(beats))
        let busy = report.busy[CoSimulationReport.units.firstIndex(of: "ternary")!]
        print("\(rows) x \(cols) tmatmul, \(p.streams) stream(s): \(busy) cycles busy; program \(report.cycles) cycles (\(report))")
        return busy
    }

    func checkStreaming(size: Int, params p: CoreParameters, packing: WeightPacking = .twoBit) throws {
        let latency = 20
        let report = try CoSimulation(model: Self.model(p), options: TestBenchOptions(latency: latency))
            .run(Self.program(rows: size, cols: size, seed: testSeed(0x512), params: p, packing: packing))
        #expect(report.result == .halted)
        // Weight beats of the matrix (headers excluded), in core beats; B per cycle.
        let beats = TernaryMatrix.weightBeats(rows: size, cols: size, packing: packing) * TernaryMatrix.beatBytes / p.beatBytes
        let ternaryBusy = report.busy[CoSimulationReport.units.firstIndex(of: "ternary")!]
        #expect(report.weightBeats == UInt64(beats))
        // The constant: header, hit decision, request pipeline, datapath stages, rescale, write-out.
        let bound = beats / p.banks + latency + 36
        #expect(Int(ternaryBusy) <= bound, "tmatmul busy \(ternaryBusy) cycles for \(beats) beats at latency \(latency), bound \(bound)")
        print("\(size) x \(size) tmatmul (\(packing)): \(ternaryBusy) cycles busy for \(beats) weight beats (latency \(latency)); program \(report.cycles) cycles, utilization \(String(format: "%.3f", report.utilization))")
    }

    /// One model per parameter set, shared by the tests of this suite.
    nonisolated(unsafe) static var models: [String: TestBenchModel] = [:]
    static func model(_ p: CoreParameters) throws -> TestBenchModel {
        let key = String(describing: p)
        if let m = models[key] { return m }
        let m = try TestBenchModel(design: elaborate(TritCore(params: p)), parameters: p)
        models[key] = m
        return m
    }
}
