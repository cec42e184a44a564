import Core
import ISA

/// One model shape of docs/model.md: a block width with its MLP width, and the
/// depth and vocabulary the decode projection needs.
public struct ModelShape: Sendable, Equatable {
    public var name: String
    public var d: Int
    public var intermediate: Int
    public var layers: Int
    public var vocab: Int

    public init(name: String, d: Int, intermediate: Int, layers: Int, vocab: Int) {
        self.name = name
        self.d = d
        self.intermediate = intermediate
        self.layers = layers
        self.vocab = vocab
    }

    /// Ternary weights read per decoded token: every block, then lm_head.
    public var weightsPerToken: Int { layers * (4 * d * d + 3 * intermediate * d) + vocab * d }
}

/// A point of the synthesis sweep: the ternary unit's trits per cycle and the core it sits in.
public struct SynthesisPoint: Sendable {
    public var lanes: Int
    public var parameters: CoreParameters
}

/// What a run measures. The full sweep and the quick smoke run differ only here.
public struct Sweep: Sendable {
    /// Block widths measured in co-simulation, with I from docs/model.md.
    public var blocks: [(d: Int, intermediate: Int)]
    public var banks: [Int]
    public var packings: [WeightPacking]
    /// The core a block runs on, per bank count.
    public var core: @Sendable (_ banks: Int) -> CoreParameters
    public var latency: Int
    public var backpressure: Double
    /// Models whose decode rate is projected from the measured blocks.
    public var models: [ModelShape]
    public var synthesis: [SynthesisPoint]
    /// Also synthesize the memory system (slower than the ternary unit).
    public var synthesizeMemorySystem: Bool
    /// Interpreter against NumPy: the seven products of one block at this width.
    public var interpreterBlock: (d: Int, intermediate: Int)
    public var interpreterRepeats: Int
    /// The core whose RTL generation is timed.
    public var rtlCore: CoreParameters
    /// The trained model's perplexity: the first K windows (nil: the whole
    /// split), at these fraction widths (the first also runs the float reference).
    public var accuracyWindows: Int?
    public var accuracyFracBits: [Int]
    /// The host path: the card loaded through the OPAE engine on the
    /// simulated card, with the image of this model.
    public var hostPath: (core: CoreParameters, host: HostDMAParameters, model: ModelShape)
    /// Seconds of repeated encoding behind each tokenizer figure.
    public var tokenizerSeconds: Double
    /// Batched decode: steps of `streams` sequences on one weight pass, at
    /// these block widths and bank counts (2-bit weights), against the
    /// one-stream blocks above.
    public var batch = BatchSweep(streams: [], blocks: [], banks: [], prefill: nil)

    /// What the batched-decode sections measure.
    public struct BatchSweep: Sendable {
        /// Streams per core (each > 1).
        public var streams: [Int]
        public var blocks: [(d: Int, intermediate: Int)]
        public var banks: [Int]
        /// A prompt of `tokens` through the prefill program of a `streams`-lane
        /// core at block width `d`, one bank, against as many decode steps of one stream.
        public var prefill: (streams: Int, tokens: Int, d: Int, intermediate: Int)?
    }

    /// The ternary unit's trits per cycle (at 2-bit packing).
    static func tritsPerCycle(_ p: CoreParameters) -> Int { p.tritsPerCycle }

    /// Weight beats the ternary unit takes per cycle at most: two from every bank.
    static func beatsPerCycle(_ p: CoreParameters) -> Int { CoreParameters.ternaryCatchUp * p.banks }

    /// A core configuration in words, for the report.
    static func describe(_ p: CoreParameters, banks: Bool = true) -> String {
        "\(p.dataBits)-bit beats, \(tritsPerCycle(p)) trits per cycle, max VL \(p.isa.maxVectorLength)"
            + (banks ? ", \(p.banks) bank(s)" : "")
    }

    /// The ternary unit's trits per cycle at the memory's rate and the memory
    /// it needs (4 trits per byte of beat at 2-bit packing, times banks):
    /// 64 = 128-bit, 128 = 256-bit, 256 = 512-bit, 512 = 512-bit on two banks.
    static func synthesisPoint(lanes: Int) -> SynthesisPoint {
        let dataBits = min(512, lanes * 2), banks = max(1, lanes * 2 / 512)
        return SynthesisPoint(lanes: lanes, parameters: CoreParameters(isa: .standard, dataBits: dataBits, banks: banks))
    }

    public static let full = Sweep(
        blocks: [(512, 1536), (1024, 2816), (2048, 5632), (2560, 6912)],
        banks: [1, 2, 4],
        packings: [.twoBit, .base3],
        core: { banks in var p = CoreParameters.d5005; p.banks = banks; return p },
        latency: 20, backpressure: 0.1,
        models: [
            ModelShape(name: "370M", d: 1024, intermediate: 2816, layers: 24, vocab: 32000),
            ModelShape(name: "1.3B", d: 2048, intermediate: 5632, layers: 24, vocab: 32000),
            ModelShape(name: "2.7B", d: 2560, intermediate: 6912, layers: 32, vocab: 32000),
        ],
        synthesis: [64, 128, 256, 512].map { Sweep.synthesisPoint(lanes: $0) },
        synthesizeMemorySystem: true,
        interpreterBlock: (2048, 5632), interpreterRepeats: 20,
        rtlCore: .d5005,
        accuracyWindows: nil, accuracyFracBits: [16, 12, 14, 20],
        hostPath: (.d5005, .standard, ModelShape(name: "1.3B", d: 2048, intermediate: 5632, layers: 24, vocab: 32000)),
        tokenizerSeconds: 2,
        batch: BatchSweep(streams: [8], blocks: [(1024, 2816), (2048, 5632), (2560, 6912)], banks: [1, 4],
                          prefill: (8, 32, 2048, 5632)))

    /// Seconds instead of hours: a d = 64 block on a small core, one bank,
    /// a d = 128 interpreter block; no synthesis (over a minute even for a
    /// 16-lane ternary unit).
    public static let quick = Sweep(
        blocks: [(64, 256)],
        banks: [1],
        packings: [.twoBit, .base3],
        core: { banks in CoreParameters(isa: CoreConfig(maxVectorLength: 256), dataBits: 512, banks: banks) },
        latency: 20, backpressure: 0.1,
        models: [ModelShape(name: "toy (d = 64)", d: 64, intermediate: 256, layers: 2, vocab: 256)],
        synthesis: [],
        synthesizeMemorySystem: false,
        interpreterBlock: (128, 384), interpreterRepeats: 3,
        rtlCore: CoreParameters(isa: CoreConfig(maxVectorLength: 256), dataBits: 512),
        accuracyWindows: 1, accuracyFracBits: [16],
        // The simulated card the SimCard tests build (a model-cache hit after them).
        hostPath: (CoreParameters(isa: CoreConfig(maxVectorLength: 256), dataBits: 128, addressBits: 16, outstandingBeats: 64),
                   HostDMAParameters(addressBits: 24, maxBurst: 8, bufferBeats: 128),
                   ModelShape(name: "toy (d = 64)", d: 64, intermediate: 256, layers: 2, vocab: 256)),
        tokenizerSeconds: 0.2,
        batch: BatchSweep(streams: [4], blocks: [(64, 256)], banks: [1], prefill: (4, 8, 64, 256)))
}
