import Foundation
import ISA
import Model

/// Where everything lives in data memory. First each stream's own block
/// (input, output, per layer its state and output), `streams` of them at
/// `streamStride` bytes apart (`setss`; the regions name stream 0's); then
/// the shared vectors (per layer the norm weights and lower bound, then the
/// head's norms); the ternary matrices last, in program order, so the
/// weight stream of a token step is one sequential sweep. Every region
/// starts at a multiple of 64 bytes.
public struct MemoryPlan: Sendable, Equatable {
    /// What a region holds, and so how the compiler fills it.
    public enum Content: Sendable, Equatable {
        /// Written by the host each token (d elements).
        case input
        /// The logits of the head (vocab elements).
        case logits
        /// A layer's recurrent state h, zero before the first token.
        case state(layer: Int)
        /// A layer's block output, rewritten each token.
        case layerOutput(layer: Int)
        /// A norm weight vector, the tensor's values in Q.F.
        case normWeight(tensor: String)
        /// A layer's forget-gate lower bound in Q.F (layers > 0 only).
        case lowerBound(layer: Int)
        /// The blocks of streams 1 and up, each laid out as stream 0's.
        case otherStreams(count: Int)
        /// Rows `rows` of a ternary weight tensor [*, cols], packed.
        case matrix(tensor: String, rows: Range<Int>, cols: Int)
    }

    public struct Region: Sendable, Equatable {
        /// The assembly name of the address, e.g. `L0_W_I`.
        public var name: String
        public var address: Int
        public var bytes: Int
        public var content: Content

        /// Q.F elements, for vector regions (nil for matrices).
        public var elements: Int? {
            if case .matrix = content { return nil }
            return bytes / 4
        }
    }

    public static let alignment = 64

    /// How every matrix of the plan is packed (sizes and `tmatmul` spelling follow it).
    public private(set) var packing = WeightPacking.twoBit
    /// In address order.
    public private(set) var regions: [Region] = []
    /// Streams the plan holds a block for.
    public private(set) var streams = 1
    /// Bytes from one stream's block to the next (0 with one stream).
    public private(set) var streamStride = 0
    /// Stream blocks start at multiples of this: a wide beat of four 512-bit banks.
    public static let streamAlignment = 256
    /// Total bytes, a multiple of 64.
    public private(set) var size = 0
    private var index: [String: Int] = [:]

    public func region(_ name: String) -> Region? { index[name].map { regions[$0] } }

    public func address(_ name: String) -> Int {
        guard let r = region(name) else { preconditionFailure("no region \(name) in the memory plan") }
        return r.address
    }

    /// Bytes of packed matrices (headers included): what a token step streams.
    public var matrixBytes: Int {
        regions.reduce(0) { if case .matrix = $1.content { return $0 + $1.bytes }; return $0 }
    }

    private mutating func add(_ name: String, bytes: Int, _ content: Content, alignment: Int = Self.alignment) {
        let a = (size + alignment - 1) / alignment * alignment
        index[name] = regions.count
        regions.append(Region(name: name, address: a, bytes: bytes, content: content))
        size = (a + bytes + Self.alignment - 1) / Self.alignment * Self.alignment
    }

    private mutating func vector(_ name: String, _ count: Int, _ content: Content) {
        add(name, bytes: 4 * count, content)
    }

    private mutating func matrix(_ name: String, _ tensor: String, rows: Range<Int>, cols: Int) {
        add(name, bytes: TernaryMatrix.totalBytes(rows: rows.count, cols: cols, packing: packing),
            .matrix(tensor: tensor, rows: rows, cols: cols), alignment: TernaryMatrix.alignment)
    }

    /// The plan for blocks `layers` (and the head) of a model of shape `c`,
    /// with lm_head cut into chunks of at most `maxVectorLength` rows and
    /// every matrix in `packing`, with a block for each of `streams`.
    /// Throws when it would not fit the 32-bit address space.
    public static func make(_ c: ModelConfig, layers: ClosedRange<Int>, head: Bool, maxVectorLength: Int,
                            packing: WeightPacking = .twoBit, streams: Int = 1) throws -> MemoryPlan {
        let d = c.hiddenSize, n = c.intermediateSize
        var p = MemoryPlan()
        p.packing = packing
        p.streams = streams
        p.vector("INPUT", d, .input)
        if head { p.vector("OUTPUT", c.vocabSize, .logits) }
        for l in layers {
            p.vector(Names.state(l), d, .state(layer: l))
            p.vector(Names.output(l), d, .layerOutput(layer: l))
        }
        if streams > 1 {
            p.streamStride = (p.size + streamAlignment - 1) / streamAlignment * streamAlignment
            p.add("STREAMS", bytes: (streams - 1) * p.streamStride, .otherStreams(count: streams - 1), alignment: streamAlignment)
            assert(p.address("STREAMS") == p.streamStride)
        }
        for l in layers {
            for v in Names.NormVector.allCases {
                p.vector(Names.norm(l, v), v == .down ? n : d, .normWeight(tensor: v.tensor(l)))
            }
            if c.useLowerBound && l > 0 { p.vector(Names.lowerBound(l), d, .lowerBound(layer: l)) }
        }
        if head {
            p.vector("FINAL_NORM", d, .normWeight(tensor: TensorNames.finalNorm))
            p.vector("HEAD_NORM", d, .normWeight(tensor: TensorNames.headNorm))
        }
        for l in layers {
            for m in Names.Matrix.allCases {
                let (rows, cols) = m.rows(d: d, intermediate: n)
                p.matrix(Names.matrix(l, m), TensorNames.weight(l, m.projection), rows: rows, cols: cols)
            }
        }
        if head {
            for (k, rows) in headChunks(vocab: c.vocabSize, maxVectorLength: maxVectorLength).enumerated() {
                p.matrix(Names.headChunk(k), TensorNames.head, rows: rows, cols: d)
            }
        }
        guard p.size <= Int(UInt32.max) else {
            let gib = String(format: "%.2f", Double(p.size) / Double(1 << 30))
            let perLayer = p.regions.filter { $0.name.hasPrefix("L\(layers.lowerBound)_") }.reduce(0) { $0 + $1.bytes }
            let fit = max(0, (Int(UInt32.max) - (p.size - perLayer * layers.count)) / max(1, perLayer))
            throw CompileError("the build needs \(p.size) bytes (\(gib) GiB) of data memory, more than the 4 GiB a 32-bit address reaches; compile fewer layers per build (about \(fit) of these layers fit in one)")
        }
        return p
    }

    /// lm_head's row ranges: chunks of `maxVectorLength` rows, the last one shorter.
    public static func headChunks(vocab: Int, maxVectorLength: Int) -> [Range<Int>] {
        stride(from: 0, to: vocab, by: maxVectorLength).map { $0..<min(vocab, $0 + maxVectorLength) }
    }
}
