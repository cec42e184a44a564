import TritJSON
import ArgumentParser
import Core
import Cosim
import Foundation
import HDL
import ISA
import Runner

/// `trit cosim`: the generated core in Verilator against the interpreter, in lock step.
struct CosimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cosim",
        abstract: "Run a program (or random programs) on the generated core and the interpreter in lock step.",
        discussion: """
            Every retirement record of the core is compared with the interpreter's; then the halt or fault \
            (code and index), the status registers and the whole data memory. The exit status is 0 when \
            the core and the interpreter agree (also for a program that faults on both), 1 on the first \
            disagreement, which is printed with the instruction's disassembly. The core model is built with \
            Verilator on first use and cached. With --random N, N generated programs run with seeds S, S+1, \
            ...; a failure prints the seed that reproduces it with --random 1. A build directory runs one \
            token step per input row (--input X.npy or --token IDS) with the state carried in memory, \
            each step in lock step, and reports the core's cycles per block and weight-beat utilization; \
            --reference CKPT adds the agreement with the float model.
            """)

    @Argument(help: "Program image (.bin) or build directory (from trit compile).")
    var image: String?

    @OptionGroup var tokens: TokenOptions

    @Option(help: "Run this many random programs instead of an image.")
    var random: Int?

    @Option(help: "Seed of the memory back-pressure pattern and of the first random program.")
    var seed: UInt64 = 1

    @Option(help: "Memory read latency in cycles.")
    var latency = 8

    @Option(help: "Probability per cycle and bank that memory holds a command (waitrequest), in [0, 1).")
    var backpressure = 0.0

    @Option(help: "Write an FST waveform of the run here.")
    var waves: String?

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var core: CoreOptions

    @Option(help: "Fail when a program runs longer than this many cycles.")
    var maxCycles: UInt64 = 50_000_000

    @Option(help: "With --random: write the first failing program image here.")
    var saveFailing: String?

    @Option(help: "With --random: only instructions of these units, comma-separated (control, load-store, vector, lookup, reduction, ternary).")
    var units: String?

    var unitSet: Set<FunctionalUnit>? {
        get throws {
            guard let units else { return nil }
            var set = Set<FunctionalUnit>()
            for name in units.split(separator: ",", omittingEmptySubsequences: false) {
                guard let u = FunctionalUnit(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--units: unknown unit '\(name)'; the units are control, load-store, vector, lookup, reduction, ternary")
                }
                set.insert(u)
            }
            return set
        }
    }

    func validate() throws {
        switch (image, random) {
        case (nil, nil): throw ValidationError("give a program image or --random N")
        case (_?, _?): throw ValidationError("give either a program image or --random N, not both")
        default: break
        }
        if let n = random, n < 1 { throw ValidationError("--random must be at least 1, got \(n)") }
        if waves != nil && (random ?? 1) != 1 { throw ValidationError("--waves records one program: use it with an image or --random 1") }
        if saveFailing != nil && random == nil { throw ValidationError("--save-failing is for --random runs") }
        if units != nil && random == nil { throw ValidationError("--units is for --random runs") }
        if image.map(isDirectory) != true { try tokens.refuseForImage() }
        _ = try unitSet
        let problems = TestBenchOptions(latency: latency, backpressure: backpressure).problems
        if let p = problems.first { throw ValidationError(p) }
        _ = try core.parameters(default: .d5005)
        if maxCycles == 0 { throw ValidationError("--max-cycles must be positive") }
    }

    /// The core: the options, in the format of the program or build unless --frac-bits says otherwise.
    /// The preset's core, with the program's fraction bits and streams unless the options name them.
    func parameters(fracBits: Int?, streams: Int? = nil) throws -> CoreParameters {
        var p = try core.parameters(default: .d5005)
        if core.fracBits == nil, let f = fracBits { p.isa.fracBits = f }
        if core.batch == nil, let s = streams { p.isa.streams = s }
        return p
    }

    func run() throws {
        if let path = image, isDirectory(path) { return try runBuild(path) }
        var program: ProgramImage?
        if let path = image {
            let bytes = try ISAToolFiles.read(path)
            do { program = try ProgramImage.parse(bytes) } catch {
                ISAToolFiles.stderr("\(path): error: \(error)")
                throw ExitCode(1)
            }
        }
        let params = try parameters(fracBits: program?.fracBits, streams: program?.streams)
        let cosim = try makeCosimulation(params)
        if let program { try runOne(cosim, program) } else { try runRandom(cosim, params, count: random!) }
    }

    /// The core model (built with Verilator, or found in the cache) and its lock-step runner.
    func makeCosimulation(_ params: CoreParameters) throws -> CoSimulation {
        let options = TestBenchOptions(latency: latency, backpressure: backpressure, seed: seed,
                                       waveform: waves.map { URL(fileURLWithPath: $0) })
        let cosim: CoSimulation
        do {
            let design = try HDL.elaborate(TritCore(params: params))
            let clock = Date()
            cosim = try CoSimulation(design: design, parameters: params, options: options)
            if !cosim.model.library.build.cacheHit && !json {
                ISAToolFiles.stderr(String(format: "built the core model in %.1f s", Date().timeIntervalSince(clock)))
            }
        } catch {
            ISAToolFiles.stderr("error: \(error)")
            throw ExitCode(1)
        }
        cosim.maxCycles = maxCycles
        return cosim
    }

    /// `trit cosim BUILD_DIR`: every token on the core, in lock step.
    func runBuild(_ path: String) throws {
        try exitOnError(prefix: "\(path)") {
            let setup = try BuildRunSetup(path: path, options: tokens)
            let build = try setup.singleBuild("trit cosim", instead: "run the whole model on the core with `trit run --engine cosim`")
            let m = build.manifest
            let params = try parameters(fracBits: m.target.fracBits, streams: m.streams)
            try BuildSession.checkCompatible(m, params.isa)
            let cosim = try makeCosimulation(params)
            let session = try BuildSession(build, engine: CosimEngine(cosim))
            if !json { print("\(path): " + RunReport.describe(m)) }
            let runs = try setup.run(session) { t in
                if !json && setup.inputs.count > 1 { ISAToolFiles.stderr("token \(t + 1)/\(setup.inputs.count) done") }
            }
            if let o = tokens.output { try setup.writeOutputs(runs, to: o) }
            printRuns(runs, cards: [m], loads: session.loads, json: json)
        }
    }

    func runOne(_ cosim: CoSimulation, _ program: ProgramImage) throws {
        do {
            let report = try cosim.run(program)
            print(json ? report.json.serialized : report.summary)
            if let w = report.interpreterSaturations.warning("in the run") { ISAToolFiles.stderr(w) }
        } catch {
            ISAToolFiles.stderr("\(image!): \(error)")
            throw ExitCode(1)
        }
    }

    func runRandom(_ cosim: CoSimulation, _ params: CoreParameters, count: Int) throws {
        var config = RandomProgramConfig(isa: params.isa, vectorLanes: params.vectorLanes)
        if let set = try unitSet { config = .restricted(to: set, isa: params.isa, vectorLanes: params.vectorLanes) }
        var halted = 0, instructions = 0
        var cycles: UInt64 = 0, simulated: UInt64 = 0
        var seconds = 0.0, rtlSeconds = 0.0
        var faults: [String: Int] = [:]
        for i in 0..<count {
            let s = seed &+ UInt64(i)
            let program = RandomProgram(seed: s, config: config)
            cosim.options.seed = s
            do {
                let report = try cosim.run(program.image)
                instructions += report.instructions
                cycles += report.cycles
                simulated += report.simulatedCycles
                seconds += report.seconds
                rtlSeconds += report.rtlSeconds
                if let f = report.fault { faults[f.code.name, default: 0] += 1 } else { halted += 1 }
            } catch {
                ISAToolFiles.stderr("random program \(i) of \(count) (seed \(s)) failed:\n\(error)")
                ISAToolFiles.stderr("reproduce with: trit cosim --random 1 --seed \(s)" + reproduceOptions)
                if let path = saveFailing {
                    try ISAToolFiles.writeAtomically(program.image.serialized(), to: path)
                    ISAToolFiles.stderr("the program image is in \(path)")
                }
                throw ExitCode(1)
            }
        }
        let rate = seconds > 0 ? Double(simulated) / seconds : 0
        let rtlRate = rtlSeconds > 0 ? Double(simulated) / rtlSeconds : 0
        if json {
            let report: JSON = .object([
                "programs": .int(count), "halted": .int(halted),
                "faulted": .object(JSONObject(faults.keys.sorted().map { ($0, .int(faults[$0]!)) })),
                "instructions": .int(Int(instructions)), "cycles": .int(Int(cycles)),
                "cycles_per_second": .rounded(rate, 0), "rtl_cycles_per_second": .rounded(rtlRate, 0),
            ])
            print(report.serialized)
        } else {
            let f = faults.keys.sorted().map { "\($0) \(faults[$0]!)" }.joined(separator: ", ")
            print("\(count) random programs agree (seeds \(seed)...\(seed &+ UInt64(count - 1))): \(halted) halted"
                  + (faults.isEmpty ? "" : ", faulted: \(f)")
                  + "; \(instructions) instructions, \(cycles) cycles, \(String(format: "%.0f", rate)) cycles/s in lock step, "
                  + "\(String(format: "%.0f", rtlRate)) cycles/s for the core model alone")
        }
    }

    /// The options that shape a run, to repeat them in the reproduction hint.
    var reproduceOptions: String {
        var s = " --latency \(latency) --backpressure \(backpressure) --preset \((core.preset ?? .d5005).rawValue)"
        if let d = core.dataBits { s += " --data-bits \(d)" }
        if let b = core.banks { s += " --banks \(b)" }
        if let n = core.maxVectorLength { s += " --max-vector-length \(n)" }
        if let f = core.fracBits { s += " --frac-bits \(f)" }
        if let u = units { s += " --units \(u)" }
        return s
    }
}
