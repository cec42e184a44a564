import HDL
import ISA

/// The ternary datapath of `tmatmul` for the row-interleaved layout of
/// `TernaryMatrix`: 64 row accumulators, one per row of a group, fed with
/// `bytes` weight bytes per cycle.
///
/// - `bytes >= 64`: the bytes are `bytes / 64` consecutive column steps of
///   all 64 rows (byte `s * 64 + j`: step s, row j);
/// - `bytes < 64`: they are rows `phase * bytes ..< (phase + 1) * bytes` of
///   one step (a step takes `64 / bytes` cycles).
///
/// A byte holds k trits of its row (k = 4 in 2-bit packing, 5 in base-3,
/// `base3`); its products with the k activations of its step, broadcast to
/// every row, are added to the row's accumulator: no adder tree across a
/// row. Per cycle with `in_valid`: `activations` holds 5 int8 per step
/// (element `s * 5 + i`: trit i of step s; the unit zeroes columns at or
/// past C and trit 4 in 2-bit packing), `column_valid` marks the same
/// trits below C, `row_valid` the group's rows below R, `in_first` starts
/// the rows' sums (step 0 of a group) and `in_last` marks the group's last
/// beat. `sums_valid` pulses `latency` cycles after the last beat; in that cycle
/// `sums` holds the group's 64 exact sums (the next group may already be
/// entering). `bad_weight` pulses three cycles after a beat with an illegal
/// code (2-bit 10, base-3 byte >= 243) covering a valid row and column.
/// `busy`: a beat is inside. The datapath never stalls.
///
/// With `streams` > 1 the weights of a beat are decoded once and multiply
/// the activations of every stream (`activations` holds stream s's at
/// `s * 5 * steps`, `sums` stream s's row sums at `s * 64`): one weight
/// stream, a set of row accumulators per stream.
public struct TernaryGroupDatapath: Module {
    /// Weight bytes per cycle: 16 ... 512, a power of two.
    public let bytes: Int
    /// Width of the row sums (exact for the longest row).
    public let accumulatorBits: Int
    /// Streams sharing each weight beat.
    public let streams: Int

    public init(bytes: Int, accumulatorBits: Int, streams: Int = 1) {
        self.bytes = bytes
        self.accumulatorBits = accumulatorBits
        self.streams = streams
    }

    /// Accumulator width for rows of up to `maxColumns` int8 products.
    public static func accumulatorBits(maxColumns: Int) -> Int { addressWidth(128 * maxColumns + 1) + 1 }

    public var name: String { "TernaryGroupDatapath" }
    public var parameters: [Parameter] {
        [Parameter("BY", bytes), Parameter("AC", accumulatorBits)] + (streams > 1 ? [Parameter("ST", streams)] : [])
    }

    public static let groupRows = TernaryMatrix.groupRows
    /// Column steps per cycle.
    public var steps: Int { Swift.max(1, bytes / Self.groupRows) }
    /// Rows updated per cycle.
    public var slots: Int { Swift.min(Self.groupRows, bytes) }
    /// Cycles per step.
    public var phases: Int { Self.groupRows / slots }
    /// Cycles from a group's last beat to `sums_valid`: the inputs, the
    /// codes, the row trees' levels (each registered), the accumulators.
    public var latency: Int { 3 + TernaryRowTree(steps: steps).latency }

    /// The base-3 decode table: for each byte, trit i's 2-bit code in bits
    /// [2i+1 : 2i] (zeros for the illegal bytes 243 ... 255, flagged apart).
    static let base3Table: [BitVector] = (0..<256).map { b in
        guard let trits = TernaryMatrix.decode(UInt8(b), packing: .base3) else {
            return BitVector(width: 10, words: [0])
        }
        let codes = trits.enumerated().reduce(UInt64(0)) { $0 | UInt64(TernaryMatrix.code($1.element)) << UInt64(2 * $1.offset) }
        return BitVector(width: 10, words: [codes])
    }

    public func build(_ m: ModuleBuilder) {
        let rows = Self.groupRows
        guard m.require(bytes >= 16 && bytes <= 512 && bytes & (bytes - 1) == 0, "weight bytes per cycle must be a power of two in 16...512, got \(bytes)"),
              m.require(accumulatorBits >= 12 && accumulatorBits <= 32, "accumulator width must be 12...32, got \(accumulatorBits)") else { return }
        // Stage "in": every input registered as it arrives. Why: the weights
        // come from the buffer's two memories in either order (`weights_swap`:
        // the halves exchanged), and that select in front of the base-3 table
        // (an 8-input function per code bit) was the unit's deepest logic (8
        // LUT levels). Here every byte is decoded where it arrives and the
        // decoded halves are exchanged after the table.
        let inValid = m.regNext("valid_in", m.input("in_valid", .bool), reset: false)
        let base3 = m.input("base3", .bool)
        let inFirst = m.regNext("first_in", m.input("in_first", .bool))
        let inLast = m.regNext("last_in", m.input("in_last", .bool))
        let phase: Signal? = phases > 1 ? m.regNext("phase_in", m.input("in_phase", .uint(addressWidth(phases)))) : nil
        let weights = m.regNext("weights_in", m.input("weights", .uint(8 * bytes)))
        let swap = m.regNext("swap_in", m.input("weights_swap", .bool))
        let activations = m.regNext("activations_in", m.input("activations", .vec(.sint(8), count: 5 * steps * streams)))
        let columnValid = m.regNext("column_valid_in", m.input("column_valid", .uint(5 * steps)))
        let rowValid = m.regNext("row_valid_in", m.input("row_valid", .uint(rows)))
        let sumsValid = m.output("sums_valid", .bool)
        let sums = m.output("sums", .vec(.sint(accumulatorBits), count: rows * streams))
        let badWeight = m.output("bad_weight", .bool)
        let busy = m.output("busy", .bool)

        // Rows of this cycle's bytes that lie below R.
        let slotValid: Signal
        if let phase {
            let shift = cat(phase, lit(0, width: addressWidth(slots)))
            slotValid = m.wire("slot_valid", (rowValid >> shift.extend(to: addressWidth(rows) + 1)).truncate(to: slots))
        } else {
            slotValid = rowValid
        }

        // Stage 0: per byte its 5 trit codes (01 = +1, 11 = -1, else 0),
        // registered with the activations and controls beside them; and
        // whether it is illegal where it counts.
        let valid0 = m.regNext("valid0", inValid, reset: false)
        let first0 = m.regNext("first0", inFirst)
        let last0 = m.regNext("last0", inLast)
        let phase0 = phase.map { m.regNext("phase0", $0) }
        let activations0 = m.regNext("activations0", activations)
        // Per byte as it arrives: its 5 trit codes (01 = +1, 11 = -1, else 0)
        // and which of its trits are illegal codes (base-3: the byte >= 243,
        // counted on trit 0; 2-bit: code 10).
        let table = m.memory("base3_codes", depth: 256, of: .uint(10), readLatency: 0, initial: Self.base3Table)
        let decoded = (0..<bytes).map { r -> Signal in
            let byte = weights[8 * r + 7, 8 * r]
            let port = table.read()
            port.address.set(byte)
            let twoBitBad = (0..<4).reversed().map { i in weights[8 * r + 2 * i + 1] && !weights[8 * r + 2 * i] }
            let bad = mux(base3, cat(lit(0, width: 4), byte >= lit(243, width: 8)), cat([lit(0, width: 1)] + twoBitBad))
            return m.wire("decoded_\(r)", cat(bad, mux(base3, port.data, cat(lit(0, width: 2), byte))))
        }
        let half = bytes / 2
        let named = { (name: String, stream: Int) in streams == 1 ? name : "\(name)\(stream)_" }
        var rowCodes = [[Signal]](repeating: [], count: slots), illegal: [Signal] = []
        for j in 0..<slots {
            for s in 0..<steps {
                let at = s * rows + j
                let byte = mux(swap, decoded[at ^ half], decoded[at])
                rowCodes[j].append(m.regNext("codes_\(s)_\(j)", byte[9, 0]))
                let bad = byte[14, 10] & columnValid[s * 5 + 4, s * 5]
                illegal.append(m.wire("illegal_\(s)_\(j)", slotValid[j] && bad != 0))
            }
        }
        // The flags registered before their OR over every byte.
        badWeight.set(m.regNext("bad_weight_q", valid0 && m.regNext("illegal_q", cat(illegal)).orR, reset: false))

        // Stages 1 ...: each row's products and registered adder tree, per
        // stream (`TernaryRowTree`); then the accumulators.
        let tree = TernaryRowTree(steps: steps)
        let held = (0..<streams).flatMap { st in
            let streamActivations = vec((0..<5 * steps).map { activations0[st * 5 * steps + $0] })
            return (0..<slots).map { j -> Signal in
                let row = m.instance(tree, named("row", st) + "\(j)")
                row.codes.set(cat(rowCodes[j].reversed()))
                row.activations.set(streamActivations)
                return row.partial
            }
        }
        let valid1 = m.validDelay("valid1", valid0, cycles: tree.latency)
        let first1 = m.pipelineDelay("first1", first0, cycles: tree.latency)
        let last1 = m.pipelineDelay("last1", last0, cycles: tree.latency)
        let phase1 = phase0.map { m.pipelineDelay("phase1", $0, cycles: tree.latency) }
        var accumulators: [Signal] = []
        for st in 0..<streams {
            for r in 0..<rows {
                let acc = m.reg(named("acc", st) + "\(r)", .sint(accumulatorBits))
                let add = held[st * slots + r % slots].extend(to: accumulatorBits)
                let mine = phase1.map { $0 == lit(r / slots, width: $0.width!) } ?? (true as Signal)
                m.when(valid1 && mine) { acc.set(mux(first1, add, acc + add)) }
                accumulators.append(acc)
            }
        }
        let done = m.regNext("sums_valid_q", valid1 && last1, reset: false)
        sumsValid.set(done)
        sums.set(vec(accumulators))
        busy.set(m.pipelineOccupied("beats_inside", entering: valid0, latency: latency - 1))
    }
}
