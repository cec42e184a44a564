import Foundation
import HDLSim
import Shells

/// Intel resources and the clock estimate of the D5005 preset
/// (`ResourceSurvey`, as `trit rtl --board d5005 --resources`).
enum IntelResourcesSection {
    static func text(_ r: BenchResults) -> [String] {
        var md = ["Yosys's Intel ALM flow over the D5005 preset's AFU, unit by unit, as `trit rtl --board d5005 --resources` "
                  + "(docs/silicon.md: the flow, the ALM estimate, the timing rules). " + ResourceSurvey.flowNote
                  + " Runs are cached by their SystemVerilog; an uncached run of the whole preset takes about 40 minutes on "
                  + "two cores.", ""]
        guard let s = r.intel else { return md + ["Not run: \(r.intelSkipped ?? "turned off for this run (--intel-resources)")."] }
        func mhz(_ v: Double?) -> String { v.map { String(Int($0.rounded())) } ?? "–" }
        var rows: [[String]] = s.rows.map { row in
            let res = row.resources
            let path = row.path.map { p in "\(p.lutLevels)" + (p.dsps > 0 ? " + \(p.dsps) DSP" : "") } ?? "–"
            let ends = row.path.map { "`\($0.start)` → `\($0.end)`" + ($0.via.map { " (across `\($0)`)" } ?? "") } ?? "–"
            return [row.title, Report.int(res.alms), Report.int(res.flipFlops), Report.int(res.m20k), Report.int(res.dsps),
                    path, ends, mhz(row.megahertz), row.result.cacheHit ? "cached" : Report.int(Int(row.result.seconds.rounded()))]
        }
        let t = s.total
        rows.append(["**whole (sum)**", Report.int(s.totalALMs), Report.int(t.flipFlops), Report.int(t.m20k), Report.int(t.dsps),
                     "", "", mhz(s.slowest?.megahertz), ""])
        if let b = s.board.deviceBudget {
            func share(_ x: Int, _ of: Int) -> String { Report.f(100 * Double(x) / Double(of)) + " %" }
            rows.append([b.device, Report.int(b.alms), "", Report.int(b.m20k), Report.int(b.dsps), "", "", "", ""])
            rows.append(["share", share(s.totalALMs, b.alms), "", share(t.m20k, b.m20k), share(t.dsps, b.dsps), "", "", "", ""])
        }
        md += Report.table(["run", "ALMs (est.)", "FFs", "M20K", "DSP", "LUT levels", "deepest path", "est. MHz", "Yosys s"], rows)
        md += ["", "Core: \(s.core). Clock estimate: " + Report.f(TimingEstimate.registerOverheadNanoseconds, 3) + " ns + "
               + Report.f(TimingEstimate.nanosecondsPerLevel) + " ns per LUT level + "
               + Report.f(TimingEstimate.nanosecondsPerCarryHop, 3) + " ns per carry hop + "
               + Report.f(TimingEstimate.nanosecondsPerDSP) + " ns per DSP (\(TimingEstimate.levels(at: 300)) levels fit 300 MHz): "
               + "an estimate, not timing analysis. The batched projection above states the tokens/s at this clock."]
        return md
    }

    /// The whole core's estimated clock in Hz, when the survey ran.
    static func clock(_ r: BenchResults) -> Double? { r.intel?.slowest?.megahertz.map { $0 * 1e6 } }
}
