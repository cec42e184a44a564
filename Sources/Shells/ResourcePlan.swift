import HDL
import HDLEmit
import HDLSim

/// How `trit rtl --resources` (and `make bench`) splits the AFU into Yosys runs: one per
/// large unit of the core (each alone, so each finishes and caches on its
/// own), then the AFU top with those units as black boxes (the core's glue:
/// front end, CSRs, stream sequencers, completion queues; and the host DMA).
/// The whole is the sum: every unit is instantiated once.
public struct ResourcePlan {
    public struct Run {
        /// The unit's base name (`TernaryUnit`), or `rest` for the top's run.
        public let label: String
        public let job: IntelSynthesisJob
    }

    /// The core's units run on their own, by base name.
    public static let unitBaseNames = ["TernaryUnit", "VectorUnit", "VectorRegisterFile", "ReductionUnit",
                                "LoadStoreUnit", "MemorySystem"]
    public static let restLabel = "rest"

    public let runs: [Run]

    /// `files` are the board's files for `afu` (one `<module>.sv` per module).
    public init(afu: Design, core coreName: String, files: [EmittedFile]) throws {
        guard let core = afu.modules.first(where: { $0.name == coreName }) else {
            throw ResourcePlanError(description: "the AFU top \(afu.top.name) holds no \(coreName)")
        }
        let byName = Dictionary(files.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var units: [ElaboratedModule] = []
        for base in Self.unitBaseNames {
            let instances = core.instances.filter { $0.module.baseName == base }
            guard instances.count == 1 else {
                throw ResourcePlanError(description: "\(coreName) has \(instances.count) instances of \(base), the plan expects one")
            }
            units.append(instances[0].module)
        }
        func filesOf(_ modules: [ElaboratedModule]) throws -> [EmittedFile] {
            try modules.map { m in
                guard let f = byName["\(m.name).sv"] else { throw ResourcePlanError(description: "no file \(m.name).sv") }
                return f
            }
        }
        var runs = try units.map { u in
            Run(label: u.baseName, job: IntelSynthesisJob(top: u.name, files: try filesOf(Self.closure(u, stoppingAt: []))))
        }
        let boxes = Set(units.map(\.name))
        runs.append(Run(label: Self.restLabel,
                        job: IntelSynthesisJob(top: afu.top.name, files: try filesOf(Self.closure(afu.top, stoppingAt: boxes)),
                                               blackboxes: units.map(\.name))))
        self.runs = runs
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
