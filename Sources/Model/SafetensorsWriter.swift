import TritJSON
import Foundation

/// Writes `.safetensors` files deterministically: tensors in name order,
/// the header padded with spaces to a multiple of 8 so the data buffer is
/// aligned. Tensors are fetched and encoded one at a time, so a large
/// model never has to sit in memory whole.
public enum SafetensorsWriter {
    /// The header's JSON text (before padding) for tensors of these shapes.
    static func header(_ shapes: [(name: String, shape: [Int])], dtype: TensorDType, metadata: [String: String]) -> [UInt8] {
        var fields = JSONObject()
        if !metadata.isEmpty { fields["__metadata__"] = .object(JSONObject(metadata.map { ($0.key, JSON.string($0.value)) }).sortedByKey) }
        var offset = 0
        for t in shapes.sorted(by: { $0.name < $1.name }) {
            let bytes = t.shape.reduce(1, *) * dtype.byteSize
            fields[t.name] = .object([
                "dtype": .string(dtype.rawValue),
                "shape": .array(t.shape.map { .int($0) }),
                "data_offsets": .array([.int(offset), .int(offset + bytes)]),
            ])
            offset += bytes
        }
        var text = Array(JSON.object(fields.sortedByKey).serialized.utf8)
        text += [UInt8](repeating: 0x20, count: (8 - text.count % 8) % 8)
        return text
    }

    /// Encodes values in the dtype, little-endian, rounding to nearest even.
    public static func encode(_ values: [Float], as dtype: TensorDType) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: values.count * dtype.byteSize)
        out.withUnsafeMutableBytes { raw in
            switch dtype {
            case .f32:
                for (k, v) in values.enumerated() { raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 4 * k, as: UInt32.self) }
            case .f16:
                for (k, v) in values.enumerated() { raw.storeBytes(of: HalfFloat.half(from: v).littleEndian, toByteOffset: 2 * k, as: UInt16.self) }
            case .bf16:
                for (k, v) in values.enumerated() { raw.storeBytes(of: HalfFloat.bfloat(from: v).littleEndian, toByteOffset: 2 * k, as: UInt16.self) }
            }
        }
        return out
    }

    /// The whole file in memory (small files and tests).
    public static func bytes(_ tensors: [(name: String, shape: [Int], values: [Float])], dtype: TensorDType,
                             metadata: [String: String] = [:]) -> [UInt8] {
        let h = header(tensors.map { ($0.name, $0.shape) }, dtype: dtype, metadata: metadata)
        var out = withUnsafeBytes(of: UInt64(h.count).littleEndian) { Array($0) } + h
        for t in tensors.sorted(by: { $0.name < $1.name }) { out += encode(t.values, as: dtype) }
        return out
    }

    /// Streams a file to `path`, asking `values` for each tensor in name order.
    /// The caller handles atomicity (the checkpoint writer writes into a
    /// temporary directory).
    public static func write(to path: String, shapes: [(name: String, shape: [Int])], dtype: TensorDType,
                             metadata: [String: String] = [:], values: (String) throws -> [Float]) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CheckpointError(file: path, problem: "cannot create file")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let h = header(shapes, dtype: dtype, metadata: metadata)
        try handle.write(contentsOf: withUnsafeBytes(of: UInt64(h.count).littleEndian) { Array($0) } + h)
        for t in shapes.sorted(by: { $0.name < $1.name }) {
            let v = try values(t.name)
            guard v.count == t.shape.reduce(1, *) else {
                throw CheckpointError(file: path, tensor: t.name, problem: "\(v.count) values for shape \(t.shape)")
            }
            try handle.write(contentsOf: encode(v, as: dtype))
        }
    }
}
