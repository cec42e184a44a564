import Core
import Foundation
import Testing

/// The named cores: each is one the generator accepts, and the table in
/// generated/presets.md is the one `CorePreset.markdown` writes now.
struct CorePresetTests {
    @Test func everyPresetIsAValidCore() {
        for preset in CorePreset.allCases { #expect(preset.parameters.problems.isEmpty, "\(preset): \(preset.parameters.problems)") }
    }

    @Test func thePresetTableInDocsIsCurrent() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let committed = try String(contentsOf: root.appendingPathComponent("generated/presets.md"), encoding: .utf8)
        #expect(committed == CorePreset.markdown, "generated/presets.md is stale: run `make rtl`")
    }
}
