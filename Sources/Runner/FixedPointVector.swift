import ISA

/// Host-side conversion between float vectors and the core's Q.F words in a
/// little-endian memory image.
enum FixedPointVector {
    /// `values` as little-endian Q.F words, rounded to nearest and
    /// saturating like the core's registers, with how many elements were
    /// outside the Q.F range and clamped. Non-finite values are refused.
    static func encode(_ values: [Float], fracBits f: Int) throws(RunnerError) -> (bytes: [UInt8], clamped: Int) {
        let scale = Double(1 << f)
        var clamped = 0
        var bytes = [UInt8](repeating: 0, count: 4 * values.count)
        for (k, v) in values.enumerated() {
            guard v.isFinite else { throw RunnerError.input("element \(k) is \(v)") }
            let q = (Double(v) * scale).rounded(.toNearestOrAwayFromZero)
            if q > Double(Int32.max) || q < Double(Int32.min) { clamped += 1 }
            let word = UInt32(bitPattern: Int32(clamping: Int64(max(min(q, 4e18), -4e18))))
            for b in 0..<4 { bytes[4 * k + b] = UInt8(truncatingIfNeeded: word >> UInt32(8 * b)) }
        }
        return (bytes, clamped)
    }

    /// Little-endian Q.F words as Double.
    static func decode(_ bytes: [UInt8], fracBits f: Int) -> [Double] {
        let scale = 1.0 / Double(1 << f)
        return bytes.withUnsafeBytes { raw in
            (0..<(bytes.count / 4)).map { k in
                Double(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * k, as: Int32.self))) * scale
            }
        }
    }
}

/// Why a build could not be run.
public enum RunnerError: Error, CustomStringConvertible, Equatable {
    /// A token's input vector or token id is unusable.
    case input(String)
    /// The build cannot run on this engine (configuration mismatch).
    case incompatible(String)
    /// The program faulted (interpreter or core).
    case fault(String)

    public var description: String {
        switch self {
        case .input(let s): return "bad input: \(s)"
        case .incompatible(let s): return "the build cannot run here: \(s)"
        case .fault(let s): return "the program faulted: \(s)"
        }
    }
}
