/// Minimal NumPy `.npy` (format 1.0) writer for float arrays.
public enum NPY {
    /// A little-endian float32 array of the given shape.
    public static func float32(_ values: [Float], shape: [Int]) -> [UInt8] {
        var out = header(descr: "<f4", shape: shape)
        out.reserveCapacity(out.count + 4 * values.count)
        for v in values {
            let b = v.bitPattern.littleEndian
            for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: b >> UInt32(8 * k))) }
        }
        return out
    }

    /// A little-endian float64 array of the given shape.
    public static func float64(_ values: [Double], shape: [Int]) -> [UInt8] {
        var out = header(descr: "<f8", shape: shape)
        out.reserveCapacity(out.count + 8 * values.count)
        for v in values {
            let b = v.bitPattern.littleEndian
            for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: b >> UInt64(8 * k))) }
        }
        return out
    }

    static func header(descr: String, shape: [Int]) -> [UInt8] {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(dims)), }"
        // Magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64, ending in \n.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let hl = header.utf8.count
        out += [UInt8(hl & 0xFF), UInt8(hl >> 8)]
        out += Array(header.utf8)
        return out
    }
}
