import HDL

/// Writes the part of a module's statement tree that drives a set of
/// signals, as the body of an `always_comb` (blocking `=`) or `always_ff`
/// (non-blocking `<=`) process. Branches that drive none of them are left
/// out, except where an empty branch keeps a later one's priority.
struct StatementWriter {
    let expressions: ExpressionWriter
    let names: NameTable
    let assignOperator: String

    /// Lines for the statements of `block` that drive `targets`.
    func lines(_ block: Block, driving targets: Set<ObjectIdentifier>, indent: Int) -> [String] {
        let pad = String(repeating: "  ", count: indent)
        var out: [String] = []
        for statement in block.statements {
            switch statement {
            case .assign(let a):
                guard targets.contains(ObjectIdentifier(a.target)) else { continue }
                out.append("\(pad)\(names[a.target]) \(assignOperator) \(expressions.write(a.value));")
            case .when(let w):
                var branches = w.branches.map { ($0.condition, lines($0.body, driving: targets, indent: indent + 1)) }
                let otherwise = w.otherwise.map { lines($0, driving: targets, indent: indent + 1) } ?? []
                if otherwise.isEmpty {
                    while let last = branches.last, last.1.isEmpty { branches.removeLast() }
                }
                guard !branches.isEmpty || !otherwise.isEmpty else { continue }
                if branches.allSatisfy({ $0.1.isEmpty }) {
                    // Only `otherwise` drives the targets: it runs when no condition holds.
                    let none = w.branches.map { "!\(expressions.write($0.condition))" }.joined(separator: " && ")
                    out.append("\(pad)if (\(none)) begin")
                    out += otherwise
                    out.append("\(pad)end")
                    continue
                }
                for (i, (condition, body)) in branches.enumerated() {
                    let keyword = i == 0 ? "if" : "end else if"
                    out.append("\(pad)\(keyword) (\(expressions.write(condition))) begin")
                    out += body
                }
                if !otherwise.isEmpty {
                    out.append("\(pad)end else begin")
                    out += otherwise
                }
                out.append("\(pad)end")
            case .switchOn(let sw):
                let cases = sw.cases.map { ($0.values, $0.comment, lines($0.body, driving: targets, indent: indent + 2)) }
                let fallback = sw.defaultBody.map { lines($0, driving: targets, indent: indent + 2) } ?? []
                guard cases.contains(where: { !$0.2.isEmpty }) || !fallback.isEmpty else { continue }
                out.append("\(pad)case (\(expressions.write(sw.subject)))")
                func item(_ label: String, _ comment: String?, _ body: [String]) {
                    let note = comment.map { " // \($0)" } ?? ""
                    guard !body.isEmpty else { return out.append("\(pad)  \(label): begin end\(note)") }
                    out.append("\(pad)  \(label): begin\(note)")
                    out += body
                    out.append("\(pad)  end")
                }
                for (values, comment, body) in cases where !values.isEmpty {
                    item(values.map { ExpressionWriter.literal($0, sw.subject.type) }.joined(separator: ", "), comment, body)
                }
                item("default", nil, fallback)
                out.append("\(pad)endcase")
            }
        }
        return out
    }
}
