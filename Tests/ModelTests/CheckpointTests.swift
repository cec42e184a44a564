import Foundation
import Model
import Testing

/// Checkpoints written in the published layout load back: every dtype,
/// one file or shards (with or without an index), and config defaults.
@Suite struct CheckpointTests {
    @Test func f32CheckpointLoadsExactly() throws {
        let dir = try tinyCheckpoint()
        let ckpt = try Checkpoint(directory: dir.path)
        #expect(ckpt.config == tinyConfig)
        #expect(Set(ckpt.files.keys) == ["model.safetensors"])
        let synthetic = SyntheticCheckpoint(config: tinyConfig, seed: 7)
        for (name, shape) in TensorNames.required(tinyConfig) {
            #expect(ckpt.shape(name) == shape)
            #expect(try ckpt.floats(name) == synthetic.floats(name), "\(name)")
        }
        try ckpt.validateValues()
    }

    @Test func bf16CheckpointLoads() throws {
        let dir = try tinyCheckpoint(dtype: .bf16)
        let ckpt = try Checkpoint(directory: dir.path)
        let synthetic = SyntheticCheckpoint(config: tinyConfig, seed: 7)
        let w = TensorNames.weight(1, .down)
        #expect(ckpt.entry(w)?.dtype == "BF16")
        #expect(try ckpt.floats(w) == synthetic.floats(w).map { HalfFloat.float(fromBFloat: HalfFloat.bfloat(from: $0)) })
        try ckpt.validateValues()
    }

    @Test func shardedWithIndex() throws {
        let dir = try tinyCheckpoint(dtype: .f16, shards: 3)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names == ["config.json", "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                          "model-00003-of-00003.safetensors", "model.safetensors.index.json"])
        let ckpt = try Checkpoint(directory: dir.path)
        #expect(ckpt.files.count == 3)
        #expect(Set(ckpt.location.values).count == 3)
        try ckpt.validateValues()

        // An index pointing at the wrong shard is caught.
        let indexURL = dir.appendingPathComponent("model.safetensors.index.json")
        let text = try String(contentsOf: indexURL, encoding: .utf8)
        let w = TensorNames.embeddings, actual = ckpt.location[w]!
        let other = actual == "model-00001-of-00003.safetensors" ? "model-00002-of-00003.safetensors" : "model-00001-of-00003.safetensors"
        try text.replacingOccurrences(of: "\"\(w)\": \"\(actual)\"", with: "\"\(w)\": \"\(other)\"")
            .write(to: indexURL, atomically: true, encoding: .utf8)
        expectError("model.embeddings.weight: weight_map names \(other), which does not hold it") {
            _ = try Checkpoint(directory: dir.path)
        }
    }

    @Test func shardedWithoutIndex() throws {
        let dir = try tinyCheckpoint(shards: 2)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("model.safetensors.index.json"))
        let ckpt = try Checkpoint(directory: dir.path)
        #expect(ckpt.files.count == 2)
        #expect(try ckpt.floats(TensorNames.head) == SyntheticCheckpoint(config: tinyConfig, seed: 7).floats(TensorNames.head))
    }

    @Test func configDefaults() throws {
        let dir = try tinyCheckpoint()
        // Without intermediate_size the reference rule applies (d = 8: 256 * ceil(21 / 256) = 256), which the
        // tensors no longer match; the error names the tensor and both shapes.
        try editConfig(dir, ["intermediate_size": .null, "rms_norm_eps": nil, "use_lower_bound": nil, "num_heads": nil])
        expectError("model.layers.0.mlp.gate_proj.weight: shape [32, 8], expected [512, 8]") { _ = try Checkpoint(directory: dir.path) }
        try editConfig(dir, ["intermediate_size": .int(16), "rms_norm_eps": .double(1e-5), "use_lower_bound": .bool(false)])
        let c = try Checkpoint(directory: dir.path).config
        #expect(c.rmsNormEps == 1e-5 && !c.useLowerBound && c.intermediateSize == 16)
    }

    @Test func rewritingReplacesAWholeDirectory() throws {
        let dir = try tinyCheckpoint(shards: 2)
        try CheckpointWriter.write(SyntheticCheckpoint(config: tinyConfig, seed: 8), to: dir.path)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names == ["config.json", "model.safetensors"])
        let parent = try FileManager.default.contentsOfDirectory(atPath: dir.deletingLastPathComponent().path)
        #expect(parent == ["ckpt"], "temporary directories left behind: \(parent)")
        #expect(try Checkpoint(directory: dir.path).floats(TensorNames.head) == SyntheticCheckpoint(config: tinyConfig, seed: 8).floats(TensorNames.head))
    }

    @Test func syntheticStatistics() throws {
        let s = SyntheticCheckpoint(config: ModelConfig(hiddenSize: 64, intermediateSize: 128, layers: 2, vocabSize: 64), seed: 3)
        func stats(_ name: String) throws -> (mean: Double, std: Double) {
            let v = try s.floats(name).map(Double.init)
            let m = v.reduce(0, +) / Double(v.count)
            return (m, (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count)).squareRoot())
        }
        let w = try stats(TensorNames.weight(0, .gate)), e = try stats(TensorNames.embeddings), n = try stats(TensorNames.attnNorm(1))
        #expect(abs(w.mean) < 0.002 && abs(w.std - 0.02) < 0.002)
        #expect(abs(e.mean) < 0.1 && abs(e.std - 1) < 0.1)
        #expect(abs(n.mean - 1) < 0.05 && abs(n.std - 0.1) < 0.05)
        // One stream per tensor: the same tensor whatever else was generated.
        #expect(try s.floats(TensorNames.head) == SyntheticCheckpoint(config: s.config, seed: 3).floats(TensorNames.head))
        #expect(try s.floats(TensorNames.head) != SyntheticCheckpoint(config: s.config, seed: 4).floats(TensorNames.head))
    }
}
