import HDL

/// Which bits of each signal some expression reads, computed the way the
/// emitter writes selects (a slice of a named signal reads only its bits;
/// anything else reads the whole value). Bits nobody reads are gathered
/// into one `unused` sink, so `verilator -Wall` sees them as deliberate.
struct BitUsage {
    private var read: [ObjectIdentifier: [Bool]] = [:]
    private var visited = Set<ObjectIdentifier>()

    init(_ module: ElaboratedModule) {
        for s in module.body.statements { visit(s) }
        for d in module.declarations {
            if case .register(_, let enable?) = d.kind { mark(enable) }
        }
        // Memory and instance inputs are read by the memory or the child.
        for m in module.memories {
            if let enable = m.clockEnable { mark(enable) }
            if let w = m.writePortDecls { for d in [w.enable, w.address, w.data] { markAll(d) } }
            if let mask = m.writeMaskDecl { markAll(mask) }
            for r in m.readPortDecls { markAll(r.address); if let en = r.enable { markAll(en) } }
        }
        for i in module.instances {
            for c in i.connections where c.port.isInputPort { markAll(c.parent) }
        }
    }

    private mutating func visit(_ s: Statement) {
        switch s {
        case .assign(let a): mark(a.value)
        case .when(let w):
            for b in w.branches {
                mark(b.condition)
                b.body.statements.forEach { visit($0) }
            }
            w.otherwise?.statements.forEach { visit($0) }
        case .switchOn(let sw):
            mark(sw.subject)
            sw.cases.forEach { $0.body.statements.forEach { visit($0) } }
            sw.defaultBody?.statements.forEach { visit($0) }
        }
    }

    private mutating func markAll(_ d: SignalDecl) { markBits(d, 0, d.type.width) }

    private mutating func markBits(_ d: SignalDecl, _ lo: Int, _ count: Int) {
        let id = ObjectIdentifier(d)
        var bits = read[id] ?? Array(repeating: false, count: d.type.width)
        for i in lo..<(lo + count) { bits[i] = true }
        read[id] = bits
    }

    private mutating func mark(_ e: Expr) {
        guard visited.insert(ObjectIdentifier(e)).inserted else { return }
        switch e.op {
        case .ref(let r):
            markAll(r.decl)
        case .slice(let lo):
            if let signal = ExpressionWriter.underlyingSignal(e.operands[0]) {
                markBits(signal, lo, e.type.width)
            } else {
                mark(e.operands[0])
            }
        case .resize where e.type.width < e.operands[0].type.width:
            // A truncation reads only the low bits (Verilator sees the same).
            if let signal = ExpressionWriter.underlyingSignal(e.operands[0]) {
                markBits(signal, 0, e.type.width)
            } else {
                mark(e.operands[0])
            }
        default:
            e.operands.forEach { mark($0) }
        }
    }

    /// Unread bit ranges `(lo, count)` of `d`, lowest first.
    func unreadRanges(_ d: SignalDecl) -> [(lo: Int, count: Int)] {
        let bits = read[ObjectIdentifier(d)] ?? Array(repeating: false, count: d.type.width)
        var out: [(Int, Int)] = []
        var i = 0
        while i < bits.count {
            if bits[i] { i += 1; continue }
            var j = i
            while j < bits.count && !bits[j] { j += 1 }
            out.append((i, j - i))
            i = j
        }
        return out
    }
}
