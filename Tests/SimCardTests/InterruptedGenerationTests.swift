import Foundation
import Testing
import TestSupport

/// `trit generate --engine opae` on the simulated card, as a user runs it:
/// text streams, and a card fault in the middle of a generation leaves the
/// text so far on stdout and an error saying how far it got.
extension SimCardTests {
    /// The `trit` binary beside this test bundle.
    static var trit: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("trit").path
    }

    func trit(_ arguments: [String], in dir: URL, card: [String: String] = [:]) throws -> ProcessResult {
        try #require(FileManager.default.isExecutableFile(atPath: Self.trit), "no trit binary: build everything first")
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TRIT_SIMCARD_") }
        for (k, v) in card { env["TRIT_SIMCARD_" + k] = v }
        let r = try runProcess(URL(fileURLWithPath: Self.trit), arguments, in: dir, environment: env)
        #expect(r.exited, "trit \(arguments) died by a signal")
        return r
    }

    @Test func aGenerationInterruptedByACardFaultSaysSo() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trit-interrupted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // A random model with the shipped tokenizer's vocabulary, for the card's vector length.
        #expect(try trit(["checkpoint", "synth", "--hidden", "64", "--layers", "1", "--vocab", "2048", "--seed", "2", "--out", "ck"], in: dir).status == 0)
        try FileManager.default.copyItem(atPath: shippedModelPath + "/tokenizer.json", toPath: dir.path + "/ck/tokenizer.json")
        let compile = try trit(["compile", "ck", "--head", "--max-vector-length", "\(p.isa.maxVectorLength)", "--out", "b"], in: dir)
        #expect(compile.status == 0, "\(compile.error)")
        let generate = ["generate", "b", "--prompt", "ROMEO:", "--max-new", "6", "--engine", "opae", "--opae-library", try SimCardFixture.library]

        // Whole, with the card's statistics: how many MMIO reads a whole run takes.
        let stats = dir.appendingPathComponent("stats.json")
        let whole = try trit(generate, in: dir, card: ["STATS": stats.path])
        #expect(whole.status == 0 && whole.output.hasPrefix("ROMEO:"), "\(whole.error)")
        let counts = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: stats)) as? [String: Any])
        let reads = try #require(counts["mmio_reads"] as? Int)

        // A fault three quarters of the way through: some text came, then the error.
        let cut = try trit(generate, in: dir, card: ["FAIL_AFTER_READS": "\(reads * 3 / 4)"])
        #expect(cut.status == 1)
        #expect(cut.output.hasPrefix("ROMEO:") && cut.output.count < whole.output.count, "\(cut.output)")
        let said = try #require(cut.error.firstMatch(of: /generation stopped after (\d+) generated tokens: .*exception/), "\(cut.error)")
        #expect((1..<6).contains(Int(said.1) ?? 0), "\(cut.error)")
    }
}
