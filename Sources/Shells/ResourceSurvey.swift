import Core
import HDL
import HDLEmit
import HDLSim

/// The Intel resources of a board's AFU (docs/silicon.md): every run of
/// `ResourcePlan` through `IntelFlow`, one at a time (each cached), and
/// the whole as their sum. `trit rtl --resources` prints it; `make bench`
/// reports it beside the tokens/s it allows.
public struct ResourceSurvey: Sendable {
    public struct Row: Sendable {
        public let label: String
        public let module: String
        public let result: IntelSynthesisResult
        /// Instances of `module` in the AFU (a repeated lane's run counts for each).
        public let instances: Int
        /// The slowest path through the ports of the repeated modules this
        /// run boxes: this run's piece and the module's added (`crossing`).
        public var crossing: LogicPath?
        /// What the row adds to the whole: the run's resources times its instances.
        public var resources: IntelResources { result.resources * instances }
        /// The slowest of the run's own paths and its crossing.
        public var path: LogicPath? { TimingEstimate.slowest([result.criticalPath, crossing].compactMap { $0 }) }
        public var megahertz: Double? { path.map(TimingEstimate.megahertz) }
        /// `VectorLane x32` for a repeated module, else the label.
        public var title: String { instances == 1 ? label : "\(label) x\(instances)" }

        public init(label: String, module: String, result: IntelSynthesisResult, instances: Int = 1) {
            self.label = label
            self.module = module
            self.result = result
            self.instances = instances
        }
    }

    public let board: Board
    public let core: String
    public let rows: [Row]

    public static let flowNote = "Yosys synth_intel_alm -family \(IntelFlow.family): the closest family Yosys has to Stratix 10 "
        + "(the same ALM and M20K architecture family). ALMs and clocks are estimates (docs/silicon.md)."

    public init(board: Board, core: String, rows: [Row]) {
        self.board = board
        self.core = core
        self.rows = rows
    }

    /// Synthesizes every run of the plan for `afu` (the board's files `files`, core `core`).
    public static func run(board: Board, afu: Design, core: String, files: [EmittedFile], options: IntelFlow.Options,
                           progress: (String) -> Void) throws -> ResourceSurvey {
        let plan = try ResourcePlan(afu: afu, core: core, files: files)
        var rows = try plan.runs.map { run in
            progress("synthesizing \(run.label) (\(run.job.top)) with yosys synth_intel_alm ...")
            let result = try IntelFlow.run(run.job, options: options)
            progress(result.cacheHit ? "  cached" : "  \(Int(result.seconds.rounded())) s")
            return Row(label: run.label, module: run.job.top, result: result, instances: run.instances)
        }
        let byModule = Dictionary(zip(rows, plan.runs).map { ($0.module, (row: $0, probes: $1.job.probes)) },
                                  uniquingKeysWith: { a, _ in a })
        for (k, run) in plan.runs.enumerated() {
            rows[k].crossing = crossing(rows[k].result, boxes: run.job.blackboxes.compactMap { byModule[$0] })
        }
        return ResourceSurvey(board: board, core: core, rows: rows)
    }

    /// The slowest path through a port of one of `boxes` (each with its own
    /// run's probes): the outer run's logic into the port then the box's from
    /// it, or the box's logic to an output port then the outer run's from it;
    /// either query's piece on either side.
    static func crossing(_ outer: IntelSynthesisResult, boxes: [(row: Row, probes: [PathProbe])]) -> LogicPath? {
        var paths: [LogicPath] = []
        for (box, probes) in boxes {
            for probe in probes {
                let via = "\(box.label).\(probe.port)"
                let around = probe.input ? PathProbe.intoBox(box.module, port: probe.port, boxes: [])
                    : PathProbe.outOfBox(box.module, port: probe.port, boxes: [])
                for inside in probe.pieces(in: box.result) {
                    for outside in around.pieces(in: outer) {
                        paths.append(probe.input ? outside.then(inside, via: via) : inside.then(outside, via: via))
                    }
                }
            }
        }
        return TimingEstimate.slowest(paths)
    }

    /// The board's preset, elaborated and surveyed.
    public static func run(board: Board, _ p: CoreParameters, options: IntelFlow.Options,
                           progress: (String) -> Void) throws -> ResourceSurvey {
        let afu = try AfuTop.design(p)
        return try run(board: board, afu: afu, core: try AfuTop.coreName(afu), files: try board.files(p, afu: afu),
                       options: options, progress: progress)
    }

    /// ALMs of the whole: the sum of each run's estimate.
    public var totalALMs: Int { rows.map(\.resources.alms).reduce(0, +) }
    public var total: IntelResources { rows.map(\.resources).reduce(IntelResources(), +) }
    /// The slowest run: its clock is the whole core's estimate.
    public var slowest: Row? { rows.filter { $0.megahertz != nil }.min { $0.megahertz! < $1.megahertz! } }
}
