import Core
import HDL
import HDLEmit
import HDLSim
import ISA
import Testing
import TestSupport

/// The rsqrt pipeline against `Numeric.rsqrtCore`, one input per cycle.
@Suite(.serialized) struct RsqrtCoreTests {
    @Test func lintClean() throws {
        let design = try elaborate(RsqrtCore())
        let files = SystemVerilogEmitter().files(for: design)
        let verilator = try Lint.verilator(files, top: design.top.name)
        #expect(verilator.isEmpty, "\(verilator)")
        let yosys = try Lint.yosys(files, top: design.top.name).problems
        #expect(yosys.isEmpty, "\(yosys)")
    }

    @Test func matchesNumeric() throws {
        let seed = testSeed(0x5152_5351)
        var rng = SplitMix64(seed: seed)
        // Every power of two and its neighbours, the largest input, then
        // random values of every bit length.
        var inputs: [UInt64] = [1, 2, 3, UInt64.max, UInt64.max - 1]
        for k in 1..<64 {
            let p = UInt64(1) << UInt64(k)
            inputs += [p, p - 1, p + 1, p | (p >> 1), p | ((p >> 1) - 1)]
        }
        for _ in 0..<iterations(3000) {
            let bits = rng.int(1...64)
            let v = bits == 64 ? rng.next() : rng.next() & ((UInt64(1) << UInt64(bits)) - 1)
            inputs.append(max(v, 1))
        }
        let core = RsqrtCore()
        let sim = try Simulator(elaborate(core))
        try sim.reset()
        var failures = 0
        try runPipeline(sim, latency: core.latency, inputs: inputs, drive: { try sim.poke("m", $0) }) { _, m in
            let (y, e) = Numeric.rsqrtCore(m)
            let gotY = try sim.peek("y"), gotE = try sim.peek("e")
            if gotY != y || gotE != UInt64(e) {
                failures += 1
                if failures <= 5 { Issue.record("seed \(seed): rsqrtCore(\(m)) RTL (\(gotY), \(gotE)), Numeric (\(y), \(e))") }
            }
        }
        #expect(failures == 0, "seed \(seed): \(failures) of \(inputs.count) inputs differ")
    }

    /// Every stage within the 300 MHz depth budget of docs/silicon.md's rules.
    @Test func stagesAreAtMostFourLUTLevels() throws {
        let path = try deepestPath(of: RsqrtCore())
        #expect(path.lutLevels <= 4, "deepest path \(path.start) -> \(path.end): \(path.lutLevels) LUT levels")
    }

    /// The scaling after the core too (its shift and rounding were one stage of 6 levels).
    @Test func theDatapathsStagesAreAtMostFourLUTLevels() throws {
        let path = try deepestPath(of: RsqrtDatapath())
        #expect(path.lutLevels <= 4, "deepest path \(path.start) -> \(path.end): \(path.lutLevels) LUT levels")
    }
}
