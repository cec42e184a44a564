import HDL
import HDLEmit
import HDLSim

/// How `trit rtl --resources` (and `make bench`) splits the AFU into Yosys runs: one per
/// large unit of the core (each alone, so each finishes and caches on its
/// own), with the modules the unit repeats (`repeatedBaseNames`: its lanes)
/// as black boxes; one per repeated module, counted once per instance; then
/// the AFU top with the units as black boxes (the core's glue: front end,
/// CSRs, stream sequencers, completion queues; and the host DMA). The whole
/// is the sum of the runs, each times its instances.
public struct ResourcePlan {
    public struct Run {
        /// The unit's or repeated module's base name (`TernaryUnit`), or `rest` for the top's run.
        public let label: String
        public let job: IntelSynthesisJob
        /// Instances of `job.top` in the AFU: the run's resources count this many times.
        public let instances: Int
    }

    /// The core's units run on their own, by base name.
    public static let unitBaseNames = ["TernaryUnit", "VectorUnit", "VectorRegisterFile", "ReductionUnit",
                                "LoadStoreUnit", "MemorySystem"]
    /// Modules a unit holds many identical instances of: a vector lane per
    /// element, a reduction lane per element, a row tree per row and stream
    /// of the ternary datapath. Synthesized once each instead of inside
    /// their unit, they keep the wide units' runs to minutes (a 1024-bit
    /// core's flat vector unit needed 19 GB and did not finish in 2 hours).
    /// A path through their ports is measured on both sides (`PathProbe`)
    /// and put back together by `ResourceSurvey.crossing`.
    public static let repeatedBaseNames = ["VectorLane", "ReductionLane", "TernaryRowTree"]
    public static let restLabel = "rest"

    public let runs: [Run]

    /// `files` are the board's files for `afu` (one `<module>.sv` per module).
    public init(afu: Design, core coreName: String, files: [EmittedFile]) throws {
        guard let core = afu.modules.first(where: { $0.name == coreName }) else {
            throw ResourcePlanError(description: "the AFU top \(afu.top.name) holds no \(coreName)")
        }
        let byName = Dictionary(files.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        func filesOf(_ modules: [ElaboratedModule]) throws -> [EmittedFile] {
            try modules.map { m in
                guard let f = byName["\(m.name).sv"] else { throw ResourcePlanError(description: "no file \(m.name).sv") }
                return f
            }
        }
        func run(_ label: String, _ top: ElaboratedModule, boxes: [String], probes: [PathProbe] = [],
                 instances: Int = 1) throws -> Run {
            Run(label: label, job: IntelSynthesisJob(top: top.name, files: try filesOf(Self.closure(top, stoppingAt: Set(boxes))),
                                                     blackboxes: boxes, probes: probes),
                instances: instances)
        }
        var runs: [Run] = [], units: [String] = []
        for base in Self.unitBaseNames {
            let instances = core.instances.filter { $0.module.baseName == base }
            guard instances.count == 1 else {
                throw ResourcePlanError(description: "\(coreName) has \(instances.count) instances of \(base), the plan expects one")
            }
            let unit = instances[0].module
            let repeated = Self.repeatedModules(in: unit), boxes = repeated.map(\.module.name)
            runs.append(try run(base, unit, boxes: boxes, probes: repeated.flatMap { Self.probes(around: $0.module, boxes: boxes) }))
            runs += try repeated.map {
                try run($0.module.baseName, $0.module, boxes: [], probes: Self.probes(within: $0.module), instances: $0.count)
            }
            units.append(unit.name)
        }
        runs.append(try run(Self.restLabel, afu.top, boxes: units))
        self.runs = runs
    }

    /// A repeated module's side of a path through its ports: from each
    /// input port to its registers, from its registers to each output port.
    static func probes(within m: ElaboratedModule) -> [PathProbe] {
        m.ports.map { $0.isInputPort ? PathProbe.fromInput($0.name) : PathProbe.toOutput($0.name) }
    }

    /// The unit's side: its logic into each input port of the boxed module
    /// `m`, and out of each output port.
    static func probes(around m: ElaboratedModule, boxes: [String]) -> [PathProbe] {
        m.ports.map {
            $0.isInputPort ? PathProbe.intoBox(m.name, port: $0.name, boxes: boxes)
                : PathProbe.outOfBox(m.name, port: $0.name, boxes: boxes)
        }
    }

    /// The modules of `repeatedBaseNames` below `unit` (not inside one
    /// another), with how many instances of each the unit holds.
    static func repeatedModules(in unit: ElaboratedModule) -> [(module: ElaboratedModule, count: Int)] {
        var found: [(module: ElaboratedModule, count: Int)] = []
        func visit(_ m: ElaboratedModule, times: Int) {
            for i in m.instances {
                guard repeatedBaseNames.contains(i.module.baseName) else { visit(i.module, times: times); continue }
                if let k = found.firstIndex(where: { $0.module.name == i.module.name }) {
                    found[k].count += times
                } else {
                    found.append((i.module, times))
                }
            }
        }
        visit(unit, times: 1)
        return found
    }

    /// `top` and every module below it, each once, children first; a module
    /// named in `boxes` is included but not entered.
    static func closure(_ top: ElaboratedModule, stoppingAt boxes: Set<String>) -> [ElaboratedModule] {
        var seen: Set<String> = []
        var order: [ElaboratedModule] = []
        func visit(_ m: ElaboratedModule) {
            guard seen.insert(m.name).inserted else { return }
            if !boxes.contains(m.name) { for i in m.instances { visit(i.module) } }
            order.append(m)
        }
        visit(top)
        return order
    }
}

public struct ResourcePlanError: Error, CustomStringConvertible {
    public let description: String
}
