import Assembler
import Compiler
import ISA
import Testing
import TestSupport

@Suite struct AssemblyTests {
    @Test(arguments: [false, true])
    func programReassemblesToProgramBin(head: Bool) throws {
        let w = RandomModel.weights(d: 32, intermediate: 64, layers: 2, vocab: 200, seed: testSeed(31))
        let target = RandomModel.target(maxVectorLength: 128)
        let b = try ModelCompiler.compile(w, head: head, target: target)
        let again = try Assembler(config: target).assemble(b.assembly, file: "program.s").get()
        #expect(again.serialized() == b.program.serialized())
        #expect(b.program.data.isEmpty)
        #expect(Int(b.program.memorySize) == b.manifest.memorySize)
        #expect(b.program.code.count == b.manifest.instructions)
    }

    @Test func namesEveryRegionAndSymbolizesTheRunnerRegions() throws {
        let w = RandomModel.weights(d: 16, intermediate: 32, layers: 3, vocab: 64, seed: testSeed(32))
        let b = try ModelCompiler.compile(w, layers: 1...2, head: false)
        for r in b.plan.regions { #expect(b.assembly.contains(".equ \(r.name), "), "\(r.name)") }
        let symbols = Dictionary(uniqueKeysWithValues: b.program.symbols.map { ($0.name, $0) })
        #expect(Set(symbols.keys) == ["INPUT", "OUTPUT", "L1_STATE", "L1_OUT", "L2_STATE", "L2_OUT"])
        #expect(Int(symbols["L1_STATE"]!.address) == b.manifest.states[0].address)
        #expect(Int(symbols["OUTPUT"]!.address) == b.manifest.layerOutputs[1].address)
        #expect(b.manifest.output == b.manifest.layerOutputs[1])
        #expect(b.assembly.contains("; layer 1: i, f, g = BitLinear_{i,f,g}(a)"))
        #expect(b.assembly.contains(".fracbits 16"))
        #expect(!b.assembly.contains(".org"))
    }

    @Test func instructionsPerBlock() throws {
        // One block with the lower bound (layer 1) and one without (layer 0) differ by ldv + lba: 53 and 55 instructions, counting its loads and the final add and store.
        let w = RandomModel.weights(d: 16, intermediate: 32, layers: 2, vocab: 64, seed: testSeed(33))
        let one = try ModelCompiler.compile(w, layers: 0...0, head: false).program.code.count
        let two = try ModelCompiler.compile(w, layers: 0...1, head: false).program.code.count
        #expect(two - one == 55)
    }
}
