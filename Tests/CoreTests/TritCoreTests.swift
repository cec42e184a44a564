import Assembler
import Core
import Foundation
import HDL
import HDLEmit
import HDLSim
import ISA
import Interpreter
import Testing
import TestSupport

/// The whole core, driven from Swift: its retirements and faults against the interpreter.
@Suite(.serialized) struct TritCoreTests {
    static let small = CoreParameters(isa: CoreConfig(maxVectorLength: 128), dataBits: 128,
                                      addressBits: 16, outstandingBeats: 64)

    func image(_ source: String, _ p: CoreParameters = small) throws -> ProgramImage {
        try Assembler(config: p.isa).assemble(source, file: "test.s").get()
    }

    func interpreterRecords(_ image: ProgramImage, _ p: CoreParameters) throws
        -> (records: [RetireRecord], status: Machine.Status, memory: [UInt8]) {
        let machine = try Machine(image: image, config: p.isa)
        var records: [RetireRecord] = []
        machine.onRetire = { records.append($0) }
        let status = machine.run(maxSteps: 100_000)
        return (records, status, machine.memory)
    }

    func check(_ source: String, _ p: CoreParameters = small, waitProbability: Double = 0.2, seed: UInt64 = 1) throws {
        let driver = try CoreDriver(params: p, memoryBytes: 1 << 16, waitProbability: waitProbability, seed: seed)
        try check(source, on: driver)
    }

    /// Loads and runs `source` on `driver` (a new start), against a fresh interpreter.
    func check(_ source: String, on driver: CoreDriver) throws {
        let p = driver.params
        let program = try image(source, p)
        let (_, dataSize) = try driver.load(program)
        let records = try driver.run()
        let expected = try interpreterRecords(program, p)
        #expect(records == expected.records, "\(records.map(\.line)) vs \(expected.records.map(\.line))")
        #expect(Array(driver.memory[0..<dataSize]) == expected.memory, "final data memory")
        let status = try driver.readCSR(.status)
        switch expected.status {
        case .halted:
            #expect(status & 0b110 == 0b010, "status \(status)")
        case .faulted(let f):
            #expect(status & 0b110 == 0b100, "status \(status)")
            #expect((status >> 8) & 0xFF == UInt64(f.code.rawValue))
            #expect(try driver.readCSR(.faultIndex) == UInt64(f.index))
        case .running:
            Issue.record("the interpreter did not finish")
        }
        #expect(try driver.readCSR(.retired) == UInt64(expected.records.count))
    }

    @Test func controlInstructionsRetireLikeTheInterpreter() throws {
        try check("""
            nop
            li s1, 1.5
            setvl 17
            li s2, -3
            nop
            setvl 64
            halt
            """)
    }

    @Test func faultsAtDispatchMatch() throws {
        try check(".inst 0x0300000000000081\nhalt")   // setvl 129: bad vector length
        try check("nop\n.inst 0x00\nhalt")             // illegal
        try check("nop\nli s3, 2")                     // runs past the end
    }

    static let loadStoreProgram = """
        setvl 13
        ldv v1, src + 4
        sv v1, dst + 8
        lds s2, src + 12
        sts s2, dst
        ldv v2, dst
        setvl 64
        ldv v3, src
        halt
        .org 0
        src: .word 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20
        .zero 256
        dst: .zero 128
        """

    @Test func loadsAndStoresMatch() throws {
        try check(Self.loadStoreProgram)
        var twoBanks = Self.small
        twoBanks.banks = 2
        try check(Self.loadStoreProgram, twoBanks, seed: 7)
        try check("ldv v1, 6\nhalt\n.org 0\n.zero 64")       // misaligned
        try check("sv v1, 64\nhalt\n.org 0\n.zero 64")       // out of range
    }

    /// The ISA examples: every unit, through the scoreboard, under back-pressure.
    @Test(arguments: ["01_vector_arith", "02_lookup_units", "03_scalars", "04_bitlinear", "05_mlgru_step", "06_hgrn_block"])
    func examplesMatch(_ name: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("isa/examples/\(name).s")
        try check(String(contentsOf: url, encoding: .utf8), waitProbability: 0.3, seed: 3)
    }

    /// Nonzero words for `count` elements, as an assembler `.word` line.
    static func words(_ count: Int) -> String {
        ".word " + (0..<count).map { String(($0 * 7919 + 13) % 2001 - 1000) }.joined(separator: ", ")
    }

    /// Writes every element of every vector register, so a later run sees them only if its start does not clear them.
    static let dirtyRegisters = "setvl 128\n" + (0..<16).map { "ldv v\($0), src\n" }.joined() + """
        halt
        .org 0
        src: \(words(128))
        """

    /// Reads registers before writing them, right after start: at VL below the
    /// maximum (while their clear runs; `ldv v7` writes v7 during its clear),
    /// then at the maximum (after it).
    static let readsBeforeWrites = """
        setvl 5
        mv v2, v1
        add v3, v4, v5
        sv v3, out
        absmax s1, v6
        sts s1, out + 20
        ldv v7, src
        mac v8, v7, v9
        setvl 128
        sv v7, out + 32
        sv v8, out + 544
        bcast v10, s1
        mac v11, v10, v10
        sv v11, out + 1056
        norm v12, v13, v14, 1e-6
        sv v12, out + 1568
        halt
        .org 0
        src: \(words(128))
        out: .zero 2080
        """

    /// Writes and reads at the maximum VL as the very first vector
    /// instructions: the clear of v5 must not overwrite what `ldv` wrote.
    static let readsAtMaximumFirst = """
        ldv v5, out
        sv v0, out
        mv v1, v2
        quant v3, v4, s0
        sv v3, out + 512
        sv v5, out + 1024
        halt
        .org 0
        out: \(words(384))
        """

    /// Registers start at 0 on every start, although the clear overlaps execution.
    @Test func registersReadBeforeWrittenAreZero() throws {
        let driver = try CoreDriver(params: Self.small, memoryBytes: 1 << 16, waitProbability: 0.2, seed: 5)
        for program in [Self.dirtyRegisters, Self.readsBeforeWrites, Self.dirtyRegisters, Self.readsAtMaximumFirst,
                        Self.readsBeforeWrites, Self.readsBeforeWrites] {
            try check(program, on: driver)
        }
    }

    /// The clear is hidden: at a small VL, vector instructions retire before a full clear would have ended.
    @Test func clearOverlapsExecution() throws {
        let driver = try CoreDriver(params: Self.small, memoryBytes: 1 << 16)
        try check(Self.dirtyRegisters, on: driver)
        try check("setvl 4\nsv v1, 0\nhalt\n.org 0\n.zero 16", on: driver)
        let clear = Self.small.chunksPerRegister
        #expect(driver.retireCycles.count == 3 && driver.retireCycles[1] < clear,
                "retired at cycles \(driver.retireCycles), the clear takes \(clear)")
    }

    /// Memory that never answers: the core reports `timeout` instead of hanging.
    @Test func unansweredMemoryFaultsWithTimeout() throws {
        let driver = try CoreDriver(params: Self.small, memoryBytes: 1 << 16, latency: 1 << 30)
        _ = try driver.load(try image("nop\nhalt"))
        try driver.writeCSR(.timeout, 100)
        let records = try driver.run(maxCycles: 1000)
        #expect(records.isEmpty)
        let status = try driver.readCSR(.status)
        #expect(status & 0b110 == 0b100, "status \(status)")
        #expect((status >> 8) & 0xFF == UInt64(FaultCode.timeout.rawValue))
        #expect(try driver.readCSR(.faultIndex) == 0)
        #expect(try driver.readCSR(.cycles) < 400)
    }

    /// One stream, and four (the stream sequencers and the batched ternary unit).
    @Test(arguments: [1, 4])
    func lintClean(_ streams: Int) throws {
        var p = Self.small
        p.isa.streams = streams
        let design = try elaborate(TritCore(params: p))
        let files = SystemVerilogEmitter().files(for: design)
        let problems = try Lint.verilator(files, top: design.top.name)
        #expect(problems.isEmpty, "\(problems)")
    }
}
