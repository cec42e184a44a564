import Foundation
import HDL
import HDLSim
import Testing
@_exported import TestSupport

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

