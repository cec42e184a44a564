import HDL
import HDLEmit
import HDLLib
import HDLSim
import Testing

/// Yosys's generic synthesis keeps memories as memory cells and counts
/// flip-flops bit by bit.
@Suite struct SynthesisReportTests {
    @Test func aMemoryStaysOneMemoryCell() throws {
        let design = try elaborate(SimpleRAM(width: 16, depth: 256))
        let r = try Lint.synthesize(SystemVerilogEmitter().files(for: design), top: design.top.name)
        #expect(r.memories == 1 && r.memoryBits == 16 * 256, "\(r)")
        // The registered read folds into the memory: no 4096 flip-flops.
        #expect(r.flipFlops < 64, "\(r)")
        #expect(r.cellTypes["$mem_v2"] == 1)
    }

    @Test func flipFlopsAreCountedPerBit() throws {
        let design = try elaborate(Counter(width: 8))
        let r = try Lint.synthesize(SystemVerilogEmitter().files(for: design), top: design.top.name)
        #expect(r.flipFlops == 8, "\(r)")
        #expect(r.memories == 0 && r.memoryBits == 0)
        #expect(r.cells == r.cellTypes.values.reduce(0, +))
    }
}
