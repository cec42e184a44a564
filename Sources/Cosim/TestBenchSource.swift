import Foundation
import HDLSim

/// Where the test bench's C++ lives: `rtl/sim/trit_cosim.cpp` in the package
/// (found from this file's path at build time), or the file named by
/// `TRIT_COSIM_SOURCE`. Its text is part of the model cache key, so an
/// edited test bench is rebuilt.
enum TestBenchSource {
    static let fileName = "trit_cosim.cpp"

    static var location: URL {
        if let env = ProcessInfo.processInfo.environment["TRIT_COSIM_SOURCE"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("rtl/sim/\(fileName)")
    }

    static func modelExtension() throws -> ModelExtension {
        let url = location
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw TestBenchError.setup("cannot read the test bench source \(url.path) (set TRIT_COSIM_SOURCE to its location)")
        }
        return ModelExtension(name: fileName, source: text)
    }
}
