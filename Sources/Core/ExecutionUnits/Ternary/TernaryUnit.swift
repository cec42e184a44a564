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
public struct TernaryUnit: Module {
    public let params: CoreParameters

    public init(params: CoreParameters) { self.params = params }

    public var name: String { "TernaryUnit" }
    public var parameters: [Parameter] {
        [Parameter("D", params.dataBits), Parameter("BK", params.banks), Parameter("N", params.isa.maxVectorLength),
         Parameter("V", params.isa.vectorRegisters), Parameter("F", params.isa.fracBits),
         Parameter("B", params.maxBurst), Parameter("O", params.outstandingBeats),
         Parameter("S", params.weightBufferBeats), Parameter("W", params.streamWindowBeats)]
    }

    // MARK: - Derived sizes

    /// Bytes of one wide beat (what memory delivers per cycle).
    var wideBytes: Int { params.wideBeatBytes }
    var datapath: TernaryGroupDatapath {
        TernaryGroupDatapath(bytes: params.weightBytesPerCycle,
                             accumulatorBits: TernaryGroupDatapath.accumulatorBits(maxColumns: params.isa.maxVectorLength))
    }
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

    public func build(_ m: ModuleBuilder) {
        let p = params
        guard m.require(p.problems.isEmpty, "bad core parameters: \(p.problems.joined(separator: "; "))") else { return }

        let dispatch = m.ports(Dispatch(p))
        let region = m.ports(DataRegion(p))
        let memory = m.ports(MemoryRead(p, wide: true))
        let a = m.ports(RegisterRead(p), prefix: RegisterRead.prefix("a"))
        let w = m.ports(RegisterWrite(p), prefix: RegisterWrite.prefix("w"))
        let beat = m.output("beat", .uint(CSRControl.weightBeatBits(p)))
        let streamEnable = m.input("stream_enable", .bool)
        let storeValid = m.input("store_valid", .bool)
        let storeLine = m.input("store_line", .uint(p.lineBits))

        let maxVL = p.isa.maxVectorLength
        let vlBits = p.vlBits
        let logWide = log2(wideBytes)
        let lineBits = p.lineBits
        let depth = p.weightBufferBeats
        let ptrBits = log2(depth) + 1
        let countBits = ptrBits + 1
        // Counts of beats: owed by memory (within the banks' response credits
        // and the pipeline from a bank's buffer to this unit) or buffered.
        let owedBits = addressWidth(Swift.max(depth, p.outstandingBeats) + 2 * p.streamWindowBeats + 1) + 1
        let rowsPerGroup = TernaryMatrix.groupRows
        let V = p.vectorLanes
        let wide = 40

        // MARK: State

        // idle -> (dispatch fault: done next cycle) or header -> parse -> check -> extent -> range -> run.
        enum Phase: Int { case idle = 0, dispatchFault, header, parse, check, extent, range, run }
        let phase = m.reg("phase", .uint(3), reset: 0)
        func inPhase(_ s: Phase) -> Signal { phase == lit(s.rawValue, width: 3) }
        func setPhase(_ s: Phase) { phase.set(lit(s.rawValue, width: 3)) }
        let fault = m.reg("fault", .uint(Dispatch.faultBits), reset: 0)
        let faulted = fault != 0
        let rd = m.reg("destination", .uint(p.vregBits))
        let ra = m.reg("source", .uint(p.vregBits))
        let base3 = m.reg("base3", .bool, reset: false)
        let address = m.reg("address", .uint(32))
        let activationScale = m.reg("activation_scale", .sint(32))
        let rows = m.reg("rows", .uint(32))
        let cols = m.reg("cols", .uint(32))
        let weightScale = m.reg("weight_scale", .sint(32))
        let start = dispatch.start

        // MARK: Dispatch checks (the interpreter's order)

        let misaligned = m.wire("misaligned", dispatch.imm[7, 0] != 0)
        let headerEnd = m.wire("header_end", dispatch.imm.extend(to: 34) + lit(TernaryMatrix.headerBytes, width: 34))
        let headerOutside = m.wire("header_outside", headerEnd > region.size.extend(to: 34))

        // MARK: The stream, in absolute wide lines (a line of every bank)

        // The data region starts on a bank boundary (DATA_BASE a multiple of 256 bytes).
        let baseWide = p.wide(fromLines: region.baseLine, width: lineBits)
        let regionEnd = m.wire("region_end", resize(baseWide, lineBits + 2) + resize(region.size >> logWide, lineBits + 2))
        let target = m.wire("target_line", baseWide + resize(dispatch.imm >> logWide, lineBits))
        // The line of the next beat to request, and of the beat at the buffer's head.
        let requestLine = m.reg("request_line", .uint(lineBits), reset: 0)
        // (headLine equals requestLine minus the live beats; kept as a register
        // so the dispatch compare has no 32-bit subtract in front of it.)
        let headLine = m.reg("head_line", .uint(lineBits), reset: 0)
        let streamOn = m.reg("stream_on", .bool, reset: false)
        // Beats requested and not yet arrived; of those, beats to drop on arrival (a miss's leftovers).
        let owed = m.reg("owed", .uint(owedBits), reset: 0)
        let discard = m.reg("discard", .uint(owedBits), reset: 0)
        let hit = m.wire("hit", streamOn && headLine == target)
        let restart = m.wire("restart", start && !misaligned && !headerOutside && !hit)

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
        // Entries head and head + 1 (head's in the low bits), one cycle after `head`.
        let readOdd = m.regNext("read_odd", head[0], reset: false)
        let firstEntry = m.wire("first_entry", mux(readOdd, oddRead.data, evenRead.data))
        let pair = m.wire("pair", mux(readOdd, cat(evenRead.data, oddRead.data), cat(oddRead.data, evenRead.data)))

        // Requests: bursts from `requestLine` while the buffer has room for
        // every beat of the stream not consumed yet.
        let live = m.wire("live", (owed - discard).extend(to: owedBits + 1) + resize(buffered, owedBits + 1))
        let linesLeft = m.wire("lines_left", regionEnd - resize(requestLine, lineBits + 2))
        let burstBits = p.burstBits
        // Short bursts inside a small window: enough in flight to cover the
        // memory latency, little enough that a load behind it waits briefly.
        let streamBurst = p.streamBurst
        let burst = m.wire("burst", mux(linesLeft >= lit(streamBurst, width: lineBits + 2), lit(streamBurst, width: burstBits),
                                        linesLeft.truncate(to: burstBits)))
        let wideBurst = burst.extend(to: owedBits + 1)
        let credit = m.wire("credit_ok", live + wideBurst <= lit(depth, width: owedBits + 1)
                            && (owed - discard).extend(to: owedBits + 1) + wideBurst <= lit(p.streamWindowBeats, width: owedBits + 1))
        // A running instruction gets its beats even if the core stopped
        // meanwhile (a fault elsewhere): it must finish to leave the core quiet.
        let requesting = m.wire("requesting", streamOn && (streamEnable || !inPhase(.idle)) && !start && linesLeft != 0 && credit)
        let fire = m.wire("fire", requesting && memory.requestReady)
        memory.requestValid.set(requesting)
        memory.requestLine.set(p.lines(fromWide: requestLine, width: lineBits))
        memory.requestBeats.set(p.lines(fromWide: burst, width: p.wideBurstBits))

        let arrived = mux(memory.responseValid, lit(1, width: owedBits), lit(0, width: owedBits))
        owed.set(owed + mux(fire, burst.extend(to: owedBits), lit(0, width: owedBits)) - arrived)
        m.when(restart) { discard.set(owed - arrived) }
            .elseWhen(memory.responseValid && discard != 0) { discard.set(discard - 1) }
        m.when(restart) { requestLine.set(target) }
            .elseWhen(fire) { requestLine.set(requestLine + burst.extend(to: lineBits)) }
        m.when(push) { tail.set(tail + 1) }

        // A store to a line already requested makes the rest of the stream stale.
        let storeWide = p.wide(fromLines: storeLine, width: lineBits)
        let storeHits = m.wire("store_hits", storeValid && storeWide >= headLine && storeWide < requestLine)

        // MARK: Header checks, the matrix's extent and the scale

        let headerReady = m.wire("header_ready", inPhase(.header) && buffered >= lit(headerBeats, width: countBits))
        m.when(inPhase(.parse)) {
            rows.set(firstEntry[31, 0])
            cols.set(firstEntry[63, 32])
            weightScale.set(firstEntry[95, 64].asSInt)
        }
        let colsNarrow = cols.truncate(to: vlBits)
        let rowsNarrow = rows.truncate(to: vlBits)
        let badLength = m.reg("bad_length", .bool)
        let maxLength = lit(maxVL, width: 32)
        // Column steps per group: ceil(ceil(C / k) / 8) * 8; C / 5 by a reciprocal (exact for C < 2^19).
        let c4 = colsNarrow.extend(to: vlBits + 3) + lit(4, width: vlBits + 3)
        let fifth = m.wire("cols_fifth", (c4 * lit(Self.reciprocalOf5, width: 22)) >> 24)
        let quarter = (colsNarrow.extend(to: vlBits + 3) + lit(3, width: vlBits + 3)) >> 2
        let rawSteps = m.wire("raw_steps", mux(base3, resize(fifth, vlBits + 3), resize(quarter, vlBits + 3)))
        let steps = m.reg("steps", .uint(vlBits + 1))
        let groups = m.reg("groups", .uint(vlBits))
        let multiple = log2(TernaryMatrix.stepMultiple)
        m.when(inPhase(.check)) {
            badLength.set(rows == 0 || rows > maxLength || cols == 0 || cols > maxLength)
            let padded = ((rawSteps + lit(TernaryMatrix.stepMultiple - 1, width: vlBits + 3)) >> multiple) << multiple
            steps.set(resize(padded, vlBits + 1))
            groups.set(resize((rowsNarrow.extend(to: vlBits + 1) + lit(rowsPerGroup - 1, width: vlBits + 1)) >> 6, vlBits))
        }
        // In 64-byte ISA beats: the weights, then the whole matrix with its header.
        let weightIsaBeats = m.reg("weight_isa_beats", .uint(wide))
        m.when(inPhase(.extent)) { weightIsaBeats.set(resize(groups * steps, wide)) }
        let matrixIsaBeats = m.wire("matrix_isa_beats",
                                    weightIsaBeats + lit(TernaryMatrix.headerBytes / TernaryMatrix.beatBytes, width: wide))
        let matrixOutside = m.wire("matrix_outside", resize(address >> 6, wide) + matrixIsaBeats > resize(region.size >> 6, wide))
        // Datapath cycles per group: steps * 64 bytes at `weightBytesPerCycle`.
        let groupBeatBits = vlBits + 3
        let feedBytes = p.weightBytesPerCycle
        let groupSteps = resize(steps, groupBeatBits)
        let groupBeats = m.wire("group_beats", resize(feedBytes >= 64 ? groupSteps >> log2(feedBytes / 64) : groupSteps << log2(64 / feedBytes), groupBeatBits))
        let rangeOK = m.wire("range_ok", inPhase(.range) && !badLength && !matrixOutside)

        let divider = m.instance(FloorDivideBy127(), "scale_divider")
        divider.start.set(inPhase(.check))
        divider.dividend.set((weightScale * activationScale) + slit(63, width: 64))
        let scale = divider.quotient
        let scaleReady = divider.valid

        // MARK: Phase and fault

        let badWeight = m.wire("bad_weight", .bool)
        m.when(start) {
            rd.set(dispatch.rd[p.vregBits - 1, 0])
            ra.set(dispatch.ra[p.vregBits - 1, 0])
            base3.set(dispatch.mode == lit(Int(WeightPacking.base3.rawValue), width: dispatch.mode.width!))
            address.set(dispatch.imm)
            activationScale.set(dispatch.scalar)
            m.when(misaligned) { fault.set(lit(Int(FaultCode.misaligned.rawValue), width: 3)) }
                .elseWhen(headerOutside) { fault.set(lit(Int(FaultCode.addressOutOfRange.rawValue), width: 3)) }
                .otherwise { fault.set(0) }
            phase.set(mux(misaligned || headerOutside, lit(Phase.dispatchFault.rawValue, width: 3),
                          lit(Phase.header.rawValue, width: 3)))
        }.elseWhen(headerReady) {
            setPhase(.parse)
        }.elseWhen(inPhase(.parse)) {
            setPhase(.check)
        }.elseWhen(inPhase(.check)) {
            setPhase(.extent)
        }.elseWhen(inPhase(.extent)) {
            setPhase(.range)
        }.elseWhen(inPhase(.range)) {
            setPhase(.run)
            m.when(badLength) { fault.set(lit(Int(FaultCode.badVectorLength.rawValue), width: 3)) }
                .elseWhen(matrixOutside) { fault.set(lit(Int(FaultCode.addressOutOfRange.rawValue), width: 3)) }
        }.elseWhen(dispatch.done) {
            setPhase(.idle)
        }.elseWhen(badWeight && !faulted) {
            fault.set(lit(Int(FaultCode.badWeight.rawValue), width: 3))
        }

        // The stream runs while the core does; a miss restarts it, a fault,
        // a stale store or a stopped core ends it.
        let faultNow = (inPhase(.range) && (badLength || matrixOutside)) || badWeight
        m.when(restart) { streamOn.set(true) }
            .elseWhen(faultNow || storeHits || (!streamEnable && inPhase(.idle))) { streamOn.set(false) }

        // MARK: Activation copy: register chunks -> gearbox -> words of 5 * stepsPerCycle bytes

        let copy = ActivationCopy(m, p, unit: self, start: start,
                                  active: !inPhase(.idle) && !inPhase(.dispatchFault), base3: base3)
        a.reg.set(ra)
        a.chunk.set(copy.chunk)
        copy.connect(data: a.data)

        // MARK: Consumer: two wide beats per cycle from the buffer into the datapath

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
        let running = inPhase(.run)
        let matrixDone = m.wire("matrix_done", group == groups)
        let lastBeat = m.wire("last_beat", beatInGroup == groupBeats - 1)
        let lastPhase: Signal = stepPhase.map { $0 == lit(phases - 1, width: logPhases) } ?? true
        let wordReady = m.wire("word_ready", columnsLeft == 0 || word.extend(to: copy.wordBits + 1) < copy.wordsWritten)
        // A group's end needs the second bank of sums free when its sums arrive.
        let endPending = m.reg("end_pending", .bool, reset: false)
        let resultFull = m.reg("result_full", .bool, reset: false)
        let endFree = !endPending && !resultFull
        let catchUp = CoreParameters.ternaryCatchUp
        let available = m.wire("available", buffered >= lit(catchUp, width: countBits))
        let feed = m.wire("feed", running && !faulted && !matrixDone && available && wordReady && (!lastBeat || endFree))
        // Entries leave the buffer: the header's after it is parsed, two per datapath cycle.
        let popped = m.wire("popped", mux(inPhase(.parse), lit(headerBeats, width: ptrBits),
                                          mux(feed, lit(catchUp, width: ptrBits), lit(0, width: ptrBits))))
        m.when(restart) { head.set(tail) }.otherwise { head.set(head + popped) }
        m.when(restart) { headLine.set(target) }.otherwise { headLine.set(headLine + resize(popped, lineBits)) }

        let wordColumns = mux(base3, lit(5 * stepsPerCycle, width: vlBits), lit(4 * stepsPerCycle, width: vlBits))
        m.when(rangeOK) {
            group.set(0); beatInGroup.set(0); word.set(0)
            columnsLeft.set(colsNarrow)
            rowsLeft.set(rowsNarrow)
            stepPhase?.set(0)
        }.elseWhen(feed) {
            m.when(lastBeat) {
                group.set(group + 1); beatInGroup.set(0); word.set(0)
                columnsLeft.set(colsNarrow)
                rowsLeft.set(mux(rowsLeft > lit(rowsPerGroup, width: vlBits), rowsLeft - lit(rowsPerGroup, width: vlBits),
                                 lit(0, width: vlBits)))
                stepPhase?.set(0)
            }.otherwise {
                beatInGroup.set(beatInGroup + 1)
                stepPhase?.set(stepPhase! + 1)
                m.when(lastPhase) {
                    word.set(word + 1)
                    columnsLeft.set(mux(columnsLeft > wordColumns, columnsLeft - wordColumns, lit(0, width: vlBits)))
                }
            }
        }
        m.when(start) { endPending.set(false) }
            .elseWhen(feed && lastBeat) { endPending.set(true) }
            .elseWhen(unit.sums_valid) { endPending.set(false) }

        copy.readWord(word)

        // Trits of this beat's word below C, and rows of the group below R.
        let columnValid = m.wire("column_valid", cat((0..<(5 * stepsPerCycle)).reversed().map { t -> Signal in
            let s = t / 5, i = t % 5
            let inWord5 = lit(s * 5 + i, width: vlBits), inWord4 = lit(s * 4 + i, width: vlBits)
            return mux(base3, columnsLeft > inWord5, i < 4 ? columnsLeft > inWord4 : false)
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
        let activationBytes = copy.word.reinterpret(as: .vec(.sint(8), count: wordBytes))
        let arranged = (0..<(5 * stepsPerCycle)).map { t -> Signal in
            let s = t / 5, i = t % 5
            let value = i < 4 ? mux(base3, activationBytes[s * 5 + i], activationBytes[s * 4 + i]) : activationBytes[s * 5 + i]
            return mux(fedColumns[t], value, slit(0, width: 8))
        }
        unit.in_valid.set(fed)
        unit.base3.set(base3)
        unit.in_first.set(fedFirst)
        unit.in_last.set(fedLast)
        if let fedPhase { unit.in_phase.set(fedPhase) }
        unit.weights.set(pair)
        unit.activations.set(vec(arranged))
        unit.column_valid.set(fedColumns)
        unit.row_valid.set(fedRows)
        badWeight.set(unit.bad_weight)
        beat.set(mux(feed, lit(catchUp * p.banks, width: beat.width!), lit(0, width: beat.width!)))

        // MARK: Results: the second bank of sums, rescaled and written a chunk per cycle

        let accBits = datapath.accumulatorBits
        let chunksPerGroup = rowsPerGroup / V
        let logChunks = log2(chunksPerGroup)
        let results = (0..<rowsPerGroup).map { m.reg("result\($0)", .sint(accBits)) }
        let resultGroup = m.reg("result_group", .uint(vlBits))
        let resultRows = m.reg("result_rows", .uint(7))
        let endGroup = m.reg("end_group", .uint(vlBits))
        let endRows = m.reg("end_rows", .uint(7))
        m.when(feed && lastBeat) {
            endGroup.set(group)
            endRows.set(mux(rowsLeft >= lit(rowsPerGroup, width: vlBits), lit(rowsPerGroup, width: 7), rowsLeft.truncate(to: 7)))
        }
        let outChunk = m.reg("out_chunk", .uint(logChunks + 1), reset: 0)
        // The chunk's index within its group of rows (none when a chunk is the whole group).
        let chunkInGroup: Signal? = logChunks == 0 ? nil : outChunk.truncate(to: logChunks)
        // Chunks holding rows below R: ceil(rows / V).
        let outChunks = m.wire("out_chunks", resize((resultRows.extend(to: 8) + lit(V - 1, width: 8)) >> log2(V), logChunks + 1))
        let select = m.wire("select", resultFull && scaleReady)
        let lastChunk = outChunk + 1 == outChunks
        m.when(unit.sums_valid) {
            for (r, s) in zip(results, (0..<rowsPerGroup).map { unit.sums[$0] }) { r.set(s) }
            resultGroup.set(endGroup)
            resultRows.set(endRows)
        }
        m.when(start) { resultFull.set(false) }
            .elseWhen(unit.sums_valid) { resultFull.set(true) }
            .elseWhen(select && lastChunk) { resultFull.set(false) }
        m.when(start) { outChunk.set(0) }
            .elseWhen(select) { outChunk.set(mux(lastChunk, lit(0, width: logChunks + 1), outChunk + 1)) }

        // Write-out pipeline: select, multiply by K, round and saturate.
        let chunkValues = (0..<chunksPerGroup).map { c in vec((0..<V).map { results[c * V + $0] }) }
        let selected = chunkInGroup.map { vec(chunkValues)[$0] } ?? chunkValues[0]
        let laneMask = cat((0..<V).reversed().map { lane in
            let row = chunkInGroup.map { cat($0, lit(lane, width: log2(V))) } ?? lit(lane, width: log2(V))
            return row.extend(to: 7) < resultRows
        })
        let w1Valid = m.regNext("w1_valid", select, reset: false)
        let w1Values = m.regNext("w1_values", selected)
        let w1Mask = m.regNext("w1_mask", laneMask)
        let w1Chunk = m.regNext("w1_chunk", resize(chunkInGroup.map { cat(resultGroup, $0) } ?? resultGroup, p.chunkBits))
        let productBits = accBits + 64
        let w2Valid = m.regNext("w2_valid", w1Valid, reset: false)
        let w2Products = (0..<V).map { m.regNext("w2_product\($0)", w1Values[$0] * scale) }
        let w2Mask = m.regNext("w2_mask", w1Mask)
        let w2Chunk = m.regNext("w2_chunk", w1Chunk)
        let half = slit(1 << (p.isa.fracBits - 1), width: productBits)
        let rounded = w2Products.enumerated().map { lane, product in
            m.wire("rounded\(lane)", product.expandingAdd(half) >> p.isa.fracBits)
        }
        let w3Valid = m.regNext("w3_valid", w2Valid, reset: false)
        let w3Values = m.regNext("w3_values", vec(rounded.map(saturatedToInt32)))
        let w3Saturated = m.regNext("w3_saturated", cat(rounded.map(exceedsInt32).reversed()))
        let w3Mask = m.regNext("w3_mask", w2Mask)
        let w3Chunk = m.regNext("w3_chunk", w2Chunk)

        let write = m.wire("write", w3Valid && running && !faulted)
        w.valid.set(write)
        w.reg.set(rd)
        w.chunk.set(w3Chunk)
        w.mask.set(w3Mask)
        w.data.set(w3Values)

        let digest = m.instance(DigestAccumulator(lanes: V), "digest_sum")
        digest.clear.set(start)
        digest.valid.set(write)
        digest.base.set(resize(w3Chunk, 32 - log2(V)) << log2(V))
        digest.mask.set(w3Mask)
        digest.data.set(w3Values)
        digest.saturated.set(w3Saturated)

        // MARK: Completion

        let quiet = m.wire("quiet", !fed && !unit.busy && !endPending && !resultFull && !w1Valid && !w2Valid && !w3Valid)
        let finished = m.wire("finished", running && quiet && (faulted || matrixDone))
        dispatch.done.set(inPhase(.dispatchFault) || finished)
        dispatch.idle.set(inPhase(.idle))
        dispatch.doneFault.set(fault)
        dispatch.doneCount.set(mux(faulted, lit(0, width: 32), digest.next_count))
        dispatch.doneDigest.set(mux(faulted, lit(0, width: 32), digest.next_digest))
        dispatch.doneSaturations.set(mux(faulted, lit(0, width: 32), digest.next_saturations))
        dispatch.doneScalar.set(slit(0, width: 32))
    }

    /// `ceil(2^24 / 5)`: `(x * this) >> 24 = floor(x / 5)` for every x < 2^22
    /// (5 * this = 2^24 + 4), far above any column count.
    public static let reciprocalOf5 = 3_355_444
}
