import ISA
import Model

/// Fills the data memory of a plan from a checkpoint: norm weights and lower
/// bounds in Q.F, weight tensors quantized and packed; state, input, output
/// and activation regions stay zero. Each tensor is read once.
///
/// A matrix header holds mean|W| in Q.F, which at F = 16 is off by up to
/// 5e-4 relative (mean|W| is about 0.016 for 0.02-scale weights), and that
/// error would bias every output of the projection. The projection's own
/// input norm weight (`P.norm.weight`, used by nothing else) absorbs it:
/// the int8 codes do not change when the input is scaled, and the absmax
/// scale, hence the output, scales with it. So matrices are packed first and
/// each input norm weight is multiplied by mean|W| / (its Q.F value).
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
            // mean|W| over its Q.F value, per weight tensor.
            var scaleCorrection: [String: Double] = [:]
            let matricesFirst = plan.regions.filter { if case .matrix = $0.content { return true }; return false }
                + plan.regions.filter { if case .matrix = $0.content { return false }; return true }
            for r in matricesFirst {
                switch r.content {
                case .input, .logits, .state, .layerOutput, .otherStreams:
                    continue
                case .normWeight(let tensor):
                    var values = try weights.floats(tensor)
                    try expectCount(values, r.elements ?? 0, tensor)
                    if let c = scaleCorrection[Self.projection(ofInputNorm: tensor)] {
                        values = values.map { Float(Double($0) * c) }
                    }
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
                        let q = try FixedPointConversion.weightScale(ws, fracBits: fracBits, tensor: tensor)
                        current = (tensor, values, ws, q)
                        scaleCorrection[tensor] = ws * Double(1 << fracBits) / Double(q)
                        progress(tensor)
                    }
                    let t = current!
                    TernaryPacker.pack(t.values, cols: cols, rows: rows, scale: t.scale, scaleQ: t.scaleQ,
                                       packing: plan.packing, into: mem, at: r.address)
                }
            }
        }
        return memory
    }

    /// `model.layers.0.attn.i_proj.norm.weight` → `model.layers.0.attn.i_proj.weight`
    /// (other names map to names that are not weight tensors).
    static func projection(ofInputNorm name: String) -> String {
        name.hasSuffix(".norm.weight") ? String(name.dropLast(".norm.weight".count)) + ".weight" : ""
    }

    private func expectCount(_ values: [Float], _ count: Int, _ tensor: String) throws {
        guard values.count == count else {
            throw CompileError(tensor: tensor, "has \(values.count) values, expected \(count)")
        }
    }
}
