import Foundation

/// The hand-written C++ test benches of `sim`, read as `ModelExtension`s.
/// They are compiled into `trit` (`EmbeddedBenchSources`, written by
/// `tools/embed_sim_sources.py`), so an installed binary needs no source
/// tree; `TRIT_SIM_SOURCES` names a directory to read them from instead,
/// for working on a bench without rebuilding. Their text is part of the
/// model cache key, so an edited bench is rebuilt.
public enum BenchSources {
    /// The header every bench includes: ports by name, sparse memory, the banks.
    public static let sharedHeader = "trit_sim_models.h"

    /// The directory `TRIT_SIM_SOURCES` names, or nil (the embedded copies are used).
    public static var overrideDirectory: URL? {
        guard let env = ProcessInfo.processInfo.environment["TRIT_SIM_SOURCES"], !env.isEmpty else { return nil }
        return URL(fileURLWithPath: env, isDirectory: true)
    }

    /// The shared header, the bench's own `headers` and the bench `bench`
    /// (a `.cpp` file name): from `directory` when given, else from
    /// `TRIT_SIM_SOURCES` when set, else the copies built into the program.
    public static func extensions(bench: String, headers: [String] = [], in directory: URL? = overrideDirectory) throws -> [ModelExtension] {
        try ([sharedHeader] + headers + [bench]).map { name in
            if let directory {
                let url = directory.appendingPathComponent(name)
                guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                    throw SimulationError.buildFailed(step: "reading the test bench", output: "cannot read \(url.path)")
                }
                return ModelExtension(name: name, source: text)
            }
            guard let text = EmbeddedBenchSources.files[name] else {
                throw SimulationError.buildFailed(step: "reading the test bench", output:
                    "no test bench source '\(name)' is built into this program (known: "
                    + EmbeddedBenchSources.files.keys.sorted().joined(separator: ", ") + ")")
            }
            return ModelExtension(name: name, source: text)
        }
    }
}
