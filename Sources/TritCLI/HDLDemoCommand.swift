import ArgumentParser
import Foundation
import HDL
import HDLEmit
import HDLLib
import HDLSim

/// `trit hdl-demo`: elaborate the DSL's example circuits, write their
/// SystemVerilog, and lint it with Verilator and Yosys.
struct HDLDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hdl-demo",
        abstract: "Emit the hardware DSL's example circuits as SystemVerilog and lint them.")

    @Option(name: .shortAndLong, help: "Directory for the emitted .sv files.")
    var out: String = "out/hdl-demo"

    @Flag(help: "Skip the Verilator and Yosys checks.")
    var noLint = false

    func run() throws {
        let dir = URL(fileURLWithPath: out, isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var failures = 0
        for (what, circuit) in ExampleCircuits.all {
            let start = Date()
            let design = try elaborate(circuit)
            let files = SystemVerilogEmitter().files(for: design)
            let ms = Date().timeIntervalSince(start) * 1000
            for f in files {
                try f.contents.write(to: dir.appendingPathComponent(f.name), atomically: true, encoding: .utf8)
            }
            let lines = files.reduce(0) { $0 + $1.contents.split(separator: "\n").count }
            var status = ""
            if !noLint {
                let problems = try Lint.check(design)
                status = problems.isEmpty ? "; lint clean (verilator -Wall, yosys)" : "; LINT PROBLEMS:\n\(problems)"
                if !problems.isEmpty { failures += 1 }
            }
            print("\(design.top.name): \(what)\n    \(files.count) module(s), \(lines) lines, elaborated and emitted in "
                  + String(format: "%.1f ms", ms) + status)
        }
        print("wrote \(dir.path)")
        if failures > 0 { throw ExitCode(1) }
    }
}
