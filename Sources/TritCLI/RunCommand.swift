import TritJSON
import ArgumentParser
import Foundation
import ISA
import Interpreter
import Runner
import Model

/// `trit run PROG.bin`: run a program image on the golden interpreter.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a program image, or a compiled build token by token, on the interpreter.",
        discussion: """
            A build directory (from `trit compile`) runs one token step per input row with \
            --input X.npy or --token IDS, the recurrent state carried between tokens; --output \
            writes the outputs, --reference CKPT compares every token with the float model. \
            --dump takes NAME=FILE.npy, where NAME is a symbol from the image (.symbol), \
            a vector register (v3: the first VL elements; v3:N for N elements), a scalar \
            register (s2), or ADDRESS:COUNT (Q.F words in memory, e.g. 0x1000:64). Values \
            are written as float32.
            """)

    @Argument(help: "Program image (.bin) or build directory.")
    var image: String

    @OptionGroup var tokens: TokenOptions

    @OptionGroup var engine: EngineOptions

    @Option(help: "Write the retirement log (one record per retired instruction) to this file.")
    var trace: String?

    @Flag(help: "Print a machine-readable summary.")
    var json = false

    @Option(parsing: .singleValue, help: "NAME=FILE.npy: write a symbol, register or memory region after the run.")
    var dump: [String] = []

    @Option(help: "Stop after this many instructions.")
    var maxSteps: Int = 100_000_000

    enum Region {
        case vector(Int, Int?)
        case scalar(Int)
        case memory(Int, Int)
    }

    func parseRegion(_ name: String, image img: ProgramImage, config: CoreConfig) throws -> Region {
        func bad(_ why: String) -> ValidationError { ValidationError("--dump \(name): \(why)") }
        if let s = img.symbols.first(where: { $0.name == name }) {
            return .memory(Int(s.address), Int(s.count))
        }
        let parts = name.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func integer(_ t: String) -> Int? {
            if t.hasPrefix("0x") || t.hasPrefix("0X") { return Int(t.dropFirst(2), radix: 16) }
            return Int(t)
        }
        if let first = parts.first, first.count > 1, first.first == "v" || first.first == "s",
           let r = Int(first.dropFirst()), first.dropFirst().allSatisfy(\.isNumber) {
            if first.first == "v" {
                guard r < config.vectorRegisters else { throw bad("no vector register \(first)") }
                if parts.count == 2 {
                    guard let n = integer(parts[1]), n >= 0, n <= config.maxVectorLength else {
                        throw bad("element count must be 0...\(config.maxVectorLength)")
                    }
                    return .vector(r, n)
                }
                guard parts.count == 1 else { throw bad("expected vN or vN:COUNT") }
                return .vector(r, nil)
            }
            guard r < config.scalarRegisters, parts.count == 1 else { throw bad("no scalar register \(first)") }
            return .scalar(r)
        }
        if parts.count == 2, let a = integer(parts[0]), let n = integer(parts[1]), a >= 0, n >= 0 {
            return .memory(a, n)
        }
        throw bad("expected a symbol of the image, vN, sN or ADDRESS:COUNT")
    }

    func run() throws {
        if isDirectory(image) { return try runBuild() }
        try tokens.refuseForImage()
        if engine.engine != .interpreter { throw ValidationError("--engine is for build directories; `trit cosim` runs a program image on the core") }
        let bytes = try ISAToolFiles.read(image)
        let img: ProgramImage
        do { img = try ProgramImage.parse(bytes) } catch {
            ISAToolFiles.stderr("\(image): error: \(error)")
            throw ExitCode(1)
        }
        let config = CoreConfig(fracBits: img.fracBits, streams: img.streams)
        var dumps: [(Region, String, String)] = []
        for d in dump {
            guard let eq = d.lastIndex(of: "="), eq != d.startIndex, d.index(after: eq) != d.endIndex else {
                throw ValidationError("--dump \(d): expected NAME=FILE.npy")
            }
            let name = String(d[..<eq]), file = String(d[d.index(after: eq)...])
            dumps.append((try parseRegion(name, image: img, config: config), name, file))
        }
        guard maxSteps > 0 else { throw ValidationError("--max-steps must be positive") }
        let machine: Machine
        do { machine = try Machine(image: img, config: config) } catch {
            ISAToolFiles.stderr("\(image): error: \(error)")
            throw ExitCode(1)
        }
        var lines: [String] = []
        if trace != nil { machine.onRetire = { lines.append($0.line) } }
        let start = DispatchTime.now().uptimeNanoseconds
        let status = machine.run(maxSteps: maxSteps)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if let t = trace {
            try ISAToolFiles.writeAtomically(Array((lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")).utf8), to: t)
        }
        var dumpFailures: [String] = []
        for (region, name, file) in dumps {
            let raw: [Int32]?
            switch region {
            case .vector(let r, let n): raw = machine.vector(r, count: n ?? machine.vl)
            case .scalar(let r): raw = [machine.sregs[r]]
            case .memory(let a, let n): raw = machine.words(at: a, count: n)
            }
            guard let vals = raw else { dumpFailures.append("--dump \(name): region outside memory"); continue }
            let floats = vals.map { Float(Numeric.toDouble(Int64($0), f: img.fracBits)) }
            try ISAToolFiles.writeAtomically(NPY.float32(floats, shape: [floats.count]), to: file)
        }
        var fault: Fault? = nil
        let statusName: String
        switch status {
        case .halted: statusName = "halted"
        case .running: statusName = "stopped"
        case .faulted(let f): statusName = "faulted"; fault = f
        }
        if json {
            let report: JSON = .object([
                "status": .string(statusName), "retired": .int(Int(machine.retired)), "vl": .int(Int(machine.vl)),
                "seconds": .double(seconds), "fault": .optional(fault) { $0.code.json(index: Int($0.index)) },
                "saturations": .int(machine.saturations.total), "saturations_by_instruction": machine.saturations.json,
                "errors": .int(dumpFailures.count),
            ])
            print(report.serialized)
        } else {
            switch status {
            case .halted: print("halted: \(machine.retired) instructions retired")
            case .running: print("stopped after \(machine.retired) instructions (--max-steps)")
            case .faulted(let f): print("\(f); \(machine.retired) instructions retired")
            }
        }
        if let w = machine.saturations.warning("in the run") { ISAToolFiles.stderr(w) }
        for m in dumpFailures { ISAToolFiles.stderr("error: " + m) }
        if fault != nil || !dumpFailures.isEmpty || status == .running { throw ExitCode(1) }
    }

    /// `trit run BUILD_DIR`: every token on the chosen engine.
    func runBuild() throws {
        if !dump.isEmpty { throw ValidationError("--dump is for program images; a build's regions are written with --output") }
        try exitOnError {
            let setup = try BuildRunSetup(path: image, options: tokens)
            let cards = setup.model.manifests
            var lines: [String] = []
            let session: TokenStepper
            if trace != nil {
                let build = try setup.singleBuild("trit run --trace", instead: "trace one of its card directories")
                guard let interpreter = try engine.make(for: build.manifest) as? InterpreterEngine else {
                    throw ValidationError("--trace needs --engine interpreter")
                }
                interpreter.onRetire = { lines.append($0.line) }
                session = try BuildSession(build, engine: interpreter)
            } else {
                session = try setup.model.stepper(engine)
            }
            let runs = try setup.run(session)
            if let t = trace {
                try ISAToolFiles.writeAtomically(Array((lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")).utf8), to: t)
            }
            if let o = tokens.output { try setup.writeOutputs(runs, to: o) }
            if !json { print("\(image): " + RunReport.describe(cards)) }
            printRuns(runs, cards: cards, loads: session.loads, json: json)
        }
    }
}
