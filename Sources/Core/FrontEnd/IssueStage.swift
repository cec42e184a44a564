import HDL
import HDLLib
import ISA

/// In-order issue with a scoreboard, the control instructions, and in-order
/// retirement (docs/core.md, "Issue, completion and retirement").
///
/// Scoreboard state: a pending-write bit per vector and scalar register,
/// and per unit the registers its running instruction reads and writes.
/// Dispatched instructions enter the retire queue in program order; each
/// unit's completions wait in its own queue until their instruction reaches
/// the head.
struct IssueStage {
    let m: ModuleBuilder
    let p: CoreParameters
    let fetch: Instance
    let decode: Instance
    let units: ExecutionUnits
    let csr: Interface<CSRControl>
    let memory: Instance

    init(_ m: ModuleBuilder, _ p: CoreParameters, fetch: Instance, decode: Instance, units: ExecutionUnits,
         csr: Interface<CSRControl>, memory: Instance) {
        self.m = m; self.p = p; self.fetch = fetch; self.decode = decode
        self.units = units; self.csr = csr; self.memory = memory
    }

    enum State: Int { case idle = 0, running = 1, halted = 2, faulted = 3 }

    /// Retire-queue entry layout (most significant first).
    static let entryFields: [(name: String, width: Int)] = [
        ("index", 32), ("opcode", 8), ("dest", 3), ("dest_index", 32), ("unit", 3), ("count", 32), ("digest", 32),
        ("fault", Dispatch.faultBits),
    ]
    /// Completion-queue entry layout (a saturation count is at most the maximum vector length).
    static func completionFields(_ p: CoreParameters) -> [(name: String, width: Int)] {
        [("count", 32), ("digest", 32), ("saturations", p.saturationBits), ("fault", Dispatch.faultBits)]
    }
    /// The `unit` field value of control instructions (the units are 0 ..< 4).
    static let controlUnit = 4

    func code(_ op: Opcode) -> Signal { opcodeLiteral(op) }
    func destCode(_ d: DestinationKind) -> Signal { lit(InstructionDecoder.destinations.firstIndex(of: d)!, width: 3) }
    /// The head instruction runs on `u` (from the decode stage's registered one-hot).
    func isUnit(_ u: FunctionalUnit) -> Signal { decode.unit_onehot[InstructionDecoder.units.firstIndex(of: u)!] }


    /// The stage in the order its parts are built (each part's signals are
    /// declared in this order, which is the order of the emitted code).
    func build() {
        let r = registers()
        let q = queues(r)
        let needs = headNeeds(r)
        let board = scoreboard(needs)
        let li = streamedLi(needs)
        let issue = decide(r, q, needs, board, li)
        dispatch(r, needs, board, issue)
        let control = enqueue(q, needs, board, issue, li)
        complete(r, q, needs, board, issue, control)
        let retired = retire(r, q, board, issue, control)
        outputs(r, q, retired, issue)
    }

    // MARK: - State

    /// The run's state, the architectural registers and the scoreboard's pending writes.
    struct Registers {
        let state, running, draining, vl, streamStride, pendingV, pendingS, faultCode, faultIndex: Signal
        /// Scalar register r of stream s at `scalars[s][r]`.
        let scalars: [[Signal]]
        /// VL in register chunks, and all of them: what the clear must have reached.
        let vlChunks, allChunks: Signal
        /// Per vector register: cleared as far as all chunks, and as far as VL's
        /// (`trackClear`: the register file's progress, a cycle late).
        let clearedAll, clearedVL: Signal
        let progressBits: Int

        func isState(_ s: State) -> Signal { state == lit(s.rawValue, width: 2) }
    }

    /// Why: the other parts read and update these, so they come first.
    func registers() -> Registers {
        let vregs = p.isa.vectorRegisters, sregs = p.isa.scalarRegisters
        let state = m.reg("state", .uint(2), reset: lit(State.idle.rawValue, width: 2))
        let running = m.wire("running", state == lit(State.running.rawValue, width: 2))
        let draining = m.reg("draining", .bool, reset: false)
        let vl = m.reg("vl", .uint(p.vlBits), reset: lit(p.isa.maxVectorLength, width: p.vlBits))
        // SS, the stride of per-stream (`.s`) memory accesses (ISA.md, "Streams").
        let streamStride = m.reg("stream_stride", .uint(32), reset: 0)
        let scalars = (0..<p.streams).map { s in
            (0..<sregs).map { m.reg(p.streams == 1 ? "s\($0)" : "s\(s)_\($0)", .sint(32), reset: 0) }
        }
        let pendingV = m.reg("pending_v", .uint(vregs), reset: 0)
        let pendingS = m.reg("pending_s", .uint(sregs), reset: 0)
        let faultCode = m.reg("fault_code", .uint(Dispatch.faultBits), reset: 0)
        let faultIndex = m.reg("fault_index", .uint(32), reset: 0)

        // The register file clears the vector registers after start (the ISA's
        // registers start at 0) while instructions run: an instruction waits only
        // until the chunks it can touch, ceil(VL / vectorLanes), are cleared.
        let progressBits = VectorRegisterFile.progressBits(p)
        let allChunks = lit(p.chunksPerRegister, width: progressBits)
        let vlChunks = m.reg("vl_chunks", .uint(progressBits), reset: allChunks)
        let clearedAll = m.reg("cleared_all", .uint(vregs), reset: 0)
        let clearedVL = m.reg("cleared_vl", .uint(vregs), reset: 0)
        return Registers(state: state, running: running, draining: draining, vl: vl, streamStride: streamStride, pendingV: pendingV, pendingS: pendingS,
                         faultCode: faultCode, faultIndex: faultIndex, scalars: scalars, vlChunks: vlChunks,
                         allChunks: allChunks, clearedAll: clearedAll, clearedVL: clearedVL, progressBits: progressBits)
    }

    /// The retire queue (program order) and each unit's completion queue.
    struct Queues {
        let retire: Instance
        let completions: [Instance]
        /// Nothing running, queued or in memory; and a start taken.
        let quiescent, start: Signal
    }

    /// Why: units finish out of order; records leave in program order.
    func queues(_ r: Registers) -> Queues {
        let retireQueue = m.instance(FIFO(width: Self.entryFields.map(\.width).reduce(0, +), depth: TritCore.retireDepth), "retire_queue")
        let completions = units.units.map { u in
            m.instance(FIFO(width: Self.completionFields(p).map(\.width).reduce(0, +), depth: TritCore.retireDepth), "\(u.name)_completions")
        }
        let allIdle = units.units.map(\.dispatch.idle).reduce(fetch.quiet) { $0 && $1 }
        let queuesEmpty = completions.map { !$0.out_valid }.reduce(!retireQueue.out_valid) { $0 && $1 }
        // Stores count as done once the memory system takes them; the run is
        // over only when they have reached the banks.
        let quiescent = m.wire("quiescent", allIdle && queuesEmpty && !memory.busy)
        let start = m.wire("start", csr.start && !r.running && quiescent)
        return Queues(retire: retireQueue, completions: completions, quiescent: quiescent, start: start)
    }

    // MARK: - Issue

    /// The head instruction's fields and the registers it reads and writes.
    struct Needs {
        let op, rd, ra, rb, imm: Signal
        /// One-hot masks of vector sources and destinations; the scalar source and destination.
        let sourcesV, destV, destS, hasScalarSource, scalarSource, scalarValue: Signal
        /// The scalar source's value in every stream (stream 0's is `scalarValue`).
        let streamScalars: [Signal]
    }

    /// Why: the hazard checks and the scoreboard compare register masks.
    func headNeeds(_ r: Registers) -> Needs {
        let sregs = p.isa.scalarRegisters
        let op = decode.opcode, rd = decode.rd, ra = decode.ra, rb = decode.rb
        let scalarUse = lit(InstructionDecoder.RegisterUse.scalar.rawValue, width: 2)
        let sourcesV = decode.sources_v
        let scalarSourceIsA = decode.ra_use == scalarUse
        let hasScalarSource = m.wire("has_scalar_source", scalarSourceIsA || decode.rb_use == scalarUse)
        let scalarSource = m.wire("scalar_source", mux(scalarSourceIsA, sIndex(ra), sIndex(rb)))
        let streamScalars = r.scalars.enumerated().map { s, regs in
            m.wire(s == 0 ? "scalar_value" : "scalar_value\(s)", sregs == 1 ? regs[0] : vec(regs)[scalarSource])
        }
        let scalarValue = streamScalars[0]
        let destV = decode.dest_v, destS = decode.dest_s
        return Needs(op: op, rd: rd, ra: ra, rb: rb, imm: decode.imm, sourcesV: sourcesV, destV: destV, destS: destS,
                     hasScalarSource: hasScalarSource, scalarSource: scalarSource, scalarValue: scalarValue,
                     streamScalars: streamScalars)
    }

    /// Per unit: which instructions it takes, and what its running instruction reads and writes.
    struct Scoreboard {
        let selects, readingV, writingV, writingS, dones: [Signal]
        let beingRead: Signal
        /// A unit reports a fault this cycle.
        let unitFault: Signal
    }

    /// Why: a unit's `done` clears exactly the registers its instruction claimed.
    func scoreboard(_ needs: Needs) -> Scoreboard {
        let vregs = p.isa.vectorRegisters, sregs = p.isa.scalarRegisters
        let selects = units.units.map { u in u.executes.map(isUnit).reduce(Signal.no) { $0 || $1 } }
        let readingV = units.units.map { m.reg("\($0.name)_reads", .uint(vregs), reset: 0) }
        let writingV = units.units.map { m.reg("\($0.name)_writes_v", .uint(vregs), reset: 0) }
        let writingS = units.units.map { m.reg("\($0.name)_writes_s", .uint(sregs), reset: 0) }
        let beingRead = readingV.dropFirst().reduce(readingV[0]) { $0 | $1 }
        // A unit reporting a fault stops dispatch at once, so nothing younger starts.
        let dones = units.units.map(\.dispatch.done)
        let unitFault = zip(dones, units.units).map { $0 && $1.dispatch.doneFault != 0 }.reduce(Signal.no) { $0 || $1 }
        return Scoreboard(selects: selects, readingV: readingV, writingV: writingV, writingS: writingS, dones: dones,
                          beingRead: beingRead, unitFault: unitFault)
    }

    /// `li`'s record digest with several streams, and whether it is ready.
    struct StreamedLi {
        let digest, ready: Signal
        /// Cycles the head instruction has waited (up to 3), set by `decide`.
        let age: Signal
    }

    /// Why: the digest of `li` is S x value (wrapping; S the active streams),
    /// and that product on the dispatch path went through DSP blocks into the
    /// retire queue. Here it is summed from shifted copies over three cycles
    /// while the `li` waits at the head (`li` is rare: the constants of a
    /// program). nil with one stream, where the digest is the value.
    func streamedLi(_ needs: Needs) -> StreamedLi? {
        guard let active = activeStreams else { return nil }
        let count = m.regNext("li_streams", active)
        let terms = (0..<5).map { i in mux(count[i], resize(needs.imm.extend(to: 36) << i, 32), lit(0, width: 32)) }
        // Two-operand sums between registers: a wider sum maps to a deep LUT compressor.
        let low = m.regNext("li_sum_low", resize(terms[0] + terms[1], 32))
        let middle = m.regNext("li_sum_middle", resize(terms[2] + terms[3], 32))
        let high = m.regNext("li_term_high", terms[4])
        let lowMiddle = m.regNext("li_sum_low_middle", resize(low + middle, 32))
        let digest = m.regNext("li_digest", resize(lowMiddle + m.regNext("li_term_high2", high), 32))
        let age = m.reg("li_age", .uint(2), reset: 0)
        return StreamedLi(digest: digest, ready: age == lit(3, width: 2), age: age)
    }

    /// Whether the head instruction leaves fetch this cycle, and whether it runs.
    struct Decision {
        let isControl, pastEnd, legal, vlInRange: Signal
        /// The stage could issue (running, an instruction waiting), it does, and the instruction executes (it is legal).
        let canIssue, fire, executes: Signal
    }

    /// Why: one place decides dispatch from the hazards, the units, memory order and the clear.
    func decide(_ r: Registers, _ q: Queues, _ needs: Needs, _ board: Scoreboard, _ li: StreamedLi?) -> Decision {
        let scalarPending = p.isa.scalarRegisters == 1 ? r.pendingS[0]
            : r.pendingS.reinterpret(as: .vec(.bool, count: p.isa.scalarRegisters))[needs.scalarSource]
        let hazard = m.wire("hazard",
            (needs.sourcesV & r.pendingV) != 0 || (needs.hasScalarSource && scalarPending)
            || (needs.destV & r.pendingV) != 0 || (needs.destS & r.pendingS) != 0 || (needs.destV & board.beingRead) != 0)
        let unitFree = zip(board.selects, units.units).map { $0 && $1.dispatch.idle }.reduce(Signal.no) { $0 || $1 }
        let isTmatmul = decode.is_tmatmul.asBool
        let memoryOrderOK = m.wire("memory_order_ok",
            (!decode.is_store.asBool || units.ternary.dispatch.idle) && (!isTmatmul || units.loadStore.dispatch.idle))

        let isControl = isUnit(.control)
        let pastEnd = decode.head_past_end, legal = decode.legal
        let vlInRange = decode.imm_is_vl.asBool
        // `tmatmul` touches R rows, unknown until its header arrives: it waits for the whole clear.
        let clearedEnough = mux(isTmatmul, r.clearedAll, r.clearedVL)
        let clearWait = m.wire("clear_wait", ((needs.sourcesV | needs.destV) & ~clearedEnough) != 0)
        let canIssue = m.wire("can_issue", r.running && !r.draining && !board.unitFault && decode.head_valid)
        let liReady = li.map { !decode.is_li.asBool || $0.ready } ?? true
        let ready = m.wire("ready",
            pastEnd || !legal || (isControl && !hazard && liReady) || (!isControl && unitFree && !hazard && memoryOrderOK && !clearWait))
        let fire = m.wire("fire", canIssue && ready && q.retire.in_ready)
        let executes = m.wire("executes", fire && !pastEnd && legal)
        decode.pop.set(fire && !pastEnd)
        // The head changes only after it fires (or while there is none).
        if let li {
            li.age.set(mux(fire || !decode.head_valid, lit(0, width: 2),
                           mux(li.ready, li.age, li.age + lit(1, width: 2))))
        }
        decode.clear.set(!r.running)
        fetch.start.set(q.start)
        fetch.stop.set(!r.running)
        return Decision(isControl: isControl, pastEnd: pastEnd, legal: legal, vlInRange: vlInRange,
                        canIssue: canIssue, fire: fire, executes: executes)
    }

    /// Why: every unit sees the instruction; only the selected one gets `start`.
    func dispatch(_ r: Registers, _ needs: Needs, _ board: Scoreboard, _ issue: Decision) {
        // The ternary unit streams weights ahead only while a program runs.
        units.ternary.instance.stream_enable.set(r.running)
        for (k, u) in units.units.enumerated() {
            let d = u.dispatch
            d.start.set(issue.executes && board.selects[k])
            d.op.set(needs.op); d.rd.set(needs.rd); d.ra.set(needs.ra); d.rb.set(needs.rb); d.mode.set(decode.mode)
            d.vl.set(r.vl); d.scalar.set(needs.scalarValue); d.imm.set(needs.imm)
            if let streamed = u.streamed {
                streamed.stream_scalars.set(vec(needs.streamScalars))
                if u.name == units.loadStore.name { streamed.stream_stride.set(r.streamStride) }
            }
        }
    }

    /// The control instructions, whose records are complete at dispatch.
    struct ControlOps {
        let isSetvl, isSetss, isLi, isHalt: Signal
        /// The fault found at dispatch (fetch past the end, illegal, bad `setvl`), 0 for none.
        let dispatchFault: Signal
    }

    /// Why: every fired instruction takes a retire-queue entry in program order.
    func enqueue(_ q: Queues, _ needs: Needs, _ board: Scoreboard, _ issue: Decision, _ li: StreamedLi?) -> ControlOps {
        let op = needs.op, imm = needs.imm, pastEnd = issue.pastEnd, legal = issue.legal
        let faultBits = Dispatch.faultBits
        let isSetvl = op == code(.setvl), isSetss = op == code(.setss), isLi = op == code(.li), isHalt = op == code(.halt)
        let dispatchFault = m.wire("dispatch_fault",
            mux(pastEnd, lit(Int(FaultCode.fetchOutOfRange.rawValue), width: faultBits),
                mux(!legal, lit(Int(FaultCode.illegalInstruction.rawValue), width: faultBits),
                    mux(isSetvl && !issue.vlInRange, lit(Int(FaultCode.badVectorLength.rawValue), width: faultBits),
                        lit(0, width: faultBits)))))
        // setss's record: count 1, its stride as the digest (as setvl's).
        let writesOne = isSetvl || isSetss || isLi
        // li writes every active stream: count S, digest S * value (wrapping), S = STREAMS.
        let controlCount = mux(writesOne, activeStreams.map { mux(isLi, $0.extend(to: 32), lit(1, width: 32)) } ?? lit(1, width: 32),
                               lit(0, width: 32))
        let controlDigest = mux(writesOne, li.map { mux(isLi, $0.digest, imm) } ?? imm, lit(0, width: 32))
        var unitNumber = lit(Self.controlUnit, width: 3)
        for (k, selected) in board.selects.enumerated().reversed() {
            unitNumber = mux(selected && !issue.isControl, lit(k, width: 3), unitNumber)
        }
        let dest = mux(pastEnd || !legal, lit(0, width: 3), decode.destination)
        let destIndex = mux(dest == destCode(.memory), imm,
                            mux(dest == destCode(.vector) || dest == destCode(.scalar), needs.rd.extend(to: 32), lit(0, width: 32)))
        q.retire.in_valid.set(issue.fire)
        q.retire.in_data.set(cat(decode.head_index, op, dest, destIndex, mux(pastEnd || !legal, lit(Self.controlUnit, width: 3), unitNumber),
                                 controlCount, controlDigest, dispatchFault))
        return ControlOps(isSetvl: isSetvl, isSetss: isSetss, isLi: isLi, isHalt: isHalt, dispatchFault: dispatchFault)
    }

    // MARK: - Completion and retirement

    /// Why: completions free the scoreboard and write scalar results; `li` and `setvl` act at dispatch.
    func complete(_ r: Registers, _ q: Queues, _ needs: Needs, _ board: Scoreboard, _ issue: Decision, _ control: ControlOps) {
        let vregs = p.isa.vectorRegisters, sregs = p.isa.scalarRegisters
        let start = q.start, executes = issue.executes, dones = board.dones
        // A completion enters its queue when the unit's record is out, `recordLatency` cycles after done.
        let recordLatency = Dispatch.recordLatency(p)
        for (k, c) in q.completions.enumerated() {
            let d = units.units[k].dispatch, name = units.units[k].name
            c.in_valid.set(m.validDelay("\(name)_record", d.done, cycles: recordLatency))
            let fault = m.pipelineDelay("\(name)_record_fault", d.doneFault, cycles: recordLatency)
            c.in_data.set(cat(d.doneCount, d.doneDigest, d.doneSaturations.truncate(to: p.saturationBits), fault))
        }
        var clearV = lit(0, width: vregs), clearS = lit(0, width: sregs)
        for k in units.units.indices {
            clearV = clearV | mux(dones[k], board.writingV[k], none(vregs))
            clearS = clearS | mux(dones[k], board.writingS[k], none(sregs))
        }
        let setV = mux(executes, needs.destV, none(vregs))
        let setS = mux(executes && !control.isLi, needs.destS, none(sregs))
        m.when(start) {
            r.pendingV.set(0); r.pendingS.set(0)
        }.otherwise {
            r.pendingV.set((r.pendingV & ~clearV) | setV)
            r.pendingS.set((r.pendingS & ~clearS) | setS)
        }
        for k in units.units.indices {
            m.when(start || dones[k]) {
                board.readingV[k].set(0); board.writingV[k].set(0); board.writingS[k].set(0)
            }
            m.when(executes && board.selects[k] && !start) {
                board.readingV[k].set(needs.sourcesV); board.writingV[k].set(needs.destV); board.writingS[k].set(needs.destS)
            }
        }
        writeScalars(r, needs, board, start: start, executes: executes, isLi: control.isLi)
        m.when(start) {
            r.streamStride.set(0)
        }.elseWhen(executes && control.isSetss) {
            r.streamStride.set(needs.imm)
        }
        // VL in chunks, ceil(VL / vectorLanes) (a power of two), ready for the clear check.
        let newVL = needs.imm.truncate(to: p.vlBits).extend(to: p.vlBits + 1)
        let newChunks = (newVL + lit(p.vectorLanes - 1, width: p.vlBits + 1)) >> addressWidth(p.vectorLanes)
        m.when(start) {
            r.vl.set(lit(p.isa.maxVectorLength, width: p.vlBits))
            r.vlChunks.set(r.allChunks)
        }.elseWhen(executes && control.isSetvl && issue.vlInRange) {
            r.vl.set(needs.imm.truncate(to: p.vlBits))
            r.vlChunks.set(newChunks.width! > r.progressBits ? newChunks.truncate(to: r.progressBits)
                                                              : newChunks.extend(to: r.progressBits))
        }
        trackClear(r, start: start, vlChanges: executes && control.isSetvl)
    }

    /// Why registered: comparing the register file's progress with the chunks an
    /// instruction touches sat in the issue decision's longest path. The clear
    /// only moves forward within a run, so last cycle's view is safe; it is
    /// emptied at start (the clear restarts), and when VL changes the
    /// VL view falls back to the fully cleared registers for a cycle.
    func trackClear(_ r: Registers, start: Signal, vlChanges: Signal) {
        let cleared = units.registerFile.cleared
        let registers = (0..<p.isa.vectorRegisters).reversed()
        let allDone = cat(registers.map { cleared[$0] >= r.allChunks })
        let vlDone = cat(registers.map { cleared[$0] >= r.vlChunks })
        m.when(start) {
            r.clearedAll.set(0); r.clearedVL.set(0)
        }.otherwise {
            r.clearedAll.set(allDone)
            r.clearedVL.set(mux(vlChanges, allDone, vlDone))
        }
    }

    /// Why: `li` writes every stream's `sd` at dispatch; units write scalar results at `done`.
    func writeScalars(_ r: Registers, _ needs: Needs, _ board: Scoreboard, start: Signal, executes: Signal, isLi: Signal) {
        // Stream t's scalar result of a unit: its `done_scalar`, or with
        // several streams the sequencer's `stream_results` (units writing scalars only).
        let writesScalars = [units.loadStore.name, units.reduction.name]
        func result(_ u: ExecutionUnits.Unit, _ t: Int) -> Signal? {
            guard let streamed = u.streamed else { return u.dispatch.doneScalar }
            return writesScalars.contains(u.name) ? streamed.stream_results[t] : nil
        }
        for (t, registers) in r.scalars.enumerated() {
            for (s, register) in registers.enumerated() {
                let target = lit(s, width: p.sregBits)
                m.when(start) {
                    register.set(0)
                }.elseWhen(executes && isLi && sIndex(needs.rd) == target) {
                    register.set(needs.imm.asSInt)
                }.otherwise {
                    for (k, u) in units.units.enumerated() {
                        guard let value = result(u, t) else { continue }
                        m.when(board.dones[k] && u.dispatch.doneFault == 0 && board.writingS[k][s]) { register.set(value) }
                    }
                }
            }
        }
    }

    /// The record at the head of the retire queue, complete once its unit's completion is there.
    struct Retired {
        let entry: [String: Signal]
        let count, digest, saturations: Signal
        /// An instruction retires (without a fault) this cycle.
        let retires: Signal
    }

    /// Why: records, faults and the halt take effect in program order.
    func retire(_ r: Registers, _ q: Queues, _ board: Scoreboard, _ issue: Decision, _ control: ControlOps) -> Retired {
        let running = r.running, start = q.start
        let entry = fields(q.retire.out_data, Self.entryFields)
        let completion = q.completions.map { fields($0.out_data, Self.completionFields(p)) }
        let headUnit = entry["unit"]!
        let fromUnit = (0..<q.completions.count).map { headUnit == lit($0, width: 3) }
        let isControlEntry = headUnit == lit(Self.controlUnit, width: 3)
        let completed = zip(fromUnit, q.completions).map { $0 && $1.out_valid }.reduce(isControlEntry) { $0 || $1 }
        var count = entry["count"]!, digest = entry["digest"]!, fault = entry["fault"]!
        // Control instructions never saturate.
        var saturations = lit(0, width: p.saturationBits)
        for (k, c) in completion.enumerated() {
            count = mux(fromUnit[k], c["count"]!, count)
            saturations = mux(fromUnit[k], c["saturations"]!, saturations)
            digest = mux(fromUnit[k], c["digest"]!, digest)
            fault = mux(fromUnit[k], c["fault"]!, fault)
        }
        let retiring = m.wire("retiring", running && q.retire.out_valid && completed)
        let faults = m.wire("retire_fault", fault)
        let retires = m.wire("retires", retiring && faults == 0)
        // Outside a run, queues drain so the next start finds them empty.
        q.retire.out_ready.set(retiring || !running)
        for (k, c) in q.completions.enumerated() { c.out_ready.set((retiring && fromUnit[k]) || !running) }

        m.when(start) {
            r.state.set(lit(State.running.rawValue, width: 2))
            r.faultCode.set(0)
            r.faultIndex.set(0)
        }.elseWhen(running && memory.timeout) {
            r.state.set(lit(State.faulted.rawValue, width: 2))
            r.faultCode.set(lit(Int(FaultCode.timeout.rawValue), width: Dispatch.faultBits))
            r.faultIndex.set(mux(q.retire.out_valid, entry["index"]!, decode.head_index))
        }.elseWhen(retiring && faults != 0) {
            r.state.set(lit(State.faulted.rawValue, width: 2))
            r.faultCode.set(faults)
            r.faultIndex.set(entry["index"]!)
        }.elseWhen(retires && entry["opcode"]! == code(.halt)) {
            r.state.set(lit(State.halted.rawValue, width: 2))
        }
        m.when(start) {
            r.draining.set(false)
        }.elseWhen(board.unitFault || (issue.fire && (control.dispatchFault != 0 || (issue.executes && control.isHalt)))) {
            r.draining.set(true)
        }
        units.registerFile.clear_start.set(start)
        return Retired(entry: entry, count: count, digest: digest, saturations: saturations, retires: retires)
    }

    /// Why: the host and the shells see the run only through these ports and the CSRs.
    func outputs(_ r: Registers, _ q: Queues, _ retired: Retired, _ issue: Decision) {
        let entry = retired.entry
        let port = m.ports(Retirement(), prefix: Retirement.prefix)
        let record: [(KeyPath<Retirement, Member>, Signal)] = [
            (\.index, entry["index"]!), (\.opcode, entry["opcode"]!), (\.dest, entry["dest"]!),
            (\.destIndex, entry["dest_index"]!), (\.count, retired.count), (\.digest, retired.digest),
            (\.saturations, retired.saturations.extend(to: 32)),
        ]
        port.valid.set(m.regNext("retire_valid_q", retired.retires, reset: false))
        for (member, value) in record { port[member].set(m.regNext("\(port.portName(member))_q", value)) }
        let busy = m.wire("busy_any", r.running || !q.quiescent)
        // A halted program's stores are all in memory when `halted` shows.
        let halted = m.wire("halted_visible", r.isState(.halted) && !memory.busy)
        let status = m.ports(CoreStatus())
        status.busy.set(busy)
        status.halted.set(halted)
        status.faulted.set(r.isState(.faulted))

        csr.running.set(r.running)
        csr.halted.set(halted)
        csr.faulted.set(r.isState(.faulted))
        csr.busy.set(busy)
        csr.faultCode.set(r.faultCode)
        csr.faultIndex.set(r.faultIndex)
        let ternary = units.ternary.instance
        csr.retired.set(retired.retires)
        csr.busyLoadStore.set(!units.loadStore.dispatch.idle)
        csr.busyVector.set(!units.vector.dispatch.idle)
        csr.busyReduction.set(!units.reduction.dispatch.idle)
        csr.busyTernary.set(!units.ternary.dispatch.idle)
        csr.memoryStall.set(memory.stall)
        csr.weightBeats.set(ternary.beat)
        csr.issueStall.set(issue.canIssue && !issue.fire)
        // Saturated elements are counted as their instruction retires, as the interpreter counts them.
        csr.saturations.set(mux(retired.retires, retired.saturations, lit(0, width: p.saturationBits)))
        memory.timeout_cycles.set(csr.timeoutCycles)
    }

    // MARK: - Helpers

    /// No register (an all-zero mask of `width` registers).
    func none(_ width: Int) -> Signal { lit(0, width: width) }
    func sIndex(_ r: Signal) -> Signal { r.truncate(to: p.sregBits) }
    /// S, the active streams (`stream_last + 1`, 5 bits); nil with one stream.
    var activeStreams: Signal? { units.streamLast.map { resize(resize($0, 5) + lit(1, width: 5), 5) } }

    /// Splits a packed queue word into named fields (first field most significant).
    func fields(_ word: Signal, _ layout: [(name: String, width: Int)]) -> [String: Signal] {
        var out: [String: Signal] = [:]
        var top = layout.map(\.width).reduce(0, +)
        for f in layout {
            out[f.name] = word[top - 1, top - f.width]
            top -= f.width
        }
        return out
    }
}
