import Foundation
import HDLSim
import ISA
import Shells

/// Runs a sweep and writes the report: the entry point of `trit-bench` and of its smoke test.
public enum Bench {
    public struct Options: Sendable {
        /// Where REPORT.md and the SVGs go.
        public var out: URL
        /// The package root (for `git` and `bench/numpy_matvec.py`).
        public var root: URL
        /// The command line the report quotes.
        public var command: String
        public var synthesis = true
        /// Synthesize the D5005 preset with Yosys's Intel flow (about 40 minutes uncached).
        public var intelResources = false
        public var numpy = true

        public init(out: URL, root: URL, command: String) {
            self.out = out
            self.root = root
            self.command = command
        }
    }

    /// Measures everything in `sweep`, writes the report, returns the results and the files written.
    public static func run(_ sweep: Sweep, _ options: Options, log: @escaping (String) -> Void) throws -> (BenchResults, [URL]) {
        var r = BenchResults(sweep: sweep, machine: .current(repository: options.root), command: options.command)
        func section(_ name: String, _ body: () throws -> Void) rethrows {
            log("== \(name)")
            let clock = Date()
            try body()
            r.sectionSeconds.append((name, Date().timeIntervalSince(clock)))
        }
        try section("RTL generation") { r.rtl = try RTLGeneration.measure(sweep.rtlCore) }
        try section("interpreter and NumPy") {
            let (d, i) = sweep.interpreterBlock
            r.interpreter = try sweep.packings.map {
                try InterpreterRate.measure(d: d, intermediate: i, packing: $0, repeats: sweep.interpreterRepeats)
            }
            if options.numpy {
                (r.numpy, r.numpySkipped) = NumPyYardstick.measure(script: options.root.appendingPathComponent("bench/numpy_matvec.py"),
                                                                   d: d, intermediate: i, repeats: sweep.interpreterRepeats)
            } else {
                r.numpySkipped = "turned off for this run"
            }
        }
        section("synthesis") {
            if !options.synthesis || sweep.synthesis.isEmpty {
                r.synthesisSkipped = sweep.synthesis.isEmpty ? "this sweep has no synthesis points" : "turned off for this run"
            } else if !Synthesis.available {
                r.synthesisSkipped = "yosys is not installed"
            } else {
                r.synthesis = Synthesis.measure(sweep, log: log)
            }
        }
        section("Intel resources") {
            guard options.intelResources else { r.intelSkipped = "turned off for this run (--intel-resources)"; return }
            do {
                r.intel = try ResourceSurvey.run(board: .d5005, Board.d5005.preset.parameters,
                                                 options: IntelFlow.Options(timeoutSeconds: 3600), progress: log)
            } catch {
                r.intelSkipped = "\(error)"
            }
        }
        try section("trained model") {
            let fixture = options.root.appendingPathComponent("models/shakespeare")
            if FileManager.default.fileExists(atPath: fixture.path) {
                r.accuracy = try TrainedAccuracy.measure(root: options.root, windows: sweep.accuracyWindows,
                                                         fracBits: sweep.accuracyFracBits, log: log)
            } else {
                r.accuracySkipped = "models/shakespeare or fixtures/trained/S is not in this checkout"
            }
        }
        section("tokenizer") {
            do { r.tokenizer = try TokenizerSpeed.measure(root: options.root, seconds: sweep.tokenizerSeconds) } catch {
                r.tokenizerSkipped = "\(error)"
            }
        }
        try section("host path") { r.hostPath = try HostPath.measure(sweep, log: log) }
        try section("cycles per block") {
            r.blocks = try BlockCycles.measure(sweep, log: log)
            r.projections = Projection.make(sweep, blocks: r.blocks)
        }
        try section("batched decode and prefill") { r.batches = try BatchCycles.measure(sweep, blocks: r.blocks, log: log) }
        let files = try Report.write(r, to: options.out)
        return (r, files)
    }

    /// The directory holding Package.swift at or above `start`, else `start`.
    public static func packageRoot(from start: URL) -> URL {
        var dir = start.standardizedFileURL
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { return dir }
            dir = dir.deletingLastPathComponent()
        }
        return start
    }
}
