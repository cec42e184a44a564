import Foundation
import HDL
import HDLEmit
import HDLLib
import Testing

/// generated/rtl/examples/ is generated (`make rtl`) and committed; it must match what
/// the generator writes today.
@Suite struct GeneratedFilesTests {
    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("generated/rtl/examples")

    @Test func committedExamplesAreUpToDate() throws {
        var expected: [String: String] = [:]
        for (_, module) in ExampleCircuits.all {
            for f in SystemVerilogEmitter().files(for: try elaborate(module)) { expected[f.name] = f.contents }
        }
        let committed = try FileManager.default.contentsOfDirectory(atPath: Self.examples.path).filter { $0.hasSuffix(".sv") }
        #expect(Set(committed) == Set(expected.keys), "generated/rtl/examples/ is stale: run `make rtl`")
        for (name, text) in expected.sorted(by: { $0.key < $1.key }) {
            let onDisk = try? String(contentsOf: Self.examples.appendingPathComponent(name), encoding: .utf8)
            #expect(onDisk == text, "generated/rtl/examples/\(name) is stale: run `make rtl`")
        }
    }
}
