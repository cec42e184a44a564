import HDL
import ISA

/// Runs one execution unit's instruction for every stream in turn
/// (ISA.md, "Streams"), between the issue stage and a unit that knows
/// nothing of streams: the load/store, vector and reduction units.
///
/// Core side: `Dispatch` (as the unit's own), `stream_scalars` (the
/// instruction's scalar source in each stream), `stream_stride` (SS, when
/// `memory`) and `stream_results` (each stream's scalar result, valid with
/// `done`, when `scalarResults`) and `stream_last` (the last active stream,
/// STREAMS - 1; held for the run). Unit side: the unit's `Dispatch` at
/// `unit_`, and per register port the unit's end at `unit_<port>_`; the
/// register file's end at `<port>_` addresses rows (`RegisterRead(rows:)`).
///
/// For stream s = 0 ... `stream_last` the unit starts (once idle) with stream s's
/// scalar and, for `.s` memory instructions, `imm + s * SS`; its register
/// ports reach stream s's rows (`macp`'s `b` port reads the previous
/// stream's `vd` for s > 0, `chain`); the next stream starts after the
/// unit's `done`. `done` comes with the last stream's (or a faulting
/// stream's) `done`; the record, `Dispatch.recordLatency` cycles later, is
/// the wrapping sums of the streams' counts, digests and saturations.
///
/// A load of one address for every stream (`ldv` without `.s`, when
/// `memory`) reads memory once: the unit loads stream 0's vd, then the
/// sequencer copies it row by row into streams 1 ... `stream_last` through
/// the register ports (`a` reads stream 0's row, `w` writes it a cycle
/// later, the last chunk masked to VL), a row per cycle with no memory
/// traffic; the record is stream 0's, added once per stream. An address of stream s beyond 2^32 - 1 is the fault of
/// stream s (`misaligned` first, as the interpreter checks), found before
/// the unit starts for it.
public struct StreamSequencer: Module {
    public let params: CoreParameters
    /// The unit's register read ports (`a`, `b`, ...); its write port is `w`.
    public let readPorts: [String]
    /// The read port that `macp` chains to the previous stream's `vd`, if any.
    public let chain: String?
    /// The unit runs `ldv sv lds sts` (per-stream addressing, `stream_stride`).
    public let memory: Bool
    /// The unit writes scalar registers (`stream_results`).
    public let scalarResults: Bool

    public init(params: CoreParameters, readPorts: [String], chain: String? = nil, memory: Bool = false,
                scalarResults: Bool = false) {
        self.params = params
        self.readPorts = readPorts
        self.chain = chain
        self.memory = memory
        self.scalarResults = scalarResults
    }

    public var name: String { "StreamSequencer" }
    public var parameters: [Parameter] {
        [Parameter("ST", params.streams), Parameter("V", params.isa.vectorRegisters), Parameter("C", params.chunksPerRegister),
         Parameter("N", params.vectorLanes), Parameter("RP", readPorts.count), Parameter("LS", memory ? 1 : 0),
         Parameter("CH", chain == nil ? 0 : 1), Parameter("SR", scalarResults ? 1 : 0)]
    }

    enum State: Int { case idle = 0, launch, wait, report, copy }

    /// Address width: `imm + (B - 1) * SS` without wrapping.
    var addressBits: Int { 33 + params.streamBits }

    public func build(_ m: ModuleBuilder) {
        let p = params
        guard m.require(p.streams > 1, "a stream sequencer serves a core of several streams") else { return }
        let outer = m.ports(Dispatch(p))
        let inner = m.ports(Dispatch(p).flipped(), prefix: "unit_")
        let scalars = m.input("stream_scalars", .vec(.sint(32), count: p.streams))
        let stride = memory ? m.input("stream_stride", .uint(32)) : nil
        let streamLast = m.input("stream_last", .uint(p.streamBits))

        let held = Held(m, p, addressBits: memory ? addressBits : nil)
        let isState = { (s: State) -> Signal in held.state == lit(s.rawValue, width: 3) }
        let code = { (s: State) -> Signal in lit(s.rawValue, width: 3) }
        // The last active stream's done ends the instruction (streams after it do nothing).
        let last = held.stream == streamLast
        // Stream s's address beyond 32 bits: its fault, misaligned first.
        var perStream = Signal.no, overflow = Signal.no
        var overflowFault = lit(Int(FaultCode.addressOutOfRange.rawValue), width: Dispatch.faultBits)
        if let address = held.address {
            perStream = m.wire("per_stream", held.perStream)
            overflow = m.wire("overflow", perStream && address[addressBits - 1, 32] != 0)
            overflowFault = mux(address[1, 0] != 0, lit(Int(FaultCode.misaligned.rawValue), width: Dispatch.faultBits), overflowFault)
        }
        let launch = m.wire("launch", isState(.launch) && inner.idle && !overflow)
        let streamDone = isState(.wait) && inner.done
        let finish = m.wire("finish", streamDone && (last || inner.doneFault != 0))
        // A one-address load: stream 0's loaded vd is copied to the other streams.
        let isLoad = held.op == lit(Int(Opcode.ldv.rawValue), width: Encoding.op.width)
        let copyBegins = memory ? m.wire("copy_begins", streamDone && !finish && isLoad && !perStream) : Signal.no
        let copy = memory ? broadcast(m, held, streamLast: streamLast, begin: copyBegins) : nil
        let copyDone = copy?.end ?? Signal.no
        let done = m.wire("done_now", finish || isState(.report) || copyDone)

        m.when(outer.start) {
            held.latch(outer, scalars: scalars, stride: stride, addressBits: addressBits)
            held.state.set(code(.launch))
        }.elseWhen(isState(.launch) && overflow) {
            held.state.set(code(.report))
            held.fault.set(overflowFault)
        }.elseWhen(launch) {
            held.state.set(code(.wait))
        }.elseWhen(done) {
            held.state.set(code(.idle))
        }.elseWhen(copyBegins) {
            held.state.set(code(.copy))
        }.elseWhen(streamDone) {
            held.stream.set(held.stream + 1)
            if let address = held.address, let stride = held.stride { address.set(address + stride.extend(to: addressBits)) }
            held.state.set(code(.launch))
        }
        let (count, digest, saturations) = records(m, held, inner, start: outer.start, streamDone: streamDone, copy: copy,
                                                   copying: isState(.copy), copyBegins: copyBegins)
        inner.start.set(launch)
        inner.op.set(held.op); inner.rd.set(held.rd); inner.ra.set(held.ra); inner.rb.set(held.rb)
        inner.mode.set(held.mode); inner.vl.set(held.vl)
        inner.scalar.set(held.scalars[held.stream])
        inner.imm.set(held.address.map { mux(perStream, $0[31, 0], held.imm) } ?? held.imm)

        outer.idle.set(isState(.idle) || done)
        outer.done.set(done)
        outer.doneFault.set(mux(isState(.report), held.fault, mux(isState(.copy), lit(0, width: Dispatch.faultBits), inner.doneFault)))
        outer.doneCount.set(count)
        outer.doneDigest.set(digest)
        outer.doneSaturations.set(saturations)
        outer.doneScalar.set(inner.doneScalar)
        if scalarResults { results(m, held, inner, streamDone: streamDone) }
        registerPorts(m, held, copy: copy)
    }

    /// Why: the streams' records are summed as they come out of the unit,
    /// `Dispatch.recordLatency` cycles after each stream's `done`, so the sums
    /// follow the sequencer's events delayed by as much; a copied stream adds
    /// stream 0's record. Returns the record to report (valid that long after
    /// the outer `done`).
    func records(_ m: ModuleBuilder, _ held: Held, _ inner: Interface<Dispatch>, start: Signal, streamDone: Signal, copy: Copy?,
                 copying: Signal, copyBegins: Signal) -> (count: Signal, digest: Signal, saturations: Signal) {
        let latency = Dispatch.recordLatency(params)
        let restart = m.validDelay("record_start", start, cycles: latency)
        let streamRecord = m.validDelay("record_stream_done", streamDone, cycles: latency)
        let copied = copy.map { c -> (count: Signal, digest: Signal, now: Signal, streamEnd: Signal) in
            // Stream 0's record, kept for the copied streams.
            let count = m.reg("copy_count", .uint(32)), digest = m.reg("copy_digest", .uint(32))
            m.when(m.validDelay("record_copy_begins", copyBegins, cycles: latency)) {
                count.set(inner.doneCount)
                digest.set(inner.doneDigest)
            }
            return (count, digest, m.validDelay("record_copying", copying, cycles: latency),
                    m.validDelay("record_copy_stream_end", c.streamEnd, cycles: latency))
        }
        let copyingNow = copied?.now ?? Signal.no
        let count = held.count + mux(copyingNow, copied?.count ?? inner.doneCount, inner.doneCount)
        let digest = held.digest + mux(copyingNow, copied?.digest ?? inner.doneDigest, inner.doneDigest)
        let saturations = held.saturations + mux(copyingNow, lit(0, width: 32), inner.doneSaturations)
        m.when(restart) {
            held.count.set(0); held.digest.set(0); held.saturations.set(0)
        }.elseWhen(streamRecord || (copied?.streamEnd ?? Signal.no)) {
            held.count.set(count); held.digest.set(digest); held.saturations.set(saturations)
        }
        return (count, digest, saturations)
    }

    /// Why: the core writes every stream's scalar destination at `done`; the
    /// last active stream's value is still on the unit's `done_scalar` then.
    func results(_ m: ModuleBuilder, _ held: Held, _ inner: Interface<Dispatch>, streamDone: Signal) {
        let p = params
        let kept = (0..<(p.streams - 1)).map { m.reg("result\($0)", .sint(32)) }
        for (s, r) in kept.enumerated() {
            m.when(streamDone && held.stream == lit(s, width: p.streamBits)) { r.set(inner.doneScalar) }
        }
        // Stream s < B-1 may be the last active one: its value is the unit's at done.
        let current = kept.enumerated().map { s, r in mux(held.stream == lit(s, width: p.streamBits), inner.doneScalar, r) }
        m.output("stream_results", .vec(.sint(32), count: p.streams)).set(vec(current + [inner.doneScalar]))
    }

    /// Why: the unit addresses chunks; the register file rows of its stream.
    func registerPorts(_ m: ModuleBuilder, _ held: Held, copy: Copy?) {
        let p = params
        for port in readPorts {
            let unit = m.ports(RegisterRead(p).flipped(), prefix: "unit_" + RegisterRead.prefix(port))
            let file = m.ports(RegisterRead(p, rows: true), prefix: RegisterRead.prefix(port))
            var reg = unit.reg, stream = held.stream
            if port == chain {
                // macp's p: the previous stream's vd from stream 1 on.
                let chained = m.wire("chained", held.op == lit(Int(Opcode.macp.rawValue), width: Encoding.op.width)
                                     && held.stream != 0)
                reg = mux(chained, resize(held.rd, p.vregBits), reg)
                stream = mux(chained, held.stream - 1, held.stream)
            }
            var row = cat(stream, unit.chunk)
            if let copy, port == "a" {
                // The copy reads stream 0's rows of vd on a (the unit is idle meanwhile).
                reg = mux(copy.reading, resize(held.rd, p.vregBits), reg)
                row = mux(copy.reading, copy.readRow, row)
            }
            file.reg.set(reg)
            file.chunk.set(row)
            unit.data.set(file.data)
            if let copy, port == "a" { copy.data.set(file.data) }
        }
        let unit = m.ports(RegisterWrite(p).flipped(), prefix: "unit_" + RegisterWrite.prefix("w"))
        let file = m.ports(RegisterWrite(p, rows: true), prefix: RegisterWrite.prefix("w"))
        guard let copy else {
            file.valid.set(unit.valid)
            file.reg.set(unit.reg)
            file.chunk.set(cat(held.stream, unit.chunk))
            file.mask.set(unit.mask)
            file.data.set(unit.data)
            return
        }
        file.valid.set(unit.valid || copy.writing)
        file.reg.set(mux(copy.writing, resize(held.rd, p.vregBits), unit.reg))
        file.chunk.set(mux(copy.writing, copy.writeRow, cat(held.stream, unit.chunk)))
        file.mask.set(mux(copy.writing, copy.writeMask, unit.mask))
        file.data.set(mux(copy.writing, copy.data, unit.data))
    }
}

extension StreamSequencer {
    /// The instruction held from dispatch to done, the stream it is at and the streams' sums.
    struct Held {
        let state, stream, op, rd, ra, rb, mode, vl, imm, scalars, fault: Signal
        /// SS and stream s's address `imm + s * SS` (memory units only).
        let stride, address: Signal?
        let count, digest, saturations: Signal
        /// A memory instruction with per-stream addressing (`.s`).
        let perStream: Signal

        init(_ m: ModuleBuilder, _ p: CoreParameters, addressBits: Int?) {
            state = m.reg("state", .uint(3), reset: 0)
            stream = m.reg("stream", .uint(p.streamBits), reset: 0)
            op = m.reg("held_op", .uint(Encoding.op.width))
            rd = m.reg("held_rd", .uint(Encoding.rd.width))
            ra = m.reg("held_ra", .uint(Encoding.ra.width))
            rb = m.reg("held_rb", .uint(Encoding.rb.width))
            mode = m.reg("held_mode", .uint(Encoding.mode.width))
            vl = m.reg("held_vl", .uint(p.vlBits))
            imm = m.reg("held_imm", .uint(32))
            stride = addressBits.map { _ in m.reg("held_stride", .uint(32)) }
            address = addressBits.map { m.reg("address", .uint($0)) }
            scalars = m.reg("held_scalars", .vec(.sint(32), count: p.streams))
            fault = m.reg("fault", .uint(Dispatch.faultBits), reset: 0)
            count = m.reg("sum_count", .uint(32), reset: 0)
            digest = m.reg("sum_digest", .uint(32), reset: 0)
            saturations = m.reg("sum_saturations", .uint(32), reset: 0)
            let memoryOps: [Opcode] = [.ldv, .sv, .lds, .sts]
            let heldOp = op, heldMode = mode
            let isMemory = memoryOps.map { heldOp == lit(Int($0.rawValue), width: Encoding.op.width) }.reduce(Signal.no) { $0 || $1 }
            perStream = isMemory && heldMode == lit(Int(StreamAddressing.perStream.rawValue), width: Encoding.mode.width)
        }

        func latch(_ d: Interface<Dispatch>, scalars values: Signal, stride ss: Signal?, addressBits: Int) {
            stream.set(0)
            op.set(d.op); rd.set(d.rd); ra.set(d.ra); rb.set(d.rb); mode.set(d.mode); vl.set(d.vl); imm.set(d.imm)
            if let stride, let ss { stride.set(ss) }
            address?.set(d.imm.extend(to: addressBits))
            scalars.set(values)
            fault.set(0)
        }
    }
}
