import TritJSON
import Foundation

/// A checkpoint directory in the published Hugging Face layout: config.json
/// plus one or more memory-mapped `.safetensors` files. Opening validates
/// the config and that every required tensor exists with its exact shape;
/// values are converted (and checked finite) when a tensor is read.
public final class Checkpoint: WeightSource {
    public let directory: String
    public let config: ModelConfig
    /// The files holding the weights, by file name.
    public let files: [String: SafetensorsFile]
    /// Which file (by name) holds each tensor.
    public let location: [String: String]

    public init(directory: String) throws {
        self.directory = directory
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw CheckpointError(file: directory, problem: "no such checkpoint directory")
        }
        let dir = URL(fileURLWithPath: directory)
        let configPath = dir.appendingPathComponent("config.json").path
        guard let configData = FileManager.default.contents(atPath: configPath) else {
            throw CheckpointError(file: configPath, problem: "missing config.json (every checkpoint directory needs one)")
        }
        config = try ModelConfig.parse([UInt8](configData), file: configPath)

        // Which files: the index's weight_map when there is one, else every *.safetensors.
        let indexPath = dir.appendingPathComponent("model.safetensors.index.json").path
        var declared: [String: String]? = nil
        var fileNames: [String]
        if let indexData = FileManager.default.contents(atPath: indexPath) {
            let map = try Self.weightMap([UInt8](indexData), file: indexPath)
            declared = map
            fileNames = Array(Set(map.values)).sorted()
        } else {
            let all = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            fileNames = all.filter { $0.hasSuffix(".safetensors") && !$0.hasPrefix(".") }.sorted()
        }
        guard !fileNames.isEmpty else {
            throw CheckpointError(file: directory, problem: "no .safetensors files (expected model.safetensors or shards)")
        }
        var files: [String: SafetensorsFile] = [:]
        var location: [String: String] = [:]
        for name in fileNames {
            let f = try SafetensorsFile(path: dir.appendingPathComponent(name).path)
            files[name] = f
            for t in f.names {
                if let other = location[t] {
                    throw CheckpointError(file: f.path, tensor: t, problem: "tensor also present in \(other)")
                }
                location[t] = name
            }
        }
        if let declared {
            for (t, file) in declared.sorted(by: { $0.key < $1.key }) where location[t] != file {
                throw CheckpointError(file: indexPath, tensor: t, problem: "weight_map names \(file), which does not hold it")
            }
        }
        self.files = files
        self.location = location

        for (name, shape) in TensorNames.required(config) {
            guard let file = location[name], let e = files[file]?.entries[name] else {
                throw CheckpointError(file: directory, tensor: name, problem: "missing tensor (expected shape \(shape))")
            }
            let path = files[file]!.path
            guard e.shape == shape else {
                throw CheckpointError(file: path, tensor: name, problem: "shape \(e.shape), expected \(shape)")
            }
            guard e.type != nil else {
                throw CheckpointError(file: path, tensor: name, problem: "unsupported dtype \(e.dtype) (F32, F16 or BF16 expected)")
            }
        }
    }

    static func weightMap(_ bytes: [UInt8], file: String) throws -> [String: String] {
        let json: JSON
        do { json = try JSON.parse(bytes, duplicateKeys: .reject) } catch { throw CheckpointError(file: file, problem: "not valid JSON: \(error)") }
        guard case .object(let map)? = json["weight_map"] else {
            throw CheckpointError(file: file, problem: "no \"weight_map\" object")
        }
        var out: [String: String] = [:]
        for (t, v) in map {
            guard case .string(let f) = v, !f.isEmpty, !f.contains("/") else {
                throw CheckpointError(file: file, tensor: t, problem: "weight_map entry is not a file name in this directory")
            }
            out[t] = f
        }
        return out
    }

    public func entry(_ name: String) -> SafetensorsFile.Entry? { location[name].flatMap { files[$0]?.entries[name] } }

    public func shape(_ name: String) -> [Int]? { entry(name)?.shape }

    public func floats(_ name: String) throws -> [Float] {
        guard let file = location[name], let f = files[file] else {
            throw CheckpointError(file: directory, tensor: name, problem: "missing tensor")
        }
        return try f.floats(name)
    }

    /// Converts every required tensor, reporting the first with a bad value.
    public func validateValues() throws {
        for (name, _) in TensorNames.required(config) { _ = try floats(name) }
    }
}
