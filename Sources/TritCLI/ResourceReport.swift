import Foundation
import HDLSim
import Shells
import TritJSON

/// The figures of `trit rtl --resources` (a `ResourceSurvey`: one row per
/// run of `ResourcePlan`, their sum, and the device's budget) as a table or JSON.
struct ResourceReport {
    let survey: ResourceSurvey
    let yosysVersion: String

    var board: Board { survey.board }
    var core: String { survey.core }
    var rows: [ResourceSurvey.Row] { survey.rows }
    var totalALMs: Int { survey.totalALMs }
    var total: IntelResources { survey.total }
    var slowest: ResourceSurvey.Row? { survey.slowest }
    static var flowNote: String { ResourceSurvey.flowNote }

    var text: String {
        func n(_ x: Int) -> String { x.formatted(.number.grouping(.automatic)) }
        func pad(_ s: String, _ w: Int, left: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, w - s.count))
            return left ? s + fill : fill + s
        }
        let header = [pad("unit", 20, left: true), pad("ALMs", 10), pad("FFs", 10), pad("M20K", 7), pad("DSP", 6),
                      pad("levels", 7), pad("carry", 6), pad("est. MHz", 9), pad("yosys s", 9)]
        var lines = ["Intel resources of \(core) (\(board.rawValue)). " + Self.flowNote, "",
                     header.joined(separator: " ")]
        for r in rows {
            let res = r.resources
            let time = r.result.cacheHit ? "cached" : String(Int(r.result.seconds.rounded()))
            lines.append([pad(r.title, 20, left: true), pad(n(res.alms), 10), pad(n(res.flipFlops), 10), pad(n(res.m20k), 7),
                          pad(n(res.dsps), 6), pad(r.path.map { "\($0.lutLevels)" } ?? "-", 7),
                          pad(r.path.map { "\($0.carryHops)" } ?? "-", 6),
                          pad(r.megahertz.map { String(Int($0.rounded())) } ?? "-", 9), pad(time, 9)].joined(separator: " "))
        }
        let t = total
        lines.append([pad("whole (sum)", 20, left: true), pad(n(totalALMs), 10), pad(n(t.flipFlops), 10), pad(n(t.m20k), 7),
                      pad(n(t.dsps), 6), pad("", 7), pad("", 6),
                      pad(slowest?.megahertz.map { String(Int($0.rounded())) } ?? "-", 9)].joined(separator: " "))
        if let b = board.deviceBudget {
            func pct(_ x: Int, _ of: Int) -> String { String(format: "%.1f%%", 100 * Double(x) / Double(of)) }
            lines.append([pad(b.device, 20, left: true), pad(n(b.alms), 10), pad("", 10), pad(n(b.m20k), 7), pad(n(b.dsps), 6)]
                .joined(separator: " "))
            lines.append([pad("used", 20, left: true), pad(pct(totalALMs, b.alms), 10), pad("", 10), pad(pct(t.m20k, b.m20k), 7),
                          pad(pct(t.dsps, b.dsps), 6)].joined(separator: " "))
        }
        lines += ["", "Deepest paths (LUT levels, carry-chain hops, DSPs; the slowest of the three ltp queries and of the paths across a repeated module's ports):"]
        for r in rows {
            guard let p = r.path else { lines.append("  \(r.title): no logic"); continue }
            lines.append("  \(r.title): \(p.lutLevels) levels, \(p.carryHops) carry, \(p.dsps) DSP: \(p.start) -> \(p.end)"
                         + (p.via.map { " (across \($0))" } ?? ""))
        }
        lines += ["", String(format: "Clock estimate: %.2f ns + %.1f ns per LUT level + %.3f ns per carry hop + %.1f ns per DSP "
                             + "(%d levels fit 300 MHz). An estimate, not timing analysis.",
                             TimingEstimate.registerOverheadNanoseconds, TimingEstimate.nanosecondsPerLevel,
                             TimingEstimate.nanosecondsPerCarryHop, TimingEstimate.nanosecondsPerDSP,
                             TimingEstimate.levels(at: 300))]
        return lines.joined(separator: "\n")
    }

    var json: JSON {
        func resources(_ r: IntelResources, alms: Int) -> JSONObject {
            ["alms_estimate": .int(alms), "lut6": .int(r.lut6), "small_luts": .int(r.smallLUTs), "adder_bits": .int(r.adderBits),
             "mlabs": .int(r.mlabs), "flip_flops": .int(r.flipFlops), "m20k": .int(r.m20k), "dsps": .int(r.dsps)]
        }
        func path(_ p: LogicPath?) -> JSON {
            JSON.optional(p) { p in
                .object(["start": .string(p.start), "end": .string(p.end), "lut_levels": .int(p.lutLevels),
                         "carry_hops": .int(p.carryHops), "dsps": .int(p.dsps), "via": JSON.optional(p.via) { .string($0) },
                         "estimated_ns": JSON.rounded(TimingEstimate.nanoseconds(p), 3),
                         "estimated_mhz": JSON.rounded(TimingEstimate.megahertz(p), 1)])
            }
        }
        let units: [JSON] = rows.map { r in
            var o = resources(r.resources, alms: r.resources.alms)
            o["name"] = .string(r.label)
            o["module"] = .string(r.module)
            o["instances"] = .int(r.instances)
            o["critical_path"] = path(r.path)
            o["yosys_seconds"] = JSON.rounded(r.result.seconds, 1)
            o["cache_hit"] = .bool(r.result.cacheHit)
            return .object(o)
        }
        var whole = resources(total, alms: totalALMs)
        whole["estimated_mhz"] = JSON.optional(slowest?.megahertz) { JSON.rounded($0, 1) }
        var top: JSONObject = ["board": .string(board.rawValue), "core": .string(core), "flow": .string(Self.flowNote),
                               "yosys": .string(yosysVersion), "units": .array(units), "whole": .object(whole)]
        top["budget"] = JSON.optional(board.deviceBudget) { b in
            .object(["device": .string(b.device), "alms": .int(b.alms), "m20k": .int(b.m20k), "dsps": .int(b.dsps)])
        }
        top["timing_model"] = .object([
            "register_overhead_ns": JSON.rounded(TimingEstimate.registerOverheadNanoseconds, 3),
            "ns_per_lut_level": .double(TimingEstimate.nanosecondsPerLevel),
            "ns_per_carry_hop": .double(TimingEstimate.nanosecondsPerCarryHop),
            "ns_per_dsp": .double(TimingEstimate.nanosecondsPerDSP),
            "note": .string("an estimate: per-level delay assumed, the rest from Yosys's Cyclone 10 GX cell model (docs/silicon.md)"),
        ])
        return .object(top)
    }
}
