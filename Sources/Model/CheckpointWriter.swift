import TritJSON
import Foundation

/// Writes a checkpoint directory in the published layout: config.json and
/// model.safetensors, or shards `model-0000k-of-0000n.safetensors` with a
/// `model.safetensors.index.json`. The directory appears whole or not at
/// all: it is written beside the target, then renamed into place.
public enum CheckpointWriter {
    public struct Summary: Sendable {
        public var files: [String]
        public var tensors: Int
        public var bytes: Int
    }

    @discardableResult
    public static func write(_ source: WeightSource, to directory: String, dtype: TensorDType = .f32,
                             shards: Int = 1) throws -> Summary {
        guard shards >= 1 else { throw CheckpointError(file: directory, problem: "shard count must be at least 1") }
        let required = TensorNames.required(source.config)
        guard shards <= required.count else {
            throw CheckpointError(file: directory, problem: "\(shards) shards for only \(required.count) tensors")
        }
        let fm = FileManager.default
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: target.path, isDirectory: &isDir), !isDir.boolValue {
            throw CheckpointError(file: directory, problem: "exists and is not a directory")
        }
        let parent = target.deletingLastPathComponent()
        let pid = ProcessInfo.processInfo.processIdentifier
        let tmp = parent.appendingPathComponent(".\(target.lastPathComponent).tmp-\(pid)")
        try? fm.removeItem(at: tmp)
        do {
            try fm.createDirectory(at: tmp, withIntermediateDirectories: false)
        } catch {
            throw CheckpointError(file: directory, problem: "cannot create a directory beside it: \(error.localizedDescription)")
        }
        do {
            let summary = try writeContents(source, required: required, into: tmp, dtype: dtype, shards: shards)
            try replace(target, with: tmp)
            return summary
        } catch {
            try? fm.removeItem(at: tmp)
            throw error
        }
    }

    /// Splits the name-sorted tensors into `shards` runs of about equal size.
    static func partition(_ tensors: [(name: String, shape: [Int])], shards: Int) -> [[(name: String, shape: [Int])]] {
        let sorted = tensors.sorted { $0.name < $1.name }
        let total = sorted.reduce(0) { $0 + $1.shape.reduce(1, *) }
        var out: [[(name: String, shape: [Int])]] = [[]]
        var done = 0
        for (k, t) in sorted.enumerated() {
            // Start the next shard once this one has its share, keeping one tensor for each shard left.
            let remainingTensors = sorted.count - k, remainingShards = shards - out.count
            if !out[out.count - 1].isEmpty && remainingShards > 0
                && (done * shards >= total * out.count || remainingTensors == remainingShards) {
                out.append([])
            }
            out[out.count - 1].append(t)
            done += t.shape.reduce(1, *)
        }
        return out
    }

    static func writeContents(_ source: WeightSource, required: [(name: String, shape: [Int])], into dir: URL,
                              dtype: TensorDType, shards: Int) throws -> Summary {
        let config = Array((source.config.configJSON.pretty() + "\n").utf8)
        try Data(config).write(to: dir.appendingPathComponent("config.json"))
        let groups = partition(required, shards: shards)
        var files: [String] = [], weightMap = JSONObject(), bytes = 0
        for (k, group) in groups.enumerated() {
            let name = groups.count == 1 ? "model.safetensors"
                : "model-\(pad(k + 1))-of-\(pad(groups.count)).safetensors"
            try SafetensorsWriter.write(to: dir.appendingPathComponent(name).path, shapes: group, dtype: dtype,
                                        metadata: ["format": "pt"]) { try source.floats($0) }
            for t in group {
                weightMap[t.name] = .string(name)
                bytes += t.shape.reduce(1, *) * dtype.byteSize
            }
            files.append(name)
        }
        if groups.count > 1 {
            let index = JSON.object(["metadata": .object(["total_size": .int(bytes)]), "weight_map": .object(weightMap.sortedByKey)])
            try Data((index.pretty() + "\n").utf8).write(to: dir.appendingPathComponent("model.safetensors.index.json"))
            files.append("model.safetensors.index.json")
        }
        return Summary(files: ["config.json"] + files, tensors: required.count, bytes: bytes)
    }

    static func pad(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 5 - s.count)) + s
    }

    /// Moves `tmp` to `target`, replacing an existing directory only now that the new one is complete.
    static func replace(_ target: URL, with tmp: URL) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: target.path) {
            let old = target.deletingLastPathComponent()
                .appendingPathComponent(".\(target.lastPathComponent).old-\(ProcessInfo.processInfo.processIdentifier)")
            try? fm.removeItem(at: old)
            guard rename(target.path, old.path) == 0 else {
                throw CheckpointError(file: target.path, problem: "cannot replace: \(String(cString: strerror(errno)))")
            }
            guard rename(tmp.path, target.path) == 0 else {
                let why = String(cString: strerror(errno))
                _ = rename(old.path, target.path)
                throw CheckpointError(file: target.path, problem: "cannot move into place: \(why)")
            }
            try? fm.removeItem(at: old)
        } else {
            guard rename(tmp.path, target.path) == 0 else {
                throw CheckpointError(file: target.path, problem: "cannot move into place: \(String(cString: strerror(errno)))")
            }
        }
    }
}
