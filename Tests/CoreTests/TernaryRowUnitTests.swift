import Core
import HDL
import HDLEmit
import HDLSim
import ISA
import Testing
import TestSupport

/// The ternary datapath against `Numeric`: the same rows, the same results,
/// bit for bit, with a new beat every cycle.
@Suite(.serialized) struct TernaryRowUnitTests {
    @Test(arguments: [16, 256])
    func lintClean(_ lanes: Int) throws {
        let design = try elaborate(TernaryRowUnit(lanes: lanes))
        let files = SystemVerilogEmitter().files(for: design)
        let problems = try Lint.verilator(files, top: design.top.name)
        #expect(problems.isEmpty, "\(problems)")
        #expect(try Lint.yosys(files, top: design.top.name).problems.isEmpty)
    }

    /// A row: its trits, and whether to put an illegal code inside it.
    struct Row {
        var trits: [Int8]
        var illegalAt: Int?
    }

    @Test(arguments: [16, 256])
    func rowsMatchTheInterpreter(_ lanes: Int) throws {
        let seed = testSeed(0x7E57_0000 + UInt64(lanes))
        var rng = SplitMix64(seed: seed)
        let unit = TernaryRowUnit(lanes: lanes)
        let sim = try Simulator(elaborate(unit))
        try sim.reset()
        let f = CoreConfig.standard.fracBits

        for matrix in 0..<iterations(6) {
            // Columns that do not fill the last beat exercise the lane mask.
            let cols = rng.int(1...(3 * lanes + lanes / 2))
            let rows = rng.int(1...5)
            let activations = (0..<cols).map { _ in rng.chance(0.1) ? Int8(-128) : Int8(truncatingIfNeeded: rng.int(-127...127)) }
            // Scales as the interpreter makes them: weight scale and activation scale in Q.F.
            let k = Numeric.matmulScale(weightScale: Int32(rng.int(1...(1 << 20))), activationScale: Int32(rng.int(1...(1 << 24))))
            let table = (0..<rows).map { _ in
                Row(trits: (0..<cols).map { _ in Int8(rng.int(-1...1)) }, illegalAt: rng.chance(0.2) ? rng.int(0...(cols - 1)) : nil)
            }
            var expected: [Int32] = []
            var expectedBad = 0
            var got: [Int32] = []
            var badSeen = 0
            let beatsPerRow = (cols + lanes - 1) / lanes

            func collect() throws {
                if try sim.peekBool("out_valid") { got.append(Int32(truncatingIfNeeded: try sim.peekSigned("out_value"))) }
                if try sim.peekBool("bad_weight") { badSeen += 1 }
            }

            for row in table {
                let acc = zip(row.trits, activations).reduce(Int32(0)) { $0 + Int32($1.0) * Int32($1.1) }
                expected.append(Numeric.matmulOutput(acc, scale: k, f: f))
                if row.illegalAt != nil { expectedBad += 1 }
                for beat in 0..<beatsPerRow {
                    var weights = BitVector.zero(2 * lanes), mask = BitVector.zero(lanes)
                    var acts = [Int](repeating: 0, count: lanes)
                    for lane in 0..<lanes {
                        let c = beat * lanes + lane
                        var code = UInt64(TernaryMatrix.code(c < cols ? row.trits[c] : 0))
                        if c == row.illegalAt { code = 0b10 }
                        // Padding lanes carry junk that must be ignored.
                        if c >= cols { code = UInt64(rng.int(0...3)) }
                        weights = weights.setting(bits: code, at: 2 * lane, width: 2)
                        if c < cols {
                            mask = mask.setting(bits: 1, at: lane, width: 1)
                            acts[lane] = Int(activations[c])
                        } else {
                            acts[lane] = rng.int(-128...127)
                        }
                    }
                    try sim.poke("in_valid", true)
                    try sim.poke("in_last", beat == beatsPerRow - 1)
                    try sim.poke("weights", weights)
                    try sim.poke("activations", elements: acts)
                    try sim.poke("lane_mask", mask)
                    try sim.poke("scale", Int(k))
                    try sim.step()
                    try collect()
                }
            }
            try sim.poke("in_valid", false)
            for _ in 0..<(unit.latency + 2) {
                try sim.step()
                try collect()
            }
            // Where a row held an illegal code, its (meaningless) value is still produced;
            // the core faults on bad_weight. Compare the legal rows' values.
            #expect(got.count == expected.count, "seed \(seed), matrix \(matrix): \(got.count) results for \(rows) rows")
            for (i, (g, e)) in zip(got, expected).enumerated() where table[i].illegalAt == nil {
                #expect(g == e, "seed \(seed), matrix \(matrix), row \(i) (\(cols) columns, K \(k)): RTL \(g), interpreter \(e)")
            }
            #expect(badSeen == expectedBad, "seed \(seed), matrix \(matrix): bad_weight pulses \(badSeen), expected \(expectedBad)")
        }
    }
}

extension BitVector {
    /// A copy with `width` bits at `lsb` replaced by the low bits of `value`.
    func setting(bits value: UInt64, at lsb: Int, width: Int) -> BitVector {
        var w = words
        for i in 0..<width {
            let bit = lsb + i
            let mask = UInt64(1) << UInt64(bit % 64)
            if (value >> UInt64(i)) & 1 == 1 { w[bit / 64] |= mask } else { w[bit / 64] &= ~mask }
        }
        return BitVector(width: self.width, words: w)
    }
}
