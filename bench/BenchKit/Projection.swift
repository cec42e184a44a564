import ISA

/// Decode tokens/s of a whole model on a D5005, projected from the cycles
/// measured for one block: cycles per token = cycles per block x layers +
/// the head's cycles. Only the block's cycles are measured; the head is
/// estimated from its weight beats at the block's measured beat rate, and
/// the clock is an assumption (nothing can be placed and routed here).
public struct Projection: Sendable {
    public var model: ModelShape
    public var banks: Int
    public var packing: WeightPacking
    public var blockCycles: UInt64
    public var headCyclesEstimate: Double
    public var cyclesPerToken: Double { Double(blockCycles) * Double(model.layers) + headCyclesEstimate }
    public func tokensPerSecond(clock: Double) -> Double { clock / cyclesPerToken }

    /// The assumed clock, and the DDR4 user clock of BOARD.md as the upper line.
    public static let clock = 250e6
    public static let upperClock = 300e6
    /// Four DDR4 banks of the D5005 (BOARD.md).
    public static let boardBandwidth = 76.8e9
    /// The paper's projection for its 1.3B model on the D5005.
    public static let paperTokensPerSecond = ["1.3B": 24.0]

    /// Decode reads every weight once per token: the bandwidth limit at batch 1.
    public static func bandwidthLimit(_ model: ModelShape, tritsPerByte: Double) -> Double {
        boardBandwidth / (Double(model.weightsPerToken) / tritsPerByte)
    }

    /// lm_head's beats: vocab rows split into chunks of at most max-VL rows, d columns each.
    static func headBeats(_ model: ModelShape, maxVectorLength: Int, packing: WeightPacking) -> Int {
        stride(from: 0, to: model.vocab, by: maxVectorLength).reduce(0) { sum, first in
            sum + TernaryMatrix.weightBeats(rows: min(maxVectorLength, model.vocab - first), cols: model.d, packing: packing)
        }
    }

    static func make(_ sweep: Sweep, blocks: [BlockMeasurement]) -> [Projection] {
        var out: [Projection] = []
        for model in sweep.models {
            for m in blocks where m.d == model.d && m.intermediate == model.intermediate {
                guard let c = m.counters, c.weightBeats > 0 else { continue }
                let beats = headBeats(model, maxVectorLength: sweep.core(m.banks).isa.maxVectorLength, packing: m.packing)
                out.append(Projection(model: model, banks: m.banks, packing: m.packing, blockCycles: c.cycles,
                                      headCyclesEstimate: Double(beats) / c.utilization))
            }
        }
        return out
    }
}
