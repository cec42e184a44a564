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
                Parameter("V", c.vectorRegisters), Parameter("F", c.fracBits)]
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

    /// The unit in the order of its parts (each declares its signals in the
    /// order of the emitted code).
    public func build(_ m: ModuleBuilder) {
        let p = params
        guard m.require(p.problems.isEmpty, "bad core parameters: \(p.problems.joined(separator: "; "))") else { return }
        let io = Ports(m, p)
        let ins = Instruction(m, p, lanes: lanes)
        let decoded = decode(m, io.dispatch)
        let pass = passes(m, io, ins)
        let reduced = reduce(m, ins, pass)
        let quantScale = m.instance(QuantMultiplier(), "quant_scale")
        quantScale.start.set(io.dispatch.start && ins.state == State.idle.value && decoded.isQuant)
        quantScale.absmax.set(io.dispatch.scalar)
        let normScale = m.instance(scaleUnit, "norm_scale")
        normScale.start.set(ins.state == State.normStart.value)
        normScale.sum_squares.set(reduced.sumSquares)
        normScale.n.set(ins.vl)
        normScale.eps.set(ins.eps)
        let vectorDone = apply(m, io, ins, pass, reduced)
        control(m, io.dispatch, ins, decoded, pass, reduced, vectorDone: vectorDone, quantScale: quantScale, normScale: normScale)
    }
}

extension ReductionUnit {
    struct Ports {
        let dispatch: Interface<Dispatch>
        let a, b: Interface<RegisterRead>
        let w: Interface<RegisterWrite>

        init(_ m: ModuleBuilder, _ p: CoreParameters) {
            dispatch = m.ports(Dispatch(p))
            a = m.ports(RegisterRead(p), prefix: RegisterRead.prefix("a"))
            b = m.ports(RegisterRead(p), prefix: RegisterRead.prefix("b"))
            w = m.ports(RegisterWrite(p), prefix: RegisterWrite.prefix("w"))
        }
    }

    /// The instruction, latched at dispatch, and the unit's state.
    struct Instruction {
        let state, isNorm, isQuant, rd, ra, rb, vl, eps, lastChunk, tailMask, scale: Signal

        init(_ m: ModuleBuilder, _ p: CoreParameters, lanes: Int) {
            state = m.reg("state", .uint(3), reset: State.idle.value)
            isNorm = m.reg("is_norm", .bool)
            isQuant = m.reg("is_quant", .bool)
            rd = m.reg("dest", .uint(p.vregBits))
            ra = m.reg("source_a", .uint(p.vregBits))
            rb = m.reg("source_b", .uint(p.vregBits))
            vl = m.reg("length", .uint(p.vlBits))
            eps = m.reg("eps", .uint(32))
            lastChunk = m.reg("last_chunk", .uint(p.chunkBits))
            tailMask = m.reg("tail_mask", .uint(lanes))
            scale = m.reg("scale", .sint(64))
        }
    }

    /// The dispatched instruction's op, its last chunk and the lanes of that chunk below VL.
    struct Decoded { let isNorm, isQuant, lastChunk, tailMask: Signal }

    /// Why: a pass needs its last chunk and tail mask from the first cycle.
    func decode(_ m: ModuleBuilder, _ dispatch: Interface<Dispatch>) -> Decoded {
        // Chunks 0 ... (vl-1)/lanes; the last keeps lanes j <= (vl-1) mod lanes.
        let vlMinusOne = m.wire("vl_minus_one", dispatch.vl - 1)
        let firstLastChunk = resize(vlMinusOne >> laneBits, params.chunkBits)
        let tailIndex = vlMinusOne[laneBits - 1, 0]
        let firstTailMask = cat((0..<lanes).reversed().map { $0 == 0 ? Signal(true) : lit($0, width: laneBits) <= tailIndex })
        return Decoded(isNorm: dispatch.op == lit(Int(Opcode.norm.rawValue), width: Encoding.op.width),
                       isQuant: dispatch.op == lit(Int(Opcode.quant.rawValue), width: Encoding.op.width),
                       lastChunk: firstLastChunk, tailMask: firstTailMask)
    }

    /// A pass over the chunks, and the lanes' outputs for the chunk at stage 1.
    struct Pass {
        let issuing, issueChunk: Signal
        let s1Valid, s1Apply, s1Last, s1Chunk, s1Mask: Signal
        let results, clamped, magnitudes, squares: [Signal]

        /// Starts a pass at chunk 0.
        func begin() {
            issuing.set(true)
            issueChunk.set(0)
        }
    }

    /// Why: every instruction is one or two passes reading a chunk per cycle through the lanes.
    func passes(_ m: ModuleBuilder, _ io: Ports, _ ins: Instruction) -> Pass {
        // Pass issue: one chunk read per cycle on a (and b), chunk data one cycle later.
        let issuing = m.reg("issuing", .bool, reset: false)
        let issueChunk = m.reg("issue_chunk", .uint(params.chunkBits))
        let applyPass = ins.state == State.apply.value
        io.a.reg.set(ins.ra)
        io.a.chunk.set(issueChunk)
        io.b.reg.set(ins.rb)
        io.b.chunk.set(issueChunk)
        let issueLast = issueChunk == ins.lastChunk
        m.when(issuing) {
            issueChunk.set(issueChunk + 1)
            m.when(issueLast) { issuing.set(false) }
        }

        // Stage 1: the chunk's data is on a_data / b_data.
        let s1Valid = m.regNext("s1_valid", issuing, reset: false)
        let s1Apply = m.regNext("s1_apply", applyPass, reset: false)
        let s1Last = m.regNext("s1_last", issueLast)
        let s1Chunk = m.regNext("s1_chunk", issueChunk)
        let s1Mask = m.wire("s1_mask", mux(s1Last, ins.tailMask, lit(BitVector(width: lanes, value: -1), .uint(lanes))))

        // Idle lanes hold still (as the vector unit's).
        let lanesAdvance = m.pipelineOccupied("lanes_advance", entering: s1Valid, latency: ReductionLane.latency)
        var results: [Signal] = [], clamped: [Signal] = [], magnitudes: [Signal] = [], squares: [Signal] = []
        for j in 0..<lanes {
            let lane = m.instance(ReductionLane(fracBits: params.isa.fracBits), "lane\(j)", clockEnable: lanesAdvance)
            lane.x.set(io.a.data[j])
            lane.w.set(io.b.data[j])
            lane.scale.set(ins.scale)
            lane.square.set(!s1Apply)
            lane.quant.set(ins.isQuant)
            results.append(lane.result)
            clamped.append(lane.saturated)
            magnitudes.append(lane.magnitude)
            squares.append(lane.square_out)
        }
        return Pass(issuing: issuing, issueChunk: issueChunk, s1Valid: s1Valid, s1Apply: s1Apply, s1Last: s1Last,
                    s1Chunk: s1Chunk, s1Mask: s1Mask, results: results, clamped: clamped, magnitudes: magnitudes, squares: squares)
    }

    /// What a reduction pass found: the running sums, and when its last chunk left the trees.
    struct Reduced { let treeValid, treeLast, sumSquares, maxMagnitude, absmax: Signal }

    /// Why: absmax and the norm's sum of squares reduce a chunk per cycle through two trees.
    func reduce(_ m: ModuleBuilder, _ ins: Instruction, _ pass: Pass) -> Reduced {
        // Reduction passes: masked magnitudes and squares into the two trees.
        let s2Valid = m.regNext("s2_valid", pass.s1Valid && !pass.s1Apply, reset: false)
        let s2Last = m.regNext("s2_last", pass.s1Last)
        let s2Mask = m.regNext("s2_mask", pass.s1Mask)
        let maxes = m.instance(maxTree, "max_tree")
        maxes.x.set(vec((0..<lanes).map { mux(s2Mask[$0], pass.magnitudes[$0], lit(0, width: 32)) }))
        let sums = m.instance(squareTree, "square_tree")
        // A 63-bit zero from a BitVector: the integer-literal range check overflows at 63 bits.
        sums.x.set(vec((0..<lanes).map { mux(s2Mask[$0], pass.squares[$0], lit(BitVector.zero(63), .uint(63))) }))
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
        return Reduced(treeValid: treeValid, treeLast: treeLast, sumSquares: sumSquares, maxMagnitude: maxMagnitude, absmax: absmax)
    }

    /// Why: quant and norm write vd from the lanes' results, with the record's digest.
    /// Returns the cycle of the last write.
    func apply(_ m: ModuleBuilder, _ io: Ports, _ ins: Instruction, _ pass: Pass, _ reduced: Reduced) -> Signal {
        let dispatch = io.dispatch, w = io.w
        // Apply passes: lane results leave ReductionLane.latency cycles after stage 1.
        var wValid = pass.s1Valid && pass.s1Apply, wLast = pass.s1Last, wChunk = pass.s1Chunk, wMask = pass.s1Mask
        for i in 0..<ReductionLane.latency {
            wValid = m.regNext("w_valid\(i)", wValid, reset: false)
            wLast = m.regNext("w_last\(i)", wLast)
            wChunk = m.regNext("w_chunk\(i)", wChunk)
            wMask = m.regNext("w_mask\(i)", wMask)
        }
        let data = m.wire("result_data", vec(pass.results))
        w.valid.set(wValid)
        w.reg.set(ins.rd)
        w.chunk.set(wChunk)
        w.mask.set(wMask)
        w.data.set(data)

        let digest = m.instance(DigestAccumulator(lanes: lanes), "record_digest")
        digest.clear.set(wValid && wChunk == 0)
        digest.valid.set(wValid)
        digest.base.set(cat(wChunk, lit(0, width: laneBits)).extend(to: 32))
        digest.mask.set(wMask)
        digest.data.set(data)
        digest.saturated.set(cat(pass.clamped.reversed()))

        // Completion.
        let absmax = reduced.absmax, maxMagnitude = reduced.maxMagnitude
        let scalarDone = ins.state == State.finish.value
        let vectorDone = m.wire("vector_done", wValid && wLast)
        dispatch.done.set(scalarDone || vectorDone)
        dispatch.doneFault.set(lit(0, width: Dispatch.faultBits))
        dispatch.doneCount.set(mux(scalarDone, lit(1, width: 32), digest.next_count))
        dispatch.doneDigest.set(mux(scalarDone, absmax.asUInt, digest.next_digest))
        // absmax saturates when an element is -2^31 (its magnitude has bit 31 set).
        dispatch.doneSaturations.set(mux(scalarDone, maxMagnitude[31].asUInt.extend(to: 32), digest.next_saturations))
        dispatch.doneScalar.set(absmax)
        dispatch.idle.set(ins.state == State.idle.value)
        return vectorDone
    }

    /// Why: one state machine sequences the passes and the scales of each instruction.
    func control(_ m: ModuleBuilder, _ dispatch: Interface<Dispatch>, _ ins: Instruction, _ decoded: Decoded, _ pass: Pass,
                 _ reduced: Reduced, vectorDone: Signal, quantScale: Instance, normScale: Instance) {
        let state = ins.state, vregBits = params.vregBits
        m.switch(state) { s in
            s.is(State.idle.value) {
                m.when(dispatch.start) {
                    ins.isNorm.set(decoded.isNorm)
                    ins.isQuant.set(decoded.isQuant)
                    ins.rd.set(resize(dispatch.rd, vregBits))
                    ins.ra.set(resize(dispatch.ra, vregBits))
                    ins.rb.set(resize(dispatch.rb, vregBits))
                    ins.vl.set(dispatch.vl)
                    ins.eps.set(dispatch.imm)
                    ins.lastChunk.set(decoded.lastChunk)
                    ins.tailMask.set(decoded.tailMask)
                    reduced.sumSquares.set(0)
                    reduced.maxMagnitude.set(0)
                    m.when(decoded.isQuant) {
                        state.set(State.quantScale.value)
                    }.otherwise {
                        pass.begin()
                        state.set(State.reduce.value)
                    }
                }
            }
            s.is(State.reduce.value) {
                m.when(reduced.treeValid && reduced.treeLast) {
                    state.set(mux(ins.isNorm, State.normStart.value, State.finish.value))
                }
            }
            s.is(State.finish.value) { state.set(State.idle.value) }
            s.is(State.quantScale.value) {
                m.when(quantScale.done) {
                    ins.scale.set(quantScale.multiplier.extend(to: 64).asSInt)
                    pass.begin()
                    state.set(State.apply.value)
                }
            }
            s.is(State.normStart.value) { state.set(State.normScale.value) }
            s.is(State.normScale.value) {
                m.when(normScale.done) {
                    ins.scale.set(normScale.scale)
                    pass.begin()
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
