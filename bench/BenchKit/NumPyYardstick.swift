import Foundation

/// NumPy's seconds per block from `bench/numpy_matvec.py`, with one BLAS thread.
public struct NumPyMeasurement: Sendable {
    public var secondsPerBlock: Double
    public var version: String
}

enum NumPyYardstick {
    /// Nil, with the reason, when Python or NumPy is missing or the script fails.
    static func measure(script: URL, d: Int, intermediate: Int, repeats: Int) -> (NumPyMeasurement?, String?) {
        guard FileManager.default.fileExists(atPath: script.path) else { return (nil, "\(script.lastPathComponent) not found") }
        var env = ProcessInfo.processInfo.environment
        for v in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"] { env[v] = "1" }
        let args = ["python3", script.path, "--hidden", "\(d)", "--intermediate", "\(intermediate)", "--rounds", "\(repeats)", "--json"]
        guard let result = try? Shell.run("/usr/bin/env", args, environment: env), result.status == 0 else {
            return (nil, "NumPy is not available (python3 bench/numpy_matvec.py failed)")
        }
        guard let line = result.output.split(separator: "\n").last,
              let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let seconds = (json["seconds_per_block"] ?? json["seconds"]) as? Double else {
            return (nil, "bench/numpy_matvec.py printed no seconds_per_block")
        }
        return (NumPyMeasurement(secondsPerBlock: seconds, version: json["numpy"] as? String ?? "?"), nil)
    }
}

/// Runs a program and returns its exit status and standard output.
enum Shell {
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                    in directory: URL? = nil) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if let environment { p.environment = environment }
        if let directory { p.currentDirectoryURL = directory }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The first line a command prints, or nil.
    static func line(_ executable: String, _ arguments: [String], in directory: URL? = nil) -> String? {
        guard let result = try? run(executable, arguments, in: directory), result.status == 0 else { return nil }
        return result.output.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
