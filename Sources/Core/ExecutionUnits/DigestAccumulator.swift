import HDL

/// The retirement digest of `Digest.of`, at full vector rate: each cycle
/// with `valid`, the lanes set in `mask` add `rotl32(data[j], (base + j) mod 32)`
/// (`base` is the element index of lane 0) to the running sum, and their
/// number to the running count. `clear` starts a new record (an add in the
/// same cycle lands in the new record). `saturated` flags the lanes whose
/// value was clamped; the lanes set in both it and `mask` add to
/// `saturations` the same way (the record's saturation count).
///
/// `digest`, `count` and `saturations` are registered totals that include
/// an add `latency(lanes:)` cycles after it (a clear likewise): a unit's
/// record is read there, `Dispatch.recordLatency` cycles after its `done`;
/// so the next instruction's clear must come after the cycle of `done`.
///
/// Why a pipeline: rotating, masking and summing a chunk in the cycle of the
/// write is 18 to 22 LUT levels (docs/silicon.md). Here the inputs are
/// registered; then the rotation and mask, and the lane counts; then the
/// adder tree, one adder level per stage; then the running totals.
public struct DigestAccumulator: Module {
    public let lanes: Int

    public init(lanes: Int) { self.lanes = lanes }

    public var parameters: [Parameter] { [Parameter("N", lanes)] }

    /// Adder levels per stage of the tree: Yosys maps two chained adds to a
    /// LUT compressor (9 levels at 16 lanes), so one.
    static let levelsPerStage = 1

    /// Cycles from an add (or clear) at the inputs to the totals that include it.
    public static func latency(lanes: Int) -> Int {
        let treeLevels = lanes <= 1 ? 0 : (lanes - 1).bitWidth - (lanes - 1).leadingZeroBitCount
        return 3 + (treeLevels + levelsPerStage - 1) / levelsPerStage
    }

    public func build(_ m: ModuleBuilder) {
        guard m.require(lanes >= 1, "a digest needs at least one lane, got \(lanes)") else { return }
        let clear = m.input("clear", .bool)
        let valid = m.input("valid", .bool)
        let base = m.input("base", .uint(32))
        let mask = m.input("mask", .uint(lanes))
        let data = m.input("data", .vec(.sint(32), count: lanes))
        let saturated = m.input("saturated", .uint(lanes))
        let digest = m.output("digest", .uint(32))
        let count = m.output("count", .uint(32))
        let saturations = m.output("saturations", .uint(32))

        // Control moves one stage per cycle beside the sums: `valid` and `clear`.
        var control = (valid: valid, clear: clear), stage = 0
        func advance() {
            stage += 1
            control = (m.regNext("valid\(stage)", control.valid, reset: false), m.regNext("clear\(stage)", control.clear, reset: false))
        }

        advance()
        let amounts = (0..<lanes).map { j in m.regNext("rotation\(j)", base[4, 0] + lit(j % 32, width: 5)) }
        let maskIn = m.regNext("mask1", mask), dataIn = m.regNext("data1", data)
        let clampedIn = m.regNext("clamped1", mask & saturated)

        // Each lane's term: its rotated word, its count (1 if masked in) and its clamp.
        advance()
        let countBits = addressWidth(lanes + 1)
        var terms = (0..<lanes).map { j -> (word: Signal, count: Signal, clamps: Signal) in
            let word = dataIn[j].asUInt
            let rotated = (cat(word, word) << amounts[j].extend(to: 6))[63, 32]
            return (m.regNext("term\(j)", mux(maskIn[j], rotated, lit(0, width: 32))),
                    m.regNext("term_count\(j)", maskIn[j].asUInt.extend(to: countBits)),
                    m.regNext("term_clamps\(j)", clampedIn[j].asUInt.extend(to: countBits)))
        }

        // The tree: pairs summed, `levelsPerStage` levels between registers.
        var level = 0
        while terms.count > 1 {
            if level % Self.levelsPerStage == 0 { advance() }
            let pairs = stride(from: 0, to: terms.count, by: 2).map { i in
                i + 1 < terms.count
                    ? (terms[i].word + terms[i + 1].word, terms[i].count + terms[i + 1].count, terms[i].clamps + terms[i + 1].clamps)
                    : terms[i]
            }
            level += 1
            let registered = level % Self.levelsPerStage == 0 || pairs.count == 1
            terms = !registered ? pairs : pairs.enumerated().map { i, t in
                (m.regNext("sum\(level)_\(i)", t.0), m.regNext("count\(level)_\(i)", t.1), m.regNext("clamps\(level)_\(i)", t.2))
            }
        }

        // Running totals: the last stage.
        func running(_ name: String, _ add: Signal) -> Signal {
            let total = m.reg(name, .uint(32), reset: 0)
            let start = mux(control.clear, lit(0, width: 32), total)
            total.set(mux(control.valid, start + add, start))
            return total
        }
        digest.set(running("total", terms[0].word))
        count.set(running("elements", terms[0].count.extend(to: 32)))
        saturations.set(running("clamps", terms[0].clamps.extend(to: 32)))
    }
}
