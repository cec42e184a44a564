import Foundation

/// What a finished program left: its exit status, its output and error text,
/// and whether it ended by exiting (not by a signal: a Swift trap would).
public struct ProcessResult: Sendable {
    public let status: Int32
    public let output: String
    public let error: String
    public let exited: Bool
}

/// Runs `executable` with `arguments` to the end, in `directory` and with
/// `environment` when given; the tests' one way of running a program.
public func runProcess(_ executable: URL, _ arguments: [String], in directory: URL? = nil,
                       environment: [String: String]? = nil) throws -> ProcessResult {
    let p = Process()
    p.executableURL = executable
    p.arguments = arguments
    if let directory { p.currentDirectoryURL = directory }
    if let environment { p.environment = environment }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    // Both pipes are read before waiting, so a chatty program cannot block on a full pipe.
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return ProcessResult(status: p.terminationStatus, output: String(decoding: o, as: UTF8.self),
                         error: String(decoding: e, as: UTF8.self), exited: p.terminationReason == .exit)
}

/// `runProcess` through `/usr/bin/env`, so `program` is looked up on PATH (python3, say).
public func runOnPath(_ program: String, _ arguments: [String], in directory: URL? = nil,
                      environment: [String: String]? = nil) throws -> ProcessResult {
    try runProcess(URL(fileURLWithPath: "/usr/bin/env"), [program] + arguments, in: directory, environment: environment)
}
