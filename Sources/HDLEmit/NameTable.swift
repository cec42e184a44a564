import HDL

/// The emitted name of every declaration in one module, plus fresh names for
/// what the emitter adds (temporaries, memory arrays) that cannot clash.
final class NameTable {
    private var byDecl: [ObjectIdentifier: String] = [:]
    private var used: Set<String>
    private var extra: [String: String] = [:]

    init(_ module: ElaboratedModule) {
        used = ["clk", "rst"]
        for d in module.declarations {
            byDecl[ObjectIdentifier(d)] = d.name
            used.insert(d.name)
        }
        for i in module.instances { used.insert(i.name) }
    }

    subscript(decl: SignalDecl) -> String { byDecl[ObjectIdentifier(decl)] ?? decl.name }

    /// A name made once by `make` for `key`, the same on every later call.
    func name(for key: String, _ make: () -> String) -> String {
        if let n = extra[key] { return n }
        let n = make()
        extra[key] = n
        return n
    }

    /// `stem`, or `stem_1`, `stem_2`, ... whichever is free; then taken.
    func fresh(_ stem: String) -> String {
        var candidate = stem
        var n = 0
        while used.contains(candidate) {
            n += 1
            candidate = "\(stem)_\(n)"
        }
        used.insert(candidate)
        return candidate
    }
}

extension NameTable {
    /// The array holding a memory's words.
    func memoryArray(_ m: Memory) -> String { name(for: "mem:\(m.name)") { fresh("\(m.name)_mem") } }

    /// The first output register of a latency-2 read port.
    func readStage(_ data: SignalDecl) -> String { name(for: "stage:\(data.name)") { fresh("\(data.name)_stage") } }
}
