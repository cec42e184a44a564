import Foundation
import HDL
import HDLEmit
import HDLLib
import HDLSim
import Testing

/// The Intel ALM flow (`trit rtl --resources`): memories become M20K
/// blocks, ROMs included; paths, the ALM estimate and the cache; and the
/// ways it can fail. Each design is small: every test takes seconds.
@Suite struct IntelSynthesisTests {
    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trit-intel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func job(_ module: some Module) throws -> IntelSynthesisJob {
        let design = try elaborate(module)
        return IntelSynthesisJob(top: design.top.name, files: SystemVerilogEmitter().files(for: design))
    }

    func run(_ job: IntelSynthesisJob, yosys: String = "yosys", timeout: Double? = 120, cache: URL? = nil) throws -> IntelSynthesisResult {
        let dir = try cache ?? scratch()
        defer { if cache == nil { try? FileManager.default.removeItem(at: dir) } }
        return try IntelFlow.run(job, options: .init(yosys: yosys, timeoutSeconds: timeout, cacheDirectory: dir))
    }

    @Test func aRAMBecomesM20KBlocksNotRegisters() throws {
        let r = try run(job(SimpleRAM(width: 32, depth: 1024)))
        // 1024 x 32 bits: two blocks in 512 x 40 mode (or 1024 x 20); not 32,768 flip-flops.
        #expect(r.resources.m20k == 2, "\(r.cellTypes)")
        #expect(r.resources.flipFlops < 64, "\(r.cellTypes)")
        #expect(!r.cacheHit)
    }

    @Test func anInitializedROMMapsToM20K() throws {
        // Yosys's own M20K map refuses initialized memories (no INIT parameter); the flow's accepts them.
        let contents = (0..<1024).map { BitVector(width: 16, value: ($0 * 37 + 5) & 0xffff) }
        let r = try run(job(ROM(name: "Table", width: 16, contents: contents)))
        #expect(r.resources.m20k == 1, "\(r.cellTypes)")
        #expect(r.resources.alms < 20, "\(r.cellTypes)")
    }

    @Test func anAdderPathHasCarryHops() throws {
        // Registered 32-bit add: one carry chain between registers.
        let files = [EmittedFile(name: "Add.sv", contents: """
            module Add(input logic clk, input logic [31:0] a, b, output logic [31:0] q);
              logic [31:0] ra, rb;
              always_ff @(posedge clk) begin ra <= a; rb <= b; q <= ra + rb; end
            endmodule

            """)]
        let r = try run(IntelSynthesisJob(top: "Add", files: files))
        let p = try #require(r.longestPath)
        #expect(p.lutLevels == 1 && p.carryHops >= 30 && p.dsps == 0, "\(p)")
        // Not the chain's constant carry-in: the registers' nets.
        #expect(p.start.hasPrefix("r") && !p.end.isEmpty, "\(p)")
        #expect(r.resources.adderBits >= 32 && r.resources.flipFlops == 96, "\(r.cellTypes)")
    }

    @Test func aShortPathThroughADSPIsFound() throws {
        // A product and one LUT after it (few cells, slow), beside a 64-input AND (more cells, fast).
        let files = [EmittedFile(name: "Mix.sv", contents: """
            module Mix(input logic clk, input logic [19:0] a, b, input logic [63:0] w, output logic q, output logic p);
              logic [19:0] ra, rb;
              logic [63:0] rw;
              always_ff @(posedge clk) begin
                ra <= a; rb <= b; rw <= w;
                q <= &rw;
                p <= ^((ra * rb) & 40'hFF00FF00FF);
              end
            endmodule

            """)]
        let r = try run(IntelSynthesisJob(top: "Mix", files: files))
        #expect(r.resources.dsps > 0, "\(r.cellTypes)")
        let dsp = try #require(r.dspPath)
        #expect(dsp.dsps == 1, "\(dsp)")
        // The slowest path by the estimate is the one through the DSP block.
        #expect(r.criticalPath?.dsps == 1, "\(String(describing: r.criticalPath))")
    }

    @Test func ltpReportsAreRead() {
        let text = """
            4. Executing LTP pass (find longest path).

            Longest topological path in top (length=5):
                0: \\lanes_3.acc [7]
                1: \\x_MISTRAL_ALUT6_A_Q [0] (via x_MISTRAL_ALUT6_A)
                2: \\s_CO [0] (via trit_arith_4)
                3: \\s_CO [1] (via trit_arith_9)
                4: \\m_Y [3] (via trit_dsp_1)
                5: \\out_MISTRAL_FF_Q_DATAIN [2] (via out_MISTRAL_ALUT3_B)

            """
        let p = LogicPath.parse(ltp: text)
        #expect(p == LogicPath(start: "lanes_3.acc[7]", end: "out[2]", lutLevels: 3, carryHops: 1, dsps: 1))
        #expect(LogicPath.parse(ltp: "Longest topological path in top (length=-1):\n") == nil)
        // 0.487 + 3 x 0.6 + 0.016 + 3.9 ns.
        #expect(abs(TimingEstimate.nanoseconds(p!) - 6.203) < 1e-9)
        #expect(TimingEstimate.levels(at: 300) == 4)
    }

    @Test func theALMEstimateFollowsItsRule() {
        var r = IntelResources(cellTypes: ["MISTRAL_ALUT6": 10, "MISTRAL_ALUT3": 5, "MISTRAL_ALUT2": 2, "MISTRAL_ALUT_ARITH": 7,
                                           "MISTRAL_MLAB": 21, "MISTRAL_FF": 40, "altsyncram": 3, "MISTRAL_MUL27X27": 2,
                                           "MISTRAL_MUL18X18": 3, "SomeBlackBox": 1])
        // 10 + ceil(7 / 2) + ceil(7 / 2) + 10 x ceil(21 / 20) = 10 + 4 + 4 + 20.
        #expect(r.alms == 38 && r.mlabs == 2)
        #expect(r.m20k == 3 && r.dsps == 2 + 2 && r.flipFlops == 40)
        // Registers bound it from below: four per ALM.
        r.flipFlops = 400
        #expect(r.alms == 100)
    }

    @Test func aSecondRunComesFromTheCacheWithoutSynthesis() throws {
        let cache = try scratch()
        defer { try? FileManager.default.removeItem(at: cache) }
        let j = try job(Counter(width: 8))
        let first = try run(j, cache: cache)
        #expect(!first.cacheHit && first.resources.flipFlops == 8)
        // A Yosys that answers -V as the real one does and fails at anything else.
        let real = try #require(ExternalTool.find("yosys"))
        let fake = cache.appendingPathComponent("fake-yosys")
        let calls = cache.appendingPathComponent("calls")
        try "#!/bin/sh\nif [ \"$1\" = -V ]; then exec \(real) -V; fi\necho \"$@\" >> \(calls.path)\nexit 1\n"
            .write(to: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        let second = try run(j, yosys: fake.path, cache: cache)
        #expect(second.cacheHit)
        #expect(second.cellTypes == first.cellTypes && second.longestPath == first.longestPath)
        #expect(!FileManager.default.fileExists(atPath: calls.path))
        // Another design is not in the cache: the fake is asked to synthesize, and its failure is reported.
        #expect(throws: IntelFlowError.self) { try run(try job(Counter(width: 9)), yosys: fake.path, cache: cache) }
        #expect(FileManager.default.fileExists(atPath: calls.path))
    }

    @Test func failuresAreClearErrors() throws {
        let j = try job(Counter(width: 8))
        let missing = #expect(throws: ExternalTool.Failure.self) { try run(j, yosys: "/nonexistent/yosys") }
        #expect(missing.map { "\($0)" }?.contains("not installed") == true)
        let slow = #expect(throws: IntelFlowError.self) { try run(try job(SimpleRAM(width: 32, depth: 1024)), timeout: 0.05) }
        #expect(slow.map { "\($0)" }?.contains("did not finish within") == true, "\(String(describing: slow))")
        let broken = IntelSynthesisJob(top: "Broken", files: [EmittedFile(name: "Broken.sv", contents: "module Broken(; endmodule\n")])
        let failed = #expect(throws: IntelFlowError.self) { try run(broken) }
        #expect(failed.map { "\($0)" }?.contains("yosys synthesis of Broken failed") == true)
    }
}
