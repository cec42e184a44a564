import HDL
import ISA

/// The reduction unit: `absmax sd, va`, `quant vd, va, sb` and
/// `norm vd, va, vb, eps`, bit for bit as `Numeric.absmax`, `quantize` and
/// `rmsScale` / `rmsApply`, `vectorLanes` elements per cycle.
///
/// - absmax: one pass over the chunks of va through a max tree; the scalar
///   leaves on `done_scalar` (record: count 1, digest = its bit pattern).
/// - quant: the multiplier Q from `sb` (the dispatch `scalar`) by a
///   sequential divider, then one pipelined pass writing vd.
/// - norm: a pass summing the squares of va, the scale R (`RMSScale`), then
///   a pass reading va and vb and writing vd.
///
/// Passes read one chunk per cycle and write one chunk per cycle; the unit
/// contract (dispatch, register ports, digest) is the one in docs/core.md.
///
/// Timing, with C = ceil(VL / vectorLanes) and T = log2(vectorLanes): `done`
/// comes N - 1 cycles after the `start` cycle and `idle` rises one cycle
/// after `done`, so back-to-back instructions start N cycles apart:
/// absmax N = C + T + 4; quant N = C + 27 (C + 7 when sb <= 0);
/// norm N = 2C + T + 53 (2C + T + 12 for S = 0). The constants are the
/// dividers (21 and 33 cycles), RsqrtCore (8) and ReductionLane (4).
public struct ReductionUnit: Module {
    public let params: CoreParameters

    public init(params: CoreParameters) { self.params = params }

    public var parameters: [Parameter] {
        let c = params.isa
        return [Parameter("N", params.vectorLanes), Parameter("VL", c.maxVectorLength),
                Parameter("VR", c.vectorRegisters), Parameter("F", c.fracBits)]
    }

    var lanes: Int { params.vectorLanes }
    /// log2(lanes): lanes is a power of two of at least 2.
    var laneBits: Int { addressWidth(lanes) }
    var squareTree: LaneReductionTree { LaneReductionTree(inputs: lanes, width: 63, operation: .sum) }
    var maxTree: LaneReductionTree { LaneReductionTree(inputs: lanes, width: 32, operation: .max) }
    var scaleUnit: RMSScale { RMSScale(maxVectorLength: params.isa.maxVectorLength, fracBits: params.isa.fracBits) }

    enum State: Int, CaseIterable {
        case idle, reduce, finish, quantScale, normStart, normScale, apply
        var value: Signal { lit(rawValue, width: 3) }
    }

    public func build(_ m: ModuleBuilder) {
        let p = params
        guard m.require(p.problems.isEmpty, "bad core parameters: \(p.problems.joined(separator: "; "))") else { return }
        let dispatch = m.ports(Dispatch(p))
        let a = m.ports(RegisterRead(p), prefix: RegisterRead.prefix("a"))
        let b = m.ports(RegisterRead(p), prefix: RegisterRead.prefix("b"))
        let w = m.ports(RegisterWrite(p), prefix: RegisterWrite.prefix("w"))
        let chunkBits = p.chunkBits, vregBits = p.vregBits

        // The instruction, latched at dispatch.
        let state = m.reg("state", .uint(3), reset: State.idle.value)
        let isNorm = m.reg("is_norm", .bool)
        let isQuant = m.reg("is_quant", .bool)
        let rd = m.reg("dest", .uint(vregBits))
        let ra = m.reg("source_a", .uint(vregBits))
        let rb = m.reg("source_b", .uint(vregBits))
        let vl = m.reg("length", .uint(p.vlBits))
        let eps = m.reg("eps", .uint(32))
        let lastChunk = m.reg("last_chunk", .uint(chunkBits))
        let tailMask = m.reg("tail_mask", .uint(lanes))
        let scale = m.reg("scale", .sint(64))

        // Chunks 0 ... (vl-1)/lanes; the last keeps lanes j <= (vl-1) mod lanes.
        let vlMinusOne = m.wire("vl_minus_one", dispatch.vl - 1)
        let firstLastChunk = resize(vlMinusOne >> laneBits, chunkBits)
        let tailIndex = vlMinusOne[laneBits - 1, 0]
        let firstTailMask = cat((0..<lanes).reversed().map { $0 == 0 ? Signal(true) : lit($0, width: laneBits) <= tailIndex })

        let opIsNorm = dispatch.op == lit(Int(Opcode.norm.rawValue), width: Encoding.op.width)
        let opIsQuant = dispatch.op == lit(Int(Opcode.quant.rawValue), width: Encoding.op.width)

        // Pass issue: one chunk read per cycle on a (and b), chunk data one cycle later.
        let issuing = m.reg("issuing", .bool, reset: false)
        let issueChunk = m.reg("issue_chunk", .uint(chunkBits))
        let applyPass = state == State.apply.value
        a.reg.set(ra)
        a.chunk.set(issueChunk)
        b.reg.set(rb)
        b.chunk.set(issueChunk)
        let issueLast = issueChunk == lastChunk
        m.when(issuing) {
            issueChunk.set(issueChunk + 1)
            m.when(issueLast) { issuing.set(false) }
        }
        func beginPass() {
            issuing.set(true)
            issueChunk.set(0)
        }

        // Stage 1: the chunk's data is on a_data / b_data.
        let s1Valid = m.regNext("s1_valid", issuing, reset: false)
        let s1Apply = m.regNext("s1_apply", applyPass, reset: false)
        let s1Last = m.regNext("s1_last", issueLast)
        let s1Chunk = m.regNext("s1_chunk", issueChunk)
        let s1Mask = m.wire("s1_mask", mux(s1Last, tailMask, lit(BitVector(width: lanes, value: -1), .uint(lanes))))

        var results: [Signal] = [], clamped: [Signal] = [], magnitudes: [Signal] = [], squares: [Signal] = []
        for j in 0..<lanes {
            let lane = m.instance(ReductionLane(fracBits: p.isa.fracBits), "lane\(j)")
            lane.x.set(a.data[j])
            lane.w.set(b.data[j])
            lane.scale.set(scale)
            lane.square.set(!s1Apply)
            lane.quant.set(isQuant)
            results.append(lane.result)
            clamped.append(lane.saturated)
            magnitudes.append(lane.magnitude)
            squares.append(lane.square_out)
        }

        // Reduction passes: masked magnitudes and squares into the two trees.
        let s2Valid = m.regNext("s2_valid", s1Valid && !s1Apply, reset: false)
        let s2Last = m.regNext("s2_last", s1Last)
        let s2Mask = m.regNext("s2_mask", s1Mask)
        let maxes = m.instance(maxTree, "max_tree")
        maxes.x.set(vec((0..<lanes).map { mux(s2Mask[$0], magnitudes[$0], lit(0, width: 32)) }))
        let sums = m.instance(squareTree, "square_tree")
        // A 63-bit zero from a BitVector: the integer-literal range check overflows at 63 bits.
        sums.x.set(vec((0..<lanes).map { mux(s2Mask[$0], squares[$0], lit(BitVector.zero(63), .uint(63))) }))
        var treeValid = s2Valid, treeLast = s2Last
        for i in 0..<maxTree.latency {
            treeValid = m.regNext("tree_valid\(i)", treeValid, reset: false)
            treeLast = m.regNext("tree_last\(i)", treeLast)
        }

        let sumBits = scaleUnit.sumBits
        let sumSquares = m.reg("sum_squares", .uint(sumBits))
        let maxMagnitude = m.reg("max_magnitude", .uint(32))
        let treeMax = maxes.result
        m.when(treeValid) {
            sumSquares.set(sumSquares + sums.result.extend(to: sumBits))
            maxMagnitude.set(mux(treeMax > maxMagnitude, treeMax, maxMagnitude))
        }
        // |-2^31| saturates to 2^31 - 1.
        let absmax = m.wire("absmax", mux(maxMagnitude[31], lit(Int(Int32.max), width: 32), maxMagnitude).asSInt)

        // The scales.
        let quantScale = m.instance(QuantMultiplier(), "quant_scale")
        quantScale.start.set(dispatch.start && state == State.idle.value && opIsQuant)
        quantScale.absmax.set(dispatch.scalar)
        let normScale = m.instance(scaleUnit, "norm_scale")
        normScale.start.set(state == State.normStart.value)
        normScale.sum_squares.set(sumSquares)
        normScale.n.set(vl)
        normScale.eps.set(eps)

        // Apply passes: lane results leave ReductionLane.latency cycles after stage 1.
        var wValid = s1Valid && s1Apply, wLast = s1Last, wChunk = s1Chunk, wMask = s1Mask
        for i in 0..<ReductionLane.latency {
            wValid = m.regNext("w_valid\(i)", wValid, reset: false)
            wLast = m.regNext("w_last\(i)", wLast)
            wChunk = m.regNext("w_chunk\(i)", wChunk)
            wMask = m.regNext("w_mask\(i)", wMask)
        }
        let data = m.wire("result_data", vec(results))
        w.valid.set(wValid)
        w.reg.set(rd)
        w.chunk.set(wChunk)
        w.mask.set(wMask)
        w.data.set(data)

        let digest = m.instance(DigestAccumulator(lanes: lanes), "record_digest")
        digest.clear.set(wValid && wChunk == 0)
        digest.valid.set(wValid)
        digest.base.set(cat(wChunk, lit(0, width: laneBits)).extend(to: 32))
        digest.mask.set(wMask)
        digest.data.set(data)
        digest.saturated.set(cat(clamped.reversed()))

        // Completion.
        let scalarDone = state == State.finish.value
        let vectorDone = m.wire("vector_done", wValid && wLast)
        dispatch.done.set(scalarDone || vectorDone)
        dispatch.doneFault.set(lit(0, width: Dispatch.faultBits))
        dispatch.doneCount.set(mux(scalarDone, lit(1, width: 32), digest.next_count))
        dispatch.doneDigest.set(mux(scalarDone, absmax.asUInt, digest.next_digest))
        // absmax saturates when an element is -2^31 (its magnitude has bit 31 set).
        dispatch.doneSaturations.set(mux(scalarDone, maxMagnitude[31].asUInt.extend(to: 32), digest.next_saturations))
        dispatch.doneScalar.set(absmax)
        dispatch.idle.set(state == State.idle.value)

        m.switch(state) { s in
            s.is(State.idle.value) {
                m.when(dispatch.start) {
                    isNorm.set(opIsNorm)
                    isQuant.set(opIsQuant)
                    rd.set(resize(dispatch.rd, vregBits))
                    ra.set(resize(dispatch.ra, vregBits))
                    rb.set(resize(dispatch.rb, vregBits))
                    vl.set(dispatch.vl)
                    eps.set(dispatch.imm)
                    lastChunk.set(firstLastChunk)
                    tailMask.set(firstTailMask)
                    sumSquares.set(0)
                    maxMagnitude.set(0)
                    m.when(opIsQuant) {
                        state.set(State.quantScale.value)
                    }.otherwise {
                        beginPass()
                        state.set(State.reduce.value)
                    }
                }
            }
            s.is(State.reduce.value) {
                m.when(treeValid && treeLast) {
                    state.set(mux(isNorm, State.normStart.value, State.finish.value))
                }
            }
            s.is(State.finish.value) { state.set(State.idle.value) }
            s.is(State.quantScale.value) {
                m.when(quantScale.done) {
                    scale.set(quantScale.multiplier.extend(to: 64).asSInt)
                    beginPass()
                    state.set(State.apply.value)
                }
            }
            s.is(State.normStart.value) { state.set(State.normScale.value) }
            s.is(State.normScale.value) {
                m.when(normScale.done) {
                    scale.set(normScale.scale)
                    beginPass()
                    state.set(State.apply.value)
                }
            }
            s.is(State.apply.value) {
                m.when(vectorDone) { state.set(State.idle.value) }
            }
            s.default { state.set(State.idle.value) }
        }
    }

    /// The low `width` bits of unsigned `v`, or `v` zero-extended to `width`.
    func resize(_ v: Signal, _ width: Int) -> Signal {
        v.width! >= width ? v.asUInt[width - 1, 0] : v.extend(to: width)
    }
}
