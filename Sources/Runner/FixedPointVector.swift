import ISA

/// Host-side conversion between float vectors and the core's Q.F words in a
/// little-endian memory image.
enum FixedPointVector {
    /// Writes `values` as Q.F words at `address`, rounding to nearest and
    /// saturating like the core's registers. Non-finite values are refused.
    /// Returns how many elements were outside the Q.F range and clamped.
    @discardableResult
    static func write(_ values: [Float], fracBits f: Int, into memory: inout [UInt8], at address: Int) throws(RunnerError) -> Int {
        let scale = Double(1 << f)
        var clamped = 0
        for (k, v) in values.enumerated() {
            guard v.isFinite else { throw RunnerError.input("element \(k) is \(v)") }
            let q = (Double(v) * scale).rounded(.toNearestOrAwayFromZero)
            if q > Double(Int32.max) || q < Double(Int32.min) { clamped += 1 }
            let word = Int32(clamping: Int64(max(min(q, 4e18), -4e18)))
            let u = UInt32(bitPattern: word)
            for b in 0..<4 { memory[address + 4 * k + b] = UInt8(truncatingIfNeeded: u >> UInt32(8 * b)) }
        }
        return clamped
    }

    /// `count` Q.F words at `address`, as Double.
    static func read(_ memory: [UInt8], fracBits f: Int, at address: Int, count: Int) -> [Double] {
        let scale = 1.0 / Double(1 << f)
        return memory.withUnsafeBytes { raw in
            (0..<count).map { k in
                Double(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: address + 4 * k, as: Int32.self))) * scale
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
