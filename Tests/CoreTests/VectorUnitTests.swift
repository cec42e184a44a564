import Core
import HDL
import HDLEmit
import HDLSim
import ISA
import Testing
import TestSupport

/// The vector unit against the interpreter's semantics: random instructions
/// dispatched through the unit contract, a register file modelled in Swift
/// (reads answered one cycle later, writes applied by mask), every register
/// and every retirement record's count and digest compared.
@Suite(.serialized) struct VectorUnitTests {
    /// 4 lanes, 16 chunks per register, 4 registers (so sources and
    /// destinations collide often).
    static let small = CoreParameters(isa: CoreConfig(vectorRegisters: 4, maxVectorLength: 64), dataBits: 128)

    static let vectorOps: [Opcode] = [.add, .sub, .mul, .div, .mac, .macp, .lba, .adds, .muls, .bcast, .mv,
                                      .exp, .sig, .csig, .silu, .rsqrt]

    /// The interpreter's element-wise step (`Machine.elementwise`) on a register file.
    /// Returns the number of saturated elements.
    @discardableResult
    static func execute(_ op: Opcode, rd: Int, ra: Int, rb: Int, vl: Int, scalar: Int32,
                        regs: inout [[Int32]], f: Int) -> Int {
        var saturated = 0
        for i in 0..<vl {
            let a = regs[ra][i], b = regs[rb][i], d = regs[rd][i]
            let v: Numeric.Clamped
            switch op {
            case .add: v = Numeric.addReporting(a, b)
            case .sub: v = Numeric.subReporting(a, b)
            case .mul: v = Numeric.mulReporting(a, b, f: f)
            case .div: v = Numeric.divReporting(a, b, f: f)
            // macp on one stream is mac (its p is the stream's own vb).
            case .mac, .macp: v = Numeric.macReporting(d, a, b, f: f)
            case .lba: v = Numeric.lbaReporting(a, b, f: f)
            case .adds: v = Numeric.addReporting(a, scalar)
            case .muls: v = Numeric.mulReporting(a, scalar, f: f)
            case .bcast: v = (scalar, false)
            case .mv: v = (a, false)
            case .exp: v = Numeric.expReporting(a, f: f)
            case .sig: v = (Numeric.sigmoid(a, f: f), false)
            case .csig: v = (Numeric.csig(a, f: f), false)
            case .silu: v = Numeric.siluReporting(a, f: f)
            case .rsqrt: v = Numeric.rsqrtReporting(a, f: f)
            default: fatalError("not a vector op: \(op)")
            }
            regs[rd][i] = v.value
            if v.saturated { saturated += 1 }
        }
        return saturated
    }

    static func randomElement(_ rng: inout SplitMix64, edges: [Int32], f: Int) -> Int32 {
        switch rng.below(10) {
        case 0..<3: return edges[rng.below(edges.count)]
        case 3..<7: return rng.int32(in: -(Int64(12) << Int64(f))...(Int64(12) << Int64(f)))
        default: return Int32(truncatingIfNeeded: rng.next())
        }
    }

    /// One instruction.
    struct Dispatch {
        var op: Opcode
        var rd, ra, rb, vl: Int
        /// Each stream's scalar (stream 0's is the dispatch's), and the streams that run.
        var scalars: [Int32]
        var active: Int
    }

    /// The real width (16 lanes, 16 registers) with short registers, so the run stays short.
    static let wide = CoreParameters(isa: CoreConfig(maxVectorLength: 256), dataBits: 512)
    /// Four streams on the small core: one to four active, each with its own scalar; macp chained.
    static let streams = CoreParameters(isa: CoreConfig(vectorRegisters: 4, maxVectorLength: 64, streams: 4), dataBits: 128)

    @Test(arguments: ["small", "wide", "streams"])
    func instructionsMatchTheInterpreter(_ core: String) throws {
        let p = ["wide": Self.wide, "streams": Self.streams][core] ?? Self.small
        let f = p.isa.fracBits, lanes = p.vectorLanes, maxVL = p.isa.maxVectorLength
        let registers = p.isa.vectorRegisters, streams = p.streams
        let seed = testSeed(0x7EC7_0000 + UInt64(p.dataBits) + UInt64(streams > 1 ? 1 : 0))
        var rng = SplitMix64(seed: seed)
        let edges = edgeValues32(fracBits: f)
        let unit = VectorUnit(params: p)
        let sim = try Simulator(elaborate(unit))
        try sim.reset()

        // Each stream's register file as the unit sees it, and the interpreter's.
        var file = (0..<streams).map { _ in (0..<registers).map { _ in (0..<maxVL).map { _ in Self.randomElement(&rng, edges: edges, f: f) } } }
        var golden = file
        // Read requests of the last cycle (register, row), answered in this one.
        var pendingReads: [String: (reg: Int, row: Int)] = [:]
        let chunkMask = (1 << p.chunkBits) - 1

        func chunkData(_ reg: Int, _ row: Int) -> [Int] {
            (0..<lanes).map { Int(file[row >> p.chunkBits][reg][(row & chunkMask) * lanes + $0]) }
        }

        /// One clock cycle: answer last cycle's reads, record this cycle's
        /// outputs, step, apply the write. Returns whether done pulsed, and the record's ports.
        func cycle() throws -> (done: Bool, record: (count: UInt64, digest: UInt64, saturations: UInt64)) {
            for port in ["a", "b", "d"] {
                let r = pendingReads[port] ?? (0, 0)
                try sim.poke("\(port)_data", elements: chunkData(r.reg, r.row))
            }
            sim.eval()
            for port in ["a", "b", "d"] {
                pendingReads[port] = (Int(try sim.peek("\(port)_reg")), Int(try sim.peek("\(port)_chunk")))
            }
            let done = try sim.peekBool("done")
            if done { #expect(try sim.peek("done_fault") == 0 && sim.peekSigned("done_scalar") == 0, "seed \(seed)") }
            let record = (try sim.peek("done_count"), try sim.peek("done_digest"), try sim.peek("done_saturations"))
            var write: (reg: Int, row: Int, mask: UInt64, data: BitVector)?
            if try sim.peekBool("w_valid") {
                write = (Int(try sim.peek("w_reg")), Int(try sim.peek("w_chunk")), try sim.peek("w_mask"), try sim.peekBits("w_data"))
            }
            try sim.step()
            if let w = write {
                for j in 0..<lanes where (w.mask >> UInt64(j)) & 1 == 1 {
                    file[w.row >> p.chunkBits][w.reg][(w.row & chunkMask) * lanes + j] = Int32(truncatingIfNeeded: w.data.bits(32 * j, count: 32).uint64!)
                }
            }
            return (done, record)
        }

        func randomDispatch() -> Dispatch {
            let vl = rng.chance(0.2) ? [1, lanes, lanes + 1, maxVL, maxVL - 1][rng.below(5)] : rng.int(1...maxVL)
            return Dispatch(op: Self.vectorOps[rng.below(Self.vectorOps.count)], rd: rng.below(registers),
                            ra: rng.below(registers), rb: rng.below(registers), vl: vl,
                            scalars: (0..<streams).map { _ in Self.randomElement(&rng, edges: edges, f: f) },
                            active: rng.int(1...streams))
        }

        func poke(_ d: Dispatch?) throws {
            try sim.poke("start", d != nil)
            guard let d else { return }
            try sim.poke("op", Int(d.op.rawValue))
            try sim.poke("rd", d.rd)
            try sim.poke("ra", d.ra)
            try sim.poke("rb", d.rb)
            try sim.poke("vl", d.vl)
            try sim.poke("scalar", Int(d.scalars[0]))
            try sim.poke("imm", Int(rng.next() & 0xFFFF_FFFF))
            if streams > 1 {
                try sim.poke("stream_scalars", elements: d.scalars.map { Int($0) })
                try sim.poke("stream_last", d.active - 1)
            }
        }

        /// The interpreter's streams in order; macp's p is the previous stream's (updated) vd from stream 1 on.
        func execute(_ d: Dispatch) -> (count: Int, digest: UInt32, saturations: Int) {
            var digest: UInt32 = 0, clamped = 0
            for s in 0..<d.active {
                var regs = golden[s]
                var rb = d.rb
                if d.op == .macp && s > 0 {
                    regs.append(golden[s - 1][d.rd])
                    rb = registers
                }
                clamped += Self.execute(d.op, rd: d.rd, ra: d.ra, rb: rb, vl: d.vl, scalar: d.scalars[s], regs: &regs, f: f)
                golden[s] = Array(regs.prefix(registers))
                digest &+= Digest.of(golden[s][d.rd][0..<d.vl])
            }
            return (d.vl * d.active, digest, clamped)
        }

        var next: Dispatch? = randomDispatch()
        var running: (Dispatch, count: Int, digest: UInt32, saturations: Int)?
        var saturatedSeen = 0
        var cycles = 0
        var retired = 0
        // The record of each done, checked when it is out.
        var records = RecordQueue<(what: String, count: Int, digest: UInt32, saturations: Int)>(latency: Core.Dispatch.recordLatency(p))
        let instructions = iterations(p.dataBits == 512 ? 40 : 200)
        let bound = instructions * (streams * maxVL / lanes + streams * unit.latency + 10)
        while retired < instructions || !records.isEmpty {
            cycles += 1
            #expect(cycles < bound, "seed \(seed): the unit hangs")
            if cycles >= bound { return }
            try poke(nil)
            sim.eval()
            // Start the next instruction whenever the unit is idle; sometimes wait a little.
            let idleNow = try sim.peekBool("idle"), doneNow = try sim.peekBool("done")
            // Idle only when nothing runs, or in the cycle of done.
            #expect(!idleNow || running == nil || doneNow, "seed \(seed): idle while an instruction is running")
            var started: Dispatch?
            if idleNow, retired < instructions, let d = next, rng.chance(0.7) {
                try poke(d)
                started = d
            }
            let result = try cycle()
            var finished: (what: String, count: Int, digest: UInt32, saturations: Int)?
            if result.done {
                guard let (d, wantCount, wantDigest, wantSaturations) = running else {
                    Issue.record("seed \(seed): done without an instruction")
                    return
                }
                let what = "seed \(seed), instruction \(retired): \(d.op.mnemonic) v\(d.rd), v\(d.ra), v\(d.rb), vl \(d.vl), "
                    + "scalars \(d.scalars), \(d.active) of \(streams) streams"
                finished = (what, wantCount, wantDigest, wantSaturations)
                saturatedSeen += wantSaturations
                for s in 0..<streams {
                    for r in 0..<registers where file[s][r] != golden[s][r] {
                        let i = (0..<maxVL).first { file[s][r][$0] != golden[s][r][$0] }!
                        Issue.record("\(what): stream \(s) v\(r)[\(i)] is \(file[s][r][i]), interpreter \(golden[s][r][i])")
                        return
                    }
                }
                running = nil
                retired += 1
            }
            if let want = records.tick(done: finished) {
                let (count, digest, saturations) = result.record
                #expect(count == UInt64(want.count), "\(want.what): count \(count), expected \(want.count)")
                #expect(digest == UInt64(want.digest), "\(want.what): digest \(digest), expected \(want.digest)")
                #expect(saturations == UInt64(want.saturations), "\(want.what): saturations \(saturations), expected \(want.saturations)")
            }
            if let d = started {
                // The interpreter's result, computed on the state the instruction starts from.
                let (count, digest, clamped) = execute(d)
                running = (d, count, digest, clamped)
                next = randomDispatch()
            }
        }
        #expect(saturatedSeen > 0, "seed \(seed): no instruction saturated")
    }

    @Test(arguments: [128, 512])
    func lintClean(_ dataBits: Int) throws {
        let p = dataBits == 512 ? CoreParameters.d5005 : Self.small
        let design = try elaborate(VectorUnit(params: p))
        let files = SystemVerilogEmitter().files(for: design)
        let verilator = try Lint.verilator(files, top: design.top.name)
        #expect(verilator.isEmpty, "\(verilator)")
        let yosys = try Lint.yosys(files, top: design.top.name).problems
        #expect(yosys.isEmpty, "\(yosys)")
    }
}
