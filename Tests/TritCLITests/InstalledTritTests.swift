import Foundation
import Testing
import TestSupport

/// An installed `trit` (the binary copied anywhere) carries everything
/// `trit cosim` needs: the test bench's C++ is built into it, not read
/// from the source tree.
extension CommandLineTests {
    @Test func aCopiedTritRunsCosimOutsideTheSourceTree() throws {
        let home = try scratch()
        let installed = home.appendingPathComponent("bin/trit")
        try FileManager.default.createDirectory(at: installed.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.trit, to: installed)
        let work = home.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.examples.appendingPathComponent("03_scalars.s"),
                                         to: work.appendingPathComponent("p.s"))
        // Nothing points back at the benches in the source tree.
        var environment = ProcessInfo.processInfo.environment
        environment["TRIT_SIM_SOURCES"] = nil
        environment["TRIT_COSIM_SOURCE"] = nil
        func run(_ arguments: String...) throws -> ProcessResult {
            try runProcess(installed, arguments, in: work, environment: environment)
        }
        let assembled = try run("asm", "p.s", "-o", "p.bin")
        #expect(assembled.status == 0, "\(assembled.error)")
        // The small core of `cosimRunsAProgramAndPrintsJSON`: cached once for both.
        let r = try run("cosim", "p.bin", "--max-vector-length", "256")
        #expect(r.status == 0, "\(r.output)\(r.error)")
        #expect(r.output.split(separator: "\n").contains { $0.hasPrefix("halted: ") }, "\(r.output)")
        try? FileManager.default.removeItem(at: home)
    }
}
