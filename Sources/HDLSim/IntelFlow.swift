import Foundation
import HDLEmit

/// One design to put through the Intel ALM flow: `top` from `files`, with
/// the modules in `blackboxes` kept as empty boxes (counted elsewhere), and
/// the cones of `probes` measured besides the register-to-register paths.
public struct IntelSynthesisJob: Sendable {
    public var top: String
    public var files: [EmittedFile]
    public var blackboxes: [String]
    public var probes: [PathProbe]

    public init(top: String, files: [EmittedFile], blackboxes: [String] = [], probes: [PathProbe] = []) {
        self.top = top
        self.files = files
        self.blackboxes = blackboxes
        self.probes = probes
    }
}

/// A piece of a path that crosses a black box's ports, which the flow's
/// register-to-register queries end at: the logic from one of the design's
/// input ports to its registers (`fromInput`), from its registers to an
/// output port (`toOutput`), or the design's logic into and out of one port
/// of a boxed module (`intoBox`, `outOfBox`). Its longest path is reported
/// under `name`; `ResourceSurvey` adds the pieces on the two sides of a box.
public struct PathProbe: Sendable, Hashable {
    public let name: String
    /// A Yosys selection: the cone, up to registers, memories and boxes.
    public let selection: String
    /// The port whose one side the probe measures, and whether it is an
    /// input of the module that has it.
    public let port: String
    public let input: Bool
    /// Appended to `name` for the cone's path with the most LUTs and DSPs
    /// when adders end paths (`ltp` counts cells: a carry chain's many
    /// cells can hide a deeper path of LUTs, as in the flow's own queries).
    public static let lutOnly = "|lut"

    /// This probe's pieces in `result`: both queries' paths that hold logic.
    public func pieces(in result: IntelSynthesisResult) -> [LogicPath] {
        [name, name + Self.lutOnly].compactMap { result.probes?[$0] }
    }

    static func stops(_ boxes: [String]) -> String {
        (["MISTRAL_FF", "MISTRAL_MLAB", "altsyncram"] + boxes).map { ":-\($0)" }.joined()
    }

    public static func fromInput(_ port: String, boxes: [String] = []) -> PathProbe {
        PathProbe(name: "in:\(port)", selection: "w:\(port) %co*\(stops(boxes))", port: port, input: true)
    }

    public static func toOutput(_ port: String, boxes: [String] = []) -> PathProbe {
        PathProbe(name: "out:\(port)", selection: "w:\(port) %ci*\(stops(boxes))", port: port, input: false)
    }

    public static func intoBox(_ module: String, port: String, boxes: [String]) -> PathProbe {
        PathProbe(name: "into:\(module):\(port)", selection: "t:\(module) %ci1:+\(module)[\(port)] %ci*\(stops(boxes))",
                  port: port, input: true)
    }

    public static func outOfBox(_ module: String, port: String, boxes: [String]) -> PathProbe {
        PathProbe(name: "outof:\(module):\(port)", selection: "t:\(module) %co1:+\(module)[\(port)] %co*\(stops(boxes))",
                  port: port, input: false)
    }
}

/// What one run gave: the resources, the longest paths of `ltp`'s three
/// queries, and whether it came from the cache.
public struct IntelSynthesisResult: Codable, Sendable, Equatable {
    public var cellTypes: [String: Int]
    /// The path with the most cells (LUTs, adder cells and DSPs).
    public var longestPath: LogicPath?
    /// The path with the most LUTs and DSPs when adders end paths.
    public var deepestLUTPath: LogicPath?
    /// The path with the most cells among those around DSP blocks (their
    /// input and output cones up to registers and memories): a DSP costs as
    /// much as several LUT levels, and a short path through one is missed
    /// by the other two queries, which count cells.
    public var dspPath: LogicPath?
    /// The longest path of each of the job's probes that holds logic, by
    /// name (and by name + `PathProbe.lutOnly` with adders ending paths).
    public var probes: [String: LogicPath]?
    /// Yosys's run time when it ran (the cached run's when from the cache).
    public var seconds: Double
    public var cacheHit = false

    public var resources: IntelResources { IntelResources(cellTypes: cellTypes) }

    var paths: [LogicPath] { [longestPath, deepestLUTPath, dspPath].compactMap { $0 } }

    /// The one with the most LUT levels: the depth a pipeline stage must
    /// keep within budget, whichever path is slower.
    public var deepestPath: LogicPath? { paths.max { $0.lutLevels < $1.lutLevels } }

    /// The slowest path by `TimingEstimate`.
    public var criticalPath: LogicPath? { TimingEstimate.slowest(paths) }
}

public enum IntelFlowError: Error, CustomStringConvertible {
    case timedOut(top: String, seconds: Double)
    case failed(top: String, output: String)
    case unreadable(top: String, file: String)

    public var description: String {
        switch self {
        case .timedOut(let top, let s):
            return "yosys synthesis of \(top) did not finish within \(Int(s)) s (raise --synth-timeout)"
        case .failed(let top, let output):
            let tail = output.split(separator: "\n").suffix(30).joined(separator: "\n")
            return "yosys synthesis of \(top) failed:\n\(tail)"
        case .unreadable(let top, let file):
            return "yosys synthesis of \(top) finished without writing \(file)"
        }
    }
}

/// Yosys's Intel ALM flow: `synth_intel_alm -family cyclone10gx`, the
/// closest family Yosys has to Stratix 10 (the same ALM and M20K
/// architecture family), with M20K mapping that accepts initialized
/// memories (`IntelM20KMap`), then `stat` and `ltp` on the flattened,
/// mapped netlist.
public enum IntelFlow {
    public static let family = "cyclone10gx"
    /// Bumped when the script or the reading of its output changes: part of the cache key.
    static let revision = "2"

    public struct Options: Sendable {
        /// The Yosys to run (a name on PATH or a path).
        public var yosys: String
        /// Seconds one run may take before it is stopped; nil: no limit.
        public var timeoutSeconds: Double?
        /// Where results are kept; nil: `SynthesisCache.defaultDirectory`.
        public var cacheDirectory: URL?

        public init(yosys: String = "yosys", timeoutSeconds: Double? = nil, cacheDirectory: URL? = nil) {
            self.yosys = yosys
            self.timeoutSeconds = timeoutSeconds
            self.cacheDirectory = cacheDirectory
        }
    }

    /// The Yosys script for `job` (files in the working directory).
    public static func script(_ job: IntelSynthesisJob) -> String {
        let synth = "synth_intel_alm -family \(family) -noiopad -noclkbuf -top \(job.top)"
        var lines = job.files.filter { $0.name.hasSuffix(".sv") || $0.name.hasSuffix(".v") }
            .map { "read_verilog -sv \($0.name)" }
        if !job.blackboxes.isEmpty { lines.append("blackbox " + job.blackboxes.joined(separator: " ")) }
        let combinational = "t:MISTRAL_ALUT* t:MISTRAL_NOT %u t:MISTRAL_MUL* %u"
        let stops = (["MISTRAL_FF", "MISTRAL_MLAB", "altsyncram"] + job.blackboxes).map { ":-\($0)" }.joined()
        lines += [
            "\(synth) -run :map_bram",
            "memory_bram -rules +/intel_alm/common/bram_m20k.txt",
            "techmap -map \(IntelM20KMap.fileName)",
            "\(synth) -run map_lutram:check",
            "tee -q -o stat.txt stat",
            // Adder and DSP cells get names that say what they are, for the path reports.
            "rename -hide t:MISTRAL_ALUT_ARITH t:MISTRAL_MUL* %u",
            "rename -enumerate -pattern \(LogicPath.arithPrefix)% t:MISTRAL_ALUT_ARITH",
            "rename -enumerate -pattern \(LogicPath.dspPrefix)% t:MISTRAL_MUL*",
            // Registers, memories and black boxes are outside the selection: paths end there.
            "tee -q -o ltp_all.txt ltp -noff \(combinational) w:* %u",
            "tee -q -o ltp_lut.txt ltp -noff \(combinational) t:MISTRAL_ALUT_ARITH %d w:* %u",
            // The cones of the DSP blocks, not entered through registers, memories or black boxes.
            "select -set trit_dsp_cones t:MISTRAL_MUL* %ci*\(stops) t:MISTRAL_MUL* %co*\(stops) %u",
            "tee -q -o ltp_dsp.txt ltp -noff \(combinational) @trit_dsp_cones %i w:* %u",
        ]
        // Each probe's cone asked twice, as the design is: all those cells; LUTs and DSPs only.
        for (i, probe) in job.probes.enumerated() {
            lines += ["select -set trit_probe_\(i) \(probe.selection)",
                      "tee -q -o probe_\(i).txt ltp -noff \(combinational) @trit_probe_\(i) %i w:* %u",
                      "tee -q -o probe_\(i)_lut.txt ltp -noff \(combinational) t:MISTRAL_ALUT_ARITH %d @trit_probe_\(i) %i w:* %u"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Runs `job` through the flow, or answers from the cache.
    public static func run(_ job: IntelSynthesisJob, options: Options = Options()) throws -> IntelSynthesisResult {
        guard let yosys = ExternalTool.find(options.yosys) else { throw ExternalTool.Failure.notFound(options.yosys) }
        let version = try ExternalTool.run(yosys, ["-V"])
        guard version.succeeded else { throw IntelFlowError.failed(top: job.top, output: version.output) }
        let cache = SynthesisCache(directory: options.cacheDirectory ?? SynthesisCache.defaultDirectory)
        let key = SynthesisCache.key(job, script: script(job), toolVersion: version.output + revision)
        return try cache.result(for: key) { try synthesize(job, yosys: yosys, timeout: options.timeoutSeconds) }
    }

    /// Runs Yosys on `job` in a fresh temporary directory.
    static func synthesize(_ job: IntelSynthesisJob, yosys: String, timeout: Double?) throws -> IntelSynthesisResult {
        let dir = try Lint.writeTemporary(job.files)
        defer { try? FileManager.default.removeItem(at: dir) }
        try IntelM20KMap.text.write(to: dir.appendingPathComponent(IntelM20KMap.fileName), atomically: true, encoding: .utf8)
        try script(job).write(to: dir.appendingPathComponent("flow.ys"), atomically: true, encoding: .utf8)
        var clock = Stopwatch()
        let r: ExternalTool.Result
        if let timeout, let limiter = ExternalTool.find("timeout") {
            // coreutils timeout stops Yosys and the ABC it starts (one process group).
            r = try ExternalTool.run(limiter, ["-k", "10", String(timeout), yosys, "-q", "-s", "flow.ys"], in: dir)
            if r.status == 124 || r.status == 137 { throw IntelFlowError.timedOut(top: job.top, seconds: timeout) }
        } else {
            r = try ExternalTool.run(yosys, ["-q", "-s", "flow.ys"], in: dir)
        }
        let seconds = clock.lap()
        guard r.succeeded else { throw IntelFlowError.failed(top: job.top, output: r.output) }
        func read(_ name: String) throws -> String {
            guard let text = try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8) else {
                throw IntelFlowError.unreadable(top: job.top, file: name)
            }
            return text
        }
        var probes: [String: LogicPath] = [:]
        for (i, probe) in job.probes.enumerated() {
            probes[probe.name] = LogicPath.parse(ltp: try read("probe_\(i).txt"))
            probes[probe.name + PathProbe.lutOnly] = LogicPath.parse(ltp: try read("probe_\(i)_lut.txt"))
        }
        return IntelSynthesisResult(cellTypes: parseCellTypes(stat: try read("stat.txt")),
                                    longestPath: LogicPath.parse(ltp: try read("ltp_all.txt")),
                                    deepestLUTPath: LogicPath.parse(ltp: try read("ltp_lut.txt")),
                                    dspPath: LogicPath.parse(ltp: try read("ltp_dsp.txt")),
                                    probes: job.probes.isEmpty ? nil : probes, seconds: seconds)
    }

    /// The cell table of `stat` (the first module's): `TYPE COUNT` lines after "Number of cells:".
    static func parseCellTypes(stat: String) -> [String: Int] {
        var types: [String: Int] = [:]
        var inCells = false
        for line in stat.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if line.contains("Number of cells:") {
                if inCells || !types.isEmpty { break }
                inCells = true
            } else if inCells, fields.count == 2, let n = Int(fields[1]) {
                types[String(fields[0]), default: 0] += n
            } else if inCells {
                inCells = false
            }
        }
        return types
    }
}
