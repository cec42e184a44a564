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

    /// `tmatmul` of a random `rows` x `cols` matrix, between a load and a halt.
    static func program(rows: Int, cols: Int, seed: UInt64, params: CoreParameters,
                        packing: WeightPacking = .twoBit) throws -> ProgramImage {
        var rng = SplitMix64(seed: seed)
        let matrixAddress = (cols * 4 + 4095) / 4096 * 4096
        var image = try Assembler(config: params.isa).assemble("""
            setvl \(cols)
            ldv v1, 0
            li s1, 3.5
            tmatmul v2, v1, s1, \(matrixAddress)
            setvl \(rows)
            sv v2, 0
            halt
            .org 0
            .zero \(matrixAddress)
            """, file: "throughput.s").get()
        var activations: [UInt8] = []
        for _ in 0..<cols {
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

    func checkStreaming(size: Int, params p: CoreParameters, packing: WeightPacking = .twoBit) throws {
        let latency = 20
        let report = try CoSimulation(model: Self.model(p), options: TestBenchOptions(latency: latency))
            .run(Self.program(rows: size, cols: size, seed: testSeed(0x512), params: p, packing: packing))
        #expect(report.result == .halted)
        // Weight beats of the matrix (headers excluded), in core beats; B per cycle.
        let beats = TernaryMatrix.weightBeats(rows: size, cols: size, packing: packing) * TernaryMatrix.beatBytes / p.beatBytes
        let ternaryBusy = report.busy[CoSimulationReport.units.firstIndex(of: "ternary")!]
        #expect(report.weightBeats == UInt64(beats))
        let bound = beats / p.banks + latency + 32
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
