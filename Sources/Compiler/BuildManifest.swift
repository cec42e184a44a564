import ISA
import Model

/// `manifest.json` of a build directory: everything a runner (the
/// interpreter, co-simulation, a board driver) needs to feed a compiled
/// program token by token and read its results, without the checkpoint.
///
/// A build directory holds:
/// - `program.s`: the program, readable, commented by layer and operation;
///   it assembles to exactly `program.bin`.
/// - `program.bin`: the program image (code, the data memory size and the
///   symbols of every region below), without data sections. On a target
///   of B streams it runs B independent sequences per token step, stream s
///   on the regions below moved by `s * streamStride` bytes.
/// - `prefill.s`, `prefill.bin` (with `prefillLength`): B consecutive
///   tokens of one sequence per run, token t on stream t's input and
///   outputs, the recurrent state stream 0's.
/// - `memory.bin`: the initial data memory, `memorySize` bytes: weights,
///   norm weights, lower bounds, zeroed state, activations and scratch.
/// - `embeddings.npy`: the float32 token embedding table [vocab, d], for the
///   host's lookup (only when the build starts at layer 0).
/// - `manifest.json`: this.
public struct BuildManifest: Codable, Equatable, Sendable {
    /// A run of `count` Q.F elements (32-bit words) at byte `address`.
    public struct Region: Codable, Equatable, Sendable {
        public var address: Int
        public var count: Int
        public init(address: Int, count: Int) {
            self.address = address
            self.count = count
        }
    }

    public static let currentFormat = 1
    public static let fileName = "manifest.json"

    public var format: Int = Self.currentFormat
    public var model: ModelConfig
    /// The compiled blocks: layers `firstLayer ..< firstLayer + layerCount`.
    public var firstLayer: Int
    public var layerCount: Int
    /// Whether the program ends with the final norm and `lm_head` (output = logits).
    public var head: Bool
    /// The instruction-set configuration the program was compiled for; it runs
    /// on any core with the same registers and fraction bits and at least this
    /// maximum vector length.
    public var target: CoreConfig
    /// `tmatmul` weight packing mode of every matrix (0: 2 bits per trit,
    /// `tmatmul`; 1: base 3, 5 trits per byte, `tmatmul.b3`).
    public var packing: Int
    /// Bytes of data memory (the size of memory.bin).
    public var memorySize: Int
    /// Where the host writes each token's input vector (d elements, Q.F).
    public var input: Region
    /// Where the program leaves its result: d hidden-state elements, or vocab logits with `head`.
    public var output: Region
    /// Each compiled layer's recurrent state h (d elements), carried between tokens.
    public var states: [Region]
    /// Each compiled layer's block output (d elements), rewritten every token.
    public var layerOutputs: [Region]
    /// Instructions per token step.
    public var instructions: Int
    /// Packed ternary weight bytes (headers included) streamed per token step.
    public var weightBytes: Int
    /// Bytes between one stream's regions and the next's (`target.streams`
    /// of them); absent with one stream.
    public var streamStride: Int?
    /// The longest prompt the prefill program takes (a multiple of
    /// `target.streams`); absent when the build has none.
    public var prefillLength: Int?

    public init(model: ModelConfig, firstLayer: Int, layerCount: Int, head: Bool, target: CoreConfig, packing: Int,
                memorySize: Int, input: Region, output: Region, states: [Region], layerOutputs: [Region],
                instructions: Int, weightBytes: Int, streamStride: Int = 0, prefillLength: Int? = nil) {
        self.model = model
        self.firstLayer = firstLayer
        self.layerCount = layerCount
        self.head = head
        self.target = target
        self.packing = packing
        self.memorySize = memorySize
        self.input = input
        self.output = output
        self.states = states
        self.layerOutputs = layerOutputs
        self.instructions = instructions
        self.weightBytes = weightBytes
        self.streamStride = streamStride == 0 ? nil : streamStride
        self.prefillLength = prefillLength
    }
}

extension BuildManifest {
    /// Streams the build's programs run side by side.
    public var streams: Int { target.streams }

    /// `r` as stream `s` sees it.
    public func region(_ r: Region, stream s: Int) -> Region {
        Region(address: r.address + s * (streamStride ?? 0), count: r.count)
    }

    /// The longest vector the program sets: d, I, or a head chunk. A core
    /// with at least this maximum vector length (and the target's registers
    /// and fraction bits) runs the build.
    public var requiredVectorLength: Int {
        let chunk = head ? min(model.vocabSize, target.maxVectorLength) : 0
        return max(model.hiddenSize, model.intermediateSize, chunk)
    }
}
