import Foundation
import HDLSim

/// Where the test bench's C++ comes from: `sim/trit_cosim.cpp` and the
/// header it shares with the other benches, as built into the program
/// (`HDLSim.BenchSources`); or the file named by `TRIT_COSIM_SOURCE` with
/// the header beside it; or the directory `TRIT_SIM_SOURCES` names.
enum TestBenchSource {
    static let fileName = "trit_cosim.cpp"

    static func modelExtensions() throws -> [ModelExtension] {
        var directory = BenchSources.overrideDirectory
        if let env = ProcessInfo.processInfo.environment["TRIT_COSIM_SOURCE"], !env.isEmpty {
            directory = URL(fileURLWithPath: env).deletingLastPathComponent()
        }
        do {
            return try BenchSources.extensions(bench: fileName, in: directory)
        } catch {
            throw TestBenchError.setup("\(error)")
        }
    }
}
