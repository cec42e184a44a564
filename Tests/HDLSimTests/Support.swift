import Foundation
import HDL
import HDLSim
import Testing

/// A small deterministic generator (SplitMix64), so a failing run can be
/// repeated from the seed printed with the failure.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
}

/// The seed for a test: `TRIT_SIM_SEED` when set (to replay a failure),
/// else a fixed default per test.
func testSeed(_ fallback: UInt64) -> UInt64 {
    if let s = ProcessInfo.processInfo.environment["TRIT_SIM_SEED"], let v = UInt64(s) { return v }
    return fallback
}

/// Build a simulator for `module`, reporting how long the build took.
func simulate(_ module: some Module, waveform: URL? = nil) throws -> Simulator {
    let sim = try Simulator(elaborate(module), waveform: waveform)
    let b = sim.build
    if b.cacheHit {
        print("[sim] \(sim.moduleName): cached model")
    } else {
        let runtime = b.runtimeSeconds > 0 ? String(format: ", Verilator runtime %.2fs", b.runtimeSeconds) : ""
        print(String(format: "[sim] %@: built in %.2fs (verilator %.2fs, c++ %.2fs%@)",
                     sim.moduleName, b.verilateSeconds + b.compileSeconds, b.verilateSeconds, b.compileSeconds, runtime))
    }
    return sim
}

/// A random-test length, ten times longer under `make test-long` (`TRIT_LONG=1`).
func iterations(_ n: Int) -> Int {
    ProcessInfo.processInfo.environment["TRIT_LONG"].map { $0.isEmpty || $0 == "0" } == false ? n * 10 : n
}
