/// Where a model's tensors come from: a checkpoint directory on disk
/// (memory-mapped, converted one tensor at a time) or tensors held in memory.
/// The float reference and the compiler read weights only through this.
public protocol WeightSource: Sendable {
    var config: ModelConfig { get }
    /// The tensor's values as Float, row-major, or a `CheckpointError` naming
    /// the tensor (missing, wrong dtype, non-finite values...).
    func floats(_ name: String) throws -> [Float]
    /// The tensor's shape, nil when it is absent.
    func shape(_ name: String) -> [Int]?
}

/// Tensors held in memory: what `trit checkpoint synth` generates before it
/// writes them, and what tests build directly.
public struct InMemoryWeights: WeightSource {
    public let config: ModelConfig
    public var tensors: [String: (shape: [Int], values: [Float])]

    public init(config: ModelConfig, tensors: [String: (shape: [Int], values: [Float])]) {
        self.config = config
        self.tensors = tensors
    }

    public func floats(_ name: String) throws -> [Float] {
        guard let t = tensors[name] else { throw CheckpointError(file: "(memory)", tensor: name, problem: "missing tensor") }
        return t.values
    }

    public func shape(_ name: String) -> [Int]? { tensors[name]?.shape }
}

/// A problem with a checkpoint: the file, the tensor when there is one, and
/// what is wrong, printed as `file: tensor: problem`.
public struct CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var tensor: String?
    public var problem: String

    public init(file: String, tensor: String? = nil, problem: String) {
        self.file = file
        self.tensor = tensor
        self.problem = problem
    }

    public var description: String { [file, tensor, problem].compactMap { $0 }.joined(separator: ": ") }
}
