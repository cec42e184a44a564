import ArgumentParser
import Foundation
import HDL
import HDLEmit
import HDLLib
import HDLSim

/// `trit hdl-demo`: elaborate the DSL's library circuits, write their
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
        let circuits: [(String, any Module)] = [
            ("counter with enable and clear", Counter(width: 8)),
            ("FIFO, 16 x 32 bits, valid/ready", FIFO(width: 32, depth: 16)),
            ("ternary adder tree, 64 x int8", TernaryAdderTree(inputs: 64, width: 8, registerAbove: 16)),
            ("RAM, M20K template, new data on read-during-write", SimpleRAM(width: 16, depth: 256, readLatency: 1, readDuringWrite: .newData)),
            ("state machine: detects 1011", SequenceDetector()),
        ]
        let dir = URL(fileURLWithPath: out, isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var failures = 0
        for (what, circuit) in circuits {
            let start = Date()
            let design = try elaborate(circuit)
            let files = SystemVerilogEmitter().files(for: design)
            let ms = Int(Date().timeIntervalSince(start) * 1000)
            for f in files {
                try f.contents.write(to: dir.appendingPathComponent(f.name), atomically: true, encoding: .utf8)
            }
            let lines = files.reduce(0) { $0 + $1.contents.split(separator: "\n").count }
            var status = ""
            if !noLint {
                let problems = try Lint.check(design)
                status = problems.isEmpty ? "lint clean (verilator -Wall, yosys)" : "LINT PROBLEMS:\n\(problems)"
                if !problems.isEmpty { failures += 1 }
            }
            print("\(design.top.name): \(what); \(files.count) module(s), \(lines) lines, \(ms) ms; \(status)")
        }
        print("wrote \(dir.path)")
        if failures > 0 { throw ExitCode(1) }
    }
}
