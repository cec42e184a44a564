import HDL
import ISA

extension ReductionUnit {
    /// Each stream's scale units: Q for quant, started at dispatch, and R
    /// for norm, started once the stream's sum of squares is complete. Both
    /// hold their result until their next start.
    struct Scales {
        let quant, norm: [Instance]
        /// Every active stream's scale is ready (this cycle or before).
        let allReady: Signal

        /// Stream `s`'s scale for the apply pass.
        func value(_ s: Int, isQuant: Signal) -> Signal {
            mux(isQuant, quant[s].multiplier.extend(to: 64).asSInt, norm[s].scale)
        }
    }

    /// Why: the scales of all streams run side by side, so B streams wait for one scale's latency.
    func scaleUnits(_ m: ModuleBuilder, _ io: Ports, _ ins: Instruction, _ decoded: Decoded) -> Scales {
        let dispatched = m.wire("dispatched", io.dispatch.start && ins.state == State.idle.value)
        var quant: [Instance] = [], norm: [Instance] = [], ready: [Signal] = []
        for s in 0..<streams {
            let q = m.instance(QuantMultiplier(), named("quant_scale", s))
            // Only active streams start: an idle stream's divider must not run into the next instruction.
            q.start.set(io.isActive(s).map { dispatched && decoded.isQuant && $0 } ?? (dispatched && decoded.isQuant))
            q.absmax.set(io.streamScalars.map { $0[s] } ?? io.dispatch.scalar)
            let r = m.instance(scaleUnit, named("norm_scale", s))
            r.n.set(ins.vl)
            r.eps.set(ins.eps)
            // Ready from the unit's done until the next dispatch.
            let held = m.reg(named("scale_ready", s), .bool, reset: false)
            let doneNow = q.done || r.done
            m.when(dispatched) { held.set(false) }.elseWhen(doneNow) { held.set(true) }
            ready.append(io.isActive(s).map { held || doneNow || !$0 } ?? (held || doneNow))
            quant.append(q)
            norm.append(r)
        }
        return Scales(quant: quant, norm: norm, allReady: m.wire("scales_ready", allTrue(ready)))
    }

    /// A pass over the chunks of every active stream, and the lanes' outputs for the chunk at stage 1.
    struct Pass {
        let issuing, issueChunk: Signal
        /// The stream the pass reads (several streams only).
        let issueStream: Signal?
        /// `s1Last`: the stream's last chunk; `s1End`: the pass's last chunk.
        let s1Valid, s1Apply, s1Last, s1End, s1Chunk, s1Mask: Signal
        let s1Stream: Signal?
        let results, clamped, magnitudes, squares: [Signal]

        /// Starts a pass at stream 0's chunk 0.
        func begin() {
            issuing.set(true)
            issueChunk.set(0)
            issueStream?.set(0)
        }
    }

    /// Why: every instruction is one or two passes reading a chunk per cycle through the lanes.
    func passes(_ m: ModuleBuilder, _ io: Ports, _ ins: Instruction, _ scales: Scales) -> Pass {
        // Pass issue: one chunk read per cycle on a (and b), chunk data one cycle later.
        let issuing = m.reg("issuing", .bool, reset: false)
        let issueChunk = m.reg("issue_chunk", .uint(params.chunkBits))
        let issueStream = streams > 1 ? m.reg("issue_stream", .uint(params.streamBits)) : nil
        let applyPass = ins.state == State.apply.value
        io.a.reg.set(ins.ra)
        io.a.chunk.set(registerRow(issueStream, issueChunk))
        io.b.reg.set(ins.rb)
        io.b.chunk.set(registerRow(issueStream, issueChunk))
        let issueLast = m.wire("issue_last", issueChunk == ins.lastChunk)
        let issueEnd = m.wire("issue_end", issueLast && io.isLast(issueStream))
        m.when(issuing) {
            m.when(issueLast) {
                issueChunk.set(0)
                if let issueStream { issueStream.set(issueStream + 1) }
                m.when(issueEnd) { issuing.set(false) }
            }.otherwise {
                issueChunk.set(issueChunk + 1)
            }
        }
        // The apply pass's scale, the issuing stream's, meets its chunk at stage 1.
        let scaleNow = streams == 1 ? scales.value(0, isQuant: ins.isQuant)
            : vec((0..<streams).map { scales.value($0, isQuant: ins.isQuant) })[issueStream!]
        let s1Scale = m.regNext("s1_scale", scaleNow)

        // Stage 1: the chunk's data is on a_data / b_data.
        let s1Valid = m.regNext("s1_valid", issuing, reset: false)
        let s1Apply = m.regNext("s1_apply", applyPass, reset: false)
        let s1Last = m.regNext("s1_last", issueLast)
        let s1End = m.regNext("s1_end", issueEnd)
        let s1Chunk = m.regNext("s1_chunk", issueChunk)
        let s1Stream = issueStream.map { m.regNext("s1_stream", $0) }
        let s1Mask = m.wire("s1_mask", mux(s1Last, ins.tailMask, lit(BitVector(width: lanes, value: -1), .uint(lanes))))

        // Idle lanes hold still (as the vector unit's).
        let lanesAdvance = m.pipelineOccupied("lanes_advance", entering: s1Valid, latency: ReductionLane.latency)
        var results: [Signal] = [], clamped: [Signal] = [], magnitudes: [Signal] = [], squares: [Signal] = []
        for j in 0..<lanes {
            let lane = m.instance(ReductionLane(fracBits: params.isa.fracBits), "lane\(j)", clockEnable: lanesAdvance)
            lane.x.set(io.a.data[j])
            lane.w.set(io.b.data[j])
            lane.scale.set(s1Scale)
            lane.square.set(!s1Apply)
            lane.quant.set(ins.isQuant)
            results.append(lane.result)
            clamped.append(lane.saturated)
            magnitudes.append(lane.magnitude)
            squares.append(lane.square_out)
        }
        return Pass(issuing: issuing, issueChunk: issueChunk, issueStream: issueStream, s1Valid: s1Valid, s1Apply: s1Apply,
                    s1Last: s1Last, s1End: s1End, s1Chunk: s1Chunk, s1Mask: s1Mask, s1Stream: s1Stream,
                    results: results, clamped: clamped, magnitudes: magnitudes, squares: squares)
    }

    /// What a reduction pass found: when its last chunk left the trees, and each stream's absmax.
    struct Reduced {
        let treeValid, treeEnd: Signal
        /// Each stream's largest magnitude (bit 31: the saturating -2^31) and its absmax.
        let maxima, absmax: [Signal]
    }

    /// Why: absmax and the norm's sum of squares reduce a chunk per cycle through two
    /// trees; a stream's totals leave for its scale unit as the next stream's enter.
    func reduce(_ m: ModuleBuilder, _ io: Ports, _ ins: Instruction, _ pass: Pass, _ scales: Scales) -> Reduced {
        // Reduction passes: masked magnitudes and squares into the two trees.
        // The lanes' magnitudes and squares leave `reduceLatency` cycles after stage 1.
        let delay = ReductionLane.reduceLatency
        let s2Valid = m.validDelay("s2_valid", pass.s1Valid && !pass.s1Apply, cycles: delay)
        let s2Last = m.pipelineDelay("s2_last", pass.s1Last, cycles: delay)
        let s2End = m.pipelineDelay("s2_end", pass.s1End, cycles: delay)
        let s2Stream = pass.s1Stream.map { m.pipelineDelay("s2_stream", $0, cycles: delay) }
        let s2Mask = m.pipelineDelay("s2_mask", pass.s1Mask, cycles: delay)
        let maxes = m.instance(maxTree, "max_tree")
        maxes.x.set(vec((0..<lanes).map { mux(s2Mask[$0], pass.magnitudes[$0], lit(0, width: 32)) }))
        let sums = m.instance(squareTree, "square_tree")
        // A 63-bit zero from a BitVector: the integer-literal range check overflows at 63 bits.
        sums.x.set(vec((0..<lanes).map { mux(s2Mask[$0], pass.squares[$0], lit(BitVector.zero(63), .uint(63))) }))
        var treeValid = s2Valid, treeLast = s2Last, treeEnd = s2End, treeStream = s2Stream
        for i in 0..<maxTree.latency {
            treeValid = m.regNext("tree_valid\(i)", treeValid, reset: false)
            treeLast = m.regNext("tree_last\(i)", treeLast)
            treeEnd = m.regNext("tree_end\(i)", treeEnd)
            treeStream = treeStream.map { m.regNext("tree_stream\(i)", $0) }
        }

        // Running totals of the stream in the trees, back to zero after its last chunk.
        let sumBits = scaleUnit.sumBits
        let sumSquares = m.reg("sum_squares", .uint(sumBits), reset: 0)
        let maxMagnitude = m.reg("max_magnitude", .uint(32), reset: 0)
        let treeMax = maxes.result
        let sumNext = m.wire("sum_next", sumSquares + sums.result.extend(to: sumBits))
        let maxNext = m.wire("max_next", mux(treeMax > maxMagnitude, treeMax, maxMagnitude))
        m.when(treeValid) {
            sumSquares.set(mux(treeLast, lit(BitVector.zero(sumBits), .uint(sumBits)), sumNext))
            maxMagnitude.set(mux(treeLast, lit(0, width: 32), maxNext))
        }
        var maxima: [Signal] = [], absmax: [Signal] = []
        for s in 0..<streams {
            let here = treeStream.map { $0 == lit(s, width: params.streamBits) } ?? Signal(true)
            let complete = m.wire(named("stream_complete", s), treeValid && treeLast && here)
            let maximum = m.reg(named("stream_max", s), .uint(32))
            m.when(complete) { maximum.set(maxNext) }
            scales.norm[s].start.set(complete && ins.isNorm)
            scales.norm[s].sum_squares.set(sumNext)
            // |-2^31| saturates to 2^31 - 1.
            maxima.append(maximum)
            absmax.append(m.wire(named("absmax", s), mux(maximum[31], lit(Int(Int32.max), width: 32), maximum).asSInt))
        }
        return Reduced(treeValid: treeValid, treeEnd: treeEnd, maxima: maxima, absmax: absmax)
    }

    /// Why: quant and norm write vd from the lanes' results, with the record's digest;
    /// absmax reports each stream's value. Returns the cycle of the last write.
    func apply(_ m: ModuleBuilder, _ io: Ports, _ ins: Instruction, _ pass: Pass, _ reduced: Reduced) -> Signal {
        let dispatch = io.dispatch, w = io.w
        // Apply passes: lane results leave ReductionLane.latency cycles after stage 1.
        var wValid = pass.s1Valid && pass.s1Apply, wEnd = pass.s1End, wChunk = pass.s1Chunk, wMask = pass.s1Mask
        var wStream = pass.s1Stream
        for i in 0..<ReductionLane.latency {
            wValid = m.regNext("w_valid\(i)", wValid, reset: false)
            wEnd = m.regNext("w_end\(i)", wEnd)
            wChunk = m.regNext("w_chunk\(i)", wChunk)
            wStream = wStream.map { m.regNext("w_stream\(i)", $0) }
            wMask = m.regNext("w_mask\(i)", wMask)
        }
        let data = m.wire("result_data", vec(pass.results))
        w.valid.set(wValid)
        w.reg.set(ins.rd)
        w.chunk.set(registerRow(wStream, wChunk))
        w.mask.set(wMask)
        w.data.set(data)

        // One record for every stream's writes (the digest is a sum over elements).
        let digest = m.instance(DigestAccumulator(lanes: lanes), "record_digest")
        let firstRow = wStream.map { wChunk == 0 && $0 == 0 } ?? (wChunk == 0)
        digest.clear.set(wValid && firstRow)
        digest.valid.set(wValid)
        digest.base.set(cat(wChunk, lit(0, width: laneBits)).extend(to: 32))
        digest.mask.set(wMask)
        digest.data.set(data)
        digest.saturated.set(cat(pass.clamped.reversed()))

        // absmax's record: one element per active stream.
        let scalarCount = io.streamLast.map { $0.extend(to: 32) + 1 } ?? lit(1, width: 32)
        let values = (0..<streams).map { io.ifActive($0, reduced.absmax[$0].asUInt) }
        let clamps = (0..<streams).map { io.ifActive($0, reduced.maxima[$0][31].asUInt).extend(to: 32) }
        let scalarDone = ins.state == State.finish.value
        let vectorDone = m.wire("vector_done", wValid && wEnd)
        dispatch.done.set(scalarDone || vectorDone)
        dispatch.doneFault.set(lit(0, width: Dispatch.faultBits))
        // The record is out Dispatch.recordLatency cycles after done: absmax's waits as long as the digest.
        let recordLatency = Dispatch.recordLatency(params)
        let scalarRecord = m.validDelay("scalar_record", scalarDone, cycles: recordLatency)
        // The sums over streams registered level by level inside the record's
        // latency: a four-operand sum in one cycle was 16 LUT levels.
        let registered = Swift.min(treeLevels(streams), recordLatency - 1)
        func sum(_ name: String, _ xs: [Signal]) -> Signal {
            registeredTree(m, name, xs.enumerated().map { m.regNext("\(name)_in\($0)", $1) }, registeredLevels: registered)
        }
        let summed = 1 + registered
        let scalarFields = m.pipelineDelay("scalar_fields", cat(m.pipelineDelay("scalar_count", scalarCount, cycles: summed),
                                                                sum("scalar_digest", values), sum("scalar_clamps", clamps)),
                                           cycles: recordLatency - summed)
        dispatch.doneCount.set(mux(scalarRecord, scalarFields[95, 64], digest.count))
        dispatch.doneDigest.set(mux(scalarRecord, scalarFields[63, 32], digest.digest))
        dispatch.doneSaturations.set(mux(scalarRecord, scalarFields[31, 0], digest.saturations))
        dispatch.doneScalar.set(reduced.absmax[0])
        if streams > 1 { m.output("stream_results", .vec(.sint(32), count: streams)).set(vec(reduced.absmax)) }
        dispatch.idle.set(ins.state == State.idle.value)
        return vectorDone
    }
}
