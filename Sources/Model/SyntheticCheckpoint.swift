/// Random weights with the statistics of an initialized model, for every
/// tensor of a config: what tests and demos use in place of the published
/// checkpoints, which cannot be downloaded here.
///
/// Distributions: projection and lm_head weights N(0, 0.02) (the published
/// initializer_range). Every projection normalizes its input, so a ternary
/// product returns about 0.02·sqrt(fan-in) per element; embeddings N(0, 1)
/// give the residual stream unit RMS, and each block then adds
/// about 0.02·(sqrt(d) + sqrt(I)): 0.1–1 at test widths, ~2 at d = 2048,
/// so the stream stays O(1) and no block is negligible. Norm weights
/// 1 + N(0, 0.1) (trained norms drift from 1); lower_bounds N(0, 1), so the
/// softmax over layers is uneven.
///
/// Each tensor comes from its own stream (seed and name), so it can be
/// generated alone and in any order, one tensor at a time.
public struct SyntheticCheckpoint: WeightSource {
    public let config: ModelConfig
    public let seed: UInt64
    private let shapes: [String: [Int]]

    public init(config: ModelConfig, seed: UInt64) {
        self.config = config
        self.seed = seed
        shapes = Dictionary(uniqueKeysWithValues: TensorNames.required(config).map { ($0.name, $0.shape) })
    }

    public func shape(_ name: String) -> [Int]? { shapes[name] }

    public func floats(_ name: String) throws -> [Float] {
        guard let shape = shapes[name] else {
            throw CheckpointError(file: "(synthetic)", tensor: name, problem: "missing tensor")
        }
        var rng = SeededRandom(seed: seed, stream: name)
        let n = shape.reduce(1, *)
        let (mean, std): (Double, Double)
        if name == TensorNames.embeddings || name == TensorNames.lowerBounds {
            (mean, std) = (0, 1)
        } else if shape.count == 1 {
            (mean, std) = (1, 0.1)  // a norm weight
        } else {
            (mean, std) = (0, 0.02)
        }
        return (0..<n).map { _ in Float(mean + std * rng.normal()) }
    }

    /// Every tensor generated up front.
    public func inMemory() -> InMemoryWeights {
        var t: [String: (shape: [Int], values: [Float])] = [:]
        for (name, shape) in TensorNames.required(config) { t[name] = (shape, try! floats(name)) }
        return InMemoryWeights(config: config, tensors: t)
    }
}
