import HDL
import HDLLib
import ISA

/// The execution unit of `tmatmul vd, va, sb, addr` (docs/core.md's unit
/// contract): dispatch, data region, a wide memory read client (a beat of
/// every bank per cycle: W = beatBytes * banks weight bytes), register read
/// port `a` (activation copy), write port `w`, digest, and `beat`, the
/// core beats of weights the datapath consumed this cycle (0 or banks).
///
/// Flow, with the interpreter's fault order:
/// 1. Dispatch: `misaligned` (addr % 256), then `address-out-of-range` for
///    the 256-byte header; either ends the instruction without a memory
///    access. Otherwise one burst reads the header and, speculatively, the
///    beats after it, with one more burst every `maxBurst` cycles until the
///    header arrives (never past the data region, at most
///    `outstandingBeats`), so the weights follow the header without a
///    second memory latency; beats past the matrix are dropped. At the same
///    time the activation copy starts: va's chunks, low 8 bits of each
///    element, through a gearbox into words of k * steps-per-cycle bytes,
///    so the consumer reads a cycle's activations in one access.
/// 2. Header (rows R, cols C, scale ws): `bad-vector-length`, then the whole
///    matrix against `data_size`; `K = floor((ws * sb + 63) / 127)` starts
///    in a small divider. The rest of the matrix is requested in bursts
///    while at most `outstandingBeats` wide beats are requested and not yet
///    consumed: that credit is the response buffer.
/// 3. Every wide beat of every row group streams through the response
///    buffer into the `TernaryGroupDatapath`, one per cycle; after a fault,
///    and past the matrix, beats are dropped at one per cycle. At the end of
///    a group its 64 sums move to a second bank of registers and are
///    rescaled and written (rows below R, a register chunk per cycle) while
///    the next group accumulates.
/// 4. `done` once every requested beat has arrived, every group is written
///    (or a fault stopped the instruction) and nothing is in flight.
public struct TernaryUnit: Module {
    public let params: CoreParameters

    public init(params: CoreParameters) { self.params = params }

    public var name: String { "TernaryUnit" }
    public var parameters: [Parameter] {
        [Parameter("D", params.dataBits), Parameter("BK", params.banks), Parameter("N", params.isa.maxVectorLength),
         Parameter("V", params.isa.vectorRegisters), Parameter("F", params.isa.fracBits),
         Parameter("B", params.maxBurst), Parameter("O", params.outstandingBeats)]
    }

    // MARK: - Derived sizes

    /// Weight bytes per cycle (one wide beat).
    var wideBytes: Int { params.weightBytesPerCycle }
    var datapath: TernaryGroupDatapath {
        TernaryGroupDatapath(bytes: wideBytes,
                             accumulatorBits: TernaryGroupDatapath.accumulatorBits(maxColumns: params.isa.maxVectorLength))
    }
    /// Column steps per wide beat, rows per wide beat, wide beats per step.
    var stepsPerBeat: Int { datapath.steps }
    var phases: Int { datapath.phases }
    /// Wide beats of the 256-byte header.
    var headerBeats: Int { TernaryMatrix.headerBytes / wideBytes }
    /// Activation word: 5 bytes per step (4 used in 2-bit packing).
    var wordBytes: Int { 5 * stepsPerBeat }
    /// Words of the activation memory: every step of the longest 2-bit row.
    var activationWords: Int { TernaryMatrix.steps(cols: params.isa.maxVectorLength, packing: .twoBit) / stepsPerBeat }
    /// The gearbox from register chunks to activation words: a ring of
    /// `gearboxBytes` (a multiple of the chunk, room for a word and two chunks).
    var gearboxBytes: Int {
        var n = params.vectorLanes
        while n < wordBytes + 2 * params.vectorLanes { n *= 2 }
        return n
    }
    /// Chunks fed to the gearbox: the register, then zeros for the last word.
    var copyChunks: Int { params.chunksPerRegister + (wordBytes + params.vectorLanes - 1) / params.vectorLanes }
    /// Wide beats requested with the header before its contents are known.
    var prefetchBeats: Int { Swift.max(params.maxBurst, headerBeats) }
    /// While the header is awaited, one more burst is requested every
    /// `maxBurst` cycles (the rate the datapath would consume them), up to
    /// this many wide beats: a long memory latency then leaves no gap
    /// between the first prefetched beats and the rest of the matrix, and a
    /// small matrix wastes at most about one latency's worth of beats.
    var speculationLimit: Int { Swift.max(params.outstandingBeats, prefetchBeats) }

    public func build(_ m: ModuleBuilder) {
        let p = params
        guard m.require(p.problems.isEmpty, "bad core parameters: \(p.problems.joined(separator: "; "))") else { return }

        let dispatch = DispatchPort(m, p)
        let region = DataRegionPort(m, p)
        let memory = MemoryReadClient(m, p, wide: true)
        let a = RegisterReadPort(m, "a", p)
        let w = RegisterWritePort(m, "w", p)
        let beat = m.output("beat", .uint(CSRSlave.weightBeatBits(p)))

        let maxVL = p.isa.maxVectorLength
        let vlBits = p.vlBits
        let logWide = log2(wideBytes)
        let logBanks = log2(p.banks)
        let depth = p.outstandingBeats
        let ptrBits = addressWidth(depth) + 1
        let rowsPerGroup = TernaryMatrix.groupRows
        let V = p.vectorLanes
        let wide = 40

        // MARK: State

        // idle -> (dispatch fault: done next cycle) or header -> check -> extent -> range -> run.
        enum Phase: Int { case idle = 0, dispatchFault, header, check, extent, range, run }
        let phase = m.reg("phase", .uint(3), reset: 0)
        func inPhase(_ s: Phase) -> Signal { phase == lit(s.rawValue, width: 3) }
        func setPhase(_ s: Phase) { phase.set(lit(s.rawValue, width: 3)) }
        let fault = m.reg("fault", .uint(DispatchPort.faultBits), reset: 0)
        let rd = m.reg("destination", .uint(p.vregBits))
        let ra = m.reg("source", .uint(p.vregBits))
        let base3 = m.reg("base3", .bool, reset: false)
        let address = m.reg("address", .uint(32))
        let activationScale = m.reg("activation_scale", .sint(32))
        let rows = m.reg("rows", .uint(32))
        let cols = m.reg("cols", .uint(32))
        let weightScale = m.reg("weight_scale", .sint(32))
        // Wide beats from the header's on that are requested or still to be requested.
        let planned = m.reg("planned", .uint(32))
        let regionLeft = m.reg("region_left", .uint(34))
        let start = dispatch.start

        // MARK: Dispatch checks (the interpreter's order)

        let misaligned = m.wire("misaligned", dispatch.imm[7, 0] != 0)
        let headerEnd = m.wire("header_end", dispatch.imm.extend(to: 34) + lit(TernaryMatrix.headerBytes, width: 34))
        let headerOutside = m.wire("header_outside", headerEnd > region.size.extend(to: 34))
        let regionBeats = region.size >> logWide
        let headerIndex = dispatch.imm >> logWide
        let beatsFromHeader = m.wire("beats_from_header",
                                     resize(regionBeats, 34) - resize(headerIndex, 34))
        let firstRequest = m.wire("first_request",
                                  mux(beatsFromHeader > lit(prefetchBeats, width: 34), lit(prefetchBeats, width: 34),
                                      beatsFromHeader).truncate(to: 32))

        // MARK: Memory requests, in wide beats (line = wide line * banks)

        let requestLine = m.reg("request_line", .uint(p.lineBits))
        let requestLeft = m.reg("request_left", .uint(32), reset: 0)
        // Wide beats requested and not yet consumed (in flight or in the buffer).
        let inFlight = m.reg("in_flight", .uint(ptrBits), reset: 0)
        let burstBits = p.burstBits
        let burst = m.wire("burst", mux(requestLeft >= lit(p.maxBurst, width: 32), lit(p.maxBurst, width: burstBits),
                                        requestLeft.truncate(to: burstBits)))
        let credit = m.wire("credit_ok", inFlight.extend(to: ptrBits + 1) + burst.extend(to: ptrBits + 1)
                                <= lit(depth, width: ptrBits + 1))
        let requesting = m.wire("requesting", requestLeft != 0 && credit)
        let fire = m.wire("fire", requesting && memory.requestReady)
        memory.requestValid.set(requesting)
        memory.requestLine.set(logBanks == 0 ? requestLine : (requestLine << logBanks).truncate(to: p.lineBits))
        memory.requestBeats.set(logBanks == 0 ? resize(burst, p.wideBurstBits) : resize(resize(burst, p.wideBurstBits) << logBanks, p.wideBurstBits))
        // The data region starts on a bank boundary (DATA_BASE a multiple of 256 bytes).
        let baseWide = logBanks == 0 ? region.baseLine : region.baseLine >> logBanks
        m.when(start) { requestLine.set(resize(baseWide, p.lineBits) + resize(headerIndex, p.lineBits)) }
            .elseWhen(fire) { requestLine.set(requestLine + burst.extend(to: p.lineBits)) }

        // MARK: Responses: the header's beats, then the buffer

        let headerLeft = m.reg("header_left", .uint(addressWidth(headerBeats + 1)), reset: 0)
        let inHeader = m.wire("in_header", headerLeft != 0)
        let isHeader = m.wire("is_header", memory.responseValid && headerLeft == lit(headerBeats, width: headerLeft.width!))
        let headerBeat = m.wire("header_beat", memory.responseValid && inHeader)
        m.when(start) { headerLeft.set(lit(headerBeats, width: headerLeft.width!)) }
            .elseWhen(headerBeat) { headerLeft.set(headerLeft - 1) }
        m.when(isHeader) {
            rows.set(memory.responseData[31, 0])
            cols.set(memory.responseData[63, 32])
            weightScale.set(memory.responseData[95, 64].asSInt)
        }

        let buffer = m.memory("beats", depth: depth, of: .uint(8 * wideBytes), readLatency: 1)
        let head = m.reg("head", .uint(ptrBits), reset: 0)
        let tail = m.reg("tail", .uint(ptrBits), reset: 0)
        let push = m.wire("push", memory.responseValid && !inHeader)
        let bufferWrite = buffer.write()
        bufferWrite.enable.set(push)
        bufferWrite.address.set(tail[ptrBits - 2, 0])
        bufferWrite.data.set(memory.responseData)
        m.when(push) { tail.set(tail + 1) }
        let available = m.wire("available", head != tail)
        let bufferRead = buffer.read()
        bufferRead.address.set(head[ptrBits - 2, 0])

        // MARK: Header checks, the matrix's extent and the scale

        let colsNarrow = cols.truncate(to: vlBits)
        let rowsNarrow = rows.truncate(to: vlBits)
        let badLength = m.reg("bad_length", .bool)
        let maxLength = lit(maxVL, width: 32)
        // Column steps per group: ceil(ceil(C / k) / 4) * 4; C / 5 by a reciprocal (exact for C < 2^19).
        let c4 = colsNarrow.extend(to: vlBits + 3) + lit(4, width: vlBits + 3)
        let fifth = m.wire("cols_fifth", (c4 * lit(Self.reciprocalOf5, width: 22)) >> 24)
        let quarter = (colsNarrow.extend(to: vlBits + 3) + lit(3, width: vlBits + 3)) >> 2
        let rawSteps = m.wire("raw_steps", mux(base3, resize(fifth, vlBits + 3), resize(quarter, vlBits + 3)))
        let steps = m.reg("steps", .uint(vlBits + 1))
        let groups = m.reg("groups", .uint(vlBits))
        m.when(inPhase(.check)) {
            badLength.set(rows == 0 || rows > maxLength || cols == 0 || cols > maxLength)
            let padded = ((rawSteps + lit(3, width: vlBits + 3)) >> 2) << 2
            steps.set(resize(padded, vlBits + 1))
            groups.set(resize((rowsNarrow.extend(to: vlBits + 1) + lit(rowsPerGroup - 1, width: vlBits + 1)) >> 6, vlBits))
        }
        // In 64-byte ISA beats: the weights, then the whole matrix with its header.
        let weightIsaBeats = m.reg("weight_isa_beats", .uint(wide))
        m.when(inPhase(.extent)) { weightIsaBeats.set(resize(groups * steps, wide)) }
        let matrixIsaBeats = m.wire("matrix_isa_beats",
                                    weightIsaBeats + lit(TernaryMatrix.headerBytes / TernaryMatrix.beatBytes, width: wide))
        let matrixOutside = m.wire("matrix_outside", resize(address >> 6, wide) + matrixIsaBeats > resize(region.size >> 6, wide))
        func isaToWide(_ x: Signal) -> Signal {
            wideBytes >= 64 ? x >> log2(wideBytes / 64) : resize(x << log2(64 / wideBytes), wide)
        }
        let matrixBeats = m.wire("matrix_beats", resize(isaToWide(matrixIsaBeats), 32))
        let extra = m.wire("extra_beats", mux(matrixBeats > planned, matrixBeats - planned, lit(0, width: 32)))
        // Wide beats per group.
        let groupBeatBits = vlBits + 3
        let groupBeats = m.wire("group_beats", resize(isaToWide(steps.extend(to: wide)), groupBeatBits))

        // Speculation while the header is awaited (see `speculationLimit`).
        let timerBits = Swift.max(1, log2(p.maxBurst))
        let speculationTimer = m.reg("speculation_timer", .uint(timerBits), reset: 0)
        m.when(start || speculationTimer == lit(p.maxBurst - 1, width: timerBits)) { speculationTimer.set(0) }
            .otherwise { speculationTimer.set(speculationTimer + 1) }
        let plannedWide = planned.extend(to: 34)
        let speculate = m.wire("speculate", inPhase(.header) && speculationTimer == lit(p.maxBurst - 1, width: timerBits)
                               && plannedWide < lit(speculationLimit, width: 34) && plannedWide < regionLeft)
        let regionAfter = regionLeft - plannedWide
        let speculative = m.wire("speculative_beats",
                                 mux(speculate, mux(regionAfter > lit(p.maxBurst, width: 34), lit(p.maxBurst, width: 34),
                                                    regionAfter).truncate(to: 32), lit(0, width: 32)))
        m.when(start) { planned.set(firstRequest) }.otherwise { planned.set(planned + speculative) }
        let rangeOK = m.wire("range_ok", inPhase(.range) && !badLength && !matrixOutside)

        let divider = m.instance(FloorDivideBy127(), "scale_divider")
        divider.start.set(inPhase(.check))
        divider.dividend.set((weightScale * activationScale) + slit(63, width: 64))
        let scale = divider.quotient
        let scaleReady = divider.valid

        // MARK: Phase and fault

        let badWeight = m.wire("bad_weight", .bool)
        let faulted = fault != 0
        m.when(start) {
            rd.set(dispatch.rd[p.vregBits - 1, 0])
            ra.set(dispatch.ra[p.vregBits - 1, 0])
            base3.set(dispatch.mode == lit(Int(WeightPacking.base3.rawValue), width: dispatch.mode.width!))
            address.set(dispatch.imm)
            activationScale.set(dispatch.scalar)
            regionLeft.set(beatsFromHeader)
            m.when(misaligned) { fault.set(lit(Int(FaultCode.misaligned.rawValue), width: 3)) }
                .elseWhen(headerOutside) { fault.set(lit(Int(FaultCode.addressOutOfRange.rawValue), width: 3)) }
                .otherwise { fault.set(0) }
            phase.set(mux(misaligned || headerOutside, lit(Phase.dispatchFault.rawValue, width: 3),
                          lit(Phase.header.rawValue, width: 3)))
        }.elseWhen(inPhase(.header) && isHeader) {
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

        // Requests: the header burst at dispatch, the rest of the matrix once
        // its extent is known; none after a fault (once a request on offer
        // has been taken, so a request never disappears unanswered).
        let headerRequest = m.wire("header_request", start && !misaligned && !headerOutside)
        let requestTaken = mux(fire, burst.extend(to: 32), lit(0, width: 32))
        let holding = requesting && !memory.requestReady
        m.when(start) {
            requestLeft.set(mux(headerRequest, firstRequest, lit(0, width: 32)))
        }.elseWhen(faulted && !holding) {
            requestLeft.set(0)
        }.otherwise {
            requestLeft.set(requestLeft - requestTaken + mux(rangeOK, extra, lit(0, width: 32)) + speculative)
        }

        // MARK: Activation copy: register chunks -> gearbox -> words of 5 * stepsPerBeat bytes

        let copy = ActivationCopy(m, p, unit: self, start: start,
                                  active: !inPhase(.idle) && !inPhase(.dispatchFault), base3: base3)
        a.reg.set(ra)
        a.chunk.set(copy.chunk)
        copy.connect(data: a.data)

        // MARK: Consumer: one wide beat per cycle from the buffer into the datapath

        let unit = m.instance(datapath, "group_datapath")

        let logPhases = log2(phases)
        let group = m.reg("group", .uint(vlBits), reset: 0)
        let beatInGroup = m.reg("beat_in_group", .uint(groupBeatBits), reset: 0)
        let word = m.reg("word", .uint(copy.wordBits), reset: 0)
        let stepPhase = logPhases > 0 ? m.reg("step_phase", .uint(logPhases), reset: 0) : nil
        // Columns of the group left from this word's first: C - word * k * stepsPerBeat.
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
        let feed = m.wire("feed", running && !faulted && !matrixDone && available && wordReady && (!lastBeat || endFree))
        let pop = m.wire("pop", running && available && (faulted || matrixDone || feed))
        m.when(pop) { head.set(head + 1) }
        let freed = mux(pop, lit(1, width: ptrBits), lit(0, width: ptrBits))
            + mux(headerBeat, lit(1, width: ptrBits), lit(0, width: ptrBits))
        inFlight.set(inFlight + mux(fire, burst.extend(to: ptrBits), lit(0, width: ptrBits)) - freed)

        let wordColumns = mux(base3, lit(5 * stepsPerBeat, width: vlBits), lit(4 * stepsPerBeat, width: vlBits))
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
        let columnValid = m.wire("column_valid", cat((0..<(5 * stepsPerBeat)).reversed().map { t -> Signal in
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
        let arranged = (0..<(5 * stepsPerBeat)).map { t -> Signal in
            let s = t / 5, i = t % 5
            let value = i < 4 ? mux(base3, activationBytes[s * 5 + i], activationBytes[s * 4 + i]) : activationBytes[s * 5 + i]
            return mux(fedColumns[t], value, slit(0, width: 8))
        }
        unit.in_valid.set(fed)
        unit.base3.set(base3)
        unit.in_first.set(fedFirst)
        unit.in_last.set(fedLast)
        if let fedPhase { unit.in_phase.set(fedPhase) }
        unit.weights.set(bufferRead.data)
        unit.activations.set(vec(arranged))
        unit.column_valid.set(fedColumns)
        unit.row_valid.set(fedRows)
        badWeight.set(unit.bad_weight)
        beat.set(mux(feed, lit(p.banks, width: beat.width!), lit(0, width: beat.width!)))

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
        let selected = chunksPerGroup == 1 ? chunkValues[0] : vec(chunkValues)[outChunk.truncate(to: logChunks)]
        let laneMask = cat((0..<V).reversed().map { lane in
            cat(outChunk.truncate(to: logChunks), lit(lane, width: log2(V))).extend(to: 7) < resultRows
        })
        let w1Valid = m.regNext("w1_valid", select, reset: false)
        let w1Values = m.regNext("w1_values", selected)
        let w1Mask = m.regNext("w1_mask", laneMask)
        let w1Chunk = m.regNext("w1_chunk", resize(cat(resultGroup, outChunk.truncate(to: logChunks)), p.chunkBits))
        let productBits = accBits + 64
        let w2Valid = m.regNext("w2_valid", w1Valid, reset: false)
        let w2Products = (0..<V).map { m.regNext("w2_product\($0)", w1Values[$0] * scale) }
        let w2Mask = m.regNext("w2_mask", w1Mask)
        let w2Chunk = m.regNext("w2_chunk", w1Chunk)
        let half = slit(1 << (p.isa.fracBits - 1), width: productBits)
        let outputs = w2Products.enumerated().map { (lane, product) -> Signal in
            let rounded = m.wire("rounded\(lane)", product.expandingAdd(half) >> p.isa.fracBits)
            let rw = rounded.width!
            return mux(rounded > slit(Int(Int32.max), width: rw), slit(Int(Int32.max), width: 32),
                       mux(rounded < slit(Int(Int32.min), width: rw), slit(Int(Int32.min), width: 32), rounded.truncate(to: 32)))
        }
        let w3Valid = m.regNext("w3_valid", w2Valid, reset: false)
        let w3Values = m.regNext("w3_values", vec(outputs))
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

        // MARK: Completion

        let quiet = m.wire("quiet", !fed && !unit.busy && !endPending && !resultFull && !w1Valid && !w2Valid && !w3Valid)
        let drained = m.wire("drained", requestLeft == 0 && inFlight == 0)
        let finished = m.wire("finished", running && drained && quiet && (faulted || matrixDone))
        dispatch.done.set(inPhase(.dispatchFault) || finished)
        dispatch.idle.set(inPhase(.idle))
        dispatch.doneFault.set(fault)
        dispatch.doneCount.set(mux(faulted, lit(0, width: 32), digest.next_count))
        dispatch.doneDigest.set(mux(faulted, lit(0, width: 32), digest.next_digest))
        dispatch.doneScalar.set(slit(0, width: 32))
    }

    /// `ceil(2^24 / 5)`: `(x * this) >> 24 = floor(x / 5)` for every x < 2^22
    /// (5 * this = 2^24 + 4), far above any column count.
    public static let reciprocalOf5 = 3_355_444
}

/// Exact log2 of a power of two.
func log2(_ n: Int) -> Int { n.trailingZeroBitCount }

/// `s` zero- or sign-extended, or cut, to `width` bits (for values known to fit).
func resize(_ s: Signal, _ width: Int) -> Signal {
    let w = s.width!
    return w == width ? s : w < width ? s.extend(to: width) : s.truncate(to: width)
}
