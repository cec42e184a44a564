/// A canonical text of a module's structure. Two elaborations with the same
/// emitted name must have the same fingerprint, or a parameter is missing.
enum Fingerprint {
    static func of(_ module: ElaboratedModule) -> String {
        var out = ""
        var ids: [ObjectIdentifier: Int] = [:]

        func expr(_ e: Expr) -> Int {
            if let id = ids[ObjectIdentifier(e)] { return id }
            let args = e.operands.map { "%\(expr($0))" }.joined(separator: ",")
            let id = ids.count
            ids[ObjectIdentifier(e)] = id
            let op: String
            switch e.op {
            case .ref(let r): op = "ref \(r.decl.name)"
            case .literal(let b): op = "lit \(b)"
            default: op = "\(e.op)"
            }
            out += "%\(id) = \(op) : \(e.type) (\(args))\n"
            return id
        }

        func block(_ b: Block, _ depth: Int) {
            let pad = String(repeating: " ", count: depth)
            for s in b.statements {
                switch s {
                case .assign(let a):
                    out += "\(pad)set \(a.target.name) %\(expr(a.value))\n"
                case .when(let w):
                    for br in w.branches {
                        out += "\(pad)when %\(expr(br.condition))\n"
                        block(br.body, depth + 1)
                    }
                    if let o = w.otherwise { out += "\(pad)otherwise\n"; block(o, depth + 1) }
                case .switchOn(let sw):
                    out += "\(pad)switch %\(expr(sw.subject))\n"
                    for c in sw.cases { out += "\(pad)is \(c.values) \(c.comment ?? "")\n"; block(c.body, depth + 1) }
                    if let d = sw.defaultBody { out += "\(pad)default\n"; block(d, depth + 1) }
                }
            }
        }

        for d in module.declarations {
            out += "decl \(d.name) \(d.kindName) \(d.type)"
            if case .register(let reset, let enable) = d.kind {
                out += " reset \(reset.map(\.description) ?? "none")"
                if let enable { out += " enable %\(expr(enable))" }
            }
            out += "\n"
        }
        for m in module.memories {
            out += "memory \(m.name) \(m.depth)x\(m.element) lat\(m.readLatency) \(m.readDuringWrite) mask\(m.laneMask) \(m.initial?.description ?? "")"
            if let enable = m.clockEnable { out += " enable %\(expr(enable))" }
            out += "\n"
        }
        for i in module.instances { out += "instance \(i.name) \(i.module.name)\n" }
        block(module.body, 0)
        return out
    }
}
