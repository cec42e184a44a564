import ISA
import Model

/// A compiled build, in memory: what a build directory holds (see
/// `BuildManifest`). `write(to:)` and `load(from:)` move it to and from disk.
public struct Build: Sendable {
    public var manifest: BuildManifest
    /// program.s
    public var assembly: String
    /// program.bin: code, memory size and symbols, no data sections.
    public var program: ProgramImage
    /// prefill.s and prefill.bin: B consecutive tokens of one sequence per
    /// run, on the same data memory (builds with a prefill length only).
    public var prefill: (assembly: String, program: ProgramImage)?
    /// memory.bin: the initial data memory, `manifest.memorySize` bytes.
    public var memory: [UInt8]
    /// The float32 embedding table [vocab, d], row-major; only when the build starts at layer 0.
    public var embeddings: [Float]?
    /// Every region of data memory (a function of the manifest's model, layers, head and target).
    public var plan: MemoryPlan

    public init(manifest: BuildManifest, plan: MemoryPlan, assembly: String, program: ProgramImage,
                prefill: (assembly: String, program: ProgramImage)? = nil, memory: [UInt8], embeddings: [Float]?) {
        self.manifest = manifest
        self.plan = plan
        self.assembly = assembly
        self.program = program
        self.prefill = prefill
        self.memory = memory
        self.embeddings = embeddings
    }

    /// The program image a machine runs: program.bin, plus memory.bin as one
    /// data section at address 0 when `withData` (the interpreter's input).
    public func image(withData: Bool = true) -> ProgramImage {
        var image = program
        if withData { image.data = [ProgramImage.DataSection(address: 0, bytes: memory)] }
        return image
    }
}
