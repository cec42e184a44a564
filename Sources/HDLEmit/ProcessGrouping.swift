import HDL

/// Decides which conditionally driven signals share one `always_comb`.
///
/// Signals driven inside the same top-level `when` / `switch` statements
/// are written as one process, so a decoder's `case` appears once rather
/// than once per output. Signals that read each other stay apart: one
/// process computing both would look like a loop to Verilator (UNOPTFLAT).
struct ProcessGrouping {
    /// For each signal: the indices of the top-level conditional statements driving it.
    private var owners: [ObjectIdentifier: [Int]] = [:]
    /// For each signal: every signal its values and guarding conditions read.
    private var reads: [ObjectIdentifier: Set<ObjectIdentifier>] = [:]

    init(_ body: Block) {
        for (index, statement) in body.statements.enumerated() {
            switch statement {
            case .assign(let a):
                note(a, guards: [])
            case .when, .switchOn:
                var driven: [SignalDecl] = []
                walk(statement, guards: [], driven: &driven)
                for d in driven { owners[ObjectIdentifier(d), default: []].append(index) }
            }
        }
    }

    private mutating func note(_ a: Assignment, guards: [Expr]) {
        let ids = (guards + [a.value]).flatMap { $0.referencedSignals() }.map(ObjectIdentifier.init)
        reads[ObjectIdentifier(a.target), default: []].formUnion(ids)
    }

    private mutating func walk(_ statement: Statement, guards: [Expr], driven: inout [SignalDecl]) {
        switch statement {
        case .assign(let a):
            note(a, guards: guards)
            driven.append(a.target)
        case .when(let w):
            var seen = guards
            for branch in w.branches {
                seen.append(branch.condition)
                branch.body.statements.forEach { walk($0, guards: seen, driven: &driven) }
            }
            w.otherwise?.statements.forEach { walk($0, guards: seen, driven: &driven) }
        case .switchOn(let sw):
            let g = guards + [sw.subject]
            sw.cases.forEach { $0.body.statements.forEach { walk($0, guards: g, driven: &driven) } }
            sw.defaultBody?.statements.forEach { walk($0, guards: g, driven: &driven) }
        }
    }

    /// Merge single-signal groups that share their conditional statements
    /// and do not read one another; order follows the first member.
    func merge(_ singles: [[SignalDecl]]) -> [[SignalDecl]] {
        var merged: [[SignalDecl]] = []
        for group in singles {
            guard let d = group.first else { continue }
            let id = ObjectIdentifier(d)
            let key = Set(owners[id] ?? [])
            if let i = merged.firstIndex(where: { other in
                Set(owners[ObjectIdentifier(other[0])] ?? []) == key && !key.isEmpty
                    && other.allSatisfy { !reads(ObjectIdentifier($0), id) && !reads(id, ObjectIdentifier($0)) }
            }) {
                merged[i].append(d)
            } else {
                merged.append(group)
            }
        }
        return merged
    }

    private func reads(_ a: ObjectIdentifier, _ b: ObjectIdentifier) -> Bool { reads[a]?.contains(b) ?? false }
}
