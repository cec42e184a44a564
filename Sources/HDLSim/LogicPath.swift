/// A register-to-register path of a mapped Intel netlist as Yosys's `ltp`
/// reports it: where it starts and ends and what it passes through.
public struct LogicPath: Codable, Sendable, Equatable {
    /// Where the path starts and ends, as net names of the flattened design
    /// (`lanes_3.acc[7]`): the start is a register's output or a port; the
    /// end is the last net before a register, named by Yosys's `autoname`
    /// after a nearby signal (so it is a pointer into the design, not always
    /// the register's own name).
    public var start: String
    public var end: String
    /// LUT levels: LUT cells, plus one for each run of adder cells (entering a carry chain).
    public var lutLevels: Int
    /// Adder cells after the first of each run: one carry-chain hop each.
    public var carryHops: Int
    /// DSP multipliers on the path.
    public var dsps: Int
    /// For a path put together from two runs (`then`): the black box port
    /// it crosses, `VectorLane.a`.
    public var via: String?

    public init(start: String, end: String, lutLevels: Int, carryHops: Int, dsps: Int, via: String? = nil) {
        self.start = start
        self.end = end
        self.lutLevels = lutLevels
        self.carryHops = carryHops
        self.dsps = dsps
        self.via = via
    }

    /// This path continued by `next` across the port `via`: levels, carry
    /// hops and DSPs added (a carry chain entered again counts a level again,
    /// which errs long).
    public func then(_ next: LogicPath, via port: String) -> LogicPath {
        LogicPath(start: start, end: next.end, lutLevels: lutLevels + next.lutLevels, carryHops: carryHops + next.carryHops,
                  dsps: dsps + next.dsps, via: port)
    }

    /// Cell-name prefixes the flow gives adder and DSP cells before `ltp`
    /// (`rename -enumerate -pattern`), so the path's text tells the kinds apart.
    static let arithPrefix = "trit_arith_"
    static let dspPrefix = "trit_dsp_"

    /// Reads `ltp`'s report: "Longest topological path in M (length=N):"
    /// then one line per node, `  i: \net [bit] (via cell)`; node 0 has no
    /// cell. Nil when the path holds no cell (a design without logic).
    public static func parse(ltp text: String) -> LogicPath? {
        var nets: [String] = []
        var cells: [String] = []
        var inPath = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.contains("Longest topological path") { inPath = true; nets = []; cells = []; continue }
            guard inPath, let colon = line.firstIndex(of: ":"),
                  Int(line[..<colon].trimmingCharacters(in: .whitespaces)) != nil else { continue }
            var rest = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if let via = rest.range(of: " (via ", options: .backwards), rest.hasSuffix(")") {
                cells.append(String(rest[via.upperBound..<rest.index(before: rest.endIndex)]))
                rest = String(rest[..<via.lowerBound])
            }
            nets.append(netName(rest))
        }
        // A carry chain's constant carry-in is no place to start: name the first net after it.
        if nets.count > 2, nets[0].contains("'"), nets[0].first?.isNumber == true { nets.removeFirst() }
        guard let first = nets.first, let last = nets.last, !cells.isEmpty else { return nil }
        var luts = 0, hops = 0, dsps = 0
        var previousArith = false
        for cell in cells {
            let arith = cell.hasPrefix(arithPrefix)
            if arith && previousArith { hops += 1 } else if cell.hasPrefix(dspPrefix) { dsps += 1 } else { luts += 1 }
            previousArith = arith
        }
        return LogicPath(start: first, end: last, lutLevels: luts, carryHops: hops, dsps: dsps)
    }

    /// `\lanes_3.acc_MISTRAL_FF_Q_DATAIN [7]` -> `lanes_3.acc[7]`: the
    /// escape and the names Yosys's `autoname` appends after a cell type dropped.
    static func netName(_ text: String) -> String {
        var name = Substring(text)
        var bit = ""
        if let open = name.range(of: " [", options: .backwards), name.hasSuffix("]") {
            bit = "[" + name[open.upperBound...]
            name = name[..<open.lowerBound]
        }
        if name.hasPrefix("\\") { name = name.dropFirst() }
        if let suffix = name.range(of: "_MISTRAL_"), suffix.lowerBound != name.startIndex {
            name = name[..<suffix.lowerBound]
        }
        return String(name) + bit
    }
}
