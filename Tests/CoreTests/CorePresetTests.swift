import Core
import Foundation
import Testing

/// The named cores: each is one the generator accepts, and the table in
/// generated/presets.md is the one `CorePreset.markdown` writes now.
struct CorePresetTests {
    @Test func everyPresetIsAValidCore() {
        for preset in CorePreset.allCases { #expect(preset.parameters.problems.isEmpty, "\(preset): \(preset.parameters.problems)") }
    }

    /// A beat of every bank is at most one ternary row group (64 elements):
    /// 1024-bit beats on one or two banks, not four.
    @Test func aWideBeatOfEveryBankIsAtMostARowGroup() {
        for (banks, fits) in [(1, true), (2, true), (4, false)] {
            let p = CoreParameters(dataBits: 1024, banks: banks)
            #expect(p.problems.isEmpty == fits, "\(banks) banks: \(p.problems)")
        }
    }

    /// A host reads the instruction set a card runs from CONFIGURATION, streams included.
    @Test func configurationRegisterNamesTheInstructionSet() {
        for streams in [1, 4, 16] {
            for preset in CorePreset.allCases {
                var p = preset.parameters
                p.isa.streams = streams
                #expect(CSR.instructionSet(configuration: CSR.configurationValue(p)) == p.isa, "\(preset), \(streams) streams")
            }
        }
    }

    @Test func thePresetTableInDocsIsCurrent() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let committed = try String(contentsOf: root.appendingPathComponent("generated/presets.md"), encoding: .utf8)
        #expect(committed == CorePreset.markdown, "generated/presets.md is stale: run `make rtl`")
    }
}
