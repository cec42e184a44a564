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
    let decoder: Instance
    let units: ExecutionUnits
    let csr: Instance
    let memory: Instance

    init(_ m: ModuleBuilder, _ p: CoreParameters, fetch: Instance, decoder: Instance, units: ExecutionUnits,
         csr: Instance, memory: Instance) {
        self.m = m; self.p = p; self.fetch = fetch; self.decoder = decoder
        self.units = units; self.csr = csr; self.memory = memory
    }

    enum State: Int { case idle = 0, running = 1, halted = 2, faulted = 3 }

    /// Retire-queue entry layout (most significant first).
    static let entryFields: [(name: String, width: Int)] = [
        ("index", 32), ("opcode", 8), ("dest", 3), ("dest_index", 32), ("unit", 3), ("count", 32), ("digest", 32),
        ("fault", DispatchPort.faultBits),
    ]
    /// Completion-queue entry layout (a saturation count is at most the maximum vector length).
    static func completionFields(_ p: CoreParameters) -> [(name: String, width: Int)] {
        [("count", 32), ("digest", 32), ("saturations", p.vlBits), ("fault", DispatchPort.faultBits)]
    }
    /// The `unit` field value of control instructions (the units are 0 ..< 4).
    static let controlUnit = 4

    func code(_ op: Opcode) -> Signal { lit(Int(op.rawValue), width: Encoding.op.width) }
    func unitCode(_ u: FunctionalUnit) -> Signal { lit(InstructionDecoder.units.firstIndex(of: u)!, width: 3) }
    func destCode(_ d: DestinationKind) -> Signal { lit(InstructionDecoder.destinations.firstIndex(of: d)!, width: 3) }

    /// `width`-bit one-hot of `index` (a register number from the instruction).
    func oneHot(_ index: Signal, _ width: Int) -> Signal { lit(1, width: width) << index }

    func build() {
        let vregs = p.isa.vectorRegisters, sregs = p.isa.scalarRegisters
        let state = m.reg("state", .uint(2), reset: lit(State.idle.rawValue, width: 2))
        func isState(_ s: State) -> Signal { state == lit(s.rawValue, width: 2) }
        let running = m.wire("running", isState(.running))
        let draining = m.reg("draining", .bool, reset: false)
        let vl = m.reg("vl", .uint(p.vlBits), reset: lit(p.isa.maxVectorLength, width: p.vlBits))
        let scalars = (0..<sregs).map { m.reg("s\($0)", .sint(32), reset: 0) }
        let pendingV = m.reg("pending_v", .uint(vregs), reset: 0)
        let pendingS = m.reg("pending_s", .uint(sregs), reset: 0)
        let faultCode = m.reg("fault_code", .uint(DispatchPort.faultBits), reset: 0)
        let faultIndex = m.reg("fault_index", .uint(32), reset: 0)

        // The register file clears the vector registers after start (the ISA's
        // registers start at 0) while instructions run: an instruction waits only
        // until the chunks it can touch, ceil(VL / vectorLanes), are cleared.
        let progressBits = VectorRegisterFile.progressBits(p)
        let allChunks = lit(p.chunksPerRegister, width: progressBits)
        let vlChunks = m.reg("vl_chunks", .uint(progressBits), reset: allChunks)

        let retireQueue = m.instance(FIFO(width: Self.entryFields.map(\.width).reduce(0, +), depth: TritCore.retireDepth), "retire_queue")
        let completions = units.units.map { u in
            m.instance(FIFO(width: Self.completionFields(p).map(\.width).reduce(0, +), depth: TritCore.retireDepth), "\(u.name)_completions")
        }
        let allIdle = units.units.map(\.instance.idle).reduce(fetch.quiet) { $0 && $1 }
        let queuesEmpty = completions.map { !$0.out_valid }.reduce(!retireQueue.out_valid) { $0 && $1 }
        // Stores count as done once the memory system takes them; the run is
        // over only when they have reached the banks.
        let quiescent = m.wire("quiescent", allIdle && queuesEmpty && !memory.busy)
        let start = m.wire("start", csr.start && !running && quiescent)

        // MARK: Decode the head instruction's needs.
        let op = decoder.opcode, rd = decoder.rd, ra = decoder.ra, rb = decoder.rb, imm = decoder.imm
        let vectorUse = lit(InstructionDecoder.RegisterUse.vector.rawValue, width: 2)
        let scalarUse = lit(InstructionDecoder.RegisterUse.scalar.rawValue, width: 2)
        let vIndex = { (r: Signal) in r.truncate(to: p.vregBits) }
        let sIndex = { (r: Signal) in r.truncate(to: p.sregBits) }
        let none = { (w: Int) in lit(0, width: w) }
        let sourcesV = m.wire("sources_v",
            mux(decoder.ra_use == vectorUse, oneHot(vIndex(ra), vregs), none(vregs))
            | mux(decoder.rb_use == vectorUse, oneHot(vIndex(rb), vregs), none(vregs))
            | mux(op == code(.mac), oneHot(vIndex(rd), vregs), none(vregs)))
        let scalarSourceIsA = decoder.ra_use == scalarUse
        let hasScalarSource = m.wire("has_scalar_source", scalarSourceIsA || decoder.rb_use == scalarUse)
        let scalarSource = m.wire("scalar_source", mux(scalarSourceIsA, sIndex(ra), sIndex(rb)))
        let scalarValue = m.wire("scalar_value", sregs == 1 ? scalars[0] : vec(scalars)[scalarSource])
        let destV = m.wire("dest_v", mux(decoder.rd_use == vectorUse, oneHot(vIndex(rd), vregs), none(vregs)))
        let destS = m.wire("dest_s", mux(decoder.rd_use == scalarUse, oneHot(sIndex(rd), sregs), none(sregs)))

        // Per unit: which instructions it takes, and what its running instruction reads and writes.
        let selects = units.units.map { u in u.executes.map { decoder.unit == unitCode($0) }.reduce(Signal.no) { $0 || $1 } }
        let readingV = units.units.map { m.reg("\($0.name)_reads", .uint(vregs), reset: 0) }
        let writingV = units.units.map { m.reg("\($0.name)_writes_v", .uint(vregs), reset: 0) }
        let writingS = units.units.map { m.reg("\($0.name)_writes_s", .uint(sregs), reset: 0) }
        let beingRead = readingV.dropFirst().reduce(readingV[0]) { $0 | $1 }

        let scalarPending = sregs == 1 ? pendingS[0] : pendingS.reinterpret(as: .vec(.bool, count: sregs))[scalarSource]
        let hazard = m.wire("hazard",
            (sourcesV & pendingV) != 0 || (hasScalarSource && scalarPending)
            || (destV & pendingV) != 0 || (destS & pendingS) != 0 || (destV & beingRead) != 0)
        let unitFree = zip(selects, units.units).map { $0 && $1.instance.idle }.reduce(Signal.no) { $0 || $1 }
        let ls = units.unit("ls").instance, ternary = units.unit("ternary").instance
        let isStore = op == code(.sv) || op == code(.sts)
        let memoryOrderOK = m.wire("memory_order_ok",
            (!isStore || ternary.idle) && (op != code(.tmatmul) || ls.idle))

        // A unit reporting a fault stops dispatch at once, so nothing younger starts.
        let dones = units.units.map(\.instance.done)
        let unitFault = zip(dones, units.units).map { $0 && $1.instance.done_fault != 0 }.reduce(Signal.no) { $0 || $1 }

        let isControl = decoder.unit == unitCode(.control)
        let pastEnd = fetch.head_past_end, legal = decoder.legal
        let vlInRange = imm != 0 && imm <= lit(p.isa.maxVectorLength, width: 32)
        // `tmatmul` touches R rows, unknown until its header arrives: it waits for the whole clear.
        let chunksTouched = mux(op == code(.tmatmul), allChunks, vlChunks)
        let cleared = units.registerFile.cleared
        let clearedEnough = (0..<vregs).reversed().map { r in cleared[r] >= chunksTouched }
        let clearWait = m.wire("clear_wait", ((sourcesV | destV) & ~cat(clearedEnough)) != 0)
        let canIssue = m.wire("can_issue", running && !draining && !unitFault && fetch.head_valid)
        let ready = m.wire("ready",
            pastEnd || !legal || (isControl && !hazard) || (!isControl && unitFree && !hazard && memoryOrderOK && !clearWait))
        let fire = m.wire("fire", canIssue && ready && retireQueue.in_ready)
        let executes = m.wire("executes", fire && !pastEnd && legal)
        fetch.pop.set(fire && !pastEnd)
        fetch.start.set(start)
        fetch.stop.set(!running)

        // The ternary unit streams weights ahead only while a program runs.
        units.unit("ternary").instance.stream_enable.set(running)

        // MARK: Dispatch to the units.
        for (k, u) in units.units.enumerated() {
            let i = u.instance
            i.start.set(executes && selects[k])
            i.op.set(op); i.rd.set(rd); i.ra.set(ra); i.rb.set(rb); i.mode.set(decoder.mode)
            i.vl.set(vl); i.scalar.set(scalarValue); i.imm.set(imm)
        }

        // The control instructions' records are complete at dispatch.
        let isSetvl = op == code(.setvl), isLi = op == code(.li), isHalt = op == code(.halt)
        let dispatchFault = m.wire("dispatch_fault",
            mux(pastEnd, lit(Int(FaultCode.fetchOutOfRange.rawValue), width: DispatchPort.faultBits),
                mux(!legal, lit(Int(FaultCode.illegalInstruction.rawValue), width: DispatchPort.faultBits),
                    mux(isSetvl && !vlInRange, lit(Int(FaultCode.badVectorLength.rawValue), width: DispatchPort.faultBits),
                        none(DispatchPort.faultBits)))))
        let writesOne = isSetvl || isLi
        let controlCount = mux(writesOne, lit(1, width: 32), lit(0, width: 32))
        let controlDigest = mux(writesOne, imm, lit(0, width: 32))
        var unitNumber = lit(Self.controlUnit, width: 3)
        for (k, selected) in selects.enumerated().reversed() { unitNumber = mux(selected && !isControl, lit(k, width: 3), unitNumber) }
        let dest = mux(pastEnd || !legal, lit(0, width: 3), decoder.destination)
        let destIndex = mux(dest == destCode(.memory), imm,
                            mux(dest == destCode(.vector) || dest == destCode(.scalar), rd.extend(to: 32), lit(0, width: 32)))
        retireQueue.in_valid.set(fire)
        retireQueue.in_data.set(cat(fetch.head_index, op, dest, destIndex, mux(pastEnd || !legal, lit(Self.controlUnit, width: 3), unitNumber),
                                    controlCount, controlDigest, dispatchFault))

        // MARK: Completions, scoreboard and scalar writes.
        for (k, c) in completions.enumerated() {
            let i = units.units[k].instance
            c.in_valid.set(i.done)
            c.in_data.set(cat(i.done_count, i.done_digest, i.done_saturations.truncate(to: p.vlBits), i.done_fault))
        }
        var clearV = lit(0, width: vregs), clearS = lit(0, width: sregs)
        for k in units.units.indices {
            clearV = clearV | mux(dones[k], writingV[k], none(vregs))
            clearS = clearS | mux(dones[k], writingS[k], none(sregs))
        }
        let setV = mux(executes, destV, none(vregs))
        let setS = mux(executes && !isLi, destS, none(sregs))
        m.when(start) {
            pendingV.set(0); pendingS.set(0)
        }.otherwise {
            pendingV.set((pendingV & ~clearV) | setV)
            pendingS.set((pendingS & ~clearS) | setS)
        }
        for k in units.units.indices {
            m.when(start || dones[k]) {
                readingV[k].set(0); writingV[k].set(0); writingS[k].set(0)
            }
            m.when(executes && selects[k] && !start) {
                readingV[k].set(sourcesV); writingV[k].set(destV); writingS[k].set(destS)
            }
        }
        for (s, register) in scalars.enumerated() {
            let target = lit(s, width: p.sregBits)
            m.when(start) {
                register.set(0)
            }.elseWhen(executes && isLi && sIndex(rd) == target) {
                register.set(imm.asSInt)
            }.otherwise {
                for (k, u) in units.units.enumerated() {
                    m.when(dones[k] && u.instance.done_fault == 0 && writingS[k][s]) { register.set(u.instance.done_scalar) }
                }
            }
        }
        // VL in chunks, ceil(VL / vectorLanes) (a power of two), ready for the clear check.
        let newVL = imm.truncate(to: p.vlBits).extend(to: p.vlBits + 1)
        let newChunks = (newVL + lit(p.vectorLanes - 1, width: p.vlBits + 1)) >> addressWidth(p.vectorLanes)
        m.when(start) {
            vl.set(lit(p.isa.maxVectorLength, width: p.vlBits))
            vlChunks.set(allChunks)
        }.elseWhen(executes && isSetvl && vlInRange) {
            vl.set(imm.truncate(to: p.vlBits))
            vlChunks.set(newChunks.width! > progressBits ? newChunks.truncate(to: progressBits) : newChunks.extend(to: progressBits))
        }

        // MARK: Retirement, in program order.
        let entry = fields(retireQueue.out_data, Self.entryFields)
        let completion = completions.map { fields($0.out_data, Self.completionFields(p)) }
        let headUnit = entry["unit"]!
        let fromUnit = (0..<completions.count).map { headUnit == lit($0, width: 3) }
        let isControlEntry = headUnit == lit(Self.controlUnit, width: 3)
        let completed = zip(fromUnit, completions).map { $0 && $1.out_valid }.reduce(isControlEntry) { $0 || $1 }
        var count = entry["count"]!, digest = entry["digest"]!, fault = entry["fault"]!
        // Control instructions never saturate.
        var saturations = lit(0, width: p.vlBits)
        for (k, c) in completion.enumerated() {
            count = mux(fromUnit[k], c["count"]!, count)
            saturations = mux(fromUnit[k], c["saturations"]!, saturations)
            digest = mux(fromUnit[k], c["digest"]!, digest)
            fault = mux(fromUnit[k], c["fault"]!, fault)
        }
        let retiring = m.wire("retiring", running && retireQueue.out_valid && completed)
        let faults = m.wire("retire_fault", fault)
        let retires = m.wire("retires", retiring && faults == 0)
        // Outside a run, queues drain so the next start finds them empty.
        retireQueue.out_ready.set(retiring || !running)
        for (k, c) in completions.enumerated() { c.out_ready.set((retiring && fromUnit[k]) || !running) }

        let timeout = memory.timeout
        m.when(start) {
            state.set(lit(State.running.rawValue, width: 2))
            faultCode.set(0)
            faultIndex.set(0)
        }.elseWhen(running && timeout) {
            state.set(lit(State.faulted.rawValue, width: 2))
            faultCode.set(lit(Int(FaultCode.timeout.rawValue), width: DispatchPort.faultBits))
            faultIndex.set(mux(retireQueue.out_valid, entry["index"]!, fetch.head_index))
        }.elseWhen(retiring && faults != 0) {
            state.set(lit(State.faulted.rawValue, width: 2))
            faultCode.set(faults)
            faultIndex.set(entry["index"]!)
        }.elseWhen(retires && entry["opcode"]! == code(.halt)) {
            state.set(lit(State.halted.rawValue, width: 2))
        }
        m.when(start) {
            draining.set(false)
        }.elseWhen(unitFault || (fire && (dispatchFault != 0 || (executes && isHalt)))) {
            draining.set(true)
        }
        units.registerFile.clear_start.set(start)

        // MARK: Outputs.
        let record: [(String, Signal)] = [
            ("retire_index", entry["index"]!), ("retire_opcode", entry["opcode"]!), ("retire_dest", entry["dest"]!),
            ("retire_dest_index", entry["dest_index"]!), ("retire_count", count), ("retire_digest", digest),
            ("retire_saturations", saturations.extend(to: 32)),
        ]
        m.output("retire_valid", .bool).set(m.regNext("retire_valid_q", retires, reset: false))
        for (name, value) in record { m.output(name, value.type!).set(m.regNext("\(name)_q", value)) }
        let busy = m.wire("busy_any", running || !quiescent)
        // A halted program's stores are all in memory when `halted` shows.
        let halted = m.wire("halted_visible", isState(.halted) && !memory.busy)
        m.output("busy", .bool).set(busy)
        m.output("halted", .bool).set(halted)
        m.output("faulted", .bool).set(isState(.faulted))

        csr.running.set(running)
        csr.halted.set(halted)
        csr.faulted.set(isState(.faulted))
        csr.busy.set(busy)
        csr.fault_code.set(faultCode)
        csr.fault_index.set(faultIndex)
        let events: [String: Signal] = [
            "ev_retire": retires,
            "ev_busy_ls": !ls.idle,
            "ev_busy_vector": !units.unit("vector").instance.idle,
            "ev_busy_reduction": !units.unit("reduction").instance.idle,
            "ev_busy_ternary": !ternary.idle,
            "ev_memory_stall": memory.stall,
            "ev_weight_beat": ternary.beat,
            "ev_issue_stall": canIssue && !fire,
            // Saturated elements are counted as their instruction retires, as the interpreter counts them.
            "ev_saturations": mux(retires, saturations, lit(0, width: p.vlBits)),
        ]
        for (port, _) in CSRSlave.events { csr.port(port).set(events[port]!) }
        memory.timeout_cycles.set(csr.timeout_cycles)
    }

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

extension Signal {
    /// The Bool constant false, as a starting value for `||` folds.
    static var no: Signal { false }
}
