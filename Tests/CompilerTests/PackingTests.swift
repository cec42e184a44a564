@testable import Compiler
import ISA
import Model
import Testing
import TestSupport

@Suite struct PackingTests {
    /// The packed matrix at `region` decodes to the quantized rows `rows` of `tensor`, with the tensor's one scale.
    func expectMatrix(_ b: Build, _ w: InMemoryWeights, region: String, tensor: String, rows: Range<Int>) throws {
        let plan = try #require(b.plan.region(region))
        let cols = w.tensors[tensor]!.shape[1]
        let (trits, ws) = WeightQuantizer.ternary(w.tensors[tensor]!.values)
        let base3 = b.manifest.packing == 1
        let m = unpackMatrix(b.memory, at: plan.address, base3: base3)
        #expect(m.rows == rows.count && m.cols == cols, "\(region)")
        #expect(m.scale == FixedPointConversion.fixed(ws, fracBits: 16), "\(region)")
        #expect(m.trits == trits[(rows.lowerBound * cols)..<(rows.upperBound * cols)].map { Optional($0) }, "\(region)")
        // Padding (rows past R, columns past C, in whole bytes or digits of a byte) stays zero.
        let k = base3 ? 5 : 4
        let steps = ((cols + k - 1) / k + 7) / 8 * 8
        #expect(plan.bytes == 256 + (rows.count + 63) / 64 * steps * 64, "\(region)")
        let bytes = Array(b.memory[plan.address..<(plan.address + plan.bytes)])
        for g in 0..<(rows.count + 63) / 64 {
            for s in 0..<steps {
                for j in 0..<64 where g * 64 + j >= rows.count || k * s + k > cols {
                    let byte = Int(bytes[256 + (g * steps + s) * 64 + j])
                    let used = g * 64 + j >= rows.count ? 0 : min(k, max(0, cols - k * s))
                    let limit = base3 ? [1, 3, 9, 27, 81, 243][used] : 1 << (2 * used)
                    #expect(byte < limit, "\(region) padding at group \(g) step \(s) lane \(j): \(byte)")
                }
            }
        }
    }

    @Test(arguments: WeightPacking.allCases)
    func everyMatrixUnpacksToItsTrits(packing: WeightPacking) throws {
        // I = 301: down_proj's rows end inside a byte in both packings (301 = 4 * 75 + 1 = 5 * 60 + 1),
        // then step padding; d = 48 ends inside a base-3 byte; the head's 100 rows are two groups, the second partial.
        let w = RandomModel.weights(d: 48, intermediate: 301, layers: 2, vocab: 100, seed: testSeed(21))
        let b = try ModelCompiler.compile(w, head: true, target: RandomModel.target(), packing: packing)
        #expect(b.manifest.packing == Int(packing.rawValue))
        try expectMatrix(b, w, region: "HEAD_W0", tensor: TensorNames.head, rows: 0..<100)
        for l in 0...1 {
            for (m, p) in [("I", TensorNames.Projection.i), ("F", .f), ("G", .g), ("O", .o)] {
                try expectMatrix(b, w, region: "L\(l)_W_\(m)", tensor: TensorNames.weight(l, p), rows: 0..<48)
            }
            try expectMatrix(b, w, region: "L\(l)_W_DOWN", tensor: TensorNames.weight(l, .down), rows: 0..<48)
        }
    }

    @Test(arguments: WeightPacking.allCases)
    func gateProjSplitsIntoGateAndUpWithOneScale(packing: WeightPacking) throws {
        let w = RandomModel.weights(d: 32, intermediate: 96, layers: 1, vocab: 64, seed: testSeed(22))
        let b = try ModelCompiler.compile(w, head: false, packing: packing)
        let tensor = TensorNames.weight(0, .gate)
        try expectMatrix(b, w, region: "L0_W_GATE", tensor: tensor, rows: 0..<96)
        try expectMatrix(b, w, region: "L0_W_UP", tensor: tensor, rows: 96..<192)
    }

    @Test func lmHeadIsChunkedByMaxVectorLength() throws {
        let w = RandomModel.weights(d: 32, intermediate: 64, layers: 1, vocab: 300, seed: testSeed(23))
        let b = try ModelCompiler.compile(w, head: true, target: RandomModel.target(maxVectorLength: 128))
        let chunks = [0..<128, 128..<256, 256..<300]
        for (k, rows) in chunks.enumerated() {
            try expectMatrix(b, w, region: "HEAD_W\(k)", tensor: TensorNames.head, rows: rows)
        }
        #expect(b.plan.region("HEAD_W3") == nil)
        #expect(MemoryPlan.headChunks(vocab: 300, maxVectorLength: 128) == chunks)
        #expect(MemoryPlan.headChunks(vocab: 256, maxVectorLength: 128) == [0..<128, 128..<256])
    }

    @Test func normWeightsAndLowerBoundsAreStoredInQF() throws {
        let w = RandomModel.weights(d: 16, intermediate: 32, layers: 3, vocab: 64, seed: testSeed(24))
        let b = try ModelCompiler.compile(w, layers: 1...2, head: true)
        func words(_ name: String) throws -> [Int32] {
            let r = try #require(b.plan.region(name))
            return TokenRunner(b).words(BuildManifest.Region(address: r.address, count: r.elements!))
        }
        let gn = w.tensors[TensorNames.gNorm(2)]!.values
        #expect(try words("L2_G_OUT_NORM") == gn.map { FixedPointConversion.fixed(Double($0), fracBits: 16)! })
        // A projection's input norm absorbs the rounding of its matrix's scale: mean|W| / (Q.F scale).
        let head = w.tensors[TensorNames.head]!.values
        let ws = WeightQuantizer.scale(of: head)
        let correction = ws * 65536 / Double(try FixedPointConversion.weightScale(ws, fracBits: 16, tensor: "head"))
        #expect(correction != 1)
        #expect(try words("HEAD_NORM") == w.tensors[TensorNames.headNorm]!.values.map {
            FixedPointConversion.fixed(Double(Float(Double($0) * correction)), fracBits: 16)!
        })
        #expect(MemoryImageBuilder.projection(ofInputNorm: TensorNames.inputNorm(2, .gate)) == TensorNames.weight(2, .gate))
        #expect(MemoryImageBuilder.projection(ofInputNorm: TensorNames.finalNorm) == "model.weight")
        let lb = LowerBounds.compute(w.tensors[TensorNames.lowerBounds]!.values, layers: 3, width: 16)
        #expect(try words("L2_LB") == lb[2].map { FixedPointConversion.fixed($0, fracBits: 16)! })
        #expect(b.plan.region("L1_LB") != nil)
        #expect(b.plan.region("L0_LB") == nil)
    }
}
