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
/// Streams (B > 1): the unit serves every stream itself. A pass reads
/// stream 0's chunks, then stream 1's, ... up to `stream_last` (register
/// ports address rows, `RegisterRead(rows:)`). Each stream has its own
/// QuantMultiplier (started at dispatch with its sb from `stream_scalars`)
/// and RMSScale (started as soon as its sum of squares is complete, while
/// the pass reads the next streams), so the scales of all streams cost the
/// time of one. absmax gives each stream's value on `stream_results`; the
/// record sums every stream's (absmax: count = active streams).
///
/// Timing, with C = ceil(VL / vectorLanes), S active streams and
/// T = log2(vectorLanes): `done` comes N - 1 cycles after the `start`
/// cycle and `idle` rises one cycle after `done`:
/// absmax N = S*C + T + 7; quant N = S*C + 35 (S*C + 15 when every sb <= 0);
/// norm N = 2*S*C + T plus 70 to 100, as the scale's search for the sum's
/// leading bits and its divider take (about 25 when the last stream's sum
/// of squares is 0). The constants are the dividers, the
/// scale units and ReductionLane (`reduceLatency` 5, `latency` 14);
/// `ReductionUnitTests` prints the measured counts.
public struct ReductionUnit: Module {
    public let params: CoreParameters

    public init(params: CoreParameters) { self.params = params }

    public var parameters: [Parameter] {
        let c = params.isa
        return [Parameter("N", params.vectorLanes), Parameter("VL", c.maxVectorLength),
                Parameter("V", c.vectorRegisters), Parameter("F", c.fracBits)] + params.streamParameters
    }

    var lanes: Int { params.vectorLanes }
    var streams: Int { params.streams }
    /// log2(lanes): lanes is a power of two of at least 2.
    var laneBits: Int { addressWidth(lanes) }
    var squareTree: LaneReductionTree { LaneReductionTree(inputs: lanes, width: 63, operation: .sum) }
    var maxTree: LaneReductionTree { LaneReductionTree(inputs: lanes, width: 32, operation: .max) }
    var scaleUnit: RMSScale { RMSScale(maxVectorLength: params.isa.maxVectorLength, fracBits: params.isa.fracBits) }

    enum State: Int, CaseIterable {
        case idle, reduce, finish, scale, apply
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
        let scales = scaleUnits(m, io, ins, decoded)
        let pass = passes(m, io, ins, scales)
        let reduced = reduce(m, io, ins, pass, scales)
        let vectorDone = apply(m, io, ins, pass, reduced)
        control(m, io.dispatch, ins, decoded, pass, reduced, scales, vectorDone: vectorDone)
    }

    /// A per-stream name: `base` alone with one stream.
    func named(_ base: String, _ s: Int) -> String { streams == 1 ? base : "\(base)\(s)" }
}

extension ReductionUnit {
    struct Ports {
        let dispatch: Interface<Dispatch>
        let a, b: Interface<RegisterRead>
        let w: Interface<RegisterWrite>
        /// Every stream's sb and the last active stream (several streams only).
        let streamScalars, streamLast: Signal?

        init(_ m: ModuleBuilder, _ p: CoreParameters) {
            dispatch = m.ports(Dispatch(p))
            a = m.ports(RegisterRead(p, rows: true), prefix: RegisterRead.prefix("a"))
            b = m.ports(RegisterRead(p, rows: true), prefix: RegisterRead.prefix("b"))
            w = m.ports(RegisterWrite(p, rows: true), prefix: RegisterWrite.prefix("w"))
            streamScalars = p.streams > 1 ? m.input("stream_scalars", .vec(.sint(32), count: p.streams)) : nil
            streamLast = p.streams > 1 ? m.input("stream_last", .uint(p.streamBits)) : nil
        }

        /// Stream `stream` is the last active one (always, with one stream).
        func isLast(_ stream: Signal?) -> Signal {
            guard let stream, let streamLast else { return true }
            return stream == streamLast
        }

        /// Whether stream `s` runs in this program; nil when it always does (stream 0).
        func isActive(_ s: Int) -> Signal? {
            guard let streamLast, s > 0 else { return nil }
            return lit(s, width: streamLast.width!) <= streamLast
        }

        /// `value` in an active stream, 0 in an idle one.
        func ifActive(_ s: Int, _ value: Signal) -> Signal {
            isActive(s).map { mux($0, value, lit(0, width: value.width!)) } ?? value
        }
    }

    /// The instruction, latched at dispatch, and the unit's state.
    struct Instruction {
        let state, isNorm, isQuant, rd, ra, rb, vl, eps, lastChunk, tailMask: Signal

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
        }
    }

    /// The dispatched instruction's op, its last chunk and the lanes of that chunk below VL.
    struct Decoded { let isNorm, isQuant, lastChunk, tailMask: Signal }

    /// Why: a pass needs its last chunk and tail mask from the first cycle.
    func decode(_ m: ModuleBuilder, _ dispatch: Interface<Dispatch>) -> Decoded {
        let chunks = lastChunkAndMask(m, vl: dispatch.vl, lanes: lanes, chunkBits: params.chunkBits)
        return Decoded(isNorm: dispatch.op == lit(Int(Opcode.norm.rawValue), width: Encoding.op.width),
                       isQuant: dispatch.op == lit(Int(Opcode.quant.rawValue), width: Encoding.op.width),
                       lastChunk: chunks.lastChunk, tailMask: chunks.tailMask)
    }

    /// Why: one state machine sequences the passes and the scales of each instruction.
    func control(_ m: ModuleBuilder, _ dispatch: Interface<Dispatch>, _ ins: Instruction, _ decoded: Decoded, _ pass: Pass,
                 _ reduced: Reduced, _ scales: Scales, vectorDone: Signal) {
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
                    m.when(decoded.isQuant) {
                        state.set(State.scale.value)
                    }.otherwise {
                        pass.begin()
                        state.set(State.reduce.value)
                    }
                }
            }
            s.is(State.reduce.value) {
                m.when(reduced.treeValid && reduced.treeEnd) {
                    state.set(mux(ins.isNorm, State.scale.value, State.finish.value))
                }
            }
            s.is(State.finish.value) { state.set(State.idle.value) }
            s.is(State.scale.value) {
                m.when(scales.allReady) {
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
}
