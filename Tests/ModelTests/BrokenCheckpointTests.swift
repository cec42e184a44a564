import TritJSON
import Foundation
import Model
import Testing

/// Every way a checkpoint can be broken gets its own error, naming the
/// file, the tensor when there is one, and the problem.
@Suite struct BrokenCheckpointTests {
    func open(_ dir: URL) throws { _ = try Checkpoint(directory: dir.path) }

    func writeWeights(_ dir: URL, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: dir.appendingPathComponent("model.safetensors"))
    }

    @Test func truncatedFile() throws {
        let dir = try tinyCheckpoint()
        let url = dir.appendingPathComponent("model.safetensors")
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(5).write(to: url)
        expectError("model.safetensors: truncated: 5 bytes, shorter than the 8-byte header length") { try open(dir) }
        try bytes.prefix(100).write(to: url)
        expectError("truncated: the header needs") { try open(dir) }
    }

    @Test func hugeHeader() throws {
        let dir = try tinyCheckpoint()
        var b = withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { Array($0) }
        b += Array("{}".utf8)
        try writeWeights(dir, b)
        expectError("huge header: 1099511627776 bytes") { try open(dir) }
    }

    @Test func badJSON() throws {
        let dir = try tinyCheckpoint()
        try writeWeights(dir, rawSafetensors(header: "{\"a\": [1, 2", data: []))
        expectError("header is not valid JSON") { try open(dir) }
        try writeWeights(dir, rawSafetensors(header: "[1, 2]", data: []))
        expectError("header is not a JSON object") { try open(dir) }
        try writeWeights(dir, rawSafetensors(header: "{\"t\": {\"dtype\": \"F32\", \"shape\": [1]}}", data: [0, 0, 0, 0]))
        expectError("t: entry has no \"data_offsets\"") { try open(dir) }
    }

    @Test func missingTensor() throws {
        let dir = try tinyCheckpoint()
        try rewriteWeights(dir) { $0[TensorNames.weight(1, .o)] = nil }
        expectError("model.layers.1.attn.o_proj.weight: missing tensor (expected shape [8, 8])") { try open(dir) }
    }

    @Test func misshapedTensor() throws {
        let dir = try tinyCheckpoint()
        try rewriteWeights(dir) { $0[TensorNames.weight(0, .gate)] = ([16, 8], Array(repeating: 0.5, count: 128)) }
        expectError("model.safetensors: model.layers.0.mlp.gate_proj.weight: shape [16, 8], expected [32, 8]") { try open(dir) }
    }

    @Test func offsetsPastTheEnd() throws {
        let dir = try tinyCheckpoint()
        try writeWeights(dir, rawSafetensors(header: #"{"t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#, data: [0, 0, 0, 0]))
        expectError("t: data_offsets [0, 8] past the end of the data buffer (4 bytes)") { try open(dir) }
    }

    @Test func offsetsReversedOverlappingOrMissized() throws {
        let dir = try tinyCheckpoint()
        let data = [UInt8](repeating: 0, count: 16)
        try writeWeights(dir, rawSafetensors(header: #"{"t": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}}"#, data: data))
        expectError("t: data_offsets reversed: [8, 4]") { try open(dir) }
        try writeWeights(dir, rawSafetensors(header: #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#, data: data))
        expectError("b: overlaps a") { try open(dir) }
        try writeWeights(dir, rawSafetensors(header: #"{"t": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}"#, data: data))
        expectError("t: holds 8 bytes but shape [3] of F32 needs 12") { try open(dir) }
        try writeWeights(dir, rawSafetensors(header: #"{"t": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}"#, data: data))
        expectError("t: negative shape entry -2") { try open(dir) }
    }

    @Test func unknownAndUnsupportedDtypes() throws {
        let dir = try tinyCheckpoint()
        try writeWeights(dir, rawSafetensors(header: #"{"t": {"dtype": "Q7", "shape": [1], "data_offsets": [0, 1]}}"#, data: [0]))
        expectError("t: unknown dtype 'Q7'") { try open(dir) }

        // An I64 tensor is readable as bytes, but refused once it is needed.
        var t = SyntheticCheckpoint(config: tinyConfig, seed: 7).inMemory().tensors
        t[TensorNames.finalNorm] = nil
        let good = SafetensorsWriter.bytes(t.map { ($0.key, $0.value.shape, $0.value.values) }, dtype: .f32)
        try writeWeights(dir, good)
        let extra = rawSafetensors(header: #"{"model.norm.weight": {"dtype": "I64", "shape": [8], "data_offsets": [0, 64]}}"#,
                                   data: [UInt8](repeating: 0, count: 64))
        try Data(extra).write(to: dir.appendingPathComponent("norm.safetensors"))
        expectError("norm.safetensors: model.norm.weight: unsupported dtype I64") { try open(dir) }
    }

    @Test func nonFiniteValue() throws {
        let dir = try tinyCheckpoint()
        try rewriteWeights(dir) { $0[TensorNames.gNorm(1)]!.values[3] = .nan }
        let ckpt = try Checkpoint(directory: dir.path)  // names and shapes are fine
        expectError("model.layers.1.attn.g_norm.weight: non-finite value nan at element 3") { _ = try ckpt.floats(TensorNames.gNorm(1)) }
        expectError("model.layers.1.attn.g_norm.weight: non-finite") { try ckpt.validateValues() }
        _ = try ckpt.floats(TensorNames.gNorm(0))
    }

    @Test func shortConvolutionRefused() throws {
        let dir = try tinyCheckpoint()
        try editConfig(dir, ["use_short_conv": .bool(true)])
        expectError("config.json: use_short_conv is true") { try open(dir) }
    }

    @Test func multipleHeadsRefused() throws {
        let dir = try tinyCheckpoint()
        try editConfig(dir, ["num_heads": .int(4)])
        expectError("config.json: num_heads is 4") { try open(dir) }
        try editConfig(dir, ["num_heads": nil, "expand_ratio": .int(2)])
        expectError("config.json: expand_ratio is 2") { try open(dir) }
    }

    @Test func otherConfigProblems() throws {
        let dir = try tinyCheckpoint()
        try editConfig(dir, ["tie_word_embeddings": .bool(true)])
        expectError("tie_word_embeddings is true") { try open(dir) }
        try editConfig(dir, ["tie_word_embeddings": nil, "model_type": .string("llama")])
        expectError("model_type is \"llama\", expected \"hgrn_bit\"") { try open(dir) }
        try editConfig(dir, ["model_type": .string("hgrn_bit"), "hidden_size": .int(0)])
        expectError("hidden_size must be a positive integer, found 0") { try open(dir) }
        try editConfig(dir, ["hidden_size": nil])
        expectError("hidden_size is missing") { try open(dir) }
        try Data("{\"model_type\": ".utf8).write(to: dir.appendingPathComponent("config.json"))
        expectError("config.json: not valid JSON") { try open(dir) }
    }

    @Test func missingConfig() throws {
        let dir = try tinyCheckpoint()
        try FileManager.default.removeItem(at: dir.appendingPathComponent("config.json"))
        expectError("config.json: missing config.json") { try open(dir) }
        expectError("no such checkpoint directory") { _ = try Checkpoint(directory: dir.appendingPathComponent("nope").path) }
    }

    @Test func tensorInTwoFiles() throws {
        let dir = try tinyCheckpoint()
        let dup = SafetensorsWriter.bytes([(TensorNames.finalNorm, [8], Array(repeating: 1, count: 8))], dtype: .f32)
        try Data(dup).write(to: dir.appendingPathComponent("extra.safetensors"))
        expectError("model.norm.weight: tensor also present in") { try open(dir) }
    }
}
