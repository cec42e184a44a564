import HDL
import ISA

/// The vector unit: every element-wise and lookup instruction (`add sub mul
/// div mac macp lba adds muls bcast mv exp sig csig silu rsqrt`), `vectorLanes`
/// elements per cycle, bit for bit as `Numeric`.
///
/// Follows the unit contract of docs/core.md: `Dispatch`, register read
/// ports `a` (va, or nothing for `bcast`), `b` (vb) and `d` (vd, mac's
/// addend), write port `w`. After `start` it reads chunk c of every source
/// in cycle c + 1 (c = 0 ... ceil(VL / lanes) - 1, one chunk per cycle) and
/// writes chunk c `latency` cycles after reading it, the last chunk masked
/// to the elements below VL. `done` pulses with the last write, carrying its
/// count and digest; `idle` is low from `start` until `done` and rises in
/// the cycle of `done`, so the next instruction may start then. The unit
/// never faults and has no scalar result. VL >= 1 (as `setvl` guarantees).
///
/// `adds` and `muls` are `add` and `mul` with `scalar` as every b, `bcast`
/// is `mv` of `scalar`. Each lane is a `VectorLane`; all ops take the same
/// number of cycles.
///
/// Streams (B > 1): the unit serves every stream itself, reading stream 0's
/// chunks, then stream 1's, ... up to `stream_last` without a gap, so the
/// lanes' latency is paid once per instruction, not once per stream
/// (register ports address rows, `RegisterRead(rows:)`). `stream_scalars`
/// gives each stream's scalar. `macp` reads the previous stream's vd on `b`
/// from stream 1 on, so it waits for a stream's last write before reading
/// the next stream. One record sums every stream's writes.
public struct VectorUnit: Module {
    public let params: CoreParameters

    public init(params: CoreParameters) { self.params = params }

    public var parameters: [Parameter] {
        [Parameter("N", params.vectorLanes), Parameter("VL", params.isa.maxVectorLength),
         Parameter("V", params.isa.vectorRegisters), Parameter("F", params.isa.fracBits)] + params.streamParameters
    }

    var lane: VectorLane { VectorLane(fracBits: params.isa.fracBits) }

    /// Cycles from a chunk's read request to its write.
    public var latency: Int { lane.latency + 1 }

    /// The lane op of each instruction the unit runs, and whether `scalar`
    /// replaces the a or the b operand.
    static let laneOps: [(Opcode, VectorLaneOp, scalarA: Bool, scalarB: Bool)] = [
        (.add, .add, false, false), (.sub, .sub, false, false), (.mul, .mul, false, false),
        (.div, .div, false, false), (.mac, .mac, false, false), (.macp, .mac, false, false), (.lba, .lba, false, false),
        (.adds, .add, false, true), (.muls, .mul, false, true), (.bcast, .mv, true, false),
        (.mv, .mv, false, false), (.exp, .exp, false, false), (.sig, .sig, false, false),
        (.csig, .csig, false, false), (.silu, .silu, false, false), (.rsqrt, .rsqrt, false, false),
    ]

    public func build(_ m: ModuleBuilder) {
        let p = params
        guard m.require(p.problems.isEmpty, "bad core parameters: \(p.problems.joined(separator: "; "))") else { return }
        let io = Ports(m, p)
        let held = Held(m, p)
        let decoded = decode(m, io.dispatch)
        let issue = Issue(m, p)
        let chunkData = lanesAndWrites(m, io, held, issue)
        control(m, io, held, decoded, issue, writes: chunkData)
    }

    var lanes: Int { params.vectorLanes }
    var laneBits: Int { addressWidth(lanes) }
    var streams: Int { params.streams }

}

extension VectorUnit {
    struct Ports {
        let dispatch: Interface<Dispatch>
        let a, b, d: Interface<RegisterRead>
        let w: Interface<RegisterWrite>
        /// Every stream's scalar and the last active stream (several streams only).
        let streamScalars, streamLast: Signal?

        init(_ m: ModuleBuilder, _ p: CoreParameters) {
            dispatch = m.ports(Dispatch(p))
            a = m.ports(RegisterRead(p, rows: true), prefix: RegisterRead.prefix("a"))
            b = m.ports(RegisterRead(p, rows: true), prefix: RegisterRead.prefix("b"))
            d = m.ports(RegisterRead(p, rows: true), prefix: RegisterRead.prefix("d"))
            w = m.ports(RegisterWrite(p, rows: true), prefix: RegisterWrite.prefix("w"))
            streamScalars = p.streams > 1 ? m.input("stream_scalars", .vec(.sint(32), count: p.streams)) : nil
            streamLast = p.streams > 1 ? m.input("stream_last", .uint(p.streamBits)) : nil
        }
    }

    /// The instruction, held from start to done.
    struct Held {
        let busy, laneOp, scalarA, scalarB, scalars, rd, ra, rb, lastChunk, lastMask: Signal
        /// `macp` on several streams: b reads the previous stream's vd.
        let chained: Signal?

        init(_ m: ModuleBuilder, _ p: CoreParameters) {
            busy = m.reg("busy", .bool, reset: false)
            laneOp = m.reg("lane_op", .uint(VectorLaneOp.bits))
            scalarA = m.reg("scalar_a", .bool)
            scalarB = m.reg("scalar_b", .bool)
            scalars = p.streams > 1 ? m.reg("held_scalars", .vec(.sint(32), count: p.streams)) : m.reg("held_scalar", .sint(32))
            rd = m.reg("held_rd", .uint(p.vregBits))
            ra = m.reg("held_ra", .uint(p.vregBits))
            rb = m.reg("held_rb", .uint(p.vregBits))
            lastChunk = m.reg("last_chunk", .uint(p.chunkBits))
            lastMask = m.reg("last_mask", .uint(p.vectorLanes))
            chained = p.streams > 1 ? m.reg("chained", .bool, reset: false) : nil
        }
    }

    /// The dispatched instruction decoded: the lane op, the scalar operand, the last chunk and its mask.
    struct Decoded { let op, scalarA, scalarB, lastChunk, lastMask: Signal }

    func decode(_ m: ModuleBuilder, _ dispatch: Interface<Dispatch>) -> Decoded {
        let p = params
        let decodedOp = m.wire("decoded_op", .uint(VectorLaneOp.bits))
        let decodedScalarA = m.wire("decoded_scalar_a", .bool)
        let decodedScalarB = m.wire("decoded_scalar_b", .bool)
        m.switch(dispatch.op) { c in
            for (opcode, op, useA, useB) in Self.laneOps {
                c.is(lit(Int(opcode.rawValue), width: Encoding.op.width), comment: opcode.mnemonic) {
                    decodedOp.set(lit(op.rawValue, width: VectorLaneOp.bits))
                    decodedScalarA.set(Signal(booleanLiteral: useA))
                    decodedScalarB.set(Signal(booleanLiteral: useB))
                }
            }
            c.default {
                decodedOp.set(lit(VectorLaneOp.mv.rawValue, width: VectorLaneOp.bits))
                decodedScalarA.set(false)
                decodedScalarB.set(false)
            }
        }

        let chunks = lastChunkAndMask(m, vl: dispatch.vl, lanes: lanes, chunkBits: p.chunkBits)
        return Decoded(op: decodedOp, scalarA: decodedScalarA, scalarB: decodedScalarB,
                       lastChunk: chunks.lastChunk, lastMask: chunks.tailMask)
    }

    /// The read side: the row read this cycle.
    struct Issue {
        let issuing, chunk: Signal
        let stream: Signal?

        init(_ m: ModuleBuilder, _ p: CoreParameters) {
            issuing = m.reg("issuing", .bool, reset: false)
            chunk = m.reg("chunk", .uint(p.chunkBits))
            stream = p.streams > 1 ? m.reg("stream", .uint(p.streamBits)) : nil
        }
    }

    /// What leaves the lanes this cycle: a write, the stream's last chunk, the instruction's last.
    struct Writes { let writing, writingLast, writingEnd: Signal }

    /// Why: the lanes take a chunk per cycle and write it `lane.latency` cycles later, stream after stream.
    func lanesAndWrites(_ m: ModuleBuilder, _ io: Ports, _ held: Held, _ issue: Issue) -> Writes {
        let p = params
        let issueLast = m.wire("issue_last", issue.chunk == held.lastChunk)
        let issueEnd = m.wire("issue_end", issueLast && (issue.stream.map { $0 == io.streamLast! } ?? Signal(true)))
        // Read chunk `chunk` of every source while issuing; its data arrives next cycle.
        let here = registerRow(issue.stream, issue.chunk)
        io.a.chunk.set(here)
        io.d.chunk.set(here)
        io.a.reg.set(held.ra)
        io.d.reg.set(held.rd)
        if let chained = held.chained, let stream = issue.stream {
            // macp from stream 1 on: p is the previous stream's vd.
            let previous = m.wire("chain_now", chained && stream != 0)
            io.b.reg.set(mux(previous, held.rd, held.rb))
            io.b.chunk.set(registerRow(mux(previous, stream - 1, stream), issue.chunk))
        } else {
            io.b.reg.set(held.rb)
            io.b.chunk.set(here)
        }
        let arriving = m.regNext("arriving", issue.issuing, reset: false)
        let arrivingChunk = m.regNext("arriving_chunk", issue.chunk)
        let arrivingLast = m.regNext("arriving_last", issue.issuing && issueLast, reset: false)
        let arrivingEnd = m.regNext("arriving_end", issue.issuing && issueEnd, reset: false)
        let arrivingStream = issue.stream.map { m.regNext("arriving_stream", $0) }
        // The stream's scalar, chosen as its chunk is read.
        let scalar = issue.stream.map { m.regNext("arriving_scalar", held.scalars[$0]) } ?? held.scalars

        // The lanes advance only while a chunk is in them: idle lanes hold
        // still (saves their power; Verilator skips them, which made them
        // the largest cost of simulating a core that runs a block).
        let lanesAdvance = m.pipelineOccupied("lanes_advance", entering: arriving, latency: lane.latency)
        var results: [Signal] = [], clamped: [Signal] = []
        for j in 0..<lanes {
            let unit = m.instance(lane, "lane\(j)", clockEnable: lanesAdvance)
            unit.op.set(held.laneOp)
            unit.a.set(mux(held.scalarA, scalar, io.a.data[j]))
            unit.b.set(mux(held.scalarB, scalar, io.b.data[j]))
            unit.d.set(io.d.data[j])
            results.append(unit.result)
            clamped.append(unit.saturated)
        }

        // The chunk leaves the lanes `lane.latency` cycles after its data arrived.
        let writing = m.validDelay("writing", arriving, cycles: lane.latency)
        let writingChunk = m.pipelineDelay("writing_chunk", arrivingChunk, cycles: lane.latency)
        let writingLast = m.validDelay("writing_last", arrivingLast, cycles: lane.latency)
        let writingEnd = m.validDelay("writing_end", arrivingEnd, cycles: lane.latency)
        let writingStream = arrivingStream.map { m.pipelineDelay("writing_stream", $0, cycles: lane.latency) }
        let mask = m.wire("write_mask", mux(writingLast, held.lastMask, lit(BitVector(width: lanes, value: -1), .uint(lanes))))
        io.w.valid.set(writing)
        io.w.reg.set(held.rd)
        io.w.chunk.set(registerRow(writingStream, writingChunk))
        io.w.mask.set(mask)
        io.w.data.set(vec(results))

        // The record: the first write (stream 0's chunk 0) starts it; it is out Dispatch.recordLatency cycles after done.
        let record = m.instance(DigestAccumulator(lanes: lanes), "record")
        let firstChunk = writingChunk == lit(0, width: p.chunkBits)
        record.clear.set(writing && (writingStream.map { firstChunk && $0 == 0 } ?? firstChunk))
        record.valid.set(writing)
        record.base.set(cat(writingChunk, lit(0, width: laneBits)).extend(to: 32))
        record.mask.set(mask)
        record.data.set(vec(results))
        record.saturated.set(cat(clamped.reversed()))
        let done = m.wire("done_now", writing && writingEnd)
        io.dispatch.done.set(done)
        io.dispatch.doneCount.set(record.count)
        io.dispatch.doneDigest.set(record.digest)
        io.dispatch.doneSaturations.set(record.saturations)
        io.dispatch.doneFault.set(lit(0, width: Dispatch.faultBits))
        io.dispatch.doneScalar.set(slit(0, width: 32))
        io.dispatch.idle.set(!held.busy || done)
        issuePass(m, held, issue, issueLast: issueLast, issueEnd: issueEnd,
                  resume: held.chained.map { $0 && writing && writingLast && !writingEnd })
        return Writes(writing: writing, writingLast: writingLast, writingEnd: writingEnd)
    }

    /// Why: a pass reads a chunk per cycle, stream after stream; `macp` pauses
    /// after each stream until its last write (`resume`), which the next reads.
    func issuePass(_ m: ModuleBuilder, _ held: Held, _ issue: Issue, issueLast: Signal, issueEnd: Signal, resume: Signal?) {
        m.when(issue.issuing) {
            m.when(issueLast) {
                issue.chunk.set(lit(0, width: params.chunkBits))
                if let stream = issue.stream { stream.set(stream + 1) }
                m.when(held.chained.map { issueEnd || $0 } ?? issueEnd) { issue.issuing.set(false) }
            }.otherwise {
                issue.chunk.set(issue.chunk + lit(1, width: params.chunkBits))
            }
        }
        if let resume { m.when(resume) { issue.issuing.set(true) } }
    }

    /// Why: the instruction is latched at start and the unit is busy until its last write.
    func control(_ m: ModuleBuilder, _ io: Ports, _ held: Held, _ decoded: Decoded, _ issue: Issue, writes: Writes) {
        let p = params, dispatch = io.dispatch
        m.when(dispatch.start) {
            held.busy.set(true)
            held.laneOp.set(decoded.op)
            held.scalarA.set(decoded.scalarA)
            held.scalarB.set(decoded.scalarB)
            held.scalars.set(io.streamScalars ?? dispatch.scalar)
            held.rd.set(dispatch.rd[p.vregBits - 1, 0])
            held.ra.set(dispatch.ra[p.vregBits - 1, 0])
            held.rb.set(dispatch.rb[p.vregBits - 1, 0])
            held.lastChunk.set(decoded.lastChunk)
            held.lastMask.set(decoded.lastMask)
            held.chained?.set(dispatch.op == lit(Int(Opcode.macp.rawValue), width: Encoding.op.width))
            issue.issuing.set(true)
            issue.chunk.set(lit(0, width: p.chunkBits))
            issue.stream?.set(0)
        }.elseWhen(writes.writing && writes.writingEnd) {
            held.busy.set(false)
        }
    }
}
