import ISA
import Model

/// Fills the data memory of a plan from a checkpoint: norm weights and lower
/// bounds in Q.F, weight tensors quantized and packed; state, input, output
/// and activation regions stay zero. Each tensor is read once.
struct MemoryImageBuilder {
    let weights: WeightSource
    let plan: MemoryPlan
    let fracBits: Int
    let progress: (String) -> Void

    func build() throws -> [UInt8] {
        var memory = [UInt8](repeating: 0, count: plan.size)
        try memory.withUnsafeMutableBytes { raw in
            let mem = SharedBytes(raw)
            var lowerBounds: [[Double]]? = nil
            // Consecutive matrices of one tensor (gate/up, the head's chunks) share its floats and scale.
            var current: (tensor: String, values: [Float], scale: Double, scaleQ: Int32)? = nil
            for r in plan.regions {
                switch r.content {
                case .input, .logits, .state, .layerOutput:
                    continue
                case .normWeight(let tensor):
                    let values = try weights.floats(tensor)
                    try expectCount(values, r.elements ?? 0, tensor)
                    mem.putWords(r.address, try FixedPointConversion.vector(values, fracBits: fracBits, tensor: tensor))
                    progress(tensor)
                case .lowerBound(let l):
                    if lowerBounds == nil {
                        let c = weights.config
                        let raw = try weights.floats(TensorNames.lowerBounds)
                        try expectCount(raw, c.layers * c.hiddenSize, TensorNames.lowerBounds)
                        lowerBounds = LowerBounds.compute(raw, layers: c.layers, width: c.hiddenSize)
                        progress(TensorNames.lowerBounds)
                    }
                    mem.putWords(r.address, try FixedPointConversion.vector(lowerBounds![l], fracBits: fracBits, tensor: TensorNames.lowerBounds))
                case .matrix(let tensor, let rows, let cols):
                    if current?.tensor != tensor {
                        current = nil  // release the previous tensor before reading the next
                        let values = try weights.floats(tensor)
                        try expectCount(values, weights.shape(tensor)?.reduce(1, *) ?? -1, tensor)
                        let ws = WeightQuantizer.scale(of: values)
                        guard ws.isFinite else { throw CompileError(tensor: tensor, "mean|W| is not finite") }
                        current = (tensor, values, ws, try FixedPointConversion.weightScale(ws, fracBits: fracBits, tensor: tensor))
                        progress(tensor)
                    }
                    let t = current!
                    TernaryPacker.pack(t.values, cols: cols, rows: rows, scale: t.scale, scaleQ: t.scaleQ, into: mem, at: r.address)
                }
            }
        }
        return memory
    }

    private func expectCount(_ values: [Float], _ count: Int, _ tensor: String) throws {
        guard values.count == count else {
            throw CompileError(tensor: tensor, "has \(values.count) values, expected \(count)")
        }
    }
}
