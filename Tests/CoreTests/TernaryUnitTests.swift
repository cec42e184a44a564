import Core
import Foundation
import HDL
import HDLEmit
import HDLSim
import Interpreter
import ISA
import Testing
import TestSupport

/// The `tmatmul` unit against the interpreter: the same faults, counts,
/// digests and register contents for random matrices (both packings),
/// scales and layouts, through a memory with random latency gaps and
/// back-pressure; and its streaming rate at the real width.
@Suite(.serialized) struct TernaryUnitTests {
    /// Narrow cores keep the Verilator builds short: 16-byte beats (a group's
    /// column step takes 4 cycles on one bank, 2 on two banks).
    /// Small stream buffers: the stream wraps around and waits for room.
    static let narrow: [CoreParameters] = [
        CoreParameters(isa: CoreConfig(vectorRegisters: 4, maxVectorLength: 256), dataBits: 128,
                       maxBurst: 8, outstandingBeats: 32, weightBufferBeats: 64, streamWindowBeats: 16),
        CoreParameters(isa: CoreConfig(vectorRegisters: 4, maxVectorLength: 256), dataBits: 128, banks: 2,
                       maxBurst: 16, outstandingBeats: 64, weightBufferBeats: 32, streamWindowBeats: 16),
    ]
    /// The real width on 1, 2 and 4 banks (1, 2 and 4 column steps per
    /// cycle), with registers just long enough for the 512 x 512 timing.
    static func wide(banks: Int) -> CoreParameters {
        CoreParameters(isa: CoreConfig(vectorRegisters: 4, maxVectorLength: 512), dataBits: 512, banks: banks)
    }

    @Test(arguments: [narrow[0], .generic, .d5005, wide(banks: 4), batched[0]])
    func lintClean(_ p: CoreParameters) throws {
        let design = try elaborate(TernaryUnit(params: p))
        let files = SystemVerilogEmitter().files(for: design)
        let problems = try Lint.verilator(files, top: design.top.name)
        #expect(problems.isEmpty, "\(problems)")
        let yosys = try Lint.yosys(files, top: design.top.name).problems
        #expect(yosys.isEmpty, "\(yosys)")
    }

    /// The column steps of base-3 packing come from C / 5 by a reciprocal.
    @Test func reciprocalOfFiveIsExact() {
        let wrong = (0...(CoreConfig.vectorLengthLimit + 8)).filter { ($0 * TernaryUnit.reciprocalOf5) >> 24 != $0 / 5 }
        #expect(wrong.isEmpty, "wrong for \(wrong.prefix(5))")
    }

    @Test func scaleDigitIsExact() {
        // Every byte step's dividend: remainder * 256 + byte < 127 * 256.
        for x in 0..<(127 * 256) {
            let (q, r) = MatmulScale.digit(x)
            #expect(q == x / 127 && r == x % 127, "x = \(x)")
        }
    }

    @Test func scaleMatchesNumeric() throws {
        let seed = testSeed(0xD1_127)
        var rng = SplitMix64(seed: seed)
        let sim = try Simulator(elaborate(MatmulScale()))
        try sim.reset()
        let edges: [Int32] = [0, 1, -1, 63, -63, 64, -64, 127, -127, Int32.max, Int32.min, Int32.min + 1,
                              1 << 26, -(1 << 26), (1 << 26) - 1, -(1 << 26) - 1]
        for n in 0..<iterations(500) {
            let pairs = edges.count * edges.count
            let ws = n < pairs ? edges[n % edges.count] : rng.int32(in: Int64(Int32.min)...Int64(Int32.max))
            let sb = n < pairs ? edges[n / edges.count] : rng.int32(in: Int64(Int32.min)...Int64(Int32.max))
            try sim.poke("weight_scale", Int(ws))
            try sim.poke("activation_scale", Int(sb))
            try sim.poke("start", true)
            try sim.step()
            try sim.poke("start", false)
            // Junk on the inputs while it works: the operands were taken at start.
            try sim.poke("weight_scale", Int(rng.int32(in: -1000...1000)))
            for cycle in 1..<MatmulScale.latency {
                #expect(try !sim.peekBool("valid"), "seed \(seed): valid at cycle \(cycle)")
                try sim.step()
            }
            #expect(try sim.peekBool("valid"), "seed \(seed): not valid after \(MatmulScale.latency) cycles")
            let expected = Numeric.matmulScale(weightScale: ws, activationScale: sb)
            #expect(try sim.peekSigned("scale") == Int(expected), "seed \(seed), ws \(ws), sb \(sb)")
            try sim.step()
            #expect(try sim.peekSigned("scale") == Int(expected), "seed \(seed): the scale holds")
        }
    }

    /// Each stage fits the 300 MHz budget of docs/silicon.md's rules (4 LUT
    /// levels; the single-cycle divide step was 27).
    @Test func scaleStagesAreAtMostFourLUTLevels() throws {
        let path = try deepestPath(of: MatmulScale())
        #expect(path.lutLevels <= 4, "deepest path \(path.start) -> \(path.end): \(path.lutLevels) LUT levels")
    }

    @Test(arguments: narrow.indices)
    func matchesTheInterpreterOnNarrowCores(_ index: Int) throws {
        try Self.matchInterpreter(Self.narrow[index], seed: testSeed(0x7A_77_0000 + UInt64(index)), cases: iterations(80))
    }

    /// Several streams on narrow cores (three: not a power of two): one pass
    /// over the weights, each stream's activations, sb and vd.
    static let batched: [CoreParameters] = [
        CoreParameters(isa: CoreConfig(vectorRegisters: 4, maxVectorLength: 256, streams: 3), dataBits: 128,
                       maxBurst: 8, outstandingBeats: 32, weightBufferBeats: 64, streamWindowBeats: 16),
        CoreParameters(isa: CoreConfig(vectorRegisters: 4, maxVectorLength: 256, streams: 2), dataBits: 128, banks: 2,
                       maxBurst: 16, outstandingBeats: 64, weightBufferBeats: 32, streamWindowBeats: 16),
    ]

    @Test(arguments: batched.indices)
    func matchesTheInterpreterWithStreams(_ index: Int) throws {
        try Self.matchInterpreter(Self.batched[index], seed: testSeed(0x7A_77_0B00 + UInt64(index)), cases: iterations(50))
    }

    @Test(arguments: [1, 2, 4])
    func matchesTheInterpreterAt512Bits(_ banks: Int) throws {
        try Self.matchInterpreter(Self.wide(banks: banks), seed: testSeed(0x7A_77_0512 + UInt64(banks)), cases: iterations(30))
    }

    static func matchInterpreter(_ p: CoreParameters, seed: UInt64, cases: Int) throws {
        var rng = SplitMix64(seed: seed)
        let sim = try Simulator(elaborate(TernaryUnit(params: p)))
        if !sim.build.cacheHit {
            print("TernaryUnit \(p.dataBits)-bit, \(p.banks) bank(s): model built in \(Int((sim.build.verilateSeconds + sim.build.compileSeconds).rounded())) s")
        }
        let bench = try TernaryUnitBench(params: p, sim: sim, seed: seed ^ 0xBE_4C4)
        for i in bench.vregs.indices { bench.vregs[i] = Int32(truncatingIfNeeded: rng.next()) }
        var faults: [Int: Int] = [:]
        var packings: [WeightPacking: Int] = [:]
        var saturated = 0

        for n in 0..<cases {
            let memoryMode = n % 3
            bench.latency = rng.int(2...40)
            bench.gapChance = memoryMode == 0 ? 0 : 0.3
            bench.stallChance = memoryMode == 2 ? 0.4 : 0
            // Every sixth case forces one of the four faults in turn, so each is seen.
            let c = TernaryCase.random(&rng, p, forcing: n % 6 == 5 ? (n / 6) % 4 : nil)
            bench.data = c.data
            bench.baseLine = rng.int(0...250) * p.banks
            let context = "seed \(seed), \(p.dataBits)-bit \(p.banks) bank(s), case \(n): \(c.summary), latency \(bench.latency)"

            // Each stream's sb: stream 0's is the case's, the others near it or anything.
            bench.streamScalars = p.streams == 1 ? [] : [c.scalar] + (1..<p.streams).map { _ in
                rng.chance(0.5) ? c.scalar &+ Int32(rng.int(-3...3)) : rng.int32(in: -(1 << 18)...(1 << 18))
            }
            // Some cases run fewer active streams: the others' registers must stay as they are.
            bench.activeStreams = p.streams > 1 && rng.chance(0.3) ? rng.int(1...p.streams) : nil
            let machine = try c.machine(p, vregs: bench.vregs, streamScalars: bench.streamScalars, active: bench.activeStreams)
            var record: RetireRecord?
            machine.onRetire = { if record == nil { record = $0 } }
            let status = machine.run(maxSteps: 1)
            let expectedFault: Int
            if case .faulted(let f) = status { expectedFault = Int(f.code.rawValue) } else { expectedFault = 0 }

            bench.trace = ProcessInfo.processInfo.environment["TRIT_TRACE"] == "\(n)"
            var got = try bench.run(c.instruction, scalar: c.scalar, vl: c.vl, maxCycles: 40_000)
            // The next case changes memory: stop and drain the stream first, as a core does between runs.
            got.problems += try bench.quiesce()
            faults[got.fault, default: 0] += 1
            #expect(got.problems.isEmpty, "\(context): \(got.problems)")
            #expect(got.fault == expectedFault, "\(context): fault \(got.fault), interpreter \(expectedFault)")
            if !got.problems.isEmpty { break }  // the unit's state is unknown now
            guard got.fault == 0, expectedFault == 0, let record else {
                // Register state after a fault is not architectural: continue from the unit's.
                continue
            }
            packings[c.packing, default: 0] += 1
            #expect(got.count == record.count && got.digest == record.digest,
                    "\(context): count/digest \(got.count)/\(got.digest), interpreter \(record.count)/\(record.digest)")
            #expect(got.saturations == record.saturations,
                    "\(context): saturations \(got.saturations), interpreter \(record.saturations)")
            saturated += Int(record.saturations)
            let vd = Int(c.instruction.rd) * p.isa.maxVectorLength
            let differences = (0..<p.isa.maxVectorLength).filter { bench.vregs[vd + $0] != machine.vregs[vd + $0] }
            #expect(differences.isEmpty, "\(context): vd differs at \(differences.prefix(8)): RTL \(differences.prefix(8).map { bench.vregs[vd + $0] }), interpreter \(differences.prefix(8).map { machine.vregs[vd + $0] })")
            // Every stream's registers (vd of streams 1 and up included).
            let first = bench.vregs.indices.first { bench.vregs[$0] != machine.vregs[$0] }.map { i in
                "stream \(i / (p.isa.vectorRegisters * p.isa.maxVectorLength)), v\(i / p.isa.maxVectorLength % p.isa.vectorRegisters)[\(i % p.isa.maxVectorLength)]"
            }
            #expect(first == nil, "\(context): registers differ from the interpreter's first at \(first ?? "")")
            let beats = TernaryMatrix.weightBeats(rows: c.rows, cols: c.cols, packing: c.packing) * TernaryMatrix.beatBytes / p.beatBytes
            #expect(got.beatPulses == beats, "\(context): \(got.beatPulses) weight beats consumed, expected \(beats)")
        }

        // Every outcome is exercised.
        for code in [0, 2, 3, 4, 5] { #expect(faults[code, default: 0] > 0, "seed \(seed): no case with fault \(code): \(faults)") }
        #expect(packings.count == 2, "seed \(seed): good matrices only in \(packings)")
        #expect(saturated > 0, "seed \(seed): no output saturated")
    }

    /// The streaming rate at 512 bits: a 512 x 512 matrix at latency 20 takes
    /// its weight beats / B cycles, plus the latency and a small constant
    /// (the dispatch's hit decision, the header, the pipelined requests, the
    /// datapath's input stage and registered adder trees, the rescale and the
    /// write-out: 23 to 29 cycles).
    @Test(arguments: [1, 2, 4])
    func streamsABeatOfEveryBankPerCycle(_ banks: Int) throws {
        let p = Self.wide(banks: banks)
        let sim = try Simulator(elaborate(TernaryUnit(params: p)))
        for packing in WeightPacking.allCases {
            let latency = 20
            let cycles = try Self.timeMatrix(p, sim: sim, size: 512, packing: packing, latency: latency)
            let beats = TernaryMatrix.weightBeats(rows: 512, cols: 512, packing: packing)
            let bound = beats / banks + latency + 30
            #expect(cycles <= bound, "\(banks) bank(s), \(packing): \(cycles) cycles for \(beats) beats, bound \(bound)")
            print("TernaryUnit, \(banks) bank(s), \(packing): 512 x 512 in \(cycles) cycles (\(beats) weight beats, latency \(latency))")
        }
    }

    /// Back-to-back matrices: while the unit waits `gap` cycles between two
    /// `tmatmul`s, the stream runs into the next matrix, and the datapath
    /// catches up at two wide beats per cycle (a hit: fewer cycles than the
    /// matrix's beats); a store into the matrix after that makes the stream
    /// stale, and the next `tmatmul` refetches and sees the stored data, and
    /// finishes although the core stops running meanwhile.
    @Test(arguments: [narrow[0], narrow[1], wide(banks: 1), wide(banks: 4)])
    func streamsIntoTheNextMatrix(_ p: CoreParameters) throws {
        let seed = testSeed(0x57_12EA)
        var rng = SplitMix64(seed: seed)
        let sim = try Simulator(elaborate(TernaryUnit(params: p)))
        let bench = try TernaryUnitBench(params: p, sim: sim, seed: seed)
        bench.latency = 20
        for i in bench.vregs.indices { bench.vregs[i] = Int32(truncatingIfNeeded: rng.next()) }
        let n = p.isa.maxVectorLength
        // Three n x n matrices back to back from 256, in both packings.
        var data = (0..<256).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        var cases: [TernaryCase] = []
        for k in 0..<3 {
            let packing: WeightPacking = k == 1 ? .base3 : .twoBit
            let c = TernaryCase.matrix(&rng, rows: n, cols: n, address: data.count, slack: 0, packing: packing)
            data += c.data[data.count...]
            cases.append(c)
        }
        data += (0..<512).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        bench.data = data
        func check(_ c: TernaryCase, _ label: String) throws -> Int {
            var whole = c
            whole.data = bench.data
            let machine = try whole.machine(p, vregs: bench.vregs)
            var record: RetireRecord?
            machine.onRetire = { record = $0 }
            machine.run(maxSteps: 1)
            let got = try bench.run(c.instruction, scalar: c.scalar, vl: n)
            #expect(got.problems.isEmpty, "seed \(seed), \(label): \(got.problems)")
            #expect(got.fault == 0 && got.count == record?.count && got.digest == record?.digest,
                    "seed \(seed), \(label): fault \(got.fault), count \(got.count), digest \(got.digest); interpreter \(String(describing: record))")
            #expect(bench.vregs == machine.vregs, "seed \(seed), \(label): registers differ from the interpreter's")
            return got.cycles
        }
        _ = try check(cases[0], "first matrix")
        let gap = 300
        #expect(try bench.idle(gap).isEmpty)
        let cycles = try check(cases[1], "second matrix, streamed during the gap")
        // The gap's beats are buffered; the rest streams while the datapath
        // eats two per cycle; the first group may wait for the activation copy.
        let wideBeats = TernaryMatrix.totalBytes(rows: n, cols: n, packing: .base3) / p.wideBeatBytes
        let buffered = Swift.min(gap, p.weightBufferBeats)
        let bound = Swift.max(wideBeats - buffered, wideBeats / CoreParameters.ternaryCatchUp) + p.chunksPerRegister + 24
        if p.dataBits == 512 {   // the narrow cores' small buffers are for wrap-around, not speed
            #expect(cycles <= bound, "seed \(seed), \(p.dataBits)-bit, \(p.banks) bank(s): \(cycles) cycles for \(wideBeats) wide beats after a gap of \(gap), bound \(bound)")
        }
        print("TernaryUnit \(p.dataBits)-bit, \(p.banks) bank(s): \(wideBeats) wide beats in \(cycles) cycles after a gap of \(gap)")

        // A store into the third matrix, already streamed: zero one beat of its weights.
        #expect(try bench.idle(gap).isEmpty)
        let third = Int(cases[2].instruction.imm) + TernaryMatrix.headerBytes + rng.int(0...(n / 2)) * TernaryMatrix.beatBytes
        let stored = third / p.beatBytes * p.beatBytes
        #expect(bench.data[stored..<(stored + p.beatBytes)].contains { $0 != 0 }, "seed \(seed): the stored beat was zero already")
        for i in stored..<(stored + p.beatBytes) { bench.data[i] = 0 }
        #expect(try bench.store(line: bench.baseLine + stored / p.beatBytes).isEmpty)
        // The core stops (a fault elsewhere) early in the refetch: the instruction still gets its beats.
        bench.stopStreamAfter = 3
        _ = try check(cases[2], "third matrix, after a store into it, the core stopping meanwhile")
        #expect(try bench.quiesce().isEmpty)
    }

    /// Runs one square matrix of `size` at a fixed latency, checks it against
    /// the interpreter and returns the cycles from dispatch to done.
    static func timeMatrix(_ p: CoreParameters, sim: Simulator, size: Int, packing: WeightPacking, latency: Int) throws -> Int {
        let seed = testSeed(0x5EED_0512)
        var rng = SplitMix64(seed: seed)
        let bench = try TernaryUnitBench(params: p, sim: sim, seed: seed)
        bench.latency = latency
        for i in bench.vregs.indices { bench.vregs[i] = Int32(truncatingIfNeeded: rng.next()) }
        let c = TernaryCase.matrix(&rng, rows: size, cols: size, address: 256, slack: 64, packing: packing)
        bench.data = c.data
        let machine = try c.machine(p, vregs: bench.vregs)
        var record: RetireRecord?
        machine.onRetire = { record = $0 }
        machine.run(maxSteps: 1)
        let got = try bench.run(c.instruction, scalar: c.scalar, vl: size)
        #expect(got.problems.isEmpty, "\(got.problems)")
        #expect(got.fault == 0 && got.count == record?.count && got.digest == record?.digest,
                "fault \(got.fault), count \(got.count), digest \(got.digest); interpreter \(String(describing: record))")
        #expect(bench.vregs == machine.vregs)
        return got.cycles
    }
}

/// A `tmatmul` with its data memory: a packed matrix (sometimes broken on
/// purpose) at some address, random bytes around it.
struct TernaryCase {
    var instruction: Instruction
    var scalar: Int32
    var vl: Int
    var data: [UInt8]
    var rows: Int
    var cols: Int
    var packing: WeightPacking
    var summary: String

    /// The interpreter before the instruction; `streamScalars` are each stream's sb (stream 0's is `scalar`).
    func machine(_ p: CoreParameters, vregs: [Int32], streamScalars: [Int32] = [], active: Int? = nil) throws -> Machine {
        let image = ProgramImage(fracBits: p.isa.fracBits, streams: active ?? p.streams, memorySize: UInt32(data.count),
                                 code: [instruction.word, Instruction(.halt).word],
                                 data: [.init(address: 0, bytes: data)])
        let machine = try Machine(image: image, config: p.isa)
        machine.vregs = vregs
        machine.sregs[Int(instruction.rb)] = scalar
        for (s, sb) in streamScalars.enumerated() { machine.sregs[s * p.isa.scalarRegisters + Int(instruction.rb)] = sb }
        machine.vl = vl
        return machine
    }

    static func matrix(_ rng: inout SplitMix64, rows: Int, cols: Int, address: Int, slack: Int,
                       packing: WeightPacking = .twoBit, ws: Int32 = 3 << 14, sb: Int32 = 5 << 16) -> TernaryCase {
        let trits = (0..<(rows * cols)).map { _ in Int8(rng.int(-1...1)) }
        let packed = TernaryMatrix.pack(rows: rows, cols: cols, weightScale: ws, trits: trits, packing: packing)
        var data = (0..<(address + packed.count + slack)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        data.replaceSubrange(address..<(address + packed.count), with: packed)
        return TernaryCase(instruction: Instruction(.tmatmul, rd: 2, ra: 1, rb: 3, mode: packing.rawValue, imm: UInt32(address)),
                           scalar: sb, vl: cols, data: data, rows: rows, cols: cols, packing: packing,
                           summary: "\(rows) x \(cols) \(packing)")
    }

    /// `forcing` 0 ... 3 forces a bad length field, an illegal weight, a
    /// misaligned address or a memory that ends inside the matrix.
    static func random(_ rng: inout SplitMix64, _ p: CoreParameters, forcing: Int? = nil) -> TernaryCase {
        let maxVL = p.isa.maxVectorLength
        func length() -> Int {
            rng.chance(0.4) ? rng.int(1...8) : rng.chance(0.3) ? maxVL - rng.int(0...3) : rng.int(1...maxVL)
        }
        func scale() -> Int32 {
            switch rng.int(0...5) {
            case 0: return [0, 1, -1, Int32.max, Int32.min][rng.int(0...4)]
            case 1: return rng.int32(in: Int64(Int32.min)...Int64(Int32.max))
            case 2: return rng.int32(in: -(1 << 16)...0)
            default: return rng.int32(in: 1...(1 << 18))
            }
        }
        let packing: WeightPacking = rng.chance(0.5) ? .twoBit : .base3
        let rows = length(), cols = length()
        let ws = scale(), sb = scale()
        var trits = (0..<(rows * cols)).map { _ in Int8(rng.int(-1...1)) }
        if rng.chance(0.2) { trits = trits.map { _ in Int8(rng.chance(0.5) ? 1 : -1) } }   // extreme sums
        var packed = TernaryMatrix.pack(rows: rows, cols: cols, weightScale: ws, trits: trits, packing: packing)
        var notes: [String] = [packing == .twoBit ? "2-bit" : "base-3"]
        // Junk in the padding (rows past R, steps past C, 2-bit codes past C) must be ignored.
        if rng.chance(0.5) {
            for slot in TernaryMatrix.padding(rows: rows, cols: cols, packing: packing) where rng.chance(0.5) {
                switch slot {
                case .byte(let at): packed[at] = UInt8(rng.int(0...255))
                case .codes(let at, let digits):
                    for d in digits { packed[at] = packed[at] & ~(UInt8(3) << UInt8(2 * d)) | UInt8(rng.int(0...3)) << UInt8(2 * d) }
                }
            }
            notes.append("junk padding")
        }
        if rng.chance(0.12) || forcing == 1 {
            let r = rng.int(0...(rows - 1)), c = rng.int(0...(cols - 1))
            let (at, d) = TernaryMatrix.location(row: r, col: c, cols: cols, packing: packing)
            if packing == .twoBit {
                packed[at] = packed[at] & ~(UInt8(3) << UInt8(2 * d)) | (UInt8(0b10) << UInt8(2 * d))
            } else {
                packed[at] = UInt8(rng.int(243...255))
            }
            notes.append("illegal weight at row \(r) col \(c)")
        }
        if rng.chance(0.08) || forcing == 0 {
            let bad: [UInt32] = [0, UInt32(maxVL + 1), UInt32.max, UInt32(rng.int(maxVL...100_000))]
            let v = bad[rng.int(0...3)]
            let field = rng.int(0...1) * 4
            for k in 0..<4 { packed[field + k] = UInt8(truncatingIfNeeded: v >> UInt32(8 * k)) }
            notes.append("\(field == 0 ? "rows" : "cols") \(v)")
        }
        var address = 256 * rng.int(0...3)
        var size = address + packed.count + (rng.chance(0.5) ? rng.int(0...300) : 0)
        if rng.chance(0.07) || forcing == 2 {
            address += rng.chance(0.5) ? 64 * rng.int(1...3) : rng.int(1...255)
            notes.append("misaligned")
        }
        if rng.chance(0.08) || forcing == 3 {
            size = Swift.max(1, address + rng.int(0...(packed.count - 1)))
            notes.append("memory of \(size) bytes")
        }
        var data = (0..<Swift.max(size, 1)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let aligned = address / 256 * 256
        for (k, b) in packed.enumerated() where aligned + k < data.count { data[aligned + k] = b }
        let ins = Instruction(.tmatmul, rd: UInt8(rng.int(0...(p.isa.vectorRegisters - 1))),
                              ra: UInt8(rng.int(0...(p.isa.vectorRegisters - 1))), rb: UInt8(rng.int(0...15)),
                              mode: packing.rawValue, imm: UInt32(address))
        return TernaryCase(instruction: ins, scalar: sb, vl: rng.int(1...maxVL), data: data, rows: rows, cols: cols,
                           packing: packing,
                           summary: "\(rows) x \(cols) at \(address), ws \(ws), sb \(sb), rd \(ins.rd), ra \(ins.ra) \(notes)")
    }
}
