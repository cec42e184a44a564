import TritJSON
import Foundation
import Model
import Testing

/// A fresh empty directory for one test.
func scratchDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trit-model-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// Runs `body` and checks it throws an error whose text contains `fragment`.
func expectError(_ fragment: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("no error; expected one containing '\(fragment)'", sourceLocation: sourceLocation)
    } catch {
        #expect("\(error)".contains(fragment), "error '\(error)' lacks '\(fragment)'", sourceLocation: sourceLocation)
    }
}

/// A safetensors file from a header text and a data buffer, written by hand
/// so tests can break any part of it.
func rawSafetensors(header: String, data: [UInt8]) -> [UInt8] {
    let h = Array(header.utf8)
    return withUnsafeBytes(of: UInt64(h.count).littleEndian) { Array($0) } + h + data
}

/// The smallest model shape the tests use.
let tinyConfig = ModelConfig(hiddenSize: 8, intermediateSize: 16, layers: 2, vocabSize: 16)

/// Writes a valid tiny checkpoint and returns its directory.
func tinyCheckpoint(dtype: TensorDType = .f32, shards: Int = 1, seed: UInt64 = 7) throws -> URL {
    let dir = try scratchDirectory().appendingPathComponent("ckpt")
    try CheckpointWriter.write(SyntheticCheckpoint(config: tinyConfig, seed: seed), to: dir.path, dtype: dtype, shards: shards)
    return dir
}

/// Replaces a tiny checkpoint's weights with these tensors (F32, one file).
func rewriteWeights(_ dir: URL, _ edit: (inout [String: (shape: [Int], values: [Float])]) -> Void) throws {
    var t = SyntheticCheckpoint(config: tinyConfig, seed: 7).inMemory().tensors
    edit(&t)
    let bytes = SafetensorsWriter.bytes(t.map { ($0.key, $0.value.shape, $0.value.values) }, dtype: .f32)
    try Data(bytes).write(to: dir.appendingPathComponent("model.safetensors"))
}

/// Replaces fields of a checkpoint's config.json (nil removes the field).
func editConfig(_ dir: URL, _ fields: [String: JSON?]) throws {
    let url = dir.appendingPathComponent("config.json")
    guard case .object(var o) = try JSON.parse([UInt8](Data(contentsOf: url))) else { fatalError("config is not an object") }
    for (k, v) in fields { o[k] = v }
    try Data(JSON.object(o).pretty().utf8).write(to: url)
}
