import Core
import HDL
import HDLEmit
import HDLSim
import ISA
import Testing
import TestSupport

/// The reduction unit against `Numeric`: random absmax / quant / norm
/// instructions on a register file modelled in Swift, with vectors biased
/// to the edges of the numeric contract. Registers, retirement records and
/// the unit contract's timing are checked after every instruction.
@Suite(.serialized) struct ReductionUnitTests {
    static let small = CoreParameters(isa: CoreConfig(vectorRegisters: 4, scalarRegisters: 4, maxVectorLength: 64),
                                      dataBits: 128, addressBits: 27, maxBurst: 64, outstandingBeats: 64)

    @Test(arguments: [128, 512])
    func lintClean(_ dataBits: Int) throws {
        let p = dataBits == 512 ? CoreParameters.d5005 : Self.small
        let design = try elaborate(ReductionUnit(params: p))
        let files = SystemVerilogEmitter().files(for: design)
        let lines = files.map { $0.contents.split(separator: "\n", omittingEmptySubsequences: false).count }.reduce(0, +)
        print("ReductionUnit at \(dataBits) bits: \(files.count) files, \(lines) lines of SystemVerilog")
        let problems = try Lint.verilator(files, top: design.top.name)
        #expect(problems.isEmpty, "\(problems)")
        #expect(try Lint.yosys(files, top: design.top.name).problems.isEmpty)
    }

    @Test func instructionsMatchNumeric() throws {
        let seed = testSeed(0x12ED_0C71)
        var rng = SplitMix64(seed: seed)
        let bench = try ReductionBench(Self.small)
        let p = Self.small
        for r in 0..<p.isa.vectorRegisters { bench.regs[r] = ReductionBench.vector(&rng, count: p.isa.maxVectorLength) }

        for n in 0..<iterations(150) {
            // Fresh contents now and then, so every register sees every profile.
            if rng.chance(0.5) { bench.regs[rng.below(p.isa.vectorRegisters)] = ReductionBench.vector(&rng, count: p.isa.maxVectorLength) }
            let ins = ReductionBench.instruction(&rng, p, regs: bench.regs)
            try bench.run(ins, seed: seed, index: n)
        }
        // Saturation is exercised: clamped quant codes and norm outputs.
        #expect((bench.saturatedByOp[.quant] ?? 0) > 0 && (bench.saturatedByOp[.norm] ?? 0) > 0,
                "seed \(seed): saturations \(bench.saturatedByOp)")
        print("reduction unit cycles from start to done (lanes \(p.vectorLanes)): "
              + bench.cycleLog.keys.sorted().map { "\($0): \(bench.cycleLog[$0]!)" }.joined(separator: ", "))
    }

    /// Four streams, one to four of them active: each active stream's
    /// registers and absmax as if it ran alone, the record summed over them,
    /// the inactive streams untouched.
    @Test func streamsMatchNumeric() throws {
        let p = CoreParameters(isa: CoreConfig(vectorRegisters: 4, scalarRegisters: 4, maxVectorLength: 64, streams: 4),
                               dataBits: 128, addressBits: 27, maxBurst: 64, outstandingBeats: 64)
        let seed = testSeed(0x12ED_0C74)
        var rng = SplitMix64(seed: seed)
        let bench = try ReductionBench(p)
        let maxVL = p.isa.maxVectorLength
        for s in 0..<p.streams {
            for r in 0..<p.isa.vectorRegisters { bench.streamRegs[s][r] = ReductionBench.vector(&rng, count: maxVL) }
        }
        for n in 0..<iterations(60) {
            bench.active = rng.int(1...p.streams)
            let s = rng.below(p.streams)
            if rng.chance(0.5) { bench.streamRegs[s][rng.below(p.isa.vectorRegisters)] = ReductionBench.vector(&rng, count: maxVL) }
            let ins = ReductionBench.instruction(&rng, p, regs: bench.regs)
            // Each stream's own sb: its absmax now and then, so quant sees realistic scales.
            bench.streamScalars = (0..<p.streams).map { t in
                rng.chance(0.5) ? bench.streamRegs[t][ins.ra][0..<ins.vl].withContiguousStorageIfAvailable { Numeric.absmax($0) }!
                                : Int32(truncatingIfNeeded: rng.next())
            }
            try bench.run(ins, seed: seed, index: n)
        }
        print("reduction unit cycles from start to done (lanes \(p.vectorLanes), streams): "
              + bench.cycleLog.keys.sorted().map { "\($0): \(bench.cycleLog[$0]!)" }.joined(separator: ", "))
    }

    /// The real width (16 lanes, a tree of 4 levels) on a short register file.
    @Test func fullWidthInstructions() throws {
        let p = CoreParameters(isa: CoreConfig(vectorRegisters: 4, scalarRegisters: 4, maxVectorLength: 128), dataBits: 512)
        let seed = testSeed(0x12ED_0C73)
        var rng = SplitMix64(seed: seed)
        let bench = try ReductionBench(p)
        for r in 0..<p.isa.vectorRegisters { bench.regs[r] = ReductionBench.vector(&rng, count: p.isa.maxVectorLength) }
        for n in 0..<iterations(40) {
            if rng.chance(0.5) { bench.regs[rng.below(p.isa.vectorRegisters)] = ReductionBench.vector(&rng, count: p.isa.maxVectorLength) }
            try bench.run(ReductionBench.instruction(&rng, p, regs: bench.regs), seed: seed, index: n)
        }
        print("reduction unit cycles from start to done (lanes \(p.vectorLanes)): "
              + bench.cycleLog.keys.sorted().map { "\($0): \(bench.cycleLog[$0]!)" }.joined(separator: ", "))
    }

    /// `quant` ties in the RTL: with scale 254 every odd element is a half,
    /// which must round away from zero (checked against `Numeric` and pinned).
    @Test func quantTiesRoundAwayFromZero() throws {
        let p = Self.small
        let bench = try ReductionBench(p)
        let maxVL = p.isa.maxVectorLength
        bench.regs[0] = (0..<maxVL).map { (i: Int) -> Int32 in Int32(i % 2 == 0 ? i + 1 : -i) }   // 1, -1, 3, -3, 5, ...
        try bench.run(ReductionBench.Instruction(op: .quant, rd: 2, ra: 0, rb: 1, vl: maxVL, scalar: 254, imm: 0), seed: 0, index: 0)
        #expect(Array(bench.regs[2][0..<6]) == [1, -1, 2, -2, 3, -3])
    }

    /// Each operation at each edge length, including VL = 1 and the maximum.
    @Test func edgeCases() throws {
        let seed = testSeed(0x12ED_0C72)
        var rng = SplitMix64(seed: seed)
        let p = Self.small
        let bench = try ReductionBench(p)
        let maxVL = p.isa.maxVectorLength, lanes = p.vectorLanes
        let minimum = [Int32](repeating: Int32.min, count: maxVL)
        let zeros = [Int32](repeating: 0, count: maxVL)
        let maximum = [Int32](repeating: Int32.max, count: maxVL)
        let ones = (0..<maxVL).map { $0 % 2 == 0 ? Int32(1) : Int32(-1) }
        var n = 0
        for contents in [minimum, zeros, maximum, ones] {
            bench.regs[0] = contents
            bench.regs[1] = ReductionBench.vector(&rng, count: maxVL)
            for vl in [1, lanes - 1, lanes, lanes + 1, maxVL - 1, maxVL] {
                for op in [Opcode.absmax, .quant, .norm] {
                    for (scalar, eps) in [(Int32(0), UInt32(0)), (Int32.min, UInt32.max), (Int32(1), UInt32(1)), (Int32.max, UInt32(42950))] {
                        try bench.run(ReductionBench.Instruction(op: op, rd: 2, ra: 0, rb: 1, vl: vl, scalar: scalar, imm: eps), seed: seed, index: n)
                        n += 1
                    }
                }
            }
        }
        // absmax of INT32_MIN saturates; so do quant with a small scale and norm of INT32_MAX.
        #expect([Opcode.absmax, .quant, .norm].allSatisfy { (bench.saturatedByOp[$0] ?? 0) > 0 }, "\(bench.saturatedByOp)")
    }
}

/// The unit in Verilator, with the register file and the checks.
final class ReductionBench {
    struct Instruction: CustomStringConvertible {
        var op: Opcode
        var rd, ra, rb: Int
        var vl: Int
        var scalar: Int32
        var imm: UInt32
        var description: String { "\(op) rd \(rd) ra \(ra) rb \(rb) vl \(vl) scalar \(scalar) imm \(imm)" }
    }

    let p: CoreParameters
    let sim: Simulator
    /// Each stream's vector registers.
    var streamRegs: [[[Int32]]]
    /// Stream 0's registers.
    var regs: [[Int32]] {
        get { streamRegs[0] }
        set { streamRegs[0] = newValue }
    }
    /// Streams the next instructions run for (1 ... streams), and each stream's sb (stream 0's is the instruction's).
    var active = 1
    var streamScalars: [Int32]
    /// Cycles from start to done by (operation, vl).
    var cycleLog: [String: Int] = [:]
    /// Saturated elements the instructions run so far should have reported, by operation.
    var saturatedByOp: [Opcode: Int] = [:]
    let lanes: Int

    init(_ p: CoreParameters) throws {
        self.p = p
        lanes = p.vectorLanes
        sim = try Simulator(elaborate(ReductionUnit(params: p)))
        let b = sim.build
        if !b.cacheHit { print("ReductionUnit model (\(p.dataBits) bits): verilate \(b.verilateSeconds) s, compile \(b.compileSeconds) s") }
        let zeros = Array(repeating: Array(repeating: Int32(0), count: p.isa.maxVectorLength), count: p.isa.vectorRegisters)
        streamRegs = Array(repeating: zeros, count: p.streams)
        streamScalars = Array(repeating: 0, count: p.streams)
        try sim.reset()
    }

    /// What the interpreter would do for the active streams: the new registers, the record and each stream's scalar.
    func expected(_ ins: Instruction) -> (regs: [[[Int32]]], count: UInt32, digest: UInt32, saturations: UInt32, scalars: [Int32]?) {
        let f = p.isa.fracBits
        var out = streamRegs
        var count: UInt32 = 0, digest: UInt32 = 0, clamped: UInt32 = 0, scalars: [Int32] = []
        for s in 0..<active {
            let x = Array(streamRegs[s][ins.ra][0..<ins.vl])
            func write(_ i: Int, _ r: Numeric.Clamped) {
                out[s][ins.rd][i] = r.value
                if r.saturated { clamped += 1 }
            }
            switch ins.op {
            case .absmax:
                let v = x.withUnsafeBufferPointer { Numeric.absmaxReporting($0) }
                scalars.append(v.value)
                count += 1
                digest &+= Digest.of(CollectionOfOne(v.value))
                if v.saturated { clamped += 1 }
                continue
            case .quant:
                let q = Numeric.quantMultiplier(s == 0 ? ins.scalar : streamScalars[s])
                for i in 0..<ins.vl { write(i, Numeric.quantizeReporting(x[i], multiplier: q)) }
            default:
                let scale = x.withUnsafeBufferPointer { Numeric.rmsScale($0, epsQ: ins.imm, f: f) }
                let wts = Array(streamRegs[s][ins.rb][0..<ins.vl])
                for i in 0..<ins.vl { write(i, Numeric.rmsApplyReporting(x[i], scale: scale, weight: wts[i], f: f)) }
            }
            count += UInt32(ins.vl)
            digest &+= Digest.of(out[s][ins.rd][0..<ins.vl])
        }
        return (out, count, digest, clamped, ins.op == .absmax ? scalars : nil)
    }

    /// The register file's row `row` of register `reg`: a stream's chunk.
    func chunk(_ reg: Int, row: Int) -> [Int] {
        let (s, c) = (row >> p.chunkBits, row & ((1 << p.chunkBits) - 1))
        return (0..<lanes).map { j in
            let i = c * lanes + j
            return s < streamRegs.count && reg < streamRegs[s].count && i < p.isa.maxVectorLength ? Int(streamRegs[s][reg][i]) : 0
        }
    }

    struct Outputs {
        var done = false, idle = false
        var count: UInt32 = 0, digest: UInt32 = 0, saturations: UInt32 = 0, scalar: Int32 = 0, fault = 0
        var results: [Int32] = []
    }

    /// One clock cycle: sample the outputs, clock, apply the write, answer the reads.
    func cycle() throws -> Outputs {
        sim.eval()
        var o = Outputs()
        o.done = try sim.peekBool("done")
        o.idle = try sim.peekBool("idle")
        o.count = UInt32(try sim.peek("done_count"))
        o.digest = UInt32(try sim.peek("done_digest"))
        o.saturations = UInt32(try sim.peek("done_saturations"))
        o.scalar = Int32(truncatingIfNeeded: try sim.peekSigned("done_scalar"))
        o.fault = Int(try sim.peek("done_fault"))
        if p.streams > 1 {
            let bits = try sim.peekBits("stream_results")
            o.results = (0..<p.streams).map { Int32(truncatingIfNeeded: bits.bits(32 * $0, count: 32).words[0]) }
        }
        let aData = chunk(Int(try sim.peek("a_reg")), row: Int(try sim.peek("a_chunk")))
        let bData = chunk(Int(try sim.peek("b_reg")), row: Int(try sim.peek("b_chunk")))
        if try sim.peekBool("w_valid") {
            let reg = Int(try sim.peek("w_reg")), row = Int(try sim.peek("w_chunk"))
            let (s, c) = (row >> p.chunkBits, row & ((1 << p.chunkBits) - 1))
            let mask = try sim.peek("w_mask")
            let data = try sim.peekBits("w_data")
            for j in 0..<lanes where (mask >> UInt64(j)) & 1 == 1 {
                let v = Int32(truncatingIfNeeded: data.bits(32 * j, count: 32).words[0])
                streamRegs[s][reg][c * lanes + j] = v
            }
        }
        try sim.step()
        try sim.poke("a_data", elements: aData)
        try sim.poke("b_data", elements: bData)
        return o
    }

    func run(_ ins: Instruction, seed: UInt64, index: Int) throws {
        let context = "seed \(seed), instruction \(index), \(active) of \(p.streams) streams: \(ins)"
        let want = expected(ins)
        let before = try cycle()
        #expect(before.idle, "\(context): not idle before start")
        try sim.poke("start", true)
        try sim.poke("op", UInt64(ins.op.rawValue))
        try sim.poke("rd", UInt64(ins.rd))
        try sim.poke("ra", UInt64(ins.ra))
        try sim.poke("rb", UInt64(ins.rb))
        try sim.poke("vl", UInt64(ins.vl))
        try sim.poke("scalar", Int(ins.scalar))
        try sim.poke("imm", UInt64(ins.imm))
        if p.streams > 1 {
            try sim.poke("stream_last", UInt64(active - 1))
            try sim.poke("stream_scalars", elements: [Int(ins.scalar)] + streamScalars.dropFirst().map { Int($0) })
        }
        _ = try cycle()
        // The dispatch fields are only valid with start (stream_last holds for a run).
        try sim.poke("start", false)
        for name in ["rd", "ra", "rb"] { try sim.poke(name, UInt64(15)) }
        try sim.poke("vl", UInt64(0))
        try sim.poke("scalar", Int(Int32.min))
        try sim.poke("imm", UInt64(0xDEAD_BEEF))
        try sim.poke("op", UInt64(0xFF))
        if p.streams > 1 { try sim.poke("stream_scalars", elements: Array(repeating: Int(Int32.min), count: p.streams)) }

        var cycles = 1
        var done: Outputs?
        while done == nil {
            let o = try cycle()
            cycles += 1
            #expect(!o.idle, "\(context): idle before done (cycle \(cycles))")
            if o.done { done = o }
            if cycles > 4000 { Issue.record("\(context): no done after \(cycles) cycles"); return }
        }
        // Idle cycles: no second done, and no stray writes; the record comes
        // Dispatch.recordLatency cycles after done.
        var d = done!
        let recordLatency = Dispatch.recordLatency(p)
        for k in 1...max(2, recordLatency) {
            let o = try cycle()
            #expect(!o.done, "\(context): a second done")
            #expect(o.idle, "\(context): not idle after done")
            if k == recordLatency { (d.count, d.digest, d.saturations) = (o.count, o.digest, o.saturations) }
        }
        #expect(d.fault == 0, "\(context): fault \(d.fault)")
        #expect(d.count == want.count, "\(context): count \(d.count), expected \(want.count)")
        #expect(d.digest == want.digest, "\(context): digest \(d.digest), expected \(want.digest)")
        #expect(d.saturations == want.saturations, "\(context): saturations \(d.saturations), expected \(want.saturations)")
        saturatedByOp[ins.op, default: 0] += Int(want.saturations)
        if let scalars = want.scalars {
            #expect(d.scalar == scalars[0], "\(context): scalar \(d.scalar), expected \(scalars[0])")
            if p.streams > 1 {
                #expect(Array(d.results.prefix(active)) == scalars, "\(context): stream results \(d.results), expected \(scalars)")
            }
        }
        for s in 0..<p.streams {
            for r in 0..<streamRegs[s].count where streamRegs[s][r] != want.regs[s][r] {
                let bad = (0..<streamRegs[s][r].count).filter { streamRegs[s][r][$0] != want.regs[s][r][$0] }
                let shown = bad.prefix(4).map { "[\($0)] \(streamRegs[s][r][$0]) vs \(want.regs[s][r][$0])" }
                Issue.record("\(context): stream \(s) v\(r) differs at \(shown)")
                streamRegs[s][r] = want.regs[s][r]
            }
        }
        cycleLog["\(ins.op) \(ins.vl)" + (p.streams > 1 ? " x\(active)" : "")] = cycles
    }

    // MARK: Stimulus

    /// A vector with one of several profiles: zeros, tiny, huge, INT32_MIN,
    /// one spike, model-like activations, uniform bits; rare edge values anywhere.
    static func vector(_ rng: inout SplitMix64, count: Int) -> [Int32] {
        let profile = rng.below(7)
        var v: [Int32] = (0..<count).map { _ in
            switch profile {
            case 0: return 0
            case 1: return Int32(rng.int(-3...3))
            case 2: return rng.chance(0.5) ? Int32.max - Int32(rng.below(1000)) : Int32.min + Int32(rng.below(1000))
            case 3: return Int32.min
            case 4: return Int32((rng.normal() * 65536 * 4).rounded())
            default: return Int32(truncatingIfNeeded: rng.next())
            }
        }
        if profile == 5 { v = v.map { _ in 0 }; v[rng.below(count)] = Int32(truncatingIfNeeded: rng.next()) }
        for i in v.indices where rng.chance(0.03) { v[i] = [Int32.min, Int32.max, 0, 1, -1][rng.below(5)] }
        return v
    }

    static func instruction(_ rng: inout SplitMix64, _ p: CoreParameters, regs: [[Int32]]) -> Instruction {
        let op = [Opcode.absmax, .quant, .norm][rng.below(3)]
        let maxVL = p.isa.maxVectorLength, lanes = p.vectorLanes
        let vl = [1, lanes - 1, lanes, lanes + 1, maxVL - 1, maxVL, rng.int(1...maxVL), rng.int(1...maxVL)][rng.below(8)]
        let nr = p.isa.vectorRegisters
        let ra = rng.below(nr)
        var scalar = Int32(truncatingIfNeeded: rng.next())
        switch rng.below(6) {
        case 0, 1: scalar = regs[ra][0..<vl].withContiguousStorageIfAvailable { Numeric.absmax($0) } ?? scalar
        case 2: scalar = [0, -1, Int32.min, 1, Int32.max, 2][rng.below(6)]
        case 3: scalar = Int32(rng.int(1...1000))
        default: break
        }
        let eps: UInt32 = [0, 1, UInt32.max, 42950, UInt32(truncatingIfNeeded: rng.next()), UInt32(rng.int(0...100))][rng.below(6)]
        return Instruction(op: op, rd: rng.below(nr), ra: ra, rb: rng.below(nr), vl: vl, scalar: scalar, imm: eps)
    }
}
