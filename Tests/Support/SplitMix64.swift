import Foundation

/// A small deterministic random generator (SplitMix64), shared by the test
/// targets, so a failing run can be repeated from the seed it prints.
public struct SplitMix64: RandomNumberGenerator {
    public private(set) var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { uniform() < p }
    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    /// Uniform in 0 ..< n.
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    /// Uniform in the range, as an Int32.
    public mutating func int32(in r: ClosedRange<Int64>) -> Int32 {
        Int32(r.lowerBound + Int64(next() % UInt64(r.upperBound - r.lowerBound + 1)))
    }
    /// Uniform in [0, 1).
    public mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    /// Standard normal (Box-Muller).
    public mutating func normal() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
    }
}

/// The seed for a test: `TRIT_SEED` when set, to replay a failure; else the
/// test's fixed default.
public func testSeed(_ fallback: UInt64) -> UInt64 {
    if let s = ProcessInfo.processInfo.environment["TRIT_SEED"], let v = UInt64(s) { return v }
    return fallback
}

/// True under `make test-long` (`TRIT_LONG=1`): larger counts, slower checks.
public var isLongRun: Bool {
    ProcessInfo.processInfo.environment["TRIT_LONG"].map { $0.isEmpty || $0 == "0" } == false
}

/// A random-test length: ten times longer under `make test-long`.
public func iterations(_ n: Int) -> Int { isLongRun ? n * 10 : n }
