import Foundation
import ISA

/// Writes REPORT.md and one SVG per figure into a directory.
enum Report {
    static func write(_ r: BenchResults, to dir: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var written: [URL] = []
        var md: [String] = []
        func figure(_ name: String, _ svg: String, caption: String) throws {
            let url = dir.appendingPathComponent(name)
            try svg.write(to: url, atomically: true, encoding: .utf8)
            written.append(url)
            md += ["", "![\(caption)](\(name))", "",
                   "*\(caption).* Command: `\(r.command)`; machine: \(r.machine.short), \(r.machine.date)."]
        }

        md += header(r)
        md += ["", "## Cycles per block on the D5005 core", ""] + BlockSection.text(r)
        for d in Array(Set(r.blocks.map(\.d))).sorted() {
            if let svg = BlockSection.figure(r, d: d) {
                try figure("cycles-d\(d).svg", svg, caption: "Cycles per block at d = \(d), by unit")
            }
        }
        md += ["", "## Projected decode rate on a D5005 (a projection, not a measurement)", ""] + ProjectionSection.text(r)
        if let svg = ProjectionSection.figure(r) { try figure("projection.svg", svg, caption: "Projected decode tokens/s") }
        md += ["", "## Batched decode and prefill (streams)", ""] + BatchSection.text(r)
        md += ["", "## Intel resources and a clock estimate of the D5005 preset (estimates)", ""] + IntelResourcesSection.text(r)
        md += ["", "## Generic synthesis as the ternary unit widens", ""] + SynthesisSection.text(r)
        if let svg = SynthesisSection.figure(r) { try figure("synthesis.svg", svg, caption: "Yosys generic synthesis against lanes") }
        md += ["", "## Perplexity of a trained model", ""] + AccuracySection.text(r)
        md += ["", "## Host path: DMA and image load on the simulated card", ""] + HostPathSection.text(r)
        md += ["", "## Tokenizer against the `tokenizers` library", ""] + TokenizerSection.text(r)
        md += ["", "## Interpreter against NumPy", ""] + SpeedSection.interpreter(r)
        if let svg = SpeedSection.interpreterFigure(r) { try figure("interpreter.svg", svg, caption: "Seconds per block: interpreter and NumPy") }
        md += ["", "## Co-simulation speed", ""] + SpeedSection.cosim(r)
        md += ["", "## RTL generation time", ""] + SpeedSection.rtl(r)
        md += ["", "## Run time of this report", "", "| section | seconds |", "|---|---|"]
            + r.sectionSeconds.map { "| \($0.0) | \(String(format: "%.1f", $0.1)) |" }

        let report = dir.appendingPathComponent("REPORT.md")
        try (md.joined(separator: "\n") + "\n").write(to: report, atomically: true, encoding: .utf8)
        return [report] + written
    }

    static func header(_ r: BenchResults) -> [String] {
        ["# Trit benchmark report", "",
         "| | |", "|---|---|",
         "| machine | \(r.machine.cpu), \(r.machine.cores) cores |",
         "| OS | \(r.machine.os) |",
         "| date | \(r.machine.date) |",
         "| commit | \(r.machine.commit ?? "unknown") |",
         "| command | `\(r.command)` |",
         "",
         "Every number below was measured in this run on this machine, except where a section says it is a "
            + "projection or an estimate. Nothing here is a timed assertion: `make test` runs the quick version "
            + "of this driver and checks only that it writes these sections."]
    }

    // Table helpers.
    static func row(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |" }
    static func table(_ head: [String], _ rows: [[String]]) -> [String] {
        [row(head), row(head.map { _ in "---" })] + rows.map(row)
    }
    static func int(_ v: some BinaryInteger) -> String {
        let s = String(v)
        var out = ""
        for (k, ch) in s.reversed().enumerated() {
            if k > 0 && k % 3 == 0 && ch != "-" { out.append(",") }
            out.append(ch)
        }
        return String(out.reversed())
    }
    static func f(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }
}
