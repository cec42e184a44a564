import Foundation
import Testing
import TestSupport

/// The `trit` command as a user meets it: exit codes, error locations, and
/// outputs that appear whole or not at all.
@Suite struct CommandLineTests {
    struct Run {
        let status: Int32
        let output: String
        let error: String
    }

    /// The `trit` binary built beside this test bundle.
    static var trit: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("trit")
    }

    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("isa/examples")

    func trit(_ arguments: String..., in directory: URL) throws -> Run { try run(arguments, in: directory) }

    func run(_ arguments: [String], in directory: URL) throws -> Run {
        try #require(FileManager.default.isExecutableFile(atPath: Self.trit.path),
                     "no trit binary at \(Self.trit.path): build everything first (`make test` does)")
        let r = try runProcess(Self.trit, arguments, in: directory)
        // A Swift trap or a signal would show as an uncaught signal: never acceptable.
        #expect(r.exited, "trit \(arguments) died by a signal")
        return Run(status: r.status, output: r.output, error: r.error)
    }

    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trit-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func versionAndHelp() throws {
        let dir = try scratch()
        let version = try trit("--version", in: dir)
        #expect(version.status == 0 && version.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
        let help = try trit("--help", in: dir)
        for command in ["hdl-demo", "isa", "asm", "disasm", "run"] {
            #expect(help.output.contains(command), "help lacks \(command)")
        }
    }

    @Test func assemblerErrorsAreLocatedAndLeaveNoOutput() throws {
        let dir = try scratch()
        try "ldv v1, 0x100\n  add v1, v2\nfoo v1\n".write(to: dir.appendingPathComponent("bad.s"), atomically: true, encoding: .utf8)
        let r = try trit("asm", "bad.s", "-o", "bad.bin", in: dir)
        #expect(r.status != 0)
        #expect(r.error.contains("bad.s:2:"), "\(r.error)")
        #expect(r.error.contains("bad.s:3:1: error: unknown instruction 'foo'"), "\(r.error)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad.bin").path))
    }

    @Test func failedAssemblyKeepsAnEarlierGoodOutput() throws {
        let dir = try scratch()
        let out = dir.appendingPathComponent("prog.bin")
        try Data("previous good build".utf8).write(to: out)
        try "halt extra\n".write(to: dir.appendingPathComponent("bad.s"), atomically: true, encoding: .utf8)
        let r = try trit("asm", "bad.s", "-o", "prog.bin", in: dir)
        #expect(r.status != 0)
        #expect(try Data(contentsOf: out) == Data("previous good build".utf8))
    }

    @Test func randomBytesGiveACleanError() throws {
        let dir = try scratch()
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<512).map { _ in UInt8.random(in: 0...255, using: &rng) }
        try Data(bytes).write(to: dir.appendingPathComponent("noise.bin"))
        for command in ["disasm", "run"] {
            let r = try trit(command, "noise.bin", in: dir)
            #expect(r.status != 0, "\(command) accepted noise")
            #expect(r.error.contains("noise.bin"), "\(command): \(r.error)")
        }
    }

    @Test func missingFilesAreNamed() throws {
        let dir = try scratch()
        for args in [["asm", "nowhere.s", "-o", "x.bin"], ["disasm", "nowhere.bin"], ["run", "nowhere.bin"]] {
            let p = try run(args, in: dir)
            #expect(p.status != 0)
            #expect(p.error.contains("nowhere."), "\(args): \(p.error)")
        }
    }

    @Test func exampleAssemblesRunsAndRoundTrips() throws {
        let dir = try scratch()
        let source = Self.examples.appendingPathComponent("01_vector_arith.s").path
        #expect(try trit("asm", source, "-o", "a.bin", in: dir).status == 0)
        let run = try trit("run", "a.bin", "--trace", "a.trace", in: dir)
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("halted"), "\(run.output)")
        let trace = try String(contentsOf: dir.appendingPathComponent("a.trace"), encoding: .utf8)
        #expect(trace.split(separator: "\n").count > 3)
        let listing = try trit("disasm", "a.bin", in: dir)
        #expect(listing.status == 0)
        try listing.output.write(to: dir.appendingPathComponent("b.s"), atomically: true, encoding: .utf8)
        #expect(try trit("asm", "b.s", "-o", "b.bin", in: dir).status == 0)
        #expect(try Data(contentsOf: dir.appendingPathComponent("a.bin")) == Data(contentsOf: dir.appendingPathComponent("b.bin")))
    }

    @Test func badOptionValuesAreRefused() throws {
        let dir = try scratch()
        #expect(try trit("isa", "--format", "pdf", in: dir).status != 0)
        let sv = try trit("isa", "--format", "sv", in: dir)
        #expect(sv.status != 0 && sv.error.contains("--output DIR"), "\(sv.error)")
    }
}
