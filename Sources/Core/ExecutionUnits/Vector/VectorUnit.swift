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
public struct VectorUnit: Module {
    public let params: CoreParameters

    public init(params: CoreParameters) { self.params = params }

    public var parameters: [Parameter] {
        [Parameter("N", params.vectorLanes), Parameter("VL", params.isa.maxVectorLength),
         Parameter("V", params.isa.vectorRegisters), Parameter("F", params.isa.fracBits)]
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
        let lanes = p.vectorLanes
        var laneBits = 0
        while 1 << laneBits < lanes { laneBits += 1 }
        let dispatch = m.ports(Dispatch(p))
        let readA = m.ports(RegisterRead(p), prefix: RegisterRead.prefix("a"))
        let readB = m.ports(RegisterRead(p), prefix: RegisterRead.prefix("b"))
        let readD = m.ports(RegisterRead(p), prefix: RegisterRead.prefix("d"))
        let write = m.ports(RegisterWrite(p), prefix: RegisterWrite.prefix("w"))

        // The instruction, held from start to done.
        let busy = m.reg("busy", .bool, reset: false)
        let laneOp = m.reg("lane_op", .uint(VectorLaneOp.bits))
        let scalarA = m.reg("scalar_a", .bool)
        let scalarB = m.reg("scalar_b", .bool)
        let scalar = m.reg("held_scalar", .sint(32))
        let rd = m.reg("held_rd", .uint(p.vregBits))
        let ra = m.reg("held_ra", .uint(p.vregBits))
        let rb = m.reg("held_rb", .uint(p.vregBits))
        let lastChunk = m.reg("last_chunk", .uint(p.chunkBits))
        let lastMask = m.reg("last_mask", .uint(lanes))
        let issuing = m.reg("issuing", .bool, reset: false)
        let chunk = m.reg("chunk", .uint(p.chunkBits))

        // Decode the opcode into the lane's op.
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

        // Chunks 0 ... (VL - 1) / lanes; the last one holds (VL mod lanes) or all lanes.
        let vlMinusOne = m.wire("vl_minus_one", dispatch.vl - lit(1, width: p.vlBits))
        let lastIndex = vlMinusOne >> laneBits
        let lastIndexBits = lastIndex.width ?? 1
        let remainder = dispatch.vl[laneBits - 1, 0]
        let fullLast = remainder == lit(0, width: laneBits)
        let lastChunkMask = cat((0..<lanes).reversed().map { j in
            j == lanes - 1 ? fullLast : fullLast || remainder > lit(j, width: laneBits)
        })

        let done = m.wire("done_now", .bool)
        m.when(dispatch.start) {
            busy.set(true)
            laneOp.set(decodedOp)
            scalarA.set(decodedScalarA)
            scalarB.set(decodedScalarB)
            scalar.set(dispatch.scalar)
            rd.set(dispatch.rd[p.vregBits - 1, 0])
            ra.set(dispatch.ra[p.vregBits - 1, 0])
            rb.set(dispatch.rb[p.vregBits - 1, 0])
            lastChunk.set(lastIndexBits >= p.chunkBits ? lastIndex.truncate(to: p.chunkBits) : lastIndex.extend(to: p.chunkBits))
            lastMask.set(lastChunkMask)
            issuing.set(true)
            chunk.set(lit(0, width: p.chunkBits))
        }.elseWhen(issuing) {
            chunk.set(chunk + lit(1, width: p.chunkBits))
            m.when(chunk == lastChunk) { issuing.set(false) }
        }.elseWhen(done) {
            busy.set(false)
        }

        // Read chunk `chunk` of every source while issuing; its data arrives next cycle.
        for port in [readA, readB, readD] { port.chunk.set(chunk) }
        readA.reg.set(ra)
        readB.reg.set(rb)
        readD.reg.set(rd)
        let arriving = m.regNext("arriving", issuing, reset: false)
        let arrivingChunk = m.regNext("arriving_chunk", chunk)
        let arrivingLast = m.regNext("arriving_last", issuing && chunk == lastChunk, reset: false)

        // The lanes advance only while a chunk is in them: idle lanes hold
        // still (saves their power; Verilator skips them, which made them
        // the largest cost of simulating a core that runs a block).
        let lanesAdvance = m.pipelineOccupied("lanes_advance", entering: arriving, latency: lane.latency)

        var results: [Signal] = [], clamped: [Signal] = []
        for j in 0..<lanes {
            let unit = m.instance(lane, "lane\(j)", clockEnable: lanesAdvance)
            unit.op.set(laneOp)
            unit.a.set(mux(scalarA, scalar, readA.data[j]))
            unit.b.set(mux(scalarB, scalar, readB.data[j]))
            unit.d.set(readD.data[j])
            results.append(unit.result)
            clamped.append(unit.saturated)
        }

        // The chunk leaves the lanes `lane.latency` cycles after its data arrived.
        let writing = m.validDelay("writing", arriving, cycles: lane.latency)
        let writingChunk = m.pipelineDelay("writing_chunk", arrivingChunk, cycles: lane.latency)
        let writingLast = m.validDelay("writing_last", arrivingLast, cycles: lane.latency)
        let mask = m.wire("write_mask", mux(writingLast, lastMask, lit(BitVector(width: lanes, value: -1), .uint(lanes))))
        write.valid.set(writing)
        write.reg.set(rd)
        write.chunk.set(writingChunk)
        write.mask.set(mask)
        write.data.set(vec(results))

        // The record: a chunk's first write starts it, the last one reports it.
        let record = m.instance(DigestAccumulator(lanes: lanes), "record")
        record.clear.set(writing && writingChunk == lit(0, width: p.chunkBits))
        record.valid.set(writing)
        record.base.set(cat(writingChunk, lit(0, width: laneBits)).extend(to: 32))
        record.mask.set(mask)
        record.data.set(vec(results))
        record.saturated.set(cat(clamped.reversed()))
        done.set(writing && writingLast)
        dispatch.done.set(done)
        dispatch.doneCount.set(record.next_count)
        dispatch.doneDigest.set(record.next_digest)
        dispatch.doneSaturations.set(record.next_saturations)
        dispatch.doneFault.set(lit(0, width: Dispatch.faultBits))
        dispatch.doneScalar.set(slit(0, width: 32))
        dispatch.idle.set(!busy || done)
    }
}
