import Core
import HDL
import HDLEmit
import HDLSim
import ISA
import Testing
import TestSupport

/// The ternary write-out's rescale against `Numeric.mulShiftSatReporting`,
/// one chunk per cycle, and its depth in the Intel flow.
@Suite(.serialized) struct RescalePipelineTests {
    /// The ternary unit's shape: 22-bit row sums (up to 8192 int8 products), 16 lanes.
    let rescale = RescalePipeline(lanes: 16, valueBits: 22, fracBits: 16, tagBits: 5)

    @Test func lintClean() throws {
        let design = try elaborate(rescale)
        let files = SystemVerilogEmitter().files(for: design)
        let verilator = try Lint.verilator(files, top: design.top.name)
        #expect(verilator.isEmpty, "\(verilator)")
    }

    struct Chunk {
        var values: [Int]
        var scale: Int64
        var tag: UInt64
    }

    @Test func matchesNumeric() throws {
        let seed = testSeed(0x5245_5343)
        var rng = SplitMix64(seed: seed)
        let limit = 1 << (rescale.valueBits - 1)
        let edges = [0, 1, -1, limit - 1, -limit, 127 * 8192, -127 * 8192]
        let scales: [Int64] = [0, 1, -1, Int64.max, Int64.min, 1 << 26, (1 << 26) - 1, 1 << 52, -(1 << 52), 65536, 3 << 40]
        var chunks: [Chunk] = []
        for _ in 0..<iterations(400) {
            let scale = rng.int(0...3) == 0 ? scales[rng.int(0...(scales.count - 1))]
                : Int64(bitPattern: rng.next()) >> Int64(rng.int(0...63))
            let values = (0..<rescale.lanes).map { _ in
                rng.int(0...4) == 0 ? edges[rng.int(0...(edges.count - 1))] : rng.int(-limit...(limit - 1))
            }
            chunks.append(Chunk(values: values, scale: scale, tag: UInt64(rng.int(0...31))))
        }
        let sim = try Simulator(elaborate(rescale))
        try sim.reset()
        var failures = 0
        try runPipeline(sim, latency: RescalePipeline.latency, inputs: chunks, drive: { c in
            try sim.poke("in_valid", true)
            try sim.poke("in_values", elements: c.values)
            try sim.poke("in_scale", UInt64(bitPattern: c.scale))
            try sim.poke("in_tag", c.tag)
        }) { i, c in
            let bits = try sim.peekBits("out_values"), saturated = try sim.peek("out_saturated")
            let valid = try sim.peekBool("out_valid"), tag = try sim.peek("out_tag")
            if !valid || tag != c.tag { failures += 1; Issue.record("seed \(seed): chunk \(i): valid \(valid), tag \(tag) not \(c.tag)") }
            for (lane, v) in c.values.enumerated() {
                let want = Numeric.mulShiftSatReporting(Int64(v), c.scale, rescale.fracBits)
                let got = Int32(truncatingIfNeeded: bits.bits(lane * 32, count: 32).uint64 ?? 0)
                let clamped = (saturated >> UInt64(lane)) & 1 == 1
                if got != want.value || clamped != want.saturated {
                    failures += 1
                    if failures <= 5 {
                        Issue.record("seed \(seed): \(v) * \(c.scale) >> \(rescale.fracBits): RTL (\(got), \(clamped)), Numeric \(want)")
                    }
                }
            }
        }
        try sim.poke("in_valid", false)
        try sim.step(RescalePipeline.latency)
        #expect(try !sim.peekBool("busy"), "seed \(seed): busy after the pipeline drained")
        #expect(failures == 0, "seed \(seed): \(failures) lanes of \(chunks.count) chunks differ")
    }

    /// The point of the stages: none is deeper than the 300 MHz budget of
    /// docs/silicon.md's rules (4 LUT levels; the single-cycle form was 30).
    @Test func noStageIsDeeperThanFourLUTLevels() throws {
        let path = try deepestPath(of: rescale)
        #expect(path.lutLevels <= 4, "deepest path \(path.start) -> \(path.end): \(path.lutLevels) LUT levels")
    }
}
