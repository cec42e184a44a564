import Compiler
import Model
import Testing

@Suite struct MemoryPlanTests {
    func expectSound(_ p: MemoryPlan) {
        #expect(p.size % 64 == 0)
        for r in p.regions {
            #expect(r.address % 64 == 0, "\(r.name)")
            #expect(r.address + r.bytes <= p.size, "\(r.name)")
        }
        for (a, b) in zip(p.regions, p.regions.dropFirst()) {
            #expect(a.address + a.bytes <= b.address, "\(a.name) overlaps \(b.name)")
        }
        #expect(Set(p.regions.map(\.name)).count == p.regions.count)
        // Matrices come last, one after the other, so the weight stream is one sweep.
        let firstMatrix = p.regions.firstIndex { if case .matrix = $0.content { return true }; return false }!
        #expect(p.regions[firstMatrix...].allSatisfy { if case .matrix = $0.content { return true }; return false })
        for (a, b) in zip(p.regions[firstMatrix...], p.regions[firstMatrix...].dropFirst()) {
            #expect(b.address == (a.address + a.bytes + 63) / 64 * 64)
        }
    }

    @Test(arguments: [(16, 32, 1, 64, true), (48, 300, 3, 300, true), (64, 128, 2, 257, false)])
    func regionsAreAlignedDisjointAndInside(_ shape: (Int, Int, Int, Int, Bool)) throws {
        let c = ModelConfig(hiddenSize: shape.0, intermediateSize: shape.1, layers: shape.2, vocabSize: shape.3)
        for head in [false, true] {
            expectSound(try MemoryPlan.make(c, layers: 0...(shape.2 - 1), head: head, maxVectorLength: shape.4 ? 128 : 8192))
        }
    }

    @Test func publishedModelFits() throws {
        // MMfreeLM-1.3B: about 300 MB of packed weights.
        let c = ModelConfig(hiddenSize: 2048, intermediateSize: 5632, layers: 24, vocabSize: 32000)
        let p = try MemoryPlan.make(c, layers: 0...23, head: true, maxVectorLength: 8192)
        expectSound(p)
        #expect(p.size > 300_000_000 && p.size < 400_000_000)
        #expect(p.regions.filter { $0.name.hasPrefix("HEAD_W") }.count == 4)
        // Base-3 packing: 2048 columns in 416 steps instead of 512, 5632 in 1128 instead of 1408.
        let b3 = try MemoryPlan.make(c, layers: 0...23, head: true, maxVectorLength: 8192, packing: .base3)
        expectSound(b3)
        #expect(b3.region("L0_W_I")?.bytes == 256 + 32 * 416 * 64 && p.region("L0_W_I")?.bytes == 256 + 32 * 512 * 64)
        #expect(b3.region("L0_W_DOWN")?.bytes == 256 + 32 * 1128 * 64)
        let ratio = Double(b3.matrixBytes) / Double(p.matrixBytes)
        #expect(ratio > 0.80 && ratio < 0.82, "\(ratio)")
    }

    @Test func refusesMoreThanTheAddressSpace() throws {
        let c = ModelConfig(hiddenSize: 8192, intermediateSize: 8192, layers: 64, vocabSize: 32000)
        let e = #expect(throws: CompileError.self) { try MemoryPlan.make(c, layers: 0...63, head: true, maxVectorLength: 8192) }
        #expect(e?.problem.contains("fewer layers") == true)
        #expect(e?.problem.contains("GiB") == true)
        #expect(e?.problem.contains("about 35 of these layers") == true, "\(e?.problem ?? "")")
        // A slice of the same model fits.
        _ = try MemoryPlan.make(c, layers: 0...7, head: false, maxVectorLength: 8192)
    }
}
