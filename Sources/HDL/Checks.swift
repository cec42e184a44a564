/// The elaboration checks of one module: undriven signals, latches,
/// combinational loops. (Width errors and multiple drivers are caught as
/// statements are built, where their source line is known.)
struct ModuleChecks {
    let module: ElaboratedModule
    let builder: ModuleBuilder

    /// Runs the checks, reporting into the builder; returns the module's
    /// combinational paths from outputs back to inputs.
    func run() -> [String: Set<String>] {
        var firstAssignment: [ObjectIdentifier: CodeLocation] = [:]
        collectAssignments(module.body, into: &firstAssignment)
        let definite = definitelyAssigned(module.body)

        for d in module.declarations where d.isAssignable {
            let id = ObjectIdentifier(d)
            if builder.rejectedTargets.contains(id) { continue }
            guard let first = firstAssignment[id] else {
                let what = d.isRegister ? "is never assigned (a constant register: use a literal instead)"
                                        : "is never driven"
                builder.error("\(d.kindName) '\(d.name)' \(what)", d.location)
                continue
            }
            if d.isCombinational && !definite.contains(id) {
                builder.error("\(d.kindName) '\(d.name)' is not driven on every path (first assigned at \(first)); "
                              + "give it a default before the 'when', or add 'otherwise' / 'default': "
                              + "as written it would infer a latch", d.location)
            }
        }
        let graph = dependencyGraph()
        reportLoops(graph, firstAssignment)
        return combinationalPaths(graph)
    }

    // MARK: Assignment coverage

    private func collectAssignments(_ block: Block, into out: inout [ObjectIdentifier: CodeLocation]) {
        for s in block.statements {
            switch s {
            case .assign(let a):
                if out[ObjectIdentifier(a.target)] == nil { out[ObjectIdentifier(a.target)] = a.location }
            case .when(let w):
                w.branches.forEach { collectAssignments($0.body, into: &out) }
                if let o = w.otherwise { collectAssignments(o, into: &out) }
            case .switchOn(let sw):
                sw.cases.forEach { collectAssignments($0.body, into: &out) }
                if let d = sw.defaultBody { collectAssignments(d, into: &out) }
            }
        }
    }

    /// Signals assigned on every path through `block`.
    private func definitelyAssigned(_ block: Block) -> Set<ObjectIdentifier> {
        var out = Set<ObjectIdentifier>()
        for s in block.statements {
            switch s {
            case .assign(let a):
                out.insert(ObjectIdentifier(a.target))
            case .when(let w):
                guard let o = w.otherwise else { continue }
                out.formUnion(w.branches.map { definitelyAssigned($0.body) }
                    .reduce(definitelyAssigned(o)) { $0.intersection($1) })
            case .switchOn(let sw):
                var bodies = sw.cases.map(\.body)
                if let d = sw.defaultBody { bodies.append(d) } else if !sw.coversEveryValue { continue }
                guard let first = bodies.first else { continue }
                out.formUnion(bodies.dropFirst().map(definitelyAssigned)
                    .reduce(definitelyAssigned(first)) { $0.intersection($1) })
            }
        }
        return out
    }

    // MARK: Combinational dependencies

    /// For each combinational signal, the signals it reads without a register
    /// in between (through values and through the conditions that guard it).
    private func dependencyGraph() -> [ObjectIdentifier: [SignalDecl]] {
        var deps: [ObjectIdentifier: [SignalDecl]] = [:]
        func walk(_ block: Block, _ guards: [SignalDecl]) {
            for s in block.statements {
                switch s {
                case .assign(let a) where a.target.isCombinational:
                    deps[ObjectIdentifier(a.target), default: []] += guards + a.value.referencedSignals()
                case .assign:
                    break
                case .when(let w):
                    var seen = guards
                    for br in w.branches {
                        seen += br.condition.referencedSignals()
                        walk(br.body, seen)
                    }
                    if let o = w.otherwise { walk(o, seen) }
                case .switchOn(let sw):
                    let g = guards + sw.subject.referencedSignals()
                    sw.cases.forEach { walk($0.body, g) }
                    if let d = sw.defaultBody { walk(d, g) }
                }
            }
        }
        walk(module.body, [])
        for inst in module.instances {
            let byPort = Dictionary(uniqueKeysWithValues: inst.connections.map { ($0.port.name, $0.parent) })
            for (output, inputs) in inst.module.combinationalPaths {
                guard let out = byPort[output] else { continue }
                deps[ObjectIdentifier(out), default: []] += inputs.sorted().compactMap { byPort[$0] }
            }
        }
        for mem in module.memories where mem.readLatency == 0 {
            for port in mem.readPortDecls { deps[ObjectIdentifier(port.data), default: []].append(port.address) }
        }
        return deps
    }

    private func reportLoops(_ deps: [ObjectIdentifier: [SignalDecl]], _ assigned: [ObjectIdentifier: CodeLocation]) {
        enum Mark { case active, done }
        var marks: [ObjectIdentifier: Mark] = [:]
        var stack: [SignalDecl] = []
        var reported = Set<Set<ObjectIdentifier>>()

        func visit(_ d: SignalDecl) {
            let id = ObjectIdentifier(d)
            if marks[id] == .done { return }
            if marks[id] == .active {
                guard let start = stack.lastIndex(where: { $0 === d }) else { return }
                let loop = Array(stack[start...])
                let key = Set(loop.map(ObjectIdentifier.init))
                guard reported.insert(key).inserted else { return }
                // The stack runs from a signal to what it reads; print it the
                // way the values flow: each signal feeds the next.
                let path = (loop.reversed() + [loop.last!]).map(\.name).joined(separator: " -> ")
                builder.error("combinational loop: \(path)", assigned[ObjectIdentifier(loop[0])] ?? loop[0].location)
                return
            }
            marks[id] = .active
            stack.append(d)
            for next in deps[id] ?? [] { visit(next) }
            stack.removeLast()
            marks[id] = .done
        }
        module.declarations.forEach(visit)
    }

    private func combinationalPaths(_ deps: [ObjectIdentifier: [SignalDecl]]) -> [String: Set<String>] {
        var paths: [String: Set<String>] = [:]
        for out in module.ports where out.isOutputPort {
            var seen = Set<ObjectIdentifier>()
            var inputs = Set<String>()
            var work = [out]
            while let d = work.popLast() {
                guard seen.insert(ObjectIdentifier(d)).inserted else { continue }
                if d.isInputPort { inputs.insert(d.name) }
                work += deps[ObjectIdentifier(d)] ?? []
            }
            if !inputs.isEmpty { paths[out.name] = inputs }
        }
        return paths
    }
}
