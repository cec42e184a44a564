import HDL

/// The retirement digest of `Digest.of`, at full vector rate: each cycle
/// with `valid`, the lanes set in `mask` add `rotl32(data[j], (base + j) mod 32)`
/// (`base` is the element index of lane 0) to the running sum, and their
/// number to the running count. `clear` starts a new record (an add in the
/// same cycle lands in the new record). `digest` / `count` are the
/// registered totals; `next_digest` / `next_count` include this cycle's
/// add, so a unit can report `done` in the cycle of its last write.
/// `saturated` flags the lanes whose value was clamped; the lanes set in
/// both it and `mask` add to `saturations` / `next_saturations` the same way
/// (the record's saturation count).
public struct DigestAccumulator: Module {
    public let lanes: Int

    public init(lanes: Int) { self.lanes = lanes }

    public var parameters: [Parameter] { [Parameter("N", lanes)] }

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
        let nextDigest = m.output("next_digest", .uint(32))
        let nextCount = m.output("next_count", .uint(32))
        let saturations = m.output("saturations", .uint(32))
        let nextSaturations = m.output("next_saturations", .uint(32))

        let baseRotation = base[4, 0]
        var terms: [Signal] = []
        for j in 0..<lanes {
            let amount = m.wire("rot\(j)", (baseRotation + lit(j % 32, width: 5)))
            let word = data[j].asUInt
            let doubled = cat(word, word) << amount.extend(to: 6)
            let rotated = m.wire("rotl\(j)", doubled[63, 32])
            terms.append(mux(mask[j], rotated, lit(0, width: 32)))
        }
        let sum = m.wire("lane_sum", terms.dropFirst().reduce(terms[0]) { $0 + $1 })
        let laneCount = (0..<lanes).map { mask[$0].asUInt.extend(to: 32) }
        let added = m.wire("lane_count", laneCount.dropFirst().reduce(laneCount[0]) { $0 + $1 })

        let clamped = m.wire("clamped", mask & saturated)
        let laneClamps = (0..<lanes).map { clamped[$0].asUInt.extend(to: 32) }
        let addedClamps = m.wire("lane_clamps", laneClamps.dropFirst().reduce(laneClamps[0]) { $0 + $1 })

        let total = m.reg("total", .uint(32), reset: 0)
        let elements = m.reg("elements", .uint(32), reset: 0)
        let start = m.wire("start_digest", mux(clear, lit(0, width: 32), total))
        let startCount = m.wire("start_count", mux(clear, lit(0, width: 32), elements))
        nextDigest.set(mux(valid, start + sum, start))
        nextCount.set(mux(valid, startCount + added, startCount))
        total.set(nextDigest)
        elements.set(nextCount)
        digest.set(total)
        count.set(elements)
        let clamps = m.reg("clamps", .uint(32), reset: 0)
        let startClamps = m.wire("start_clamps", mux(clear, lit(0, width: 32), clamps))
        nextSaturations.set(mux(valid, startClamps + addedClamps, startClamps))
        clamps.set(nextSaturations)
        saturations.set(clamps)
    }
}
