import HDL
import HDLLib
import ISA

/// The execution unit of `tmatmul vd, va, sb, addr` (docs/core.md's unit
/// contract): dispatch, data region, a wide memory read client (a wide beat
/// of `wideBeatBytes`, one beat of every bank, per cycle), register read
/// port `a` (activation copy), write port `w`, digest, and `beat`, the core
/// beats of weights the datapath consumed this cycle (0 or 2 * banks).
///
/// The weight stream: the unit reads memory as one sequential stream of
/// wide beats into a buffer of `weightBufferBeats`, and goes on reading past
/// the end of a matrix while the buffer has room (never past the data
/// region, and only while `stream_enable`, the core running, is high). The
/// compiler lays matrices out back to back in the order they run, so while
/// dependent vector work keeps the next `tmatmul` waiting, memory already
/// streams its weights, and the datapath, which consumes two wide beats per
/// cycle (`CoreParameters.ternaryCatchUp`), catches up afterwards. A store
/// the memory system takes (`store_valid`, `store_line`) to a line the
/// stream has requested makes the stream stale.
///
/// Flow, with the interpreter's fault order:
/// 1. Dispatch: `misaligned` (addr % 256), then `address-out-of-range` for
///    the 256-byte header; either ends the instruction without a memory
///    access. Otherwise, if the stream is live and its next unconsumed beat
///    is the matrix's header, the instruction takes the stream over (a
///    hit); if not, buffered beats are dropped, beats still in flight are
///    dropped as they arrive, and the stream restarts at the header (a
///    miss). The activation copy starts: va's chunks, low 8 bits of each
///    element, through a gearbox into words of k * steps-per-cycle bytes,
///    so the consumer reads a cycle's activations in one access.
/// 2. Header (rows R, cols C, scale ws), once its beats are buffered:
///    `bad-vector-length`, then the whole matrix against `data_size`;
///    `K = floor((ws * sb + 63) / 127)` starts in a small divider.
/// 3. Two wide beats per cycle of every row group go from the buffer into
///    the `TernaryGroupDatapath`. At the end of a group its 64 sums move to
///    a second bank of registers and are rescaled and written (rows below
///    R, a register chunk per cycle) while the next group accumulates. A
///    fault stops the stream (the next `tmatmul` misses).
/// 4. `done` once every group is written (or a fault stopped the
///    instruction) and nothing is left in the write-out; the stream goes on.
///
/// Streams (B > 1): the unit serves every stream itself, reading the
/// matrix once. `stream_scalars` gives each stream's sb; B activation
/// copies take turns on the read port `a`; the datapath multiplies each
/// weight beat with all B streams' activations into B sets of row sums;
/// B scales K; a group's write-out writes stream 0's rows, then stream 1's,
/// ... (register ports address rows, `RegisterRead(rows:)`); one digest
/// sums every stream's writes into the instruction's record.
public struct TernaryUnit: Module {
    public let params: CoreParameters

    public init(params: CoreParameters) { self.params = params }

    public var name: String { "TernaryUnit" }
    public var parameters: [Parameter] {
        [Parameter("D", params.dataBits), Parameter("B", params.banks), Parameter("VL", params.isa.maxVectorLength),
         Parameter("V", params.isa.vectorRegisters), Parameter("F", params.isa.fracBits),
         Parameter("M", params.maxBurst), Parameter("O", params.outstandingBeats),
         Parameter("WB", params.weightBufferBeats), Parameter("SW", params.streamWindowBeats)] + params.streamParameters
    }

    // MARK: - Derived sizes

    /// Bytes of one wide beat (what memory delivers per cycle).
    var wideBytes: Int { params.wideBeatBytes }
    var datapath: TernaryGroupDatapath {
        TernaryGroupDatapath(bytes: params.weightBytesPerCycle,
                             accumulatorBits: TernaryGroupDatapath.accumulatorBits(maxColumns: params.isa.maxVectorLength),
                             streams: params.streams)
    }
    var streams: Int { params.streams }
    /// Column steps per cycle (1 when a step takes several cycles).
    var stepsPerCycle: Int { datapath.steps }
    var phases: Int { datapath.phases }
    /// Wide beats of the 256-byte header.
    var headerBeats: Int { TernaryMatrix.headerBytes / wideBytes }
    /// Activation word: 5 bytes per step (4 used in 2-bit packing).
    var wordBytes: Int { 5 * stepsPerCycle }
    /// Words of the activation memory: every step of the longest 2-bit row.
    var activationWords: Int { TernaryMatrix.steps(cols: params.isa.maxVectorLength, packing: .twoBit) / stepsPerCycle }
    /// The gearbox from register chunks to activation words: a ring of
    /// `gearboxBytes` (a multiple of the chunk, room for a word and two chunks).
    var gearboxBytes: Int {
        var n = params.vectorLanes
        while n < wordBytes + 2 * params.vectorLanes { n *= 2 }
        return n
    }
    /// Chunks fed to the gearbox: the register, then zeros for the last word.
    var copyChunks: Int { params.chunksPerRegister + (wordBytes + params.vectorLanes - 1) / params.vectorLanes }

    /// `ceil(2^24 / 5)`: `(x * this) >> 24 = floor(x / 5)` for every x < 2^22
    /// (5 * this = 2^24 + 4), far above any column count.
    public static let reciprocalOf5 = 3_355_444

    // Widths of the stream's counters.
    /// Buffer pointers (one bit more than an index, to tell full from empty) and counts of buffered beats.
    var pointerBits: Int { log2(params.weightBufferBeats) + 1 }
    var countBits: Int { pointerBits + 1 }
    /// Counts of beats owed by memory (within the banks' response credits
    /// and the pipeline from a bank's buffer to this unit) or buffered.
    var owedBits: Int {
        addressWidth(Swift.max(params.weightBufferBeats, params.outstandingBeats) + 2 * params.streamWindowBeats + 1) + 1
    }

    /// The unit in the order of its parts (each declares its signals in the
    /// order of the emitted code).
    public func build(_ m: ModuleBuilder) {
        let p = params
        guard m.require(p.problems.isEmpty, "bad core parameters: \(p.problems.joined(separator: "; "))") else { return }
        let io = Ports(m, p)
        let ins = Instruction(m, p)
        let stream = weightStream(m, io, ins)
        let matrix = header(m, io, ins, stream)
        let badWeight = sequence(m, io, ins, stream, matrix)

        let copies = activationCopies(m, io, ins)

        let feed = consume(m, io, ins, stream, matrix, copies, badWeight: badWeight)
        let written = writeOut(m, io, ins, matrix, feed)
        complete(m, io, ins, feed, written)
    }
}

extension TernaryUnit {
    /// The unit's ports: the contracts of docs/core.md and the stream's own.
    struct Ports {
        let dispatch: Interface<Dispatch>
        let region: Interface<DataRegion>
        let memory: Interface<MemoryRead>
        let a: Interface<RegisterRead>
        let w: Interface<RegisterWrite>
        /// Every stream's sb, and the last active stream (several streams only).
        let streamScalars, streamLast: Signal?
        /// Core beats of weights the datapath took this cycle (the WEIGHT_BEATS counter).
        let beat: Signal
        /// The core runs; a store the memory system took, and its line.
        let streamEnable, storeValid, storeLine: Signal

        init(_ m: ModuleBuilder, _ p: CoreParameters) {
            dispatch = m.ports(Dispatch(p))
            region = m.ports(DataRegion(p))
            memory = m.ports(MemoryRead(p, wide: true))
            a = m.ports(RegisterRead(p, rows: true), prefix: RegisterRead.prefix("a"))
            w = m.ports(RegisterWrite(p, rows: true), prefix: RegisterWrite.prefix("w"))
            streamScalars = p.streams > 1 ? m.input("stream_scalars", .vec(.sint(32), count: p.streams)) : nil
            streamLast = p.streams > 1 ? m.input("stream_last", .uint(p.streamBits)) : nil
            beat = m.output("beat", .uint(CSRControl.weightBeatBits(p)))
            streamEnable = m.input("stream_enable", .bool)
            storeValid = m.input("store_valid", .bool)
            storeLine = m.input("store_line", .uint(p.lineBits))
        }
    }

    /// idle -> (dispatch fault: done next cycle) or header -> parse -> check (two cycles) -> extent -> range -> run.
    enum Phase: Int { case idle = 0, dispatchFault, header, parse, check, extent, range, run }

    /// The instruction held from dispatch to done: its phase, its fault and its fields.
    struct Instruction {
        let phase, fault, rd, ra, base3, address, rows, cols, weightScale: Signal
        /// Each stream's sb.
        let activationScales: [Signal]

        init(_ m: ModuleBuilder, _ p: CoreParameters) {
            phase = m.reg("phase", .uint(3), reset: 0)
            fault = m.reg("fault", .uint(Dispatch.faultBits), reset: 0)
            rd = m.reg("destination", .uint(p.vregBits))
            ra = m.reg("source", .uint(p.vregBits))
            base3 = m.reg("base3", .bool, reset: false)
            address = m.reg("address", .uint(32))
            activationScales = (0..<p.streams).map { m.reg(p.streams == 1 ? "activation_scale" : "activation_scale\($0)", .sint(32)) }
            rows = m.reg("rows", .uint(32))
            cols = m.reg("cols", .uint(32))
            weightScale = m.reg("weight_scale", .sint(32))
        }

        var faulted: Signal { fault != 0 }
        func inPhase(_ s: Phase) -> Signal { phase == lit(s.rawValue, width: 3) }
        func setPhase(_ s: Phase) { phase.set(lit(s.rawValue, width: 3)) }
    }

    // MARK: - The weight stream

    /// The stream's state and the buffer's outputs.
    struct Stream {
        /// Dispatch checks of the header's address.
        let misaligned, headerOutside: Signal
        /// The matrix's first wide line; a dispatch that restarts the stream there (a miss).
        let target, restart: Signal
        /// The cycle after a dispatch, when the hit is decided (the buffer's count is not yet the matrix's).
        let deciding: Signal
        let streamOn, requestLine, headLine: Signal
        let head, tail, buffered: Signal
        /// The buffer's head entry, and the two entries at its head side by side (a cycle's weights).
        let firstEntry, pair, readOdd: Signal
        /// A store to a line the stream has requested.
        let storeHits: Signal
    }

    /// Why: memory streams the next matrix while dependent vector work keeps the unit waiting.
    func weightStream(_ m: ModuleBuilder, _ io: Ports, _ ins: Instruction) -> Stream {
        let p = params, dispatch = io.dispatch, region = io.region, memory = io.memory
        let start = dispatch.start
        let lineBits = p.lineBits, depth = p.weightBufferBeats, ptrBits = pointerBits
        let logWide = log2(wideBytes)

        // MARK: Dispatch checks (the interpreter's order)

        let misaligned = m.wire("misaligned", dispatch.imm[7, 0] != 0)
        let headerEnd = m.wire("header_end", dispatch.imm.extend(to: 34) + lit(TernaryMatrix.headerBytes, width: 34))
        let headerOutside = m.wire("header_outside", headerEnd > region.size.extend(to: 34))

        // MARK: The stream, in absolute wide lines (a line of every bank)

        // The data region starts on a bank boundary (DATA_BASE a multiple of 256 bytes).
        let baseWide = p.wide(fromLines: region.baseLine, width: lineBits)
        // Registered: the region is fixed while a program runs, and a three-operand
        // sum in front of the request path was its deepest logic.
        let regionEnd = m.regNext("region_end", resize(baseWide, lineBits + 2) + resize(region.size >> logWide, lineBits + 2))
        // Why a cycle late: the hit compare (the header's line against the
        // stream's head, after an add) in front of the restart and the
        // buffer's write enable was the unit's longest path. The compare is
        // registered at dispatch, and the restart comes a cycle later; the
        // head line cannot move in between (the unit is idle at dispatch).
        let target = m.regNext("target_line", baseWide + resize(dispatch.imm >> logWide, lineBits))
        // The line of the next beat to request, and of the beat at the buffer's head.
        let requestLine = m.reg("request_line", .uint(lineBits), reset: 0)
        // (headLine equals requestLine minus the live beats; kept as a register
        // so the dispatch compare has no 32-bit subtract in front of it.)
        let headLine = m.reg("head_line", .uint(lineBits), reset: 0)
        let streamOn = m.reg("stream_on", .bool, reset: false)
        // Beats requested and not yet arrived; of those, beats to drop on arrival (a miss's leftovers).
        let owed = m.reg("owed", .uint(owedBits), reset: 0)
        let discard = m.reg("discard", .uint(owedBits), reset: 0)
        let deciding = m.regNext("deciding", start && !misaligned && !headerOutside, reset: false)
        let sameLine = m.regNext("same_line", headLine == m.wire("target_now", baseWide + resize(dispatch.imm >> logWide, lineBits)),
                                 reset: false)
        let restart = m.wire("restart", deciding && !(streamOn && sameLine))

        // The buffer: two memories (even and odd entries), so that any two
        // consecutive entries are read in one cycle.
        let even = m.memory("beats_even", depth: depth / 2, of: .uint(8 * wideBytes), readLatency: 1)
        let odd = m.memory("beats_odd", depth: depth / 2, of: .uint(8 * wideBytes), readLatency: 1)
        let head = m.reg("head", .uint(ptrBits), reset: 0)
        let tail = m.reg("tail", .uint(ptrBits), reset: 0)
        let buffered = m.wire("buffered", (tail - head).extend(to: countBits))
        let push = m.wire("push", memory.responseValid && discard == 0 && !restart)
        for (isOdd, buffer) in [(false, even), (true, odd)] {
            let port = buffer.write()
            port.enable.set(push && (isOdd ? tail[0] : !tail[0]))
            port.address.set(tail[ptrBits - 2, 1])
            port.data.set(memory.responseData)
        }
        let evenRead = even.read(), oddRead = odd.read()
        let headNext = head + 1
        evenRead.address.set(mux(head[0], headNext[ptrBits - 2, 1], head[ptrBits - 2, 1]))
        oddRead.address.set(head[ptrBits - 2, 1])
        // Entries head and head + 1, one cycle after `head`.
        let readOdd = m.regNext("read_odd", head[0], reset: false)
        let firstEntry = m.wire("first_entry", mux(readOdd, oddRead.data, evenRead.data))
        // The two entries as the memories hold them; `readOdd`: head's is the odd one (the datapath exchanges them).
        let pair = m.wire("pair", cat(oddRead.data, evenRead.data))

        // Requests: bursts of `streamBurst` lines from `requestLine` while the
        // buffer has room for every beat of the stream not consumed yet and
        // the window for every beat in flight.
        //
        // Why this shape: deciding a request from the live counts in its own
        // cycle was 26 LUT levels. Here the counts are registered (A), then
        // compared (B), so the decision at t sees the state of t - 2. Between
        // then and now only requests (at most two bursts, counted in `fires`)
        // take room or move the line; arrivals and consumption only give room.
        // So B asks for room for 1 + fires bursts, and for that many whole
        // bursts of lines left; the last, short burst waits until no request
        // was made in the two cycles before. A restart makes A and B stale.
        let sb = p.streamBurst, wide = owedBits + 1, burstBits = p.burstBits
        let linesLeftA = m.regNext("lines_left_a", regionEnd - resize(requestLine, lineBits + 2))
        let inflightA = m.regNext("inflight_a", (owed - discard).extend(to: wide))
        let liveA = m.regNext("live_a", (owed - discard).extend(to: wide) + resize(buffered, wide))
        func room(_ bursts: Int) -> Signal {
            let need = bursts * sb
            guard need <= depth, need <= p.streamWindowBeats else { return false }
            return liveA <= lit(depth - need, width: wide) && inflightA <= lit(p.streamWindowBeats - need, width: wide)
        }
        // Room and whole bursts of lines for the next request and the one or
        // two made since.
        let whole = [2, 3].map { k in
            m.regNext("whole_burst_ok\(k)", linesLeftA >= lit(k * sb, width: lineBits + 2) && room(k), reset: false)
        }
        let shortOK = m.regNext("short_burst_ok", linesLeftA != 0 && room(1), reset: false)
        let shortBurst = m.regNext("short_burst", mux(linesLeftA >= lit(sb, width: lineBits + 2), lit(sb, width: burstBits),
                                                        linesLeftA.truncate(to: burstBits)))
        let firedLast = m.reg("fired_last", .bool, reset: false)
        let firedBefore = m.regNext("fired_before", firedLast, reset: false)
        let restartedLast = m.regNext("restarted_last", restart, reset: false)
        let restartedBefore = m.regNext("restarted_before", restartedLast, reset: false)
        let quiet = m.wire("requests_quiet", !firedLast && !firedBefore)
        let fits = m.wire("fits", mux(firedLast && firedBefore, whole[1], mux(firedLast || firedBefore, whole[0], shortOK)))
        let burst = m.wire("burst", mux(quiet, shortBurst, lit(sb, width: burstBits)))
        // A running instruction gets its beats even if the core stopped
        // meanwhile (a fault elsewhere): it must finish to leave the core quiet.
        let requesting = m.wire("requesting", streamOn && (io.streamEnable || !ins.inPhase(.idle)) && !start && !deciding
                                && fits && !restartedLast && !restartedBefore)
        let fire = m.wire("fire", requesting && memory.requestReady)
        firedLast.set(fire)
        memory.requestValid.set(requesting)
        memory.requestLine.set(p.lines(fromWide: requestLine, width: lineBits))
        memory.requestBeats.set(p.lines(fromWide: burst, width: p.wideBurstBits))

        let arrived = mux(memory.responseValid, lit(1, width: owedBits), lit(0, width: owedBits))
        // Two-operand adds only: a three-operand sum maps to a deep LUT compressor.
        owed.set(mux(memory.responseValid, owed - lit(1, width: owedBits), owed) + mux(fire, burst.extend(to: owedBits), lit(0, width: owedBits)))
        m.when(restart) { discard.set(owed - arrived) }
            .elseWhen(memory.responseValid && discard != 0) { discard.set(discard - 1) }
        m.when(restart) { requestLine.set(target) }
            .elseWhen(fire) { requestLine.set(requestLine + burst.extend(to: lineBits)) }
        m.when(push) { tail.set(tail + 1) }

        // A store to a line already requested makes the rest of the stream stale.
        let storeWide = p.wide(fromLines: io.storeLine, width: lineBits)
        let storeHits = m.wire("store_hits", io.storeValid && storeWide >= headLine && storeWide < requestLine)
        return Stream(misaligned: misaligned, headerOutside: headerOutside, target: target, restart: restart, deciding: deciding,
                      streamOn: streamOn, requestLine: requestLine, headLine: headLine, head: head, tail: tail,
                      buffered: buffered, firstEntry: firstEntry, pair: pair, readOdd: readOdd, storeHits: storeHits)
    }

    // MARK: - Header, phases and faults

    /// What the header says about the matrix, once checked.
    struct Matrix {
        let headerReady: Signal
        /// C and R at the vector-length width.
        let colsNarrow, rowsNarrow: Signal
        let badLength, matrixOutside, rangeOK: Signal
        /// The check phase's last cycle, when the steps are set (C / 5's product takes the ones before).
        let stepsDue: Signal
        /// Column steps per group (padded), row groups, datapath cycles per group.
        let steps, groups, groupBeats: Signal
        let groupBeatBits: Int
        /// Each stream's K, the rescale factor, once the dividers have it.
        let scales: [Signal]
        let scaleReady: Signal
    }

    /// Why: the header's shape decides the checks, the group sizes and K before any weight is used.
    func header(_ m: ModuleBuilder, _ io: Ports, _ ins: Instruction, _ stream: Stream) -> Matrix {
        let p = params, vlBits = p.vlBits, wide = 40
        let headerReady = m.wire("header_ready", ins.inPhase(.header) && !stream.deciding
                                 && stream.buffered >= lit(headerBeats, width: countBits))
        m.when(ins.inPhase(.parse)) {
            ins.rows.set(stream.firstEntry[31, 0])
            ins.cols.set(stream.firstEntry[63, 32])
            ins.weightScale.set(stream.firstEntry[95, 64].asSInt)
        }
        let colsNarrow = ins.cols.truncate(to: vlBits)
        let rowsNarrow = ins.rows.truncate(to: vlBits)
        let badLength = m.reg("bad_length", .bool)
        let maxLength = lit(p.isa.maxVectorLength, width: 32)
        // Column steps per group: ceil(ceil(C / k) / 8) * 8; C / 5 by a reciprocal (exact for C < 2^19),
        // ceil(C / 5) = ((C + 4) R) >> 24 = (C R + 4 R) >> 24. Why a `splitProduct` over the check
        // phase's first cycles: the product (C is 17 bits, R 22: two DSP blocks and an adder) in one
        // cycle with the adds around it was the unit's slowest path by the estimate.
        let productCycles = SplitProduct.latency(vlBits + 3, 22, signed: false)
        let cycleBits = addressWidth(productCycles + 1)
        let checkCycle = m.reg("check_cycle", .uint(cycleBits), reset: 0)
        checkCycle.set(mux(ins.inPhase(.check), checkCycle + 1, lit(0, width: cycleBits)))
        let checkStarts = m.wire("check_starts", ins.inPhase(.check) && checkCycle == 0)
        let stepsDue = m.wire("steps_due", ins.inPhase(.check) && checkCycle == lit(productCycles, width: cycleBits))
        let colsTimesR = m.splitProduct("cols_times_reciprocal", colsNarrow.extend(to: vlBits + 3), lit(Self.reciprocalOf5, width: 22))
        let fifth = m.wire("cols_fifth", (colsTimesR + lit(4 * Self.reciprocalOf5, width: vlBits + 25)) >> 24)
        let quarter = (colsNarrow.extend(to: vlBits + 3) + lit(3, width: vlBits + 3)) >> 2
        let rawSteps = m.wire("raw_steps", mux(ins.base3, resize(fifth, vlBits + 3), resize(quarter, vlBits + 3)))
        let steps = m.reg("steps", .uint(vlBits + 1))
        let groups = m.reg("groups", .uint(vlBits))
        let multiple = log2(TernaryMatrix.stepMultiple)
        m.when(ins.inPhase(.check)) {
            badLength.set(ins.rows == 0 || ins.rows > maxLength || ins.cols == 0 || ins.cols > maxLength)
            let padded = ((rawSteps + lit(TernaryMatrix.stepMultiple - 1, width: vlBits + 3)) >> multiple) << multiple
            m.when(stepsDue) { steps.set(resize(padded, vlBits + 1)) }
            groups.set(resize((rowsNarrow.extend(to: vlBits + 1) + lit(TernaryMatrix.groupRows - 1, width: vlBits + 1)) >> 6, vlBits))
        }
        // In 64-byte ISA beats: the weights, then the whole matrix with its header.
        let weightIsaBeats = m.reg("weight_isa_beats", .uint(wide))
        m.when(ins.inPhase(.extent)) { weightIsaBeats.set(resize(groups * steps, wide)) }
        let matrixIsaBeats = m.wire("matrix_isa_beats",
                                    weightIsaBeats + lit(TernaryMatrix.headerBytes / TernaryMatrix.beatBytes, width: wide))
        let matrixOutside = m.wire("matrix_outside",
                                   resize(ins.address >> 6, wide) + matrixIsaBeats > resize(io.region.size >> 6, wide))
        // Datapath cycles per group: steps * 64 bytes at `weightBytesPerCycle`.
        let groupBeatBits = vlBits + 3
        let feedBytes = p.weightBytesPerCycle
        let groupSteps = resize(steps, groupBeatBits)
        let groupBeats = m.wire("group_beats", resize(feedBytes >= 64 ? groupSteps >> log2(feedBytes / 64)
                                                                      : groupSteps << log2(64 / feedBytes), groupBeatBits))
        let rangeOK = m.wire("range_ok", ins.inPhase(.range) && !badLength && !matrixOutside)

        // One scale per stream; they start together and finish together.
        let dividers = ins.activationScales.enumerated().map { s, activationScale in
            let scale = m.instance(MatmulScale(), streams == 1 ? "matmul_scale" : "matmul_scale\(s)")
            scale.start.set(checkStarts)
            scale.weight_scale.set(ins.weightScale)
            scale.activation_scale.set(activationScale)
            return scale
        }
        return Matrix(headerReady: headerReady, colsNarrow: colsNarrow, rowsNarrow: rowsNarrow, badLength: badLength,
                      matrixOutside: matrixOutside, rangeOK: rangeOK, stepsDue: stepsDue, steps: steps, groups: groups, groupBeats: groupBeats,
                      groupBeatBits: groupBeatBits, scales: dividers.map(\.scale), scaleReady: dividers[0].valid)
    }

    /// Why: phases and faults follow the interpreter's fault order; a fault ends the stream.
    /// Returns the datapath's bad-weight flag (driven by `consume`).
    func sequence(_ m: ModuleBuilder, _ io: Ports, _ ins: Instruction, _ stream: Stream, _ matrix: Matrix) -> Signal {
        let dispatch = io.dispatch, start = dispatch.start
        let misaligned = stream.misaligned, headerOutside = stream.headerOutside
        let badWeight = m.wire("bad_weight", .bool)
        m.when(start) {
            ins.rd.set(dispatch.rd[params.vregBits - 1, 0])
            ins.ra.set(dispatch.ra[params.vregBits - 1, 0])
            ins.base3.set(dispatch.mode == lit(Int(WeightPacking.base3.rawValue), width: dispatch.mode.width!))
            ins.address.set(dispatch.imm)
            for (s, scale) in ins.activationScales.enumerated() { scale.set(io.streamScalars.map { $0[s] } ?? dispatch.scalar) }
            m.when(misaligned) { ins.fault.set(lit(Int(FaultCode.misaligned.rawValue), width: 3)) }
                .elseWhen(headerOutside) { ins.fault.set(lit(Int(FaultCode.addressOutOfRange.rawValue), width: 3)) }
                .otherwise { ins.fault.set(0) }
            ins.phase.set(mux(misaligned || headerOutside, lit(Phase.dispatchFault.rawValue, width: 3),
                              lit(Phase.header.rawValue, width: 3)))
        }.elseWhen(matrix.headerReady) {
            ins.setPhase(.parse)
        }.elseWhen(ins.inPhase(.parse)) {
            ins.setPhase(.check)
        }.elseWhen(ins.inPhase(.check)) {
            m.when(matrix.stepsDue) { ins.setPhase(.extent) }
        }.elseWhen(ins.inPhase(.extent)) {
            ins.setPhase(.range)
        }.elseWhen(ins.inPhase(.range)) {
            ins.setPhase(.run)
            m.when(matrix.badLength) { ins.fault.set(lit(Int(FaultCode.badVectorLength.rawValue), width: 3)) }
                .elseWhen(matrix.matrixOutside) { ins.fault.set(lit(Int(FaultCode.addressOutOfRange.rawValue), width: 3)) }
        }.elseWhen(dispatch.done) {
            ins.setPhase(.idle)
        }.elseWhen(badWeight && !ins.faulted) {
            ins.fault.set(lit(Int(FaultCode.badWeight.rawValue), width: 3))
        }

        // The stream runs while the core does; a miss restarts it, a fault,
        // a stale store or a stopped core ends it.
        let faultNow = (ins.inPhase(.range) && (matrix.badLength || matrix.matrixOutside)) || badWeight
        m.when(stream.restart) { stream.streamOn.set(true) }
            .elseWhen(faultNow || stream.storeHits || (!io.streamEnable && ins.inPhase(.idle))) { stream.streamOn.set(false) }
        return badWeight
    }

    /// Why: the datapath reads a cycle's activations of every stream in one access.
    func activationCopies(_ m: ModuleBuilder, _ io: Ports, _ ins: Instruction) -> [ActivationCopy] {
        let p = params, start = io.dispatch.start
        let active = !ins.inPhase(.idle) && !ins.inPhase(.dispatchFault)
        guard streams > 1 else {
            // Register chunks -> gearbox -> words of 5 * stepsPerCycle bytes.
            let copy = ActivationCopy(m, p, unit: self, start: start, active: active, base3: ins.base3)
            io.a.reg.set(ins.ra)
            io.a.chunk.set(copy.chunk)
            copy.connect(data: io.a.data)
            return [copy]
        }
        // The streams' copies take turns on the one read port, a cycle each:
        // the first group waits for B times the copy of one register, later ones not at all.
        let turn = m.reg("copy_turn", .uint(p.streamBits), reset: 0)
        let lastTurn = turn == lit(streams - 1, width: p.streamBits)
        m.when(start || lastTurn) { turn.set(0) }.otherwise { turn.set(turn + 1) }
        let copies = (0..<streams).map { s in
            ActivationCopy(m, p, unit: self, start: start, active: active, base3: ins.base3, suffix: "\(s)",
                           grant: turn == lit(s, width: p.streamBits))
        }
        var chunk = copies[streams - 1].chunk
        for s in (0..<(streams - 1)).reversed() { chunk = mux(turn == lit(s, width: p.streamBits), copies[s].chunk, chunk) }
        io.a.reg.set(ins.ra)
        io.a.chunk.set(cat(turn, chunk))
        for c in copies { c.connect(data: io.a.data) }
        return copies
    }

    // MARK: - Datapath and write-out

    /// The consumer's progress through the matrix and its datapath.
    struct Feed {
        let datapath: Instance
        /// This cycle feeds the datapath; it is a group's last cycle.
        let feed, lastBeat: Signal
        let group, rowsLeft, matrixDone: Signal
        /// A group's sums are on their way to the second bank; the second bank is full.
        let endPending, resultFull: Signal
        /// The datapath took a cycle's weights (stage 1).
        let fed: Signal
    }

    /// Why: two wide beats per cycle reach the datapath with their activations, without gaps.
    func consume(_ m: ModuleBuilder, _ io: Ports, _ ins: Instruction, _ stream: Stream, _ matrix: Matrix,
                 _ copies: [ActivationCopy], badWeight: Signal) -> Feed {
        let copy = copies[0]
        let p = params, vlBits = p.vlBits, rowsPerGroup = TernaryMatrix.groupRows
        let groupBeatBits = matrix.groupBeatBits, colsNarrow = matrix.colsNarrow
        let unit = m.instance(datapath, "group_datapath")

        let logPhases = log2(phases)
        let group = m.reg("group", .uint(vlBits), reset: 0)
        let beatInGroup = m.reg("beat_in_group", .uint(groupBeatBits), reset: 0)
        let word = m.reg("word", .uint(copy.wordBits), reset: 0)
        let stepPhase = logPhases > 0 ? m.reg("step_phase", .uint(logPhases), reset: 0) : nil
        // Columns of the group left from this word's first: C - word * k * stepsPerCycle.
        let columnsLeft = m.reg("columns_left", .uint(vlBits), reset: 0)
        // Rows of this group and after: R - 64 * group.
        let rowsLeft = m.reg("rows_left", .uint(vlBits), reset: 0)
        let running = ins.inPhase(.run)
        let matrixDone = m.wire("matrix_done", group == matrix.groups)
        // The group's last beat: kept as a register (a subtract and a compare
        // in front of `feed` were its deepest logic).
        let lastBeat = m.reg("last_beat", .bool, reset: false)
        let singleBeat = m.wire("single_beat", matrix.groupBeats == lit(1, width: groupBeatBits))
        let lastPhase: Signal = stepPhase.map { $0 == lit(phases - 1, width: logPhases) } ?? true
        // Every stream's word: the copies fill at the same rate, but take turns.
        let wordReady = m.wire("word_ready", columnsLeft == 0
                               || allTrue(copies.map { word.extend(to: copy.wordBits + 1) < $0.wordsWritten }))
        // A group's end needs the second bank of sums free when its sums arrive.
        let endPending = m.reg("end_pending", .bool, reset: false)
        let resultFull = m.reg("result_full", .bool, reset: false)
        let endFree = !endPending && !resultFull
        let catchUp = CoreParameters.ternaryCatchUp
        let available = m.wire("available", stream.buffered >= lit(catchUp, width: countBits))
        let feed = m.wire("feed", running && !ins.faulted && !matrixDone && available && wordReady && (!lastBeat || endFree))
        // Entries leave the buffer: the header's after it is parsed, two per datapath cycle.
        let ptrBits = pointerBits
        let popped = m.wire("popped", mux(ins.inPhase(.parse), lit(headerBeats, width: ptrBits),
                                          mux(feed, lit(catchUp, width: ptrBits), lit(0, width: ptrBits))))
        m.when(stream.restart) { stream.head.set(stream.tail) }.otherwise { stream.head.set(stream.head + popped) }
        m.when(stream.restart) { stream.headLine.set(stream.target) }
            .otherwise { stream.headLine.set(stream.headLine + resize(popped, p.lineBits)) }

        let wordColumns = mux(ins.base3, lit(5 * stepsPerCycle, width: vlBits), lit(4 * stepsPerCycle, width: vlBits))
        m.when(matrix.rangeOK) {
            group.set(0); beatInGroup.set(0); word.set(0)
            lastBeat.set(singleBeat)
            columnsLeft.set(colsNarrow)
            rowsLeft.set(matrix.rowsNarrow)
            stepPhase?.set(0)
        }.elseWhen(feed) {
            m.when(lastBeat) {
                group.set(group + 1); beatInGroup.set(0); word.set(0)
                lastBeat.set(singleBeat)
                columnsLeft.set(colsNarrow)
                rowsLeft.set(mux(rowsLeft > lit(rowsPerGroup, width: vlBits), rowsLeft - lit(rowsPerGroup, width: vlBits),
                                 lit(0, width: vlBits)))
                stepPhase?.set(0)
            }.otherwise {
                beatInGroup.set(beatInGroup + 1)
                lastBeat.set(beatInGroup + lit(2, width: groupBeatBits) == matrix.groupBeats)
                stepPhase?.set(stepPhase! + 1)
                m.when(lastPhase) {
                    word.set(word + 1)
                    columnsLeft.set(mux(columnsLeft > wordColumns, columnsLeft - wordColumns, lit(0, width: vlBits)))
                }
            }
        }
        m.when(io.dispatch.start) { endPending.set(false) }
            .elseWhen(feed && lastBeat) { endPending.set(true) }
            .elseWhen(unit.sums_valid) { endPending.set(false) }

        for c in copies { c.readWord(word) }

        // Trits of this beat's word below C, and rows of the group below R.
        let columnValid = m.wire("column_valid", cat((0..<(5 * stepsPerCycle)).reversed().map { t -> Signal in
            let s = t / 5, i = t % 5
            let inWord5 = lit(s * 5 + i, width: vlBits), inWord4 = lit(s * 4 + i, width: vlBits)
            return mux(ins.base3, columnsLeft > inWord5, i < 4 ? columnsLeft > inWord4 : false)
        }))
        let ones = ~lit(0, width: rowsPerGroup)
        let rowValid = m.wire("row_valid", mux(rowsLeft >= lit(rowsPerGroup, width: vlBits), ones,
                                               ~(ones << rowsLeft.truncate(to: 6))))

        // Stage 1: buffer and activation words arrive; the datapath takes the beat.
        let fed = m.regNext("fed", feed, reset: false)
        let fedFirst = m.regNext("fed_first", word == 0)
        let fedLast = m.regNext("fed_last", lastBeat)
        let fedColumns = m.regNext("fed_columns", columnValid)
        let fedRows = m.regNext("fed_rows", rowValid)
        let fedPhase = stepPhase.map { m.regNext("fed_phase", $0) }
        let arranged = copies.flatMap { c in
            let activationBytes = c.word.reinterpret(as: .vec(.sint(8), count: wordBytes))
            return (0..<(5 * stepsPerCycle)).map { t -> Signal in
                let s = t / 5, i = t % 5
                let value = i < 4 ? mux(ins.base3, activationBytes[s * 5 + i], activationBytes[s * 4 + i]) : activationBytes[s * 5 + i]
                return mux(fedColumns[t], value, slit(0, width: 8))
            }
        }
        unit.in_valid.set(fed)
        unit.base3.set(ins.base3)
        unit.in_first.set(fedFirst)
        unit.in_last.set(fedLast)
        if let fedPhase { unit.in_phase.set(fedPhase) }
        unit.weights.set(stream.pair)
        unit.weights_swap.set(stream.readOdd)
        unit.activations.set(vec(arranged))
        unit.column_valid.set(fedColumns)
        unit.row_valid.set(fedRows)
        badWeight.set(unit.bad_weight)
        io.beat.set(mux(feed, lit(catchUp * p.banks, width: io.beat.width!), lit(0, width: io.beat.width!)))
        return Feed(datapath: unit, feed: feed, lastBeat: lastBeat, group: group, rowsLeft: rowsLeft, matrixDone: matrixDone,
                    endPending: endPending, resultFull: resultFull, fed: fed)
    }

    /// Whether the write-out pipeline holds a chunk, and the digest of what was written.
    struct Written {
        let pipeline: [Signal]
        let digest: Instance
    }

    /// Why: a group's sums are rescaled and written a chunk per cycle while the next accumulates.
    func writeOut(_ m: ModuleBuilder, _ io: Ports, _ ins: Instruction, _ matrix: Matrix, _ feed: Feed) -> Written {
        let p = params, vlBits = p.vlBits, rowsPerGroup = TernaryMatrix.groupRows, V = p.vectorLanes
        let unit = feed.datapath, start = io.dispatch.start, resultFull = feed.resultFull
        let accBits = datapath.accumulatorBits
        let chunksPerGroup = rowsPerGroup / V
        let logChunks = log2(chunksPerGroup)
        // Stream s's row r of the group at results[s * 64 + r].
        let results = (0..<streams).flatMap { st in
            (0..<rowsPerGroup).map { m.reg(streams == 1 ? "result\($0)" : "result\(st)_\($0)", .sint(accBits)) }
        }
        let resultGroup = m.reg("result_group", .uint(vlBits))
        let resultRows = m.reg("result_rows", .uint(7))
        let endGroup = m.reg("end_group", .uint(vlBits))
        let endRows = m.reg("end_rows", .uint(7))
        m.when(feed.feed && feed.lastBeat) {
            endGroup.set(feed.group)
            endRows.set(mux(feed.rowsLeft >= lit(rowsPerGroup, width: vlBits), lit(rowsPerGroup, width: 7),
                            feed.rowsLeft.truncate(to: 7)))
        }
        let outChunk = m.reg("out_chunk", .uint(logChunks + 1), reset: 0)
        // The chunk's index within its group of rows (none when a chunk is the whole group).
        let chunkInGroup: Signal? = logChunks == 0 ? nil : outChunk.truncate(to: logChunks)
        // Chunks holding rows below R: ceil(rows / V).
        let outChunks = m.wire("out_chunks", resize((resultRows.extend(to: 8) + lit(V - 1, width: 8)) >> log2(V), logChunks + 1))
        let select = m.wire("select", resultFull && matrix.scaleReady)
        let lastChunk = outChunk + 1 == outChunks
        // The stream written now: every active stream's chunks of a group,
        // stream 0 first (the inactive streams' sums are never written).
        let outStream = streams == 1 ? nil : m.reg("out_stream", .uint(p.streamBits), reset: 0)
        let lastOut = outStream.map { lastChunk && $0 == io.streamLast! } ?? lastChunk
        // Chunks leave in order, each stream's from its first: a stream's
        // results shift down a chunk as one leaves, so the chunk written is
        // always its first (a multiplexer over every chunk was the unit's
        // deepest logic).
        m.when(unit.sums_valid) {
            for (r, s) in zip(results, (0..<(rowsPerGroup * streams)).map { unit.sums[$0] }) { r.set(s) }
            resultGroup.set(endGroup)
            resultRows.set(endRows)
        }.elseWhen(select) {
            for st in 0..<streams {
                m.when(outStream.map { $0 == lit(st, width: p.streamBits) } ?? true) {
                    for r in 0..<(rowsPerGroup - V) { results[st * rowsPerGroup + r].set(results[st * rowsPerGroup + r + V]) }
                }
            }
        }
        m.when(start) { resultFull.set(false) }
            .elseWhen(unit.sums_valid) { resultFull.set(true) }
            .elseWhen(select && lastOut) { resultFull.set(false) }
        m.when(start) { outChunk.set(0) }
            .elseWhen(select) { outChunk.set(mux(lastChunk, lit(0, width: logChunks + 1), outChunk + 1)) }
        if let outStream {
            m.when(start) { outStream.set(0) }
                .elseWhen(select && lastChunk) { outStream.set(mux(lastOut, lit(0, width: p.streamBits), outStream + 1)) }
        }

        // Write-out: select a chunk, then multiply by K, round and saturate (RescalePipeline).
        let firstChunks = (0..<streams).map { st in vec((0..<V).map { results[st * rowsPerGroup + $0] }) }
        let selected = outStream.map { vec(firstChunks)[$0] } ?? firstChunks[0]
        let laneMask = cat((0..<V).reversed().map { lane in
            let row = chunkInGroup.map { cat($0, lit(lane, width: log2(V))) } ?? lit(lane, width: log2(V))
            return row.extend(to: 7) < resultRows
        })
        // The tag carries the lane mask, the chunk and the stream past the rescale.
        let chunkField = resize(chunkInGroup.map { cat(resultGroup, $0) } ?? resultGroup, p.chunkBits)
        let tag = cat([outStream, chunkField, laneMask].compactMap { $0 })
        let rescale = m.instance(RescalePipeline(lanes: V, valueBits: accBits, fracBits: p.isa.fracBits, tagBits: tag.width!),
                                 "rescale")
        rescale.in_valid.set(select)
        rescale.in_values.set(selected)
        rescale.in_scale.set(outStream.map { vec(matrix.scales)[$0] } ?? matrix.scales[0])
        rescale.in_tag.set(tag)
        let outValid = rescale.out_valid, outValues = rescale.out_values, outSaturated = rescale.out_saturated
        let outMask = m.wire("out_mask", rescale.out_tag[V - 1, 0])
        let outChunkIndex = m.wire("out_chunk_index", rescale.out_tag[V + p.chunkBits - 1, V])
        let outStreamIndex = outStream.map { _ in m.wire("out_stream_index", rescale.out_tag[tag.width! - 1, V + p.chunkBits]) }

        let write = m.wire("write", outValid && ins.inPhase(.run) && !ins.faulted)
        io.w.valid.set(write)
        io.w.reg.set(ins.rd)
        io.w.chunk.set(outStreamIndex.map { cat($0, outChunkIndex) } ?? outChunkIndex)
        io.w.mask.set(outMask)
        io.w.data.set(outValues)

        let digest = m.instance(DigestAccumulator(lanes: V), "digest_sum")
        digest.clear.set(start)
        digest.valid.set(write)
        digest.base.set(resize(outChunkIndex, 32 - log2(V)) << log2(V))
        digest.mask.set(outMask)
        digest.data.set(outValues)
        digest.saturated.set(outSaturated)
        return Written(pipeline: [rescale.busy], digest: digest)
    }

    /// Why: `done` waits for every write of the matrix, or for the fault.
    func complete(_ m: ModuleBuilder, _ io: Ports, _ ins: Instruction, _ feed: Feed, _ written: Written) {
        let dispatch = io.dispatch, digest = written.digest, faulted = ins.faulted
        let quiet = m.wire("quiet", allTrue([!feed.fed, !feed.datapath.busy, !feed.endPending, !feed.resultFull]
                                            + written.pipeline.map { !$0 }))
        let finished = m.wire("finished", ins.inPhase(.run) && quiet && (faulted || feed.matrixDone))
        dispatch.done.set(ins.inPhase(.dispatchFault) || finished)
        dispatch.idle.set(ins.inPhase(.idle))
        dispatch.doneFault.set(ins.fault)
        // A faulting matrix records nothing; the record is out Dispatch.recordLatency cycles after done.
        let recordFaulted = m.pipelineDelay("record_faulted", faulted, cycles: Dispatch.recordLatency(params))
        dispatch.doneCount.set(mux(recordFaulted, lit(0, width: 32), digest.count))
        dispatch.doneDigest.set(mux(recordFaulted, lit(0, width: 32), digest.digest))
        dispatch.doneSaturations.set(mux(recordFaulted, lit(0, width: 32), digest.saturations))
        dispatch.doneScalar.set(slit(0, width: 32))
    }
}
