import Core
import HDL
import HDLEmit
import HDLSim
import Interpreter
import ISA
import Testing
import TestSupport

/// The load/store unit and the memory system together, against the
/// interpreter: the same memory, registers, faults, counts, digests and
/// scalar results for random `ldv`, `sv`, `lds`, `sts` with aligned,
/// misaligned and out-of-range addresses, under waitrequest back-pressure.
@Suite(.serialized) struct LoadStoreUnitTests {
    static func params(banks: Int, maxVectorLength: Int = 64) -> CoreParameters {
        CoreParameters(isa: CoreConfig(maxVectorLength: maxVectorLength), dataBits: 128, banks: banks,
                       addressBits: 16, maxBurst: 16, outstandingBeats: 64)
    }

    /// The unit wired to a memory system with one (wide) read client; every other
    /// port of both is a port of the harness.
    static func harness(_ p: CoreParameters) -> InlineModule {
        InlineModule("LoadStoreHarness", parameters: [Parameter("D", p.dataBits), Parameter("B", p.banks),
                                                      Parameter("VL", p.isa.maxVectorLength)]) { m in
            let unit = m.instance(LoadStoreUnit(params: p), "lsu")
            let system = MemorySystem(params: p, readClients: 1, wideClients: [0])
            let memory = m.instance(system, "memory")
            m.connect(unit.ports(MemoryRead(p, wide: true)), system.readClient(0, of: memory))
            m.connect(unit.ports(MemoryWrite(p)), system.writeClient(of: memory))
            let reads = MemoryRead(p, wide: true).members.map(\.name)
            var inside: Set<String> = ["clk", "rst"]
            inside.formUnion(reads + reads.map { MemorySystem.readClientPrefix(0) + $0 } + MemoryWrite(p).members.map(\.name))
            for instance in [unit, memory] {
                for port in instance.module.ports where !inside.contains(port.name) {
                    if port.isInputPort {
                        instance.port(port.name).set(m.input(port.name, port.type))
                    } else {
                        m.output(port.name, port.type).set(instance.port(port.name))
                    }
                }
            }
        }
    }

    @Test func lintCleanAtFullWidth() throws {
        let p = CoreParameters(banks: 4)
        let design = try elaborate(LoadStoreUnit(params: p))
        let files = SystemVerilogEmitter().files(for: design)
        let problems = try Lint.verilator(files, top: design.top.name)
        #expect(problems.isEmpty, "\(problems)")
        #expect(try Lint.yosys(files, top: design.top.name).problems.isEmpty)
        // The unit with its memory system, as the core will wire them.
        let both = try elaborate(Self.harness(p))
        let all = SystemVerilogEmitter().files(for: both)
        let together = try Lint.verilator(all, top: both.top.name)
        #expect(together.isEmpty, "\(together)")
        // 64 lanes over a short register: the burst counter, not VL, sets the index widths.
        let short = try elaborate(LoadStoreUnit(params: CoreParameters(isa: CoreConfig(maxVectorLength: 256), banks: 4)))
        let shortProblems = try Lint.verilator(SystemVerilogEmitter().files(for: short), top: short.top.name)
        #expect(shortProblems.isEmpty, "\(shortProblems)")
    }

    /// Simulates the harness with the Avalon model and a register file model.
    final class Bench {
        let p: CoreParameters
        let sim: Simulator
        let memory: AvalonMemoryModel
        let baseLine: Int
        let size: Int
        /// The register file, laid out as the interpreter's.
        var vregs: [Int32]
        var pendingRead: [Int] = []

        init(_ p: CoreParameters, baseLine: Int, size: Int, seed: UInt64) throws {
            self.p = p
            self.baseLine = baseLine
            self.size = size
            let design = try elaborate(LoadStoreUnitTests.harness(p))
            sim = try Simulator(design)
            let b = sim.build
            if !b.cacheHit {
                print("[sim] \(sim.moduleName): built in \(Int((b.verilateSeconds + b.compileSeconds).rounded()))s")
            }
            memory = AvalonMemoryModel(banks: p.banks, dataBits: p.dataBits, latency: 5, waitChance: 0.2, seed: seed,
                                       initial: AvalonMemoryModel.pattern(words: p.dataBits / 64, salt: seed ^ 0x55))
            vregs = Array(repeating: 0, count: p.isa.vectorRegisters * p.isa.maxVectorLength)
            pendingRead = Array(repeating: 0, count: p.vectorLanes)
            try sim.reset()
            try sim.poke("data_base_line", baseLine)
            try sim.poke("data_size", size)
            try sim.poke("timeout_cycles", 100_000)
        }

        /// Byte `a` of the data region, as the memory model holds it.
        func byte(_ a: Int) -> UInt8 {
            let global = baseLine * p.beatBytes + a
            let words = memory.line(global / p.beatBytes)
            let k = global % p.beatBytes
            return UInt8(truncatingIfNeeded: words[k / 8] >> UInt64(8 * (k % 8)))
        }

        var region: [UInt8] { (0..<size).map(byte) }

        struct Completion { var fault, count, digest: UInt32; var scalar: Int32; var cycles: Int }

        /// Dispatches one instruction and runs until `done`.
        func run(_ ins: Instruction, vl: Int, scalar: Int32, limit: Int = 5000) throws -> Completion? {
            let lanes = p.vectorLanes
            var pending: Completion?
            for c in 0..<limit {
                try memory.drive(sim)
                try sim.poke("a_data", elements: pendingRead)
                try sim.poke("start", c == 0)
                if c == 0 {
                    #expect(try sim.peekBool("idle"), "the unit is idle before a dispatch")
                    try sim.poke("op", Int(ins.opcode.rawValue))
                    try sim.poke("rd", Int(ins.rd))
                    try sim.poke("ra", Int(ins.ra))
                    try sim.poke("rb", Int(ins.rb))
                    try sim.poke("vl", vl)
                    try sim.poke("scalar", Int(scalar))
                    try sim.poke("imm", Int(ins.imm))
                }
                sim.eval()
                try memory.observe(sim)
                // The register file: read data one cycle after the address; masked writes.
                let reg = Int(try sim.peek("a_reg")), chunk = Int(try sim.peek("a_chunk"))
                pendingRead = (0..<lanes).map { j in
                    let i = chunk * lanes + j
                    return reg < p.isa.vectorRegisters && i < p.isa.maxVectorLength
                        ? Int(vregs[reg * p.isa.maxVectorLength + i]) : 0
                }
                if try sim.peekBool("w_valid") {
                    let wreg = Int(try sim.peek("w_reg")), wchunk = Int(try sim.peek("w_chunk"))
                    let mask = try sim.peek("w_mask"), data = try sim.peekBits("w_data")
                    for j in 0..<lanes where (mask >> UInt64(j)) & 1 == 1 {
                        let i = wchunk * lanes + j
                        precondition(i < p.isa.maxVectorLength, "write past the register: chunk \(wchunk) lane \(j)")
                        vregs[wreg * p.isa.maxVectorLength + i] = Int32(truncatingIfNeeded: data.bits(32 * j, count: 32).words[0])
                    }
                }
                let done = try sim.peekBool("done")
                if done {
                    #expect(pending == nil, "a second done")
                    #expect(try sim.peekBool("idle"), "idle rises with done")
                    pending = Completion(fault: UInt32(try sim.peek("done_fault")), count: 0, digest: 0,
                                         scalar: Int32(truncatingIfNeeded: try sim.peekSigned("done_scalar")), cycles: c)
                }
                // The record comes Dispatch.recordLatency cycles after done.
                var result: Completion?
                if var r = pending, c == r.cycles + Dispatch.recordLatency(p) {
                    r.count = UInt32(try sim.peek("done_count"))
                    r.digest = UInt32(try sim.peek("done_digest"))
                    result = r
                }
                try sim.step()
                memory.advance()
                if let result { return result }
            }
            return nil
        }

        /// Runs idle cycles until the memory system has performed every write.
        func drain() throws {
            try sim.poke("start", false)
            for _ in 0..<1000 where try sim.peekBool("busy") {
                try memory.drive(sim)
                sim.eval()
                try memory.observe(sim)
                try sim.step()
                memory.advance()
            }
            #expect(try !sim.peekBool("busy"), "the memory system never drained")
        }
    }

    /// A random access: mostly in range and aligned, some misaligned, some
    /// crossing or past the end (including addresses near 2^32).
    static func address(_ rng: inout SplitMix64, bytes: Int, size: Int) -> UInt32 {
        switch rng.int(0...9) {
        case 0: return UInt32(4 * rng.int(0...(size / 4 - 1)) + rng.int(1...3))
        case 1: return UInt32(max(0, size - bytes + 4 * rng.int(1...4)) & ~3)
        case 2: return UInt32.max - UInt32(4 * rng.int(0...8) + 3)
        default:
            let last = (size - bytes) / 4
            return last < 0 ? UInt32(rng.int(0...64) * 4) : UInt32(4 * rng.int(0...last))
        }
    }

    @Test(arguments: [1, 2, 4])
    func randomAccessesMatchTheInterpreter(_ banks: Int) throws {
        let seed = testSeed(0x15_0000 + UInt64(banks))
        var rng = SplitMix64(seed: seed)
        let p = Self.params(banks: banks)
        let config = p.isa
        // A region that starts at an odd wide beat (DATA_BASE is wide-beat aligned) and ends inside a beat.
        let size = 4 * config.maxVectorLength * 3 + 4 * rng.int(0...15) + rng.int(0...3)
        let base = 3 * banks
        let bench = try Bench(p, baseLine: base, size: size, seed: seed)
        for i in bench.vregs.indices { bench.vregs[i] = Int32(truncatingIfNeeded: rng.next()) }
        var sregs = (0..<config.scalarRegisters).map { _ in Int32(truncatingIfNeeded: rng.next()) }
        var faults = 0, loads = 0, stores = 0

        for n in 0..<iterations(120) {
            let op: Opcode = [.ldv, .ldv, .sv, .sv, .lds, .sts].randomElement(using: &rng)!
            let scalarOp = op == .lds || op == .sts
            let vl = rng.chance(0.2) ? config.maxVectorLength : rng.int(1...config.maxVectorLength)
            let bytes = scalarOp ? 4 : 4 * vl
            let imm = Self.address(&rng, bytes: bytes, size: size)
            let r = UInt8(rng.int(0...(config.vectorRegisters - 1)))
            let s = UInt8(rng.int(0...(config.scalarRegisters - 1)))
            let ins: Instruction
            switch op {
            case .ldv: ins = Instruction(.ldv, rd: r, imm: imm)
            case .sv: ins = Instruction(.sv, ra: r, imm: imm)
            case .lds: ins = Instruction(.lds, rd: s, imm: imm)
            default: ins = Instruction(.sts, ra: s, imm: imm)
            }
            bench.memory.latency = rng.int(1...12)
            bench.memory.waitChance = [0, 0.1, 0.4].randomElement(using: &rng)!

            // The interpreter, from the same state.
            let machine = try Machine(image: ProgramImage(memorySize: UInt32(size), code: [ins.word, Instruction(.halt).word]),
                                      config: config)
            machine.memory = bench.region
            machine.vregs = bench.vregs
            machine.sregs = sregs
            machine.vl = vl
            var record: RetireRecord?
            machine.onRetire = { record = $0 }
            machine.step()

            let what = "seed \(seed), \(banks) bank(s), instruction \(n): \(op.mnemonic) vl \(vl) at \(Hex.word(imm))"
            let scalarIn = op == .sts ? sregs[Int(s)] : 0
            let got = try #require(try bench.run(ins, vl: vl, scalar: scalarIn), "\(what): no done")
            if case .faulted(let f) = machine.status {
                faults += 1
                #expect(got.fault == UInt32(f.code.rawValue), "\(what): fault \(got.fault), interpreter \(f)")
            } else {
                let rec = try #require(record)
                #expect(got.fault == 0, "\(what): fault \(got.fault), interpreter retired")
                #expect(got.count == rec.count, "\(what): count \(got.count), interpreter \(rec.count)")
                #expect(got.digest == rec.digest, "\(what): digest \(Hex.word(got.digest)), interpreter \(Hex.word(rec.digest))")
                if op == .lds {
                    #expect(got.scalar == machine.sregs[Int(s)], "\(what): scalar \(got.scalar), interpreter \(machine.sregs[Int(s)])")
                    sregs[Int(s)] = got.scalar
                }
                if op == .ldv || op == .lds { loads += 1 } else { stores += 1 }
            }
            #expect(bench.vregs == machine.vregs, "\(what): registers differ")
            // Stores are done once the memory system has taken them; let it write them.
            try bench.drain()
            let region = bench.region
            if region != machine.memory {
                let first = zip(region, machine.memory).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? -1
                Issue.record("\(what): memory differs, first at byte \(first)")
                break
            }
        }
        // Bytes around the region never change: the line before it, and every
        // line after it up to the end of the next wide beat.
        let beatBytes = p.beatBytes
        let after = base + (size + beatBytes - 1) / beatBytes
        for line in [base - 1] + Array(after..<(after + 2 * banks)) {
            let words = bench.memory.line(line), initial = bench.memory.initial(line)
            #expect(words == initial, "seed \(seed): line \(line) outside the region changed")
        }
        if size % beatBytes != 0 {
            let line = base + size / beatBytes
            let words = bench.memory.line(line), initial = bench.memory.initial(line)
            for k in (size % beatBytes)..<beatBytes {
                #expect((words[k / 8] >> UInt64(8 * (k % 8))) & 0xFF == (initial[k / 8] >> UInt64(8 * (k % 8))) & 0xFF,
                        "seed \(seed): byte \(k) of the region's last beat, past data_size, changed")
            }
        }
        print("load/store, \(banks) bank(s): \(loads) loads, \(stores) stores, \(faults) faults")
        #expect(loads > 10 && stores > 10 && faults > 5, "seed \(seed): too few of some kind")
    }

    /// Streaming: ldv and sv of 1024 elements (128 wide beats of 2 banks) at
    /// latency 20 without waitrequest take about a cycle per wide beat plus the
    /// latency.
    @Test func vectorsStreamAtAWideBeatPerCycle() throws {
        let p = Self.params(banks: 2, maxVectorLength: 1024)
        let vl = 1024, beats = vl / p.vectorLanes
        let bench = try Bench(p, baseLine: 6, size: 4 * vl + 64, seed: 9)
        bench.memory.latency = 20
        bench.memory.waitChance = 0
        for (op, imm) in [(Opcode.ldv, UInt32(0)), (.ldv, 36), (.sv, 0), (.sv, 20)] {
            let ins = op == .ldv ? Instruction(.ldv, rd: 1, imm: imm) : Instruction(.sv, ra: 1, imm: imm)
            let got = try #require(try bench.run(ins, vl: vl, scalar: 0))
            #expect(got.fault == 0 && got.count == UInt32(vl))
            print("\(op.mnemonic) of \(vl) elements (\(beats) beats) at offset \(imm), latency 20: done after \(got.cycles) cycles")
            let bound = op == .ldv ? beats + 20 + 16 : beats + 8
            #expect(got.cycles <= bound, "\(op.mnemonic) at \(imm): \(got.cycles) cycles, bound \(bound)")
        }
    }
}
