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
        let program = try image(source, p)
        let driver = try CoreDriver(params: p, memoryBytes: 1 << 16, waitProbability: waitProbability, seed: seed)
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

    @Test func lintClean() throws {
        let design = try elaborate(TritCore(params: Self.small))
        let files = SystemVerilogEmitter().files(for: design)
        let problems = try Lint.verilator(files, top: design.top.name)
        #expect(problems.isEmpty, "\(problems)")
    }
}
