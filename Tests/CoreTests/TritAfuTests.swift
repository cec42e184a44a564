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

/// The AFU top: lint-clean, and the host path end to end: a program and its
/// data reach the banks by DMA, the core runs them through the CSR window,
/// and the result comes back by DMA, equal to the interpreter's memory.
@Suite(.serialized) struct TritAfuTests {
    static let small = CoreParameters(isa: CoreConfig(maxVectorLength: 128), dataBits: 128,
                                      addressBits: 16, outstandingBeats: 64)
    static let host = HostDMAParameters(addressBits: 24, maxBurst: 8, bufferBeats: 128)

    @Test func lintClean() throws {
        let design = try elaborate(TritAfu(params: Self.small, host: Self.host))
        let files = SystemVerilogEmitter().files(for: design)
        let problems = try Lint.verilator(files, top: design.top.name)
        #expect(problems.isEmpty, "\(problems)")
        #expect(try Lint.yosys(files, top: design.top.name).problems.isEmpty)
    }

    /// Byte offsets the host uses: the core's window unchanged, the DMA's at 0x100.
    @Test func windowsAreWhereTheHostLooks() {
        #expect(CSR.allCases.allSatisfy { $0.byteOffset < 0x100 })
        #expect(DMARegister.hostAddress.byteOffset == 0x100 && DMARegister.configuration.byteOffset == 0x150)
        #expect(DMARegister.allCases.allSatisfy { $0.byteOffset < 0x180 })
    }

    static let program = """
        setvl 40
        ldv v1, a
        ldv v2, b
        mul v3, v1, v2
        add v4, v3, v1
        sv v4, out
        absmax s1, v4
        sts s1, out + 160
        halt
        .org 0
        a: \(TritCoreTests.words(40))
        b: .word \((0..<40).map { String(($0 * 37) % 23 - 11) }.joined(separator: ", "))
        out: .zero 176
        """

    @Test func aProgramLoadedByDMARunsAndItsResultComesBackByDMA() throws {
        let p = Self.small
        let seed = testSeed(0xAF0)
        let bench = try DMABench(p, Self.host, bankLatency: 6, hostLatency: 40, waitChance: 0.15, seed: seed, afu: true)
        let image = try Assembler(config: p.isa).assemble(Self.program, file: "afu.s").get()
        // The card image: data at byte 0, code at the next 4 KiB, as a host would lay it out.
        let data = image.memory()
        let codeBase = (data.count + 4095) / 4096 * 4096
        var card = data + [UInt8](repeating: 0, count: codeBase - data.count)
        for w in image.code { for k in 0..<8 { card.append(UInt8(truncatingIfNeeded: w >> UInt64(8 * k))) } }
        let b = p.beatBytes
        let imageLine = 1000, resultLine = 5000
        bench.hostMemory.store(card, atLine: imageLine)

        let load = try bench.transfer(hostLine: imageLine, cardLine: 0, beats: (card.count + b - 1) / b, toHost: false)
        #expect(load?.done == true, "seed \(seed): load \(String(describing: load))")
        try bench.writeIndex(CSR.codeBase.rawValue, UInt64(codeBase))
        try bench.writeIndex(CSR.codeLength.rawValue, UInt64(image.code.count))
        try bench.writeIndex(CSR.dataBase.rawValue, 0)
        try bench.writeIndex(CSR.dataSize.rawValue, UInt64(data.count))
        try bench.writeIndex(CSR.control.rawValue, 1)
        // While the core runs, a DMA start fails and the banks stay the core's.
        try bench.start(host: 0, card: 0, length: UInt64(b), toHost: true)
        let refused = try #require(try bench.wait(maxCycles: 4))
        #expect(refused.error && refused.code == DMAError.coreRunning.rawValue, "\(refused)")
        var status: UInt64 = 0
        for _ in 0..<20_000 {
            status = try bench.readIndex(CSR.status.rawValue)
            if status & 0b110 != 0 { break }
        }
        #expect(status & 0b110 == 0b010, "seed \(seed): core status \(status)")

        let back = try bench.transfer(hostLine: resultLine, cardLine: 0, beats: (data.count + b - 1) / b, toHost: true)
        #expect(back?.done == true, "seed \(seed): read-back \(String(describing: back))")
        let machine = try Machine(image: image, config: p.isa)
        var retired = 0
        machine.onRetire = { _ in retired += 1 }
        _ = machine.run(maxSteps: 10_000)
        #expect(bench.hostMemory.bytes(fromLine: resultLine, count: data.count) == machine.memory,
                "seed \(seed): the result read back differs from the interpreter's memory")
        #expect(try bench.readIndex(CSR.retired.rawValue) == UInt64(retired))
        #expect(bench.hostMemory.violations.isEmpty, "\(bench.hostMemory.violations.prefix(4))")
    }

    /// A core start while a DMA runs is dropped and reported; the core stays idle.
    @Test func aCoreStartDuringADMAIsRefused() throws {
        let p = Self.small
        let bench = try DMABench(p, Self.host, bankLatency: 4, hostLatency: 30, waitChance: 0, seed: 3, afu: true)
        try bench.start(host: 0, card: 0, length: UInt64(200 * p.beatBytes), toHost: false)
        try bench.writeIndex(CSR.control.rawValue, 1)
        let core = try bench.readIndex(CSR.status.rawValue)
        #expect(core & 0b111 == 0, "the core started: status \(core)")
        #expect(try bench.status().refused)
        let s = try bench.wait()
        #expect(s?.done == true && s?.refused == true, "\(String(describing: s))")
        #expect(try bench.readIndex(60) == 0, "a register outside both windows reads 0")
    }
}
