import Cosim
import ISA
import Interpreter
import Testing
import TestSupport

/// The constrained-random program generator, against the interpreter alone.
@Suite struct RandomProgramTests {
    static let config = RandomProgramConfig(isa: CoreConfig(maxVectorLength: 256), vectorLanes: 16)

    @Test func sameSeedSameProgram() {
        let seed = testSeed(0x5EED_0001)
        for s in seed..<(seed + 20) {
            let a = RandomProgram(seed: s, config: Self.config), b = RandomProgram(seed: s, config: Self.config)
            #expect(a.image == b.image, "seed \(s)")
            #expect(a.planted?.fault == b.planted?.fault && a.planted?.index == b.planted?.index)
            #expect(a.image != RandomProgram(seed: s + 1, config: Self.config).image, "seed \(s)")
            #expect((try? ProgramImage.parse(a.image.serialized())) == a.image)
        }
    }

    /// Registers an instruction reads and writes (vector `v`, scalar `s`).
    static func uses(_ ins: Instruction) -> (reads: Set<String>, writes: Set<String>) {
        var reads = Set<String>(), writes = Set<String>()
        for o in ins.spec.operands where o.kind.isRegister {
            let name = (o.kind == .vreg ? "v" : "s") + String(ins.value(of: o.field))
            if o.field == .rd { writes.insert(name) } else { reads.insert(name) }
        }
        if ins.opcode == .mac { reads.insert("v\(ins.rd)") }
        return (reads, writes)
    }

    /// One stream, and four (where a memory fault may come from a later stream only).
    @Test(arguments: [1, 4])
    func programsRunAsPlannedOnTheInterpreter(_ streams: Int) throws {
        let config = streams == 1 ? Self.config
            : RandomProgramConfig(isa: CoreConfig(maxVectorLength: 256, streams: streams), vectorLanes: 16)
        let seed = testSeed(0x5EED_0002 + UInt64(streams - 1) << 20)
        let count = iterations(300)
        var halted = 0
        var plantedKinds = Set<String>()
        var retiredOpcodes = Set<UInt8>()
        var matmuls = 0, int8Matmuls = 0
        var raw = 0, war = 0, waw = 0, pairs = 0
        var lengths = Set<Int>()
        for i in 0..<count {
            let program = RandomProgram(seed: seed &+ UInt64(i), config: config)
            let machine = try Machine(image: program.image, config: config.isa)
            machine.onRetire = { retiredOpcodes.insert($0.opcode) }
            var previous: Instruction?
            while machine.status == .running && machine.pc < program.image.code.count {
                if case .success(let ins) = Instruction.decode(program.image.code[machine.pc], config: config.isa) {
                    if ins.opcode == .tmatmul, let header = machine.words(at: Int(ins.imm), count: 2),
                       header[1] >= 1 && Int(header[1]) <= 256 {
                        matmuls += 1
                        if machine.vector(Int(ins.ra), count: Int(header[1])).allSatisfy({ (-128...127).contains($0) }) { int8Matmuls += 1 }
                    }
                    if ins.opcode == .setvl { lengths.insert(Int(ins.imm)) }
                    if let p = previous {
                        let (r0, w0) = Self.uses(p), (r1, w1) = Self.uses(ins)
                        pairs += 1
                        if !w0.isDisjoint(with: r1) { raw += 1 }
                        if !r0.isDisjoint(with: w1) { war += 1 }
                        if !w0.isDisjoint(with: w1) { waw += 1 }
                    }
                    previous = ins
                }
                machine.step()
            }
            machine.step()
            switch (machine.status, program.planted) {
            case (.halted, nil):
                halted += 1
            case (.faulted(let f), let planted?):
                plantedKinds.insert(planted.fault.rawValue)
                #expect(f.code == planted.fault.code && f.index == planted.index,
                        "seed \(seed &+ UInt64(i)): planted \(planted.fault) at \(planted.index), got \(f)")
            default:
                Issue.record("seed \(seed &+ UInt64(i)): planted \(String(describing: program.planted)), ended \(machine.status)")
            }
        }
        // Most programs halt; every kind of fault is planted somewhere.
        #expect(Double(halted) / Double(count) > 0.6, "\(halted) of \(count) halted")
        #expect(plantedKinds.count == RandomProgram.PlantedFault.allCases.count, "\(plantedKinds)")
        // Every opcode retires somewhere.
        let missing = Opcode.allCases.filter { !retiredOpcodes.contains($0.rawValue) }
        #expect(missing.isEmpty, "never retired: \(missing)")
        // Activations are int8 codes most of the time.
        #expect(matmuls > count / 2 && Double(int8Matmuls) / Double(matmuls) > 0.6, "\(int8Matmuls) of \(matmuls)")
        // Dependencies between neighbours are frequent.
        #expect(Double(raw) / Double(pairs) > 0.2 && Double(war) / Double(pairs) > 0.1 && Double(waw) / Double(pairs) > 0.05,
                "RAW \(raw), WAR \(war), WAW \(waw) of \(pairs)")
        // Vector lengths at beat edges and at the limit.
        #expect([1, 15, 16, 17, 256].allSatisfy(lengths.contains), "\(lengths.sorted())")
    }

    /// The programs `CoreCosimTests.randomProgramsInLockStep` runs (same
    /// seeds) saturate in every kind that can, so the core's counts are
    /// compared where it matters; and not every program saturates.
    @Test func lockStepProgramsSaturateInEveryKind() throws {
        var kinds = SaturationCounts()
        var quiet = 0, programs = 0
        for banks in [1, 2, 4] {
            let seed = testSeed(0xC0DE_0100 + UInt64(banks) << 20)
            for i in 0..<40 {
                let program = RandomProgram(seed: seed &+ UInt64(i), config: Self.config)
                let machine = try Machine(image: program.image, config: Self.config.isa)
                machine.run(maxSteps: 10_000)
                kinds = kinds.adding(machine.saturations)
                if machine.saturations.isEmpty { quiet += 1 }
                programs += 1
            }
        }
        let expected: [Opcode] = [.add, .sub, .mul, .div, .mac, .lba, .adds, .muls, .exp, .rsqrt, .absmax, .quant, .norm, .tmatmul]
        let missing = expected.filter { kinds.byOpcode[$0] == nil }
        #expect(missing.isEmpty, "never saturated: \(missing.map(\.mnemonic)); counts \(kinds.listing); first seed \(testSeed(0xC0DE_0100 + 1 << 20))")
        #expect(quiet > 0 && quiet < programs, "\(quiet) of \(programs) programs without a saturation")
        print("random lock-step programs: \(programs - quiet) of \(programs) saturate; \(kinds.listing)")
    }
}
