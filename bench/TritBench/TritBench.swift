import ArgumentParser
import BenchKit
import Foundation

/// `trit-bench`: measures the toolchain and the core, writes REPORT.md and SVG figures.
@main
struct TritBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trit-bench",
        abstract: "Benchmark the core and the toolchain; write REPORT.md and SVG figures.",
        discussion: """
            The full run (`make bench`) measures cycles per block at d = 512, 1024, 2048 and 2560 on the D5005 core \
            in co-simulation for 1, 2 and 4 banks and both weight packings, projects decode tokens/s for the \
            370M, 1.3B and 2.7B shapes, synthesizes the ternary unit and the memory system with Yosys as lanes grow, \
            and times the interpreter against NumPy, co-simulation and RTL generation. --quick does the same on tiny \
            shapes in about a minute (the smoke run of `make test`).
            """)

    @Flag(help: "Tiny shapes: a d = 64 block on a small core, no synthesis.")
    var quick = false

    @Option(help: "Directory for REPORT.md and the figures.")
    var out = "bench"

    @Option(help: "Block widths to measure, comma-separated (from 512, 1024, 2048, 2560; default all).")
    var shapes: String?

    @Option(help: "Bank counts, comma-separated (from 1, 2, 4; default all).")
    var banks: String?

    @Option(help: "Ternary lanes for the synthesis sweep, comma-separated (from 64, 128, 256, 512; default all).")
    var lanes: String?

    @Flag(help: "Skip the Yosys synthesis sweep.")
    var noSynthesis = false

    @Flag(help: "Also synthesize the D5005 preset with Yosys's Intel flow (about an hour uncached, seconds from .build/trit-synth-cache).")
    var intelResources = false

    @Flag(help: "Skip the NumPy comparison.")
    var noNumpy = false

    func list(_ text: String?, _ option: String) throws -> [Int]? {
        try text.map { t in
            try t.split(separator: ",").map {
                guard let v = Int($0.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("\(option): '\($0)' is not a number") }
                return v
            }
        }
    }

    func sweep() throws -> Sweep {
        var s = quick ? Sweep.quick : Sweep.full
        if let d = try list(shapes, "--shapes") {
            let known = Sweep.full.blocks
            s.blocks = try d.map { w in
                guard let b = (known + Sweep.quick.blocks).first(where: { $0.d == w }) else {
                    throw ValidationError("--shapes: no docs/model.md shape has d = \(w); known: \(known.map { String($0.d) }.joined(separator: ", "))")
                }
                return b
            }
        }
        if let b = try list(banks, "--banks") {
            // The sweep's core at each bank count must be a core the generator accepts.
            let sweep = s
            if let problem = b.lazy.flatMap({ sweep.core($0).problems }).first { throw ValidationError("--banks: \(problem)") }
            s.banks = b
        }
        if let l = try list(lanes, "--lanes") {
            s.synthesis = s.synthesis.filter { l.contains($0.lanes) }
        }
        return s
    }

    func run() throws {
        let sweep = try sweep()
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let outURL = URL(fileURLWithPath: out, relativeTo: cwd)
        // The command as typed from the package root, without this machine's paths.
        let command = (["trit-bench"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        var options = Bench.Options(out: outURL, root: Bench.packageRoot(from: cwd), command: command)
        options.synthesis = !noSynthesis
        options.numpy = !noNumpy
        options.intelResources = intelResources
        let clock = Date()
        let (_, files) = try Bench.run(sweep, options) { line in
            FileHandle.standardError.write(Data((String(format: "[%6.0f s] ", Date().timeIntervalSince(clock)) + line + "\n").utf8))
        }
        for f in files { print("wrote \(f.relativePath)") }
    }
}
