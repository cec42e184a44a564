import HDL
import ISA

/// The load/store unit: `ldv vd, addr`, `sv va, addr`, `lds sd, addr` and
/// `sts sa, addr` (isa/ISA.md), between the vector registers and the data
/// region, at one wide beat (a beat of every bank, one register chunk) per
/// cycle: it is a wide read client and the memory system's write client.
///
/// Faults are found at dispatch from `imm`, `vl` and `data_size` with the
/// interpreter's rules (misaligned first, then address-out-of-range) and
/// reported at `done` in the next cycle, with no memory access.
///
/// Addresses need only be 4-byte aligned, so element `i` sits in word
/// `(s + i) mod W` of wide beat `(s + i) / W` (`W = vectorLanes` words per
/// wide beat, `s` the address's word offset in its wide beat). Loads rotate each beat down
/// by `s` words and merge it with the previous one into a register chunk;
/// stores rotate each chunk up by `s` words and merge it with the previous
/// one into a beat, with byte enables on the first and last beat. `lds` and
/// `sts` are the same paths with one element (`sts` takes the `scalar`
/// input as its chunk, `lds` returns the element on `done_scalar`).
///
/// Timing: a load requests its wide beats in bursts of up to `maxBurst`,
/// without waiting for data (the memory system bounds what is in flight);
/// each chunk is written one cycle after the beat that completes it, and
/// `done` follows the last write by one cycle. A store offers a beat every
/// cycle (register read one cycle ahead) and reports `done` the cycle after
/// its last beat is accepted. `idle` rises in the cycle of `done`.
public struct LoadStoreUnit: Module {
    public let p: CoreParameters

    public init(params: CoreParameters) { p = params }

    public var name: String { "LoadStoreUnit" }
    public var parameters: [Parameter] {
        [Parameter("D", p.dataBits), Parameter("B", p.banks), Parameter("VL", p.isa.maxVectorLength), Parameter("V", p.isa.vectorRegisters),
         Parameter("M", p.maxBurst)]
    }

    public func build(_ m: ModuleBuilder) {
        let lanes = p.vectorLanes
        guard m.require(lanes >= 2 && lanes & (lanes - 1) == 0, "a beat must hold a power of two of at least 2 words, got \(lanes)")
        else { return }
        let laneBits = lanes.trailingZeroBitCount
        // Bytes of a wide beat (a register chunk), as a shift.
        let beatShift = laneBits + 2
        let chunkBits = 32 * lanes
        func lines(_ wideBeats: Signal) -> Signal { p.lines(fromWide: wideBeats, width: p.lineBits) }
        let countBits = p.vlBits + 1
        // Beat and chunk numbers of one access.
        let indexBits = Swift.max(countBits - laneBits, p.burstBits)
        let element = HWType.sint(32)

        let dispatch = m.ports(Dispatch(p))
        let region = m.ports(DataRegion(p))
        let rq = m.ports(MemoryRead(p, wide: true))
        let wq = m.ports(MemoryWrite(p))
        let source = m.ports(RegisterRead(p), prefix: RegisterRead.prefix("a"))
        let dest = m.ports(RegisterWrite(p), prefix: RegisterWrite.prefix("w"))

        // MARK: Dispatch: decode, check, capture
        enum State: Int { case idle = 0, report, load, store }
        let state = m.reg("state", .uint(2), reset: 0)
        func stateIs(_ s: State) -> Signal { state == lit(s.rawValue, width: 2) }
        let op = dispatch.op
        func opIs(_ o: Opcode) -> Signal { op == lit(Int(o.rawValue), width: Encoding.op.width) }
        let scalarOp = m.wire("scalar_op", opIs(.lds) || opIs(.sts))
        let loadOp = m.wire("load_op", opIs(.ldv) || opIs(.lds))
        let elements = m.wire("elements", mux(scalarOp, lit(1, width: p.vlBits), dispatch.vl))
        let imm = dispatch.imm
        // The interpreter's check: misaligned first, then any byte at or past data_size.
        let misaligned = m.wire("misaligned", imm[1, 0] != 0)
        let end = m.wire("access_end", imm.extend(to: 34) + (elements.extend(to: 32) << 2).truncate(to: 34))
        let outOfRange = m.wire("out_of_range", end > region.size.extend(to: 34))
        let fault = m.wire("fault", mux(misaligned, lit(Int(FaultCode.misaligned.rawValue), width: Dispatch.faultBits),
                                        mux(outOfRange, lit(Int(FaultCode.addressOutOfRange.rawValue), width: Dispatch.faultBits),
                                            lit(0, width: Dispatch.faultBits))))
        let offset = m.wire("offset", imm[beatShift - 1, 2])
        let firstLine = m.wire("first_line", region.baseLine + lines(imm >> beatShift))
        let count = elements.extend(to: countBits)
        let beatsNeeded = m.wire("beats_needed", ((count + offset.extend(to: countBits) + lit(lanes - 1, width: countBits)) >> laneBits).extend(to: indexBits))
        let chunksNeeded = m.wire("chunks_needed", ((count + lit(lanes - 1, width: countBits)) >> laneBits).extend(to: indexBits))

        let faultCode = m.reg("fault_code", .uint(Dispatch.faultBits), reset: 0)
        let isScalar = m.reg("is_scalar", .bool, reset: false)
        let regNumber = m.reg("reg_number", .uint(p.vregBits))
        let wordOffset = m.reg("word_offset", .uint(laneBits))
        let lineBase = m.reg("line_base", .uint(p.lineBits))
        let total = m.reg("total", .uint(countBits))
        let beatTotal = m.reg("beat_total", .uint(indexBits))
        let chunkTotal = m.reg("chunk_total", .uint(indexBits))
        let scalarIn = m.reg("scalar_in", element)

        let start = dispatch.start
        let done = dispatch.done
        m.when(start) {
            let noAccess = fault != 0 || elements == 0
            state.set(mux(noAccess, lit(State.report.rawValue, width: 2),
                          mux(loadOp, lit(State.load.rawValue, width: 2), lit(State.store.rawValue, width: 2))))
            faultCode.set(fault)
            isScalar.set(scalarOp)
            regNumber.set(mux(loadOp, dispatch.rd, dispatch.ra).truncate(to: p.vregBits))
            wordOffset.set(offset)
            lineBase.set(firstLine)
            total.set(count)
            beatTotal.set(beatsNeeded)
            chunkTotal.set(chunksNeeded)
            scalarIn.set(dispatch.scalar)
        }.elseWhen(done) {
            state.set(lit(State.idle.rawValue, width: 2))
        }

        // Lane j of a chunk is element chunk * W + j: inside when below `total`.
        func chunkMask(_ chunk: Signal, _ name: String) -> Signal {
            let w = Swift.max(countBits + 1, chunk.width! + laneBits)
            let first = cat(chunk, lit(0, width: laneBits)).extend(to: w)
            let left = m.wire("\(name)_left", total.extend(to: w) - first)
            return cat((0..<lanes).reversed().map { (lit($0, width: w) < left).asUInt })
        }
        // Words rotated by the word offset: down (memory to register) or up.
        let shift = m.wire("shift", cat(wordOffset, lit(0, width: 5)))
        func rotateDown(_ x: Signal) -> Signal { (cat(x, x) >> shift).truncate(to: chunkBits) }
        func rotateUp(_ x: Signal) -> Signal { (cat(x, x) << shift)[2 * chunkBits - 1, chunkBits] }
        // Lanes below `split` from `low`, the others from `high`; a split of
        // at most `lanes - 1` takes the top lane from `high` always.
        func merge(_ low: Signal, _ high: Signal, split: Signal, splitBelowTop: Bool) -> Signal {
            cat((0..<lanes).reversed().map { j in
                let l = low[32 * j + 31, 32 * j], h = high[32 * j + 31, 32 * j]
                return splitBelowTop && j == lanes - 1 ? h : mux(lit(j, width: laneBits + 1) < split, l, h)
            })
        }
        let wrap = m.wire("wrap", lit(lanes, width: laneBits + 1) - wordOffset.extend(to: laneBits + 1))

        let digest = m.instance(DigestAccumulator(lanes: lanes), "record_digest")
        digest.clear.set(start)

        // MARK: Loads: request, realign, write
        let loading = stateIs(.load)
        let requestLine = m.reg("request_line", .uint(p.lineBits))
        let leftWidth = indexBits
        let requestLeft = m.reg("request_left", .uint(leftWidth), reset: 0)
        let burst = m.wire("burst", mux(requestLeft > lit(p.maxBurst, width: leftWidth), lit(p.maxBurst, width: leftWidth), requestLeft))
        rq.requestValid.set(loading && requestLeft != 0)
        rq.requestLine.set(requestLine)
        rq.requestBeats.set(p.lines(fromWide: burst, width: p.wideBurstBits))
        m.when(start) {
            requestLine.set(firstLine)
            requestLeft.set(mux(loadOp && fault == 0 && elements != 0, beatsNeeded, lit(0, width: leftWidth)))
        }.elseWhen(rq.requestValid && rq.requestReady) {
            requestLine.set(requestLine + lines(burst))
            requestLeft.set(requestLeft - burst)
        }

        // Chunk c is the top of rotated beat c and the bottom of rotated beat c + 1;
        // after the last beat, a chunk still missing is the top of that beat alone.
        let received = m.reg("received", .uint(leftWidth), reset: 0)
        let emitted = m.reg("emitted", .uint(indexBits), reset: 0)
        let rotated = m.wire("rotated", rotateDown(rq.responseData))
        let previous = m.reg("previous", .uint(chunkBits))
        let beat = rq.responseValid
        let flush = m.wire("flush", loading && !beat && received == beatTotal && emitted != chunkTotal)
        let emit = m.wire("emit", (beat && received != 0) || flush)
        m.when(start) {
            received.set(0)
            emitted.set(0)
        }.otherwise {
            m.when(beat) {
                received.set(received + 1)
                previous.set(rotated)
            }
            m.when(emit) { emitted.set(emitted + 1) }
        }
        // Registered write: what the register file and the digest see.
        let writeValid = m.regNext("write_valid", emit, reset: false)
        let writeChunk = m.regNext("write_chunk", emitted)
        let writeLast = m.regNext("write_last", emit && emitted + 1 == chunkTotal, reset: false)
        let writeData = m.regNext("write_data", merge(previous, rotated, split: wrap, splitBelowTop: false))
        let writeMask = m.wire("write_mask", chunkMask(writeChunk, "write"))
        let loadDone = m.regNext("load_done", writeLast, reset: false)
        dest.valid.set(writeValid && !isScalar)
        dest.reg.set(regNumber)
        dest.chunk.set(writeChunk.truncate(to: p.chunkBits))
        dest.mask.set(writeMask)
        dest.data.set(writeData.reinterpret(as: .vec(element, count: lanes)))
        let loaded = m.reg("loaded", element)
        m.when(writeValid) { loaded.set(writeData[31, 0].asSInt) }

        // MARK: Stores: read a chunk a cycle ahead, realign, write with byte enables
        let storing = stateIs(.store)
        let beatIndex = m.reg("beat_index", .uint(leftWidth), reset: 0)
        let ready = m.reg("ready", .bool, reset: false)
        let upper = m.reg("upper", .uint(chunkBits))
        let chunk = mux(isScalar, scalarIn.asUInt.extend(to: chunkBits), source.data.asUInt)
        let raised = m.wire("raised", rotateUp(chunk))
        let offering = m.wire("offering", storing && ready)
        let accepted = m.wire("accepted", offering && wq.ready)
        // Word t of beat k holds element k * W + t - s, stored when 0 <= it < total.
        let wordBits = Swift.max(countBits + 2, leftWidth + laneBits)
        let firstWord = wordOffset.extend(to: wordBits)
        let endWord = firstWord + total.extend(to: wordBits)
        let wordEnables = (0..<lanes).map { t -> Signal in
            let position = cat(beatIndex, lit(t, width: laneBits)).extend(to: wordBits)
            return position >= firstWord && position < endWord
        }
        wq.valid.set(offering)
        wq.line.set(lineBase + lines(beatIndex))
        wq.data.set(merge(upper, raised, split: wordOffset.extend(to: laneBits + 1), splitBelowTop: true))
        wq.byteEnable.set(cat(wordEnables.reversed().map { $0.asUInt.replicate(4) }))
        let nextBeat = m.wire("next_beat", mux(accepted, beatIndex + 1, beatIndex))
        m.when(start) {
            beatIndex.set(0)
            ready.set(false)
        }.otherwise {
            beatIndex.set(nextBeat)
            ready.set(storing && nextBeat < beatTotal)
            m.when(accepted) { upper.set(raised) }
        }
        source.reg.set(regNumber)
        source.chunk.set(nextBeat.truncate(to: p.chunkBits))
        let storeDone = m.wire("store_done", storing && !ready && beatIndex == beatTotal)

        // MARK: Digest and completion
        let storeChunk = m.wire("store_chunk", accepted && beatIndex < chunkTotal)
        let digestChunk = mux(storing, beatIndex, writeChunk)
        digest.valid.set(mux(storing, storeChunk, writeValid))
        digest.base.set(cat(digestChunk, lit(0, width: laneBits)).extend(to: 32))
        digest.mask.set(chunkMask(digestChunk, "digest"))
        digest.data.set(mux(storing, chunk, writeData).reinterpret(as: .vec(element, count: lanes)))

        done.set(stateIs(.report) || (loading && loadDone) || storeDone)
        dispatch.idle.set(stateIs(.idle) || done)
        dispatch.doneFault.set(faultCode)
        dispatch.doneCount.set(digest.count)
        dispatch.doneDigest.set(digest.digest)
        // Loads and stores move words unchanged: nothing saturates.
        digest.saturated.set(lit(0, width: lanes))
        dispatch.doneSaturations.set(lit(0, width: 32))
        dispatch.doneScalar.set(loaded)
    }
}
