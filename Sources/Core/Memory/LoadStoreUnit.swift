import HDL
import ISA

/// The load/store unit: `ldv vd, addr`, `sv va, addr`, `lds sd, addr` and
/// `sts sa, addr` (generated/isa/ISA.md), between the vector registers and the data
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

    var lanes: Int { p.vectorLanes }
    var laneBits: Int { lanes.trailingZeroBitCount }
    /// Bits of an element count, 0 ... VL inclusive, and of a beat or chunk number of one access.
    var countBits: Int { p.vlBits + 1 }
    var indexBits: Int { Swift.max(countBits - laneBits, p.burstBits) }

    /// The unit in the order of its parts (each declares its signals in the
    /// order of the emitted code).
    public func build(_ m: ModuleBuilder) {
        guard m.require(lanes >= 2 && lanes & (lanes - 1) == 0, "a beat must hold a power of two of at least 2 words, got \(lanes)")
        else { return }
        let io = Ports(m, p)
        let access = dispatch(m, io)
        let realign = Realign(m, self, access)
        let digest = m.instance(DigestAccumulator(lanes: lanes), "record_digest")
        // The next start may come in the cycle of done, and the record is read
        // as a clear then would reach it: clear a cycle later (no access writes
        // or stores a chunk before that).
        digest.clear.set(m.regNext("digest_clear", io.dispatch.start, reset: false))
        let load = self.load(m, io, access, realign)
        let store = self.store(m, io, access, realign)
        complete(m, io, access, realign, load, store, digest: digest)
    }
}

extension LoadStoreUnit {
    struct Ports {
        let dispatch: Interface<Dispatch>
        let region: Interface<DataRegion>
        let rq: Interface<MemoryRead>
        let wq: Interface<MemoryWrite>
        /// The register `sv` stores, and the one `ldv` loads.
        let source: Interface<RegisterRead>
        let dest: Interface<RegisterWrite>

        init(_ m: ModuleBuilder, _ p: CoreParameters) {
            dispatch = m.ports(Dispatch(p))
            region = m.ports(DataRegion(p))
            rq = m.ports(MemoryRead(p, wide: true))
            wq = m.ports(MemoryWrite(p))
            source = m.ports(RegisterRead(p), prefix: RegisterRead.prefix("a"))
            dest = m.ports(RegisterWrite(p), prefix: RegisterWrite.prefix("w"))
        }
    }

    enum State: Int { case idle = 0, report, load, store }

    /// The access decoded at dispatch, and as held until done.
    struct Access {
        let state: Signal
        /// At dispatch: a load (`ldv`, `lds`), its fault, its elements, first line and wide beats.
        let loadOp, fault, elements, firstLine, beatsNeeded: Signal
        /// Held: the fault, one element or a vector, the register, the
        /// address's word offset in its wide beat, the first line, the
        /// elements and the wide beats and chunks they span, `sts`'s value.
        let faultCode, isScalar, regNumber, wordOffset, lineBase, total, beatTotal, chunkTotal, scalarIn: Signal

        func stateIs(_ s: State) -> Signal { state == lit(s.rawValue, width: 2) }
    }

    /// Why: faults are found at dispatch with the interpreter's rules, before any memory access.
    func dispatch(_ m: ModuleBuilder, _ io: Ports) -> Access {
        let dispatch = io.dispatch, faultBits = Dispatch.faultBits
        // Bytes of a wide beat (a register chunk), as a shift.
        let beatShift = laneBits + 2
        let state = m.reg("state", .uint(2), reset: 0)
        let op = dispatch.op
        func opIs(_ o: Opcode) -> Signal { op == lit(Int(o.rawValue), width: Encoding.op.width) }
        let scalarOp = m.wire("scalar_op", opIs(.lds) || opIs(.sts))
        let loadOp = m.wire("load_op", opIs(.ldv) || opIs(.lds))
        let elements = m.wire("elements", mux(scalarOp, lit(1, width: p.vlBits), dispatch.vl))
        let imm = dispatch.imm
        // The interpreter's check: misaligned first, then any byte at or past data_size.
        let misaligned = m.wire("misaligned", imm[1, 0] != 0)
        let end = m.wire("access_end", imm.extend(to: 34) + (elements.extend(to: 32) << 2).truncate(to: 34))
        let outOfRange = m.wire("out_of_range", end > io.region.size.extend(to: 34))
        let fault = m.wire("fault", mux(misaligned, lit(Int(FaultCode.misaligned.rawValue), width: faultBits),
                                        mux(outOfRange, lit(Int(FaultCode.addressOutOfRange.rawValue), width: faultBits),
                                            lit(0, width: faultBits))))
        let offset = m.wire("offset", imm[beatShift - 1, 2])
        let firstLine = m.wire("first_line", io.region.baseLine + p.lines(fromWide: imm >> beatShift, width: p.lineBits))
        let count = elements.extend(to: countBits)
        let beatsNeeded = m.wire("beats_needed", ((count + offset.extend(to: countBits) + lit(lanes - 1, width: countBits)) >> laneBits).extend(to: indexBits))
        let chunksNeeded = m.wire("chunks_needed", ((count + lit(lanes - 1, width: countBits)) >> laneBits).extend(to: indexBits))

        let access = Access(state: state, loadOp: loadOp, fault: fault, elements: elements, firstLine: firstLine,
                            beatsNeeded: beatsNeeded,
                            faultCode: m.reg("fault_code", .uint(faultBits), reset: 0),
                            isScalar: m.reg("is_scalar", .bool, reset: false),
                            regNumber: m.reg("reg_number", .uint(p.vregBits)),
                            wordOffset: m.reg("word_offset", .uint(laneBits)),
                            lineBase: m.reg("line_base", .uint(p.lineBits)),
                            total: m.reg("total", .uint(countBits)),
                            beatTotal: m.reg("beat_total", .uint(indexBits)),
                            chunkTotal: m.reg("chunk_total", .uint(indexBits)),
                            scalarIn: m.reg("scalar_in", .sint(32)))
        m.when(dispatch.start) {
            let noAccess = fault != 0 || elements == 0
            state.set(mux(noAccess, lit(State.report.rawValue, width: 2),
                          mux(loadOp, lit(State.load.rawValue, width: 2), lit(State.store.rawValue, width: 2))))
            access.faultCode.set(fault)
            access.isScalar.set(scalarOp)
            access.regNumber.set(mux(loadOp, dispatch.rd, dispatch.ra).truncate(to: p.vregBits))
            access.wordOffset.set(offset)
            access.lineBase.set(firstLine)
            access.total.set(count)
            access.beatTotal.set(beatsNeeded)
            access.chunkTotal.set(chunksNeeded)
            access.scalarIn.set(dispatch.scalar)
        }.elseWhen(dispatch.done) {
            state.set(lit(State.idle.rawValue, width: 2))
        }
        return access
    }

    /// Words moved by the address's word offset, and the lanes of a chunk inside the access.
    struct Realign {
        let m: ModuleBuilder
        let unit: LoadStoreUnit
        let access: Access
        /// The word offset in bits, and the lanes from `wrap` up that come from the next beat.
        let shift, wrap: Signal

        init(_ m: ModuleBuilder, _ unit: LoadStoreUnit, _ access: Access) {
            self.m = m
            self.unit = unit
            self.access = access
            shift = m.wire("shift", cat(access.wordOffset, lit(0, width: 5)))
            wrap = m.wire("wrap", lit(unit.lanes, width: unit.laneBits + 1) - access.wordOffset.extend(to: unit.laneBits + 1))
        }

        var chunkBits: Int { 32 * unit.lanes }

        /// Lane j of a chunk is element chunk * W + j: inside when below `total`.
        func chunkMask(_ chunk: Signal, _ name: String) -> Signal {
            let w = Swift.max(unit.countBits + 1, chunk.width! + unit.laneBits)
            let first = cat(chunk, lit(0, width: unit.laneBits)).extend(to: w)
            let left = m.wire("\(name)_left", access.total.extend(to: w) - first)
            return cat((0..<unit.lanes).reversed().map { (lit($0, width: w) < left).asUInt })
        }

        /// Words rotated down by the word offset (memory to register).
        func rotateDown(_ x: Signal) -> Signal { (cat(x, x) >> shift).truncate(to: chunkBits) }
        /// Words rotated up by the word offset (register to memory).
        func rotateUp(_ x: Signal) -> Signal { (cat(x, x) << shift)[2 * chunkBits - 1, chunkBits] }

        /// Lanes below `split` from `low`, the others from `high`; a split of
        /// at most `lanes - 1` takes the top lane from `high` always.
        func merge(_ low: Signal, _ high: Signal, split: Signal, splitBelowTop: Bool) -> Signal {
            let lanes = unit.lanes
            return cat((0..<lanes).reversed().map { j in
                let l = low[32 * j + 31, 32 * j], h = high[32 * j + 31, 32 * j]
                return splitBelowTop && j == lanes - 1 ? h : mux(lit(j, width: unit.laneBits + 1) < split, l, h)
            })
        }
    }

    /// A load's register writes, as the register file and the digest see them.
    struct Load { let writeValid, writeChunk, writeData, loadDone, loaded: Signal }

    /// Why: a load requests its beats without waiting for data and writes a chunk per beat, realigned.
    func load(_ m: ModuleBuilder, _ io: Ports, _ access: Access, _ realign: Realign) -> Load {
        let rq = io.rq, dest = io.dest, start = io.dispatch.start
        func lines(_ wideBeats: Signal) -> Signal { p.lines(fromWide: wideBeats, width: p.lineBits) }
        let loading = access.stateIs(.load)
        let requestLine = m.reg("request_line", .uint(p.lineBits))
        let leftWidth = indexBits
        let requestLeft = m.reg("request_left", .uint(leftWidth), reset: 0)
        let burst = m.wire("burst", mux(requestLeft > lit(p.maxBurst, width: leftWidth), lit(p.maxBurst, width: leftWidth), requestLeft))
        rq.requestValid.set(loading && requestLeft != 0)
        rq.requestLine.set(requestLine)
        rq.requestBeats.set(p.lines(fromWide: burst, width: p.wideBurstBits))
        m.when(start) {
            requestLine.set(access.firstLine)
            requestLeft.set(mux(access.loadOp && access.fault == 0 && access.elements != 0, access.beatsNeeded, lit(0, width: leftWidth)))
        }.elseWhen(rq.requestValid && rq.requestReady) {
            requestLine.set(requestLine + lines(burst))
            requestLeft.set(requestLeft - burst)
        }

        // Chunk c is the top of rotated beat c and the bottom of rotated beat c + 1;
        // after the last beat, a chunk still missing is the top of that beat alone.
        let received = m.reg("received", .uint(leftWidth), reset: 0)
        let emitted = m.reg("emitted", .uint(indexBits), reset: 0)
        let rotated = m.wire("rotated", realign.rotateDown(rq.responseData))
        let previous = m.reg("previous", .uint(realign.chunkBits))
        let beat = rq.responseValid
        let flush = m.wire("flush", loading && !beat && received == access.beatTotal && emitted != access.chunkTotal)
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
        let writeLast = m.regNext("write_last", emit && emitted + 1 == access.chunkTotal, reset: false)
        let writeData = m.regNext("write_data", realign.merge(previous, rotated, split: realign.wrap, splitBelowTop: false))
        let writeMask = m.wire("write_mask", realign.chunkMask(writeChunk, "write"))
        let loadDone = m.regNext("load_done", writeLast, reset: false)
        dest.valid.set(writeValid && !access.isScalar)
        dest.reg.set(access.regNumber)
        dest.chunk.set(writeChunk.truncate(to: p.chunkBits))
        dest.mask.set(writeMask)
        dest.data.set(writeData.reinterpret(as: .vec(.sint(32), count: lanes)))
        let loaded = m.reg("loaded", .sint(32))
        m.when(writeValid) { loaded.set(writeData[31, 0].asSInt) }
        return Load(writeValid: writeValid, writeChunk: writeChunk, writeData: writeData, loadDone: loadDone, loaded: loaded)
    }

    /// A store's progress: the beat offered, the chunk it came from, and whether it was taken.
    struct Store { let storing, beatIndex, chunk, accepted, storeDone: Signal }

    /// Why: a store offers a beat per cycle, its register read a cycle ahead, with byte enables.
    func store(_ m: ModuleBuilder, _ io: Ports, _ access: Access, _ realign: Realign) -> Store {
        let wq = io.wq, source = io.source, start = io.dispatch.start
        let storing = access.stateIs(.store)
        let leftWidth = indexBits
        let beatIndex = m.reg("beat_index", .uint(leftWidth), reset: 0)
        let ready = m.reg("ready", .bool, reset: false)
        let upper = m.reg("upper", .uint(realign.chunkBits))
        let chunk = mux(access.isScalar, access.scalarIn.asUInt.extend(to: realign.chunkBits), source.data.asUInt)
        let raised = m.wire("raised", realign.rotateUp(chunk))
        let offering = m.wire("offering", storing && ready)
        let accepted = m.wire("accepted", offering && wq.ready)
        // Word t of beat k holds element k * W + t - s, stored when 0 <= it < total.
        let wordBits = Swift.max(countBits + 2, leftWidth + laneBits)
        let firstWord = access.wordOffset.extend(to: wordBits)
        let endWord = firstWord + access.total.extend(to: wordBits)
        let wordEnables = (0..<lanes).map { t -> Signal in
            let position = cat(beatIndex, lit(t, width: laneBits)).extend(to: wordBits)
            return position >= firstWord && position < endWord
        }
        wq.valid.set(offering)
        wq.line.set(access.lineBase + p.lines(fromWide: beatIndex, width: p.lineBits))
        wq.data.set(realign.merge(upper, raised, split: access.wordOffset.extend(to: laneBits + 1), splitBelowTop: true))
        wq.byteEnable.set(cat(wordEnables.reversed().map { $0.asUInt.replicate(4) }))
        let nextBeat = m.wire("next_beat", mux(accepted, beatIndex + 1, beatIndex))
        m.when(start) {
            beatIndex.set(0)
            ready.set(false)
        }.otherwise {
            beatIndex.set(nextBeat)
            // Both compares from registers, chosen by `accepted`: the memory's
            // ready reaches this register through two LUTs, not an add and a compare.
            ready.set(storing && mux(accepted, beatIndex + 1 < access.beatTotal, beatIndex < access.beatTotal))
            m.when(accepted) { upper.set(raised) }
        }
        source.reg.set(access.regNumber)
        source.chunk.set(nextBeat.truncate(to: p.chunkBits))
        let storeDone = m.wire("store_done", storing && !ready && beatIndex == access.beatTotal)
        return Store(storing: storing, beatIndex: beatIndex, chunk: chunk, accepted: accepted, storeDone: storeDone)
    }

    /// Why: the record's count and digest follow the chunks moved; `done` comes with the last
    /// (the record Dispatch.recordLatency cycles later, from the digest's totals).
    func complete(_ m: ModuleBuilder, _ io: Ports, _ access: Access, _ realign: Realign, _ load: Load, _ store: Store,
                  digest: Instance) {
        let dispatch = io.dispatch, storing = store.storing
        let storeChunk = m.wire("store_chunk", store.accepted && store.beatIndex < access.chunkTotal)
        let digestChunk = mux(storing, store.beatIndex, load.writeChunk)
        digest.valid.set(mux(storing, storeChunk, load.writeValid))
        digest.base.set(cat(digestChunk, lit(0, width: laneBits)).extend(to: 32))
        digest.mask.set(realign.chunkMask(digestChunk, "digest"))
        digest.data.set(mux(storing, store.chunk, load.writeData).reinterpret(as: .vec(.sint(32), count: lanes)))

        let done = dispatch.done
        done.set(access.stateIs(.report) || (access.stateIs(.load) && load.loadDone) || store.storeDone)
        dispatch.idle.set(access.stateIs(.idle) || done)
        dispatch.doneFault.set(access.faultCode)
        dispatch.doneCount.set(digest.count)
        dispatch.doneDigest.set(digest.digest)
        // Loads and stores move words unchanged: nothing saturates.
        digest.saturated.set(lit(0, width: lanes))
        dispatch.doneSaturations.set(lit(0, width: 32))
        dispatch.doneScalar.set(load.loaded)
    }
}
