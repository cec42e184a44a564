import Foundation

/// The hand-written C++ test benches of `rtl/sim` (found from this file's
/// path at build time, or in the directory `TRIT_SIM_SOURCES` names), read
/// as `ModelExtension`s. Their text is part of the model cache key, so an
/// edited bench is rebuilt.
public enum BenchSources {
    /// The header every bench includes: ports by name, sparse memory, the banks.
    public static let sharedHeader = "trit_sim_models.h"

    public static var directory: URL {
        if let env = ProcessInfo.processInfo.environment["TRIT_SIM_SOURCES"], !env.isEmpty {
            return URL(fileURLWithPath: env, isDirectory: true)
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("rtl/sim", isDirectory: true)
    }

    /// The shared header, the bench's own `headers` and the bench `bench`
    /// (a `.cpp` file name), from `directory`.
    public static func extensions(bench: String, headers: [String] = [], in directory: URL = directory) throws -> [ModelExtension] {
        try ([sharedHeader] + headers + [bench]).map { name in
            let url = directory.appendingPathComponent(name)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw SimulationError.buildFailed(step: "reading the test bench",
                                                  output: "cannot read \(url.path) (set TRIT_SIM_SOURCES to the directory of the benches)")
            }
            return ModelExtension(name: name, source: text)
        }
    }
}
