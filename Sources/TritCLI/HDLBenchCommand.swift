import ArgumentParser
import Foundation
import HDL
import HDLEmit
import HDLLib

/// `trit hdl-bench`: time elaborating and emitting a ternary adder tree.
struct HDLBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hdl-bench",
        abstract: "Time elaboration and SystemVerilog emission of a ternary adder tree.")

    @Option(help: "Inputs of the adder tree.")
    var inputs = 256

    @Option(help: "Runs to take the best of.")
    var repeats = 5

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        var best = (elaborate: Double.infinity, emit: Double.infinity)
        var modules = 0, lines = 0
        for _ in 0..<max(1, repeats) {
            let t0 = Date()
            let design = try HDL.elaborate(TernaryAdderTree(inputs: inputs, width: 8))
            let t1 = Date()
            let files = SystemVerilogEmitter().files(for: design)
            let t2 = Date()
            best.elaborate = min(best.elaborate, t1.timeIntervalSince(t0) * 1000)
            best.emit = min(best.emit, t2.timeIntervalSince(t1) * 1000)
            modules = files.count
            lines = files.reduce(0) { $0 + $1.contents.split(separator: "\n").count }
        }
        if json {
            print(#"{"inputs": \#(inputs), "modules": \#(modules), "lines": \#(lines), "#
                  + String(format: #""elaborate_ms": %.2f, "emit_ms": %.2f}"#, best.elaborate, best.emit))
        } else {
            print("adder tree of \(inputs) int8 inputs: \(modules) modules, \(lines) lines of SystemVerilog")
            print(String(format: "elaborate %.2f ms, emit %.2f ms (best of %d)", best.elaborate, best.emit, repeats))
        }
    }
}
