import HDL
import HDLLib
import ISA

/// The execution unit of `tmatmul vd, va, sb, addr` (docs/core.md's unit
/// contract): dispatch, data region, memory read client, register read port
/// `a` (activation copy), write port `w` (one element per row), digest, and
/// `beat`, high in each cycle the row datapath takes a slice of weights.
///
/// Flow, with the interpreter's fault order:
/// 1. Dispatch: `misaligned` (addr % 64), then `address-out-of-range` for the
///    64-byte header; either ends the instruction without a memory access.
///    Otherwise one burst reads the header and, speculatively, the beats
///    after it, with one more burst every `maxBurst` cycles until the header
///    arrives (never past the data region, at most `outstandingBeats`), so
///    the weights follow the header without a second memory latency; beats
///    past the matrix are dropped. At the same time the
///    activation copy starts: va's chunks, low 8 bits of each element, into
///    a local memory of `lanes` int8 per word, so the row datapath reads a
///    slice's activations in one access.
/// 2. Header (rows R, cols C, scale ws): `bad-vector-length`, then the whole
///    matrix against `data_size`; `K = floor((ws * sb + 63) / 127)` starts
///    in a small divider. The rest of the matrix is requested in bursts of
///    up to `maxBurst` beats while at most `outstandingBeats` beats are
///    requested and not yet consumed: that credit is the response buffer.
/// 3. Every beat of every row streams through the response buffer into the
///    `TernaryRowUnit`, one `lanes`-wide slice per cycle; beats of a row's
///    padding past column C, speculative beats past the matrix, and (after
///    a fault) every beat are dropped at one per cycle. Row results are
///    written as they leave the row unit.
/// 4. `done` once every requested beat has arrived and every row (or, after
///    a `bad-weight`, the row in progress) has left the row unit.
///
/// Rows are laid out in 512-bit ISA beats (stride `ceil(C / 256) * 64`
/// bytes) whatever the core's data width; with narrower beats one ISA beat
/// is several core beats.
public struct TernaryUnit: Module {
    public let params: CoreParameters
    /// Pipeline registers of the row unit's adder tree (see `TernaryRowUnit`).
    public let registerAbove: Int

    public init(params: CoreParameters, registerAbove: Int = 16) {
        self.params = params
        self.registerAbove = registerAbove
    }

    public var name: String { "TernaryUnit" }
    public var parameters: [Parameter] {
        [Parameter("D", params.dataBits), Parameter("L", params.lanes), Parameter("N", params.isa.maxVectorLength),
         Parameter("V", params.isa.vectorRegisters), Parameter("F", params.isa.fracBits),
         Parameter("B", params.maxBurst), Parameter("O", params.outstandingBeats), Parameter("R", registerAbove)]
    }

    var rowUnit: TernaryRowUnit { TernaryRowUnit(lanes: params.lanes, fracBits: params.isa.fracBits, registerAbove: registerAbove) }

    // MARK: - Derived sizes

    var beatBytes: Int { params.dataBits / 8 }
    /// Core beats per 512-bit ISA beat (the header is one ISA beat).
    var beatsPerIsaBeat: Int { TernaryMatrix.beatBytes / beatBytes }
    var tritsPerBeat: Int { params.dataBits / 2 }
    /// Row-unit slices per core beat.
    var slicesPerBeat: Int { tritsPerBeat / params.lanes }
    /// Register-file chunks per activation word.
    var chunksPerWord: Int { params.lanes / params.vectorLanes }
    var activationWords: Int { params.isa.maxVectorLength / params.lanes }
    /// Beats requested with the header before its contents are known.
    var prefetchBeats: Int { Swift.max(params.maxBurst, beatsPerIsaBeat) }
    /// While the header is awaited, one more burst is requested every
    /// `maxBurst` cycles (the rate the row unit would consume them), up to
    /// this many beats: a long memory latency then leaves no gap between
    /// the first prefetched beats and the rest of the matrix, and a small
    /// matrix wastes at most about one latency's worth of beats.
    var speculationLimit: Int { Swift.max(params.outstandingBeats, prefetchBeats) }

    public func build(_ m: ModuleBuilder) {
        let p = params
        // CoreParameters.problems covers what this unit needs: 128...512-bit
        // beats, lanes covering a chunk, at least two activation words.
        guard m.require(p.problems.isEmpty, "bad core parameters: \(p.problems.joined(separator: "; "))") else { return }

        let dispatch = DispatchPort(m, p)
        let region = DataRegionPort(m, p)
        let memory = MemoryReadClient(m, p)
        let a = RegisterReadPort(m, "a", p)
        let w = RegisterWritePort(m, "w", p)
        let beat = m.output("beat", .bool)

        let maxVL = p.isa.maxVectorLength
        let vlBits = p.vlBits
        let logBeatBytes = log2(beatBytes)
        let depth = p.outstandingBeats
        let ptrBits = addressWidth(depth) + 1
        let wide = 40

        // MARK: State

        // idle -> (dispatch fault: done next cycle) or header -> check -> range -> run.
        enum Phase: Int { case idle = 0, dispatchFault, header, check, range, run }
        let phase = m.reg("phase", .uint(3), reset: 0)
        func inPhase(_ s: Phase) -> Signal { phase == lit(s.rawValue, width: 3) }
        let fault = m.reg("fault", .uint(DispatchPort.faultBits), reset: 0)
        let rd = m.reg("destination", .uint(p.vregBits))
        let ra = m.reg("source", .uint(p.vregBits))
        let address = m.reg("address", .uint(32))
        let activationScale = m.reg("activation_scale", .sint(32))
        let rows = m.reg("rows", .uint(32))
        let cols = m.reg("cols", .uint(32))
        let weightScale = m.reg("weight_scale", .sint(32))
        // Beats from the header's line on that are requested or still to be requested.
        let planned = m.reg("planned", .uint(32))
        let regionLeft = m.reg("region_left", .uint(34))
        let start = dispatch.start

        // MARK: Dispatch checks (the interpreter's order)

        let misaligned = m.wire("misaligned", dispatch.imm[5, 0] != 0)
        let headerEnd = m.wire("header_end", dispatch.imm.extend(to: 34) + lit(TernaryMatrix.headerBytes, width: 34))
        let headerOutside = m.wire("header_outside", headerEnd > region.size.extend(to: 34))
        let regionBeats = region.size >> logBeatBytes
        let headerIndex = dispatch.imm >> logBeatBytes
        let beatsFromHeader = m.wire("beats_from_header",
                                     regionBeats.extend(to: 34) - headerIndex.extend(to: 34))
        let firstRequest = m.wire("first_request",
                                  mux(beatsFromHeader > lit(prefetchBeats, width: 34), lit(prefetchBeats, width: 34),
                                      beatsFromHeader).truncate(to: 32))

        // MARK: Memory requests

        let requestLine = m.reg("request_line", .uint(p.lineBits))
        let requestLeft = m.reg("request_left", .uint(32), reset: 0)
        // Beats requested and not yet consumed (in flight or in the buffer).
        let inFlight = m.reg("in_flight", .uint(ptrBits), reset: 0)
        let burst = m.wire("burst", mux(requestLeft >= lit(p.maxBurst, width: 32), lit(p.maxBurst, width: p.burstBits),
                                        requestLeft.truncate(to: p.burstBits)))
        let credit = m.wire("credit_ok", inFlight.extend(to: ptrBits + 1) + burst.extend(to: ptrBits + 1)
                                <= lit(depth, width: ptrBits + 1))
        let requesting = m.wire("requesting", requestLeft != 0 && credit)
        let fire = m.wire("fire", requesting && memory.requestReady)
        memory.requestValid.set(requesting)
        memory.requestLine.set(requestLine)
        memory.requestBeats.set(burst)
        m.when(start) { requestLine.set(region.baseLine + resize(headerIndex, p.lineBits)) }
            .elseWhen(fire) { requestLine.set(requestLine + burst.extend(to: p.lineBits)) }

        // MARK: Responses: the header's beats, then the buffer

        let headerLeft = m.reg("header_left", .uint(addressWidth(beatsPerIsaBeat + 1)), reset: 0)
        let inHeader = m.wire("in_header", headerLeft != 0)
        let isHeader = m.wire("is_header", memory.responseValid && headerLeft == lit(beatsPerIsaBeat, width: headerLeft.width!))
        let headerBeat = m.wire("header_beat", memory.responseValid && inHeader)
        m.when(start) { headerLeft.set(lit(beatsPerIsaBeat, width: headerLeft.width!)) }
            .elseWhen(headerBeat) { headerLeft.set(headerLeft - 1) }
        m.when(isHeader) {
            rows.set(memory.responseData[31, 0])
            cols.set(memory.responseData[63, 32])
            weightScale.set(memory.responseData[95, 64].asSInt)
        }

        let buffer = m.memory("beats", depth: depth, of: .uint(p.dataBits), readLatency: 1)
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

        // MARK: Header checks and the scale

        let colsNarrow = cols.truncate(to: vlBits)
        let rowsNarrow = rows.truncate(to: vlBits)
        let badLength = m.reg("bad_length", .bool)
        let isaBeats = m.wire("isa_beats", (colsNarrow.extend(to: vlBits + 9) + lit(255, width: vlBits + 9)) >> 8)
        let matrixIsaBeats = m.reg("matrix_isa_beats", .uint(wide))
        let maxLength = lit(maxVL, width: 32)
        m.when(inPhase(.check)) {
            badLength.set(rows == 0 || rows > maxLength || cols == 0 || cols > maxLength)
            matrixIsaBeats.set((rowsNarrow * isaBeats).extend(to: wide) + lit(1, width: wide))
        }
        let matrixEnd = m.wire("matrix_end", (address >> 6).extend(to: wide) + matrixIsaBeats)
        let matrixOutside = m.wire("matrix_outside", matrixEnd > (region.size >> 6).extend(to: wide))
        let matrixBeats = m.wire("matrix_beats", resize(matrixIsaBeats << log2(beatsPerIsaBeat), 32))
        let extra = m.wire("extra_beats", mux(matrixBeats > planned, matrixBeats - planned, lit(0, width: 32)))

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

        // Per-row geometry, from C (ready for the range phase).
        let strideBeats = m.reg("stride_beats", .uint(vlBits + 4))
        let lastSlice = m.reg("last_slice", .uint(vlBits))
        let lastMask = m.reg("last_mask", .uint(p.lanes))
        let logLanes = log2(p.lanes)
        let logSlices = log2(slicesPerBeat)
        m.when(inPhase(.check)) {
            strideBeats.set(resize(isaBeats << log2(beatsPerIsaBeat), vlBits + 4))
            lastSlice.set(resize((colsNarrow - 1) >> logLanes, vlBits))
            let columnsInLast = colsNarrow[logLanes - 1, 0]
            let ones = ~lit(0, width: p.lanes)
            lastMask.set(mux(columnsInLast == 0, ones, ~(ones << columnsInLast.extend(to: logLanes + 1))))
        }
        let lastBeat = logSlices > 0 ? lastSlice >> logSlices : lastSlice

        // MARK: Phase and fault

        let badWeight = m.wire("bad_weight", .bool)
        let faulted = fault != 0
        m.when(start) {
            rd.set(dispatch.rd[p.vregBits - 1, 0])
            ra.set(dispatch.ra[p.vregBits - 1, 0])
            address.set(dispatch.imm)
            activationScale.set(dispatch.scalar)
            regionLeft.set(beatsFromHeader)
            m.when(misaligned) { fault.set(lit(Int(FaultCode.misaligned.rawValue), width: 3)) }
                .elseWhen(headerOutside) { fault.set(lit(Int(FaultCode.addressOutOfRange.rawValue), width: 3)) }
                .otherwise { fault.set(0) }
            phase.set(mux(misaligned || headerOutside, lit(Phase.dispatchFault.rawValue, width: 3),
                          lit(Phase.header.rawValue, width: 3)))
        }.elseWhen(inPhase(.header) && isHeader) {
            phase.set(lit(Phase.check.rawValue, width: 3))
        }.elseWhen(inPhase(.check)) {
            phase.set(lit(Phase.range.rawValue, width: 3))
        }.elseWhen(inPhase(.range)) {
            phase.set(lit(Phase.run.rawValue, width: 3))
            m.when(badLength) { fault.set(lit(Int(FaultCode.badVectorLength.rawValue), width: 3)) }
                .elseWhen(matrixOutside) { fault.set(lit(Int(FaultCode.addressOutOfRange.rawValue), width: 3)) }
        }.elseWhen(dispatch.done) {
            phase.set(lit(Phase.idle.rawValue, width: 3))
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

        // MARK: Activation copy

        let copyChunk = m.reg("copy_chunk", .uint(p.chunkBits + 1), reset: 0)
        let copyLimit = m.reg("copy_limit", .uint(p.chunkBits + 1), reset: 0)
        let copying = m.wire("copying", (inPhase(.header) || inPhase(.check) || inPhase(.range) || inPhase(.run))
                             && copyChunk < copyLimit)
        a.reg.set(ra)
        a.chunk.set(copyChunk.truncate(to: p.chunkBits))
        m.when(start) {
            copyChunk.set(0)
            copyLimit.set(lit(p.chunksPerRegister, width: p.chunkBits + 1))
        }.otherwise {
            m.when(copying) { copyChunk.set(copyChunk + 1) }
            // Whole words up to column C.
            m.when(rangeOK) {
                copyLimit.set(resize((lastSlice.extend(to: vlBits + 1) + 1) << log2(chunksPerWord), p.chunkBits + 1))
            }
        }
        let arrived = m.regNext("copy_arrived", copying && !start, reset: false)
        let arrivedChunk = m.regNext("copy_arrived_chunk", copyChunk.truncate(to: p.chunkBits))
        let chunkBytes = m.wire("chunk_bytes", cat((0..<p.vectorLanes).reversed().map { a.data[$0].asUInt[7, 0] }))
        let activations = m.memory("activations", depth: activationWords, of: .uint(8 * p.lanes), readLatency: 1)
        let activationWrite = activations.write()
        let logChunksPerWord = log2(chunksPerWord)
        if chunksPerWord == 1 {
            activationWrite.enable.set(arrived)
            activationWrite.data.set(chunkBytes)
            activationWrite.address.set(resize(arrivedChunk, activations.addressWidth))
        } else {
            let partial = m.reg("partial_word", .uint(8 * p.vectorLanes * (chunksPerWord - 1)))
            m.when(arrived) {
                if chunksPerWord == 2 { partial.set(chunkBytes) } else {
                    partial.set(cat(chunkBytes, partial[partial.width! - 1, 8 * p.vectorLanes]))
                }
            }
            let lastOfWord = arrivedChunk[logChunksPerWord - 1, 0] == lit(chunksPerWord - 1, width: logChunksPerWord)
            activationWrite.enable.set(arrived && lastOfWord)
            activationWrite.data.set(cat(chunkBytes, partial))
            activationWrite.address.set(resize(arrivedChunk >> logChunksPerWord, activations.addressWidth))
        }
        let wordsWritten = m.reg("words_written", .uint(vlBits), reset: 0)
        m.when(start) { wordsWritten.set(0) }
            .elseWhen(activationWrite.enable) { wordsWritten.set(wordsWritten + 1) }
        let copied = m.wire("copied", wordsWritten > lastSlice)

        // MARK: Consumer: one slice per cycle from the buffer into the row unit

        let beatInRow = m.reg("beat_in_row", .uint(vlBits + 4), reset: 0)
        // Slice of the row = its activation word; its low bits pick the slice of the beat.
        let slice = m.reg("slice", .uint(vlBits), reset: 0)
        let rowsFed = m.reg("rows_fed", .uint(vlBits), reset: 0)  // rows whose beats have all left the buffer
        let running = inPhase(.run)
        let matrixDone = m.wire("matrix_done", rowsFed == rowsNarrow)
        let discarding = m.wire("discarding", faulted || matrixDone)
        let dataBeat = m.wire("data_beat", beatInRow <= lastBeat.extend(to: vlBits + 4))
        let isLast = m.wire("is_last", slice == lastSlice)
        let lastOfBeat = logSlices > 0
            ? m.wire("last_of_beat", isLast || slice[logSlices - 1, 0] == lit(slicesPerBeat - 1, width: logSlices))
            : Signal(booleanLiteral: true)
        let feed = m.wire("feed", running && !discarding && available && dataBeat && copied && (scaleReady || !isLast))
        let pop = m.wire("pop", running && available && (discarding || !dataBeat || (feed && lastOfBeat)))
        let endOfRow = beatInRow == strideBeats - 1
        m.when(start) {
            beatInRow.set(0); slice.set(0); rowsFed.set(0)
        }.elseWhen(pop && !discarding) {
            m.when(endOfRow) {
                beatInRow.set(0); slice.set(0)
                rowsFed.set(rowsFed + 1)
            }.otherwise {
                beatInRow.set(beatInRow + 1)
                slice.set(slice + 1)
            }
        }.elseWhen(feed) {
            slice.set(slice + 1)
        }
        m.when(pop) { head.set(head + 1) }
        let freed = mux(pop, lit(1, width: ptrBits), lit(0, width: ptrBits))
            + mux(headerBeat, lit(1, width: ptrBits), lit(0, width: ptrBits))
        inFlight.set(inFlight + mux(fire, burst.extend(to: ptrBits), lit(0, width: ptrBits)) - freed)

        let activationRead = activations.read()
        activationRead.address.set(slice.truncate(to: activations.addressWidth))

        // Stage 1: buffer and activation data arrive; the row unit takes the slice.
        let fed = m.regNext("fed", feed, reset: false)
        let fedLast = m.regNext("fed_last", isLast)
        let fedMask = m.regNext("fed_mask", mux(isLast, lastMask, ~lit(0, width: p.lanes)))
        let weights: Signal
        if logSlices > 0 {
            let fedPart = m.regNext("fed_part", slice[logSlices - 1, 0])
            weights = bufferRead.data.reinterpret(as: .vec(.uint(2 * p.lanes), count: slicesPerBeat))[fedPart]
        } else {
            weights = bufferRead.data
        }
        // After a bad weight, a row cut short is closed with an empty last
        // slice, so the next instruction starts with a clear accumulator.
        let midRow = m.reg("mid_row", .bool, reset: false)
        let flush = m.wire("flush", faulted && midRow && !fed)
        let unit = m.instance(rowUnit, "row_datapath")
        unit.in_valid.set(fed || flush)
        unit.in_last.set(fedLast || flush)
        unit.weights.set(weights)
        unit.activations.set(activationRead.data.reinterpret(as: .vec(.sint(8), count: p.lanes)))
        unit.lane_mask.set(mux(flush, lit(0, width: p.lanes), fedMask))
        unit.scale.set(scale)
        badWeight.set(unit.bad_weight)
        m.when(fed) { midRow.set(!fedLast) }.elseWhen(flush) { midRow.set(false) }
        beat.set(fed)

        // MARK: Results

        let rowsIn = m.reg("rows_in", .uint(vlBits + 1), reset: 0)
        let rowsOut = m.reg("rows_out", .uint(vlBits + 1), reset: 0)
        let rowIn = (fed && fedLast) || flush
        m.when(start) { rowsIn.set(0) }.elseWhen(rowIn) { rowsIn.set(rowsIn + 1) }
        m.when(start) { rowsOut.set(0) }.elseWhen(unit.out_valid) { rowsOut.set(rowsOut + 1) }
        let write = m.wire("write", unit.out_valid && running && !faulted)
        let logVectorLanes = log2(p.vectorLanes)
        let lane = rowsOut[logVectorLanes - 1, 0]
        w.valid.set(write)
        w.reg.set(rd)
        w.chunk.set(resize(rowsOut >> logVectorLanes, p.chunkBits))
        w.mask.set(lit(1, width: p.vectorLanes) << lane)
        w.data.set(vec(Array(repeating: unit.out_value, count: p.vectorLanes)))

        let digest = m.instance(DigestAccumulator(lanes: 1), "digest_sum")
        digest.clear.set(start)
        digest.valid.set(write)
        digest.base.set(rowsOut.extend(to: 32))
        digest.mask.set(lit(1, width: 1))
        digest.data.set(vec([unit.out_value]))

        // MARK: Completion

        let rowsSettled = m.wire("rows_settled", !fed && !flush
            && (rowsIn == rowsOut || (unit.out_valid && rowsIn == rowsOut + 1)))
        let drained = m.wire("drained", requestLeft == 0 && inFlight == 0)
        let finished = m.wire("finished", running && drained && rowsSettled && mux(faulted, !midRow, matrixDone))
        dispatch.done.set(inPhase(.dispatchFault) || finished)
        dispatch.idle.set(inPhase(.idle))
        dispatch.doneFault.set(fault)
        dispatch.doneCount.set(mux(faulted, lit(0, width: 32), digest.next_count))
        dispatch.doneDigest.set(mux(faulted, lit(0, width: 32), digest.next_digest))
        dispatch.doneScalar.set(slit(0, width: 32))
    }
}

/// Exact log2 of a power of two.
func log2(_ n: Int) -> Int { n.trailingZeroBitCount }

/// `s` zero- or sign-extended, or cut, to `width` bits (for values known to fit).
func resize(_ s: Signal, _ width: Int) -> Signal {
    let w = s.width!
    return w == width ? s : w < width ? s.extend(to: width) : s.truncate(to: width)
}
