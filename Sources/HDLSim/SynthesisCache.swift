import Foundation

/// Keeps Intel flow results on disk, one JSON file per key: a hash of the
/// SystemVerilog text, the flow script and the Yosys version. A file lock
/// per key makes two processes asking for the same run run it once.
struct SynthesisCache {
    let directory: URL

    /// `TRIT_SYNTH_CACHE`, else `.build/trit-synth-cache` in the package root
    /// (a temporary directory when trit runs away from its sources).
    static var defaultDirectory: URL {
        if let env = ProcessInfo.processInfo.environment["TRIT_SYNTH_CACHE"], !env.isEmpty {
            return URL(fileURLWithPath: env, isDirectory: true)
        }
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        if FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            return root.appendingPathComponent(".build/trit-synth-cache", isDirectory: true)
        }
        return FileManager.default.temporaryDirectory.appendingPathComponent("trit-synth-cache", isDirectory: true)
    }

    static func key(_ job: IntelSynthesisJob, script: String, toolVersion: String) -> String {
        var hasher = StableHash()
        hasher.add(toolVersion)
        hasher.add(script)
        hasher.add(IntelM20KMap.text)
        for f in job.files.sorted(by: { $0.name < $1.name }) {
            hasher.add(f.name)
            hasher.add(f.contents)
        }
        return hasher.hex
    }

    /// The stored result for `key`, or `make()`'s, stored.
    func result(for key: String, make: () throws -> IntelSynthesisResult) throws -> IntelSynthesisResult {
        let file = directory.appendingPathComponent("\(key).json")
        if let hit = load(file) { return hit }
        let lock = try FileLock(directory.appendingPathComponent("locks/\(key).lock"))
        defer { lock.unlock() }
        if let hit = load(file) { return hit }
        let result = try make()
        let staging = directory.appendingPathComponent(".\(key).\(UUID().uuidString).json")
        try JSONEncoder().encode(result).write(to: staging)
        _ = try? FileManager.default.removeItem(at: file)
        try FileManager.default.moveItem(at: staging, to: file)
        return result
    }

    private func load(_ file: URL) -> IntelSynthesisResult? {
        guard let data = try? Data(contentsOf: file),
              var r = try? JSONDecoder().decode(IntelSynthesisResult.self, from: data) else { return nil }
        r.cacheHit = true
        return r
    }
}
