import BenchKit
import ISA
import Foundation
import Testing

/// The benchmark driver's quick run (`trit-bench --quick`) as a smoke test:
/// it must write the report and its figures with every section and positive
/// numbers. Timings are printed, never asserted.
@Suite struct QuickBenchTests {
    @Test func quickRunWritesTheReport() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("trit-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let root = Bench.packageRoot(from: URL(fileURLWithPath: #filePath))
        let clock = Date()
        let (r, files) = try Bench.run(.quick, Bench.Options(out: out, root: root, command: "trit-bench --quick")) { _ in }
        print(String(format: "trit-bench --quick took %.1f s", Date().timeIntervalSince(clock)))

        let names = Set(files.map(\.lastPathComponent))
        #expect(names.contains("REPORT.md"))
        #expect(names.contains("cycles-d64.svg"))
        #expect(names.contains("projection.svg"))
        #expect(names.contains("interpreter.svg"))
        for f in files where f.pathExtension == "svg" {
            let svg = try String(contentsOf: f, encoding: .utf8)
            #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"), "\(f.lastPathComponent)")
        }
        let report = try String(contentsOf: out.appendingPathComponent("REPORT.md"), encoding: .utf8)
        for heading in ["# Trit benchmark report", "## Cycles per block", "## Projected decode rate", "## Batched decode and prefill", "## Intel resources", "## Generic synthesis",
                        "## Perplexity of a trained model", "## Host path", "## Tokenizer", "## Interpreter against NumPy", "## Co-simulation speed", "## RTL generation time"] {
            #expect(report.contains(heading), "missing \(heading)")
        }
        #expect(report.contains("| machine |") && report.contains("| command | `trit-bench --quick` |"))

        // The 2-bit block ran and its counters make sense; base-3 may be "not available".
        let block = try #require(r.blocks.first { $0.packing == .twoBit }?.counters)
        #expect(block.cycles > 0 && block.weightBeats > 0 && block.cyclesPerSecond > 0)
        #expect(block.busy.count == 4 && block.busy.allSatisfy { $0 <= block.cycles })
        #expect(!r.projections.isEmpty && r.projections.allSatisfy { $0.tokensPerSecond(clock: 250e6) > 0 })
        #expect(!r.interpreter.isEmpty && r.interpreter.allSatisfy { $0.secondsPerBlock > 0 })
        if let n = r.numpy { #expect(n.secondsPerBlock > 0) }
        // The batched step and the prefill ran in lock step, and sharing the weights paid.
        #expect(r.batches.count == 2 && r.batches.allSatisfy { $0.counters != nil && $0.note == nil }, "\(r.batches.map { $0.note ?? "ok" })")
        #expect(r.batches.allSatisfy { ($0.speedup ?? 0) > 1 }, "\(r.batches.map { $0.speedup ?? 0 })")
        if r.synthesisSkipped == nil { #expect(r.synthesis.contains { ($0.report?.cells ?? 0) > 0 }) }
        let accuracy = try #require(r.accuracy)
        #expect(accuracy.positions == 256 && accuracy.points.count == 1)
        #expect(abs(accuracy.points[0].meanNLL - accuracy.official) < 0.01 && abs(accuracy.reference - accuracy.official) < 0.01)
        let host = try #require(r.hostPath)
        #expect(host.imageBytes > 0 && host.loadCycles > 0 && host.readCycles > 0)
        #expect(host.loadBeatsPerCycle > 0.5 && host.loadBeatsPerCycle <= 1, "\(host.loadBeatsPerCycle) beats per cycle")
        let tokenizer = try #require(r.tokenizer)
        #expect(tokenizer.bytes > 100_000 && tokenizer.wholeMBps > 0 && tokenizer.linesMBps > 0)
        if let library = tokenizer.library { #expect(library.sameIDs) }
        let rtl = try #require(r.rtl)
        #expect(rtl.lines > 0 && rtl.elaborateSeconds > 0)
    }
}
