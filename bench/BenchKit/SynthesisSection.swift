import Foundation

/// The synthesis sweep: modules, cells and flip-flops as lanes grow.
enum SynthesisSection {
    static func text(_ r: BenchResults) -> [String] {
        let modules = Array(Set(r.synthesis.map(\.module))).sorted()
        let measured = modules.isEmpty ? "the core's modules" : modules.map { "`\($0)`" }.joined(separator: " and ")
        let how = "Generic Yosys synthesis (`Lint.synthesize`: `synth -flatten -run :fine`, techmap, `abc -fast`, `stat`; "
            + "memories stay memory cells) of the emitted SystemVerilog of \(measured), each alone, as the ternary "
            + "unit's trits per cycle grow. The whole core takes about half an hour of generic synthesis at the D5005 "
            + "size, so it is not measured here; these are the modules whose size follows the lanes."
        let points = "Each point is a `CoreParameters` value (`Sweep.synthesis`). Lanes are trits per cycle at the memory's "
            + "rate, 4 per byte of a wide beat at 2-bit packing, so 64 lanes = 128-bit beats, 128 = 256-bit, 256 = 512-bit, "
            + "512 = 512-bit on two banks; the datapath takes two wide beats per cycle (twice the lanes) to catch up after "
            + "the stream ran ahead, and each point includes its weight stream buffer (a memory). "
            + "Cells count every cell after synthesis (a memory counts as one); flip-flops are single-bit flip-flop "
            + "cells. Yosys: \(yosysVersion ?? "unknown")."
        var md = [how + " " + points, ""]
        if let why = r.synthesisSkipped { return md + ["Not run: \(why)."] }
        md += Report.table(["module", "lanes", "beat bits", "banks", "cells", "flip-flops", "memories (bits)", "seconds"],
                           r.synthesis.map { m in
            let head = [m.module, "\(m.lanes)", "\(m.dataBits)", "\(m.banks)"]
            guard let s = m.report else { return head + [m.note ?? "not available", "", "", ""] }
            return head + [Report.int(s.cells), Report.int(s.flipFlops), "\(s.memories) (\(Report.int(s.memoryBits)))", Report.f(m.seconds)]
        })
        return md
    }

    static func figure(_ r: BenchResults) -> String? {
        let measured = r.synthesis.filter { $0.report != nil }
        guard !measured.isEmpty else { return nil }
        var series: [(name: String, points: [(x: Double, y: Double)])] = []
        for module in Array(Set(measured.map(\.module))).sorted() {
            let ms = measured.filter { $0.module == module }
            series.append(("\(module) cells", ms.map { (x: Double($0.lanes), y: Double($0.report!.cells)) }))
            series.append(("\(module) flip-flops", ms.map { (x: Double($0.lanes), y: Double($0.report!.flipFlops)) }))
        }
        return LineChart(title: "Generic synthesis against ternary lanes", xLabel: "lanes (trits per cycle)",
                         yLabel: "cells / flip-flops", series: series, log: true).svg()
    }

    static let yosysVersion: String? = Shell.line("/usr/bin/env", ["yosys", "-V"])
}
