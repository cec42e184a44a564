import Foundation

/// Runs an external program (Verilator, Yosys, a C++ compiler) and captures
/// its exit status and output.
public enum ExternalTool {
    public struct Result: Sendable {
        public let status: Int32
        public let output: String
        public var succeeded: Bool { status == 0 }
    }

    public enum Failure: Error, CustomStringConvertible {
        case notFound(String)
        case failed(command: String, output: String)

        public var description: String {
            switch self {
            case .notFound(let tool):
                return "\(tool) is not installed (on Debian: apt-get install -y \(tool); or run `make deps`)"
            case .failed(let command, let output):
                return "\(command) failed:\n\(output)"
            }
        }
    }

    /// The full path of `name` on PATH (or `name` itself when it is a path
    /// to an executable), or nil.
    public static func find(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Run `name` with `arguments` in `directory`; stdout and stderr together.
    public static func run(_ name: String, _ arguments: [String], in directory: URL? = nil) throws -> Result {
        guard let executable = find(name) else { throw Failure.notFound(name) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
