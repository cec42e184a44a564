import Core
import HDL
import HDLEmit
import HDLSim
import ISA
import Testing
import TestSupport

/// Each element datapath of the vector unit in Verilator against `Numeric`,
/// one input per cycle: edge values first, then seeded random inputs biased
/// toward the interesting ranges.
@Suite(.serialized) struct VectorDatapathTests {
    static let fracBitsToTest = [8, 16, 24]

    /// Random element: an edge value, a value near ONE, or any 32 bits.
    static func element(_ rng: inout SplitMix64, edges: [Int32], f: Int) -> Int32 {
        switch rng.below(10) {
        case 0..<3: return edges[rng.below(edges.count)]
        case 3..<6: return rng.int32(in: -(Int64(40) << Int64(f))...(Int64(16) << Int64(f)))
        default: return Int32(truncatingIfNeeded: rng.next())
        }
    }

    /// Runs `inputs` through the one-input pipeline `design` and compares
    /// output `out` and the `saturated` flag with `expected`.
    func check(_ design: Design, latency: Int, inputs: [[String: Int]], output: String,
               seed: UInt64, what: String, expected: ([String: Int]) -> Numeric.Clamped) throws {
        let sim = try Simulator(design)
        try sim.reset()
        var failures = 0, saturated = 0
        try runPipeline(sim, latency: latency, inputs: inputs, drive: { input in
            for (name, value) in input { try sim.poke(name, value) }
        }) { _, input in
            let got = try sim.peekSigned(output), gotFlag = try sim.peekBool("saturated"), want = expected(input)
            if want.saturated { saturated += 1 }
            if got != Int(want.value) || gotFlag != want.saturated {
                failures += 1
                if failures <= 5 {
                    let text = "seed \(seed): \(what)\(input.sorted { $0.key < $1.key }): RTL \(got) saturated \(gotFlag), "
                        + "Numeric \(want.value) saturated \(want.saturated)"
                    Issue.record(Comment(rawValue: text))
                }
            }
        }
        #expect(failures == 0, "seed \(seed): \(what): \(failures) of \(inputs.count) inputs differ")
        #expect(saturated > 0, "seed \(seed): \(what): no input saturated")
    }

    @Test func reciprocalMatchesNumeric() throws {
        let seed = testSeed(0x2EC1_0000)
        var rng = SplitMix64(seed: seed)
        var inputs: [UInt64] = [1, 2, 3, 1 << 31, (1 << 31) - 1]
        for k in 1..<31 { let p = UInt64(1) << UInt64(k); inputs += [p - 1, p, p + 1] }
        for _ in 0..<iterations(2000) { inputs.append(UInt64(rng.int(1...(1 << 31)))) }
        let unit = ReciprocalDatapath()
        let sim = try Simulator(elaborate(unit))
        try sim.reset()
        var failures = 0
        try runPipeline(sim, latency: unit.latency, inputs: inputs, drive: { try sim.poke("b", $0) }) { _, b in
            let (y, p) = Numeric.reciprocal(b)
            let gotY = try sim.peek("y"), gotP = try sim.peek("p")
            if gotY != y || gotP != UInt64(p) {
                failures += 1
                if failures <= 5 { Issue.record("seed \(seed): reciprocal(\(b)) RTL (\(gotY), \(gotP)), Numeric (\(y), \(p))") }
            }
        }
        #expect(failures == 0, "seed \(seed): \(failures) of \(inputs.count) inputs differ")
    }

    @Test(arguments: fracBitsToTest)
    func divideMatchesNumeric(_ f: Int) throws {
        let seed = testSeed(0xD1F0_0000 + UInt64(f))
        var rng = SplitMix64(seed: seed)
        let edges = edgeValues32(fracBits: f)
        var inputs: [[String: Int]] = []
        // Every pair of a few extremes, then random pairs.
        let corners: [Int32] = [0, 1, -1, Int32.max, Int32.min, Int32(1) << Int32(f), -(Int32(1) << Int32(f)), 3]
        for a in corners { for b in corners { inputs.append(["a": Int(a), "b": Int(b)]) } }
        for _ in 0..<iterations(2000) {
            inputs.append(["a": Int(Self.element(&rng, edges: edges, f: f)), "b": Int(Self.element(&rng, edges: edges, f: f))])
        }
        let unit = DivideDatapath(fracBits: f)
        try check(elaborate(unit), latency: unit.latency, inputs: inputs, output: "q", seed: seed, what: "div F=\(f) ") {
            Numeric.divReporting(Int32($0["a"]!), Int32($0["b"]!), f: f)
        }
    }

    @Test(arguments: fracBitsToTest)
    func expMatchesNumeric(_ f: Int) throws {
        let seed = testSeed(0xE4B0_0000 + UInt64(f))
        var rng = SplitMix64(seed: seed)
        let edges = edgeValues32(fracBits: f)
        // Around the saturation (x ~ (31 - F) ln 2) and underflow ends too.
        var inputs = edges.map { ["x": Int($0)] }
        let one = Int64(1) << Int64(f)
        for _ in 0..<iterations(2000) {
            let x = rng.chance(0.3) ? rng.int32(in: (-30 * one)...(12 * one)) : Self.element(&rng, edges: edges, f: f)
            inputs.append(["x": Int(x)])
        }
        let unit = ExpDatapath(fracBits: f)
        try check(elaborate(unit), latency: unit.latency, inputs: inputs, output: "y", seed: seed, what: "exp F=\(f) ") {
            Numeric.expReporting(Int32($0["x"]!), f: f)
        }
    }

    @Test(arguments: fracBitsToTest)
    func rsqrtMatchesNumeric(_ f: Int) throws {
        let seed = testSeed(0x25C7_0000 + UInt64(f))
        var rng = SplitMix64(seed: seed)
        let edges = edgeValues32(fracBits: f)
        var inputs = edges.map { ["x": Int($0)] }
        for _ in 0..<iterations(2000) {
            let x = rng.chance(0.5) ? Int32(rng.int(1...Int(Int32.max)) >> rng.int(0...30)) : Self.element(&rng, edges: edges, f: f)
            inputs.append(["x": Int(x)])
        }
        let unit = RsqrtDatapath(fracBits: f)
        try check(elaborate(unit), latency: unit.latency, inputs: inputs, output: "y", seed: seed, what: "rsqrt F=\(f) ") {
            Numeric.rsqrtReporting(Int32($0["x"]!), f: f)
        }
    }

    /// Every op, a different one each cycle, against `VectorLaneOp.referenceReporting`.
    @Test(arguments: [16, 24])
    func laneMatchesNumeric(_ f: Int) throws {
        let seed = testSeed(0x1A4E_0000 + UInt64(f))
        var rng = SplitMix64(seed: seed)
        let edges = edgeValues32(fracBits: f)
        var inputs: [[String: Int]] = []
        for op in VectorLaneOp.allCases {
            for a in [Int32.min, Int32.max, 0, -1, 1] {
                for b in [Int32.min, Int32.max, 0, -1] {
                    inputs.append(["op": op.rawValue, "a": Int(a), "b": Int(b), "d": Int(edges[rng.below(edges.count)])])
                }
            }
        }
        for _ in 0..<iterations(3000) {
            inputs.append(["op": rng.below(VectorLaneOp.allCases.count),
                           "a": Int(Self.element(&rng, edges: edges, f: f)),
                           "b": Int(Self.element(&rng, edges: edges, f: f)),
                           "d": Int(Self.element(&rng, edges: edges, f: f))])
        }
        let lane = VectorLane(fracBits: f)
        try check(elaborate(lane), latency: lane.latency, inputs: inputs, output: "result", seed: seed, what: "lane F=\(f) ") {
            let op = VectorLaneOp(rawValue: $0["op"]!)!
            return op.referenceReporting(a: Int32($0["a"]!), b: Int32($0["b"]!), d: Int32($0["d"]!), f: f)
        }
    }

    @Test func laneLintClean() throws {
        let design = try elaborate(VectorLane())
        let files = SystemVerilogEmitter().files(for: design)
        let verilator = try Lint.verilator(files, top: design.top.name)
        #expect(verilator.isEmpty, "\(verilator)")
        let yosys = try Lint.yosys(files, top: design.top.name).problems
        #expect(yosys.isEmpty, "\(yosys)")
    }
}
