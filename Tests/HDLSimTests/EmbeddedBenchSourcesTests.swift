import Foundation
import HDLSim
import Testing

/// `trit` carries the test benches of sim/ as text
/// (Sources/HDLSim/EmbeddedBenchSources.swift, written by
/// tools/embed_sim_sources.py); the copy must match the files.
@Suite struct EmbeddedBenchSourcesTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("sim")

    @Test func embeddedBenchesMatchSim() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { $0.hasSuffix(".cpp") || $0.hasSuffix(".h") }.sorted()
        #expect(names.contains(BenchSources.sharedHeader))
        for name in names {
            let onDisk = try String(contentsOf: Self.directory.appendingPathComponent(name), encoding: .utf8)
            let built = try BenchSources.extensions(bench: name, in: nil).last
            #expect(built?.source == onDisk, "the copy of sim/\(name) built into trit is stale: run `make rtl`")
        }
    }

    @Test func anUnknownBenchIsAClearError() {
        #expect(throws: SimulationError.self) { try BenchSources.extensions(bench: "no_such_bench.cpp", in: nil) }
    }
}
