@testable import BenchKit
import Foundation
import HDLSim
import Shells
import Testing

/// The report's Intel section from a survey made here (no Yosys run): the
/// rows, the whole against the D5005, and the clock the batched projection uses.
@Suite struct IntelResourcesSectionTests {
    func result(lut6: Int, m20k: Int, levels: Int, dsps: Int) throws -> IntelSynthesisResult {
        let json = """
            {"cellTypes": {"MISTRAL_ALUT6": \(lut6), "MISTRAL_FF": 100, "MISTRAL_M20K": \(m20k), "MISTRAL_MUL27X27": \(dsps)},
             "longestPath": {"start": "a_reg", "end": "b_reg", "lutLevels": \(levels), "carryHops": 0, "dsps": 0},
             "seconds": 12, "cacheHit": false}
            """
        return try JSONDecoder().decode(IntelSynthesisResult.self, from: Data(json.utf8))
    }

    @Test func sectionShowsTheWholeAgainstTheDevice() throws {
        let rows = [ResourceSurvey.Row(label: "TernaryUnit", module: "TernaryUnit_X", result: try result(lut6: 93_312, m20k: 1_172, levels: 3, dsps: 6)),
                    ResourceSurvey.Row(label: "TernaryRowTree", module: "TernaryRowTree_S2", result: try result(lut6: 100, m20k: 0, levels: 2, dsps: 0),
                                       instances: 10),
                    ResourceSurvey.Row(label: "rest", module: "TritAfu", result: try result(lut6: 1_000, m20k: 0, levels: 9, dsps: 0))]
        var r = BenchResults(sweep: .quick, machine: .current(repository: URL(fileURLWithPath: "/")), command: "trit-bench")
        #expect(IntelResourcesSection.text(r).last?.hasPrefix("Not run") == true)
        r.intel = ResourceSurvey(board: .d5005, core: "TritCore_X", rows: rows)
        let text = IntelResourcesSection.text(r).joined(separator: "\n")
        // 95,312 ALMs (the row tree's 100 ten times) of 933,120 is 10.2 %; 1,172 M20K of 11,721 is 10.0 %.
        #expect(text.contains("| TernaryRowTree x10 | 1,000 | 1,000 |"), "\(text)")
        #expect(text.contains("| **whole (sum)** | 95,312 |"), "\(text)")
        #expect(text.contains("| share | 10.2 % |  | 10.0 % |"), "\(text)")
        #expect(text.contains("`a_reg` → `b_reg`"))
        // The slowest run sets the clock: 9 levels.
        let clock = try #require(IntelResourcesSection.clock(r))
        #expect(abs(clock - 1e9 / (TimingEstimate.registerOverheadNanoseconds + 9 * TimingEstimate.nanosecondsPerLevel)) < 1)
    }
}
