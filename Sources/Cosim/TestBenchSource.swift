import Foundation
import HDLSim

/// Where the test bench's C++ lives: `rtl/sim/trit_cosim.cpp` and the
/// header it shares with the other benches (`HDLSim.BenchSources`), or the
/// file named by `TRIT_COSIM_SOURCE` with the header beside it.
enum TestBenchSource {
    static let fileName = "trit_cosim.cpp"

    static func modelExtensions() throws -> [ModelExtension] {
        var directory = BenchSources.directory
        if let env = ProcessInfo.processInfo.environment["TRIT_COSIM_SOURCE"], !env.isEmpty {
            directory = URL(fileURLWithPath: env).deletingLastPathComponent()
        }
        do {
            return try BenchSources.extensions(bench: fileName, in: directory)
        } catch {
            throw TestBenchError.setup("\(error) (or set TRIT_COSIM_SOURCE to the bench's location)")
        }
    }
}
