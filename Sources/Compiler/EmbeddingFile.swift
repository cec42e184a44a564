import Foundation

/// embeddings.npy: a little-endian float32 NumPy array (format 1.0) of shape
/// [vocab, d]. A private copy of the writer, with the one reader the build
/// loader needs, until the shared NPY helper is available to this module.
enum EmbeddingFile {
    static func encode(_ values: [Float], shape: [Int]) -> Data {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dims)), }"
        // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let hl = header.utf8.count
        out.append(contentsOf: [UInt8(hl & 0xFF), UInt8(hl >> 8)])
        out.append(contentsOf: Array(header.utf8))
        values.withUnsafeBufferPointer { buf in
            // Little-endian float32 is the in-memory layout on little-endian hosts.
            if 1.littleEndian == 1 {
                out.append(buf)
            } else {
                for v in buf { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
            }
        }
        return out
    }

    /// The values of a float32 array of exactly `shape`; nil for anything else.
    static func decode(_ data: Data, shape: [Int]) -> [Float]? {
        let b = [UInt8](data)
        guard b.count >= 10, b[0] == 0x93, Array(b[1..<6]) == Array("NUMPY".utf8), b[6] == 1 else { return nil }
        let hl = Int(b[8]) | Int(b[9]) << 8
        guard b.count >= 10 + hl else { return nil }
        let header = String(decoding: b[10..<(10 + hl)], as: UTF8.self)
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        guard header.contains("'descr': '<f4'"), header.contains("'fortran_order': False"),
              header.contains("'shape': (\(dims))") else { return nil }
        let count = shape.reduce(1, *)
        guard b.count - 10 - hl == 4 * count else { return nil }
        var out = [Float](repeating: 0, count: count)
        b.withUnsafeBytes { raw in
            for i in 0..<count {
                out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 10 + hl + 4 * i, as: UInt32.self)))
            }
        }
        return out
    }
}
