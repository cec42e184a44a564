import HDL
import HDLLib

/// Moves data between host memory and the local-memory banks: one transfer
/// at a time, described by registers on its CSR slave (`DMARegister`),
/// docs/host.md has the protocol.
///
/// Host side: an Avalon-MM master with separate read and write channels
/// (`HostRead` at `host_rd_`, `HostWrite` at `host_wr_`, the shape of the PIM's
/// `ofs_plat_avalon_mem_rdwr_if`), `dataBits` wide, beat addresses, bursts
/// of up to `host.maxBurst` beats that never cross a multiple of it; one
/// write response (`host_wr_writeresponsevalid`) per write burst. Card
/// side: a `MemorySystem` of its own with one narrow read client and the
/// write client, so beat L of the card goes to bank L mod B at bank address
/// L / B, exactly as the core addresses it; its `mem<b>_*` masters are the
/// core's shape.
///
/// Host to card: host read bursts are issued while the buffer (`bufferBeats`)
/// has room for them next to every beat already requested; each beat read
/// goes to the memory system's write client (one bank beat per request, a
/// beat per cycle). Card to host: bank reads of up to `maxBurst` beats into
/// the buffer, the same way; a host write burst starts once all its beats are
/// buffered, so it runs without gaps. Done: every beat written at the
/// destination (host: every write burst answered; card: every write taken by
/// its bank).
///
/// `busy` is high from a start to done or error: the AFU gives the banks to
/// the DMA while it is high. `core_busy` (the core runs) makes a start fail;
/// `core_start_refused` (a pulse) sets STATUS bit 3.
public struct HostDMA: Module {
    public let p: CoreParameters
    public let host: HostDMAParameters

    public init(params: CoreParameters, host: HostDMAParameters = .standard) {
        p = params
        self.host = host
    }

    public var name: String { "HostDMA" }
    public var parameters: [Parameter] {
        [Parameter("D", p.dataBits), Parameter("B", p.banks), Parameter("A", p.addressBits), Parameter("M", p.maxBurst),
         Parameter("O", p.outstandingBeats), Parameter("HA", host.addressBits), Parameter("HM", host.maxBurst),
         Parameter("HB", host.bufferBeats)]
    }

    /// The default TIMEOUT (cycles without progress) when the register is 0.
    public static let defaultTimeout = 1 << 24

    public func build(_ m: ModuleBuilder) {
        let problems = p.problems + host.problems(p)
        guard m.require(problems.isEmpty, "bad DMA parameters: " + problems.joined(separator: "; ")) else { return }
        let e = DMAEngine(m, p, host)
        e.registers()
        e.startChecks()
        e.source()
        e.sink()
        e.control()
        e.readBack()
    }
}

/// The engine's signals, built in steps by `HostDMA.build`.
final class DMAEngine {
    let m: ModuleBuilder
    let p: CoreParameters
    let host: HostDMAParameters
    let shift: Int, ptrBits: Int, countBits: Int, bufferBits: Int

    // CSR slave
    let address, read, write, writeData: Signal
    // Host channel
    let hostRead: Interface<HostRead>
    let hostWrite: Interface<HostWrite>
    let coreBusy, coreRefused, busyOut: Signal
    // The banks, through a memory system: its read client and write client.
    let memory: Instance
    let cardRead: Interface<MemoryRead>
    let cardWrite: Interface<MemoryWrite>
    let buffer: Instance
    /// The buffer's head word in registers (`SkidBuffer`); the beats in both,
    /// and the room left (`bufferBeats - held`, kept apart so that the free
    /// room is a two-operand difference).
    let bufferOut: Instance
    let held, room: Signal

    // Descriptor and settings
    var hostAddress, cardAddress, length, direction, timeoutValue: Signal!
    // State
    let running, aborting, c2h, srcLine, dstLine, srcLeft, dstLeft, outstanding: Signal
    let rdHeld, wrHeld, inBurst, burstLeft, burstAddress, burstCount, responsesOwed: Signal
    let done, errorCode, refused, bytes, cycles: Signal
    /// The time-out, decided in `control` and seen by the host write side.
    let expired: Signal
    // Decided in one step, used in another
    var startError, startWritten, abortWritten, starting, checked: Signal!
    var issued, issuedBeats, arrival: Signal!
    var wrote, wrFirst, wrBurstBeats, discard, progress: Signal!

    static let responseBits = 10

    init(_ m: ModuleBuilder, _ p: CoreParameters, _ host: HostDMAParameters) {
        self.m = m
        self.p = p
        self.host = host
        shift = log2(p.beatBytes)
        ptrBits = Swift.max(host.addressBits, p.lineBits)
        countBits = p.lineBits + 1
        bufferBits = addressWidth(host.bufferBeats) + 1

        address = m.input("csr_address", .uint(DMARegister.addressBits))
        read = m.input("csr_read", .bool)
        write = m.input("csr_write", .bool)
        writeData = m.input("csr_writedata", .uint(64))
        hostRead = m.ports(HostRead(p, host), prefix: HostRead.prefix)
        hostWrite = m.ports(HostWrite(p, host), prefix: HostWrite.prefix)
        let allBytes = lit(BitVector(width: p.beatBytes, value: -1), .uint(p.beatBytes))
        hostRead.byteEnable.set(allBytes)
        hostWrite.byteEnable.set(allBytes)
        coreBusy = m.input("core_busy", .bool)
        coreRefused = m.input("core_start_refused", .bool)
        busyOut = m.output("busy", .bool)

        let system = MemorySystem(params: p, readClients: 1)
        memory = m.instance(system, "memory")
        for b in 0..<p.banks { m.forward(system.bank(b, of: memory)) }
        cardRead = system.readClient(0, of: memory)
        cardWrite = system.writeClient(of: memory)
        buffer = m.instance(FIFO(width: p.dataBits, depth: host.bufferBeats), "buffer")
        // Why a register stage after the buffer: the buffer's read address is its
        // next head, so a pop decided from the host's waitrequest or the bank's
        // accept reached the block's address in the same cycle (9 LUT levels).
        // The stage pops the buffer from its own registered room instead.
        bufferOut = m.instance(SkidBuffer(width: p.dataBits), "buffer_out")
        bufferOut.in_valid.set(buffer.out_valid)
        bufferOut.in_data.set(buffer.out_data)
        bufferOut.clear.set(false)
        buffer.out_ready.set(bufferOut.in_ready)
        held = m.reg("held", .uint(bufferBits), reset: 0)
        room = m.reg("room", .uint(bufferBits), reset: lit(host.bufferBeats, width: bufferBits))

        running = m.reg("running", .bool, reset: false)
        aborting = m.reg("aborting", .bool, reset: false)
        c2h = m.reg("card_to_host", .bool, reset: false)
        srcLine = m.reg("src_line", .uint(ptrBits), reset: 0)
        dstLine = m.reg("dst_line", .uint(ptrBits), reset: 0)
        srcLeft = m.reg("src_left", .uint(countBits), reset: 0)
        dstLeft = m.reg("dst_left", .uint(countBits), reset: 0)
        outstanding = m.reg("outstanding", .uint(bufferBits), reset: 0)
        rdHeld = m.reg("rd_held", .bool, reset: false)
        wrHeld = m.reg("wr_held", .bool, reset: false)
        inBurst = m.reg("in_burst", .bool, reset: false)
        burstLeft = m.reg("burst_left", .uint(host.burstBits), reset: 0)
        burstAddress = m.reg("burst_address", .uint(host.addressBits), reset: 0)
        burstCount = m.reg("burst_count", .uint(host.burstBits), reset: 0)
        responsesOwed = m.reg("responses_owed", .uint(Self.responseBits), reset: 0)
        done = m.reg("done", .bool, reset: false)
        errorCode = m.reg("error_code", .uint(DMAError.bits), reset: 0)
        refused = m.reg("refused", .bool, reset: false)
        bytes = m.reg("bytes", .uint(64), reset: 0)
        cycles = m.reg("cycles", .uint(64), reset: 0)
        expired = m.wire("expired", .bool)
    }

    func writes(_ r: DMARegister) -> Signal { write && address == lit(r.rawValue, width: DMARegister.addressBits) }

    /// The descriptor registers (kept while busy) and TIMEOUT.
    func registers() {
        // A start takes effect two cycles after its write (`control`): the
        // descriptor is held from the write on.
        startWritten = m.wire("start_written", writes(.control) && writeData[0])
        let requested = m.regNext("start_requested", startWritten && !running, reset: false)
        checked = m.regNext("start_checked", requested, reset: false)
        starting = m.wire("starting", requested || checked)
        func settable(_ r: DMARegister, _ width: Int) -> Signal {
            let q = m.reg("\(r)_q", .uint(width), reset: 0)
            m.when(r.isDescriptor ? writes(r) && !running && !starting : writes(r)) { q.set(writeData[width - 1, 0]) }
            return q
        }
        hostAddress = settable(.hostAddress, 64)
        cardAddress = settable(.cardAddress, 64)
        length = settable(.length, 64)
        direction = settable(.direction, 1)
        timeoutValue = settable(.timeout, 32)
        let descriptorWritten = DMARegister.allCases.filter(\.isDescriptor).map(writes).reduce(startWritten) { $0 || $1 }
        abortWritten = m.wire("abort_written", running && descriptorWritten)
    }

    /// The error a start would end with now (0: none), in `DMAError` order.
    func startChecks() {
        let low = (hostAddress | cardAddress | length)[shift - 1, 0]
        let beats = length >> shift
        let w = 64 - shift + 1
        let cardEnd = (cardAddress >> shift).expandingAdd(beats)
        let hostEnd = (hostAddress >> shift).expandingAdd(beats)
        let checks: [(Signal, DMAError)] = [
            (coreBusy, .coreRunning), (length == 0, .zeroLength), (low != 0, .misaligned),
            (cardEnd > lit(DMARegister.capacityBeats(p), width: w), .cardRange),
            (hostEnd > lit(1 << host.addressBits, width: w), .hostRange),
        ]
        var code = lit(0, width: DMAError.bits)
        for (bad, error) in checks.reversed() { code = mux(bad, lit(error.rawValue, width: DMAError.bits), code) }
        // Why registered: the range checks are adders and compares over 64
        // bits; the start waits a cycle for them (the descriptor cannot change
        // meanwhile, and the core sees the DMA busy).
        startError = m.regNext("start_error", code)
    }

    /// Requests at the source (host reads, or bank reads) into free buffer room; beats back into the buffer.
    func source() {
        let bb = bufferBits
        let issuing = m.wire("issuing", running && !aborting && srcLeft != 0)
        // Host reads: up to the next multiple of the host burst. Bank reads: up
        // to maxBurst beats from any line.
        let hostBeats = m.wire("host_rd_beats", burstTo(srcLine, srcLeft))
        let memBeats = m.wire("mem_rd_beats", mux(srcLeft < lit(p.maxBurst, width: countBits), resize(srcLeft, p.burstBits),
                                                  lit(p.maxBurst, width: p.burstBits)))
        // Why registered: the request must not wait on this arithmetic. The
        // burst sizes are a cycle late, so a request never directly follows an
        // issue (the one event that moves the source): one idle cycle between
        // bursts. The room is two cycles late and checked against a whole
        // largest burst B: arrivals and pops only add room and one issue takes
        // at most B, so 2B of room two cycles ago is enough now, and B is
        // enough when nothing was issued two cycles ago either. All of it but
        // the run's state is decided a cycle ahead (`may_issue`), once this
        // cycle's issue is known.
        let largest = mux(c2h, lit(p.maxBurst, width: bb + 1), lit(host.maxBurst, width: bb + 1))
        let free = m.regNext("free", room - outstanding)
        let plenty = free.extend(to: bb + 1) >= (largest << 1).truncate(to: bb + 1)
        let enough = free.extend(to: bb + 1) >= largest
        let issuedLast = m.reg("issued_last", .bool, reset: false)
        let mayIssue = m.reg("may_issue", .bool, reset: false)
        let hostBurst = m.regNext("host_rd_burst", hostBeats), cardBurst = m.regNext("mem_rd_burst", memBeats)
        let fresh = m.wire("fresh", mayIssue && running && !aborting)
        hostRead.read.set(rdHeld || (fresh && !c2h))
        hostRead.address.set(resize(srcLine, host.addressBits))
        hostRead.burstCount.set(hostBurst)
        let rdTaken = m.wire("rd_taken", hostRead.read && !hostRead.waitRequest)
        rdHeld.set(running && hostRead.read && hostRead.waitRequest)
        cardRead.requestValid.set(fresh && c2h)
        cardRead.requestLine.set(resize(srcLine, p.lineBits))
        cardRead.requestBeats.set(cardBurst)
        issued = m.wire("issued", mux(c2h, cardRead.requestValid && cardRead.requestReady, rdTaken))
        issuedLast.set(issued)
        mayIssue.set(issuing && !issued && (plenty || (enough && !issuedLast)))
        issuedBeats = m.wire("issued_beats", mux(c2h, resize(cardBurst, bb), resize(hostBurst, bb)))
        // Beats nobody is owed (after a time-out) are dropped.
        arrival = m.wire("arrival", mux(c2h, cardRead.responseValid, hostRead.readDataValid) && outstanding != 0)
        buffer.in_valid.set(arrival)
        buffer.in_data.set(mux(c2h, cardRead.responseData, hostRead.readData))
    }

    /// `min(left, maxBurst - line mod maxBurst)`: a host burst up to the next multiple of the host burst.
    func burstTo(_ line: Signal, _ left: Signal) -> Signal {
        let boundary = beatsToBoundary(line)
        return mux(left < resize(boundary, countBits), resize(left, host.burstBits), boundary)
    }

    /// `maxBurst - line mod maxBurst`: the beats from `line` to the next multiple of the host burst.
    func beatsToBoundary(_ line: Signal) -> Signal {
        let hb = host.burstBits, k = log2(host.maxBurst)
        return k == 0 ? lit(1, width: hb) : lit(host.maxBurst, width: hb) - line[k - 1, 0].extend(to: hb)
    }

    /// The destination: bank writes (one bank beat per request), or host write bursts of buffered beats.
    func sink() {
        let b = p.banks, bankBits = log2(b)
        // Card: the beat in every slot of a wide beat, enabled in its bank's slot only.
        let slot = bankBits == 0 ? lit(0, width: 1) : dstLine[bankBits - 1, 0]
        let ones = lit(BitVector(width: p.beatBytes, value: -1), .uint(p.beatBytes))
        let enables = b == 1 ? [ones] : (0..<b).reversed().map { i in
            mux(slot == lit(i, width: bankBits), ones, lit(0, width: p.beatBytes))
        }
        let lineBase = bankBits == 0 ? resize(dstLine, p.lineBits) : resize((dstLine >> bankBits) << bankBits, p.lineBits)
        cardWrite.valid.set(running && !aborting && !c2h && bufferOut.out_valid)
        cardWrite.line.set(lineBase)
        cardWrite.data.set(bufferOut.out_data.replicate(b))
        cardWrite.byteEnable.set(cat(enables))
        // Host: a burst starts once all its beats are buffered, and is held
        // under waitrequest. Why registered: as at the source, the size and
        // whether it may start are worked out a cycle ahead; they are stale only
        // after a beat was written (which moves the destination, pops the buffer
        // and may owe a response), so a burst never directly follows a write:
        // one idle cycle between bursts.
        let beats = burstTo(dstLine, dstLeft)
        wrBurstBeats = m.regNext("host_wr_beats", beats)
        // The burst, min(left, to the boundary), is buffered when either is: two
        // compares side by side instead of one after the other. `held` still
        // counts a beat that left last cycle (`left_late`): then one more is needed.
        let leftLate = m.reg("left_late", .bool, reset: false)
        let toGo = resize(dstLeft, countBits), heldWide = resize(held, countBits)
        let boundary = resize(beatsToBoundary(dstLine), bufferBits)
        let buffered = mux(leftLate, toGo < heldWide || boundary < held, toGo <= heldWide || boundary <= held)
        // `ready` also holds the checks of the cycle it is worked out in: no
        // beat written, no abort written, no time-out. A burst then starts
        // from registers alone (checking running, aborting and the last write
        // here made `write` 5 LUT levels deep, in front of the buffer's pop).
        let ready = m.reg("host_wr_ready", .bool, reset: false)
        let startBurst = m.wire("start_burst", ready && !inBurst)
        hostWrite.write.set(inBurst || wrHeld || startBurst)
        hostWrite.address.set(mux(inBurst, burstAddress, resize(dstLine, host.addressBits)))
        hostWrite.burstCount.set(mux(inBurst, burstCount, wrBurstBeats))
        hostWrite.writeData.set(bufferOut.out_data)
        let wrTaken = m.wire("wr_taken", hostWrite.write && !hostWrite.waitRequest)
        wrFirst = m.wire("wr_first", wrTaken && !inBurst)
        wrHeld.set(running && hostWrite.write && !inBurst && hostWrite.waitRequest)
        m.when(wrFirst) {
            burstAddress.set(resize(dstLine, host.addressBits))
            burstCount.set(wrBurstBeats)
            burstLeft.set(wrBurstBeats - 1)
            inBurst.set(wrBurstBeats != 1)
        }.elseWhen(wrTaken) {
            burstLeft.set(burstLeft - 1)
            inBurst.set(burstLeft != 1)
        }
        wrote = m.wire("wrote", mux(c2h, wrTaken, cardWrite.valid && cardWrite.ready))
        ready.set(running && !aborting && !abortWritten && !expired && c2h && dstLeft != 0 && buffered && !wrTaken
                  && responsesOwed != lit((1 << Self.responseBits) - 1, width: Self.responseBits))
        // Idle, or aborting between host bursts: buffered beats are dropped.
        discard = m.wire("discard", !running || (aborting && !inBurst && !wrHeld))
        bufferOut.out_ready.set(discard || wrote)
        let response = hostWrite.writeResponseValid && responsesOwed != 0
        progress = m.wire("progress", issued || arrival || wrote || response || (discard && bufferOut.out_valid))
        // The beats in the buffer and its output stage: what room and bursts are
        // counted against. Why a beat leaving is counted a cycle late: the count
        // ended the host write handshake's path (8 LUT levels); the room it
        // leaves is only found a cycle later (safe), and `buffered` allows for it.
        let entered = arrival && buffer.in_ready
        leftLate.set(bufferOut.out_valid && (discard || wrote))
        let left = leftLate
        m.when(entered && !left) {
            held.set(held + 1); room.set(room - 1)
        }.elseWhen(left && !entered) {
            held.set(held - 1); room.set(room + 1)
        }
        // Both neighbours precomputed and selected: the handshakes stay off the adders.
        let one = lit(1, width: Self.responseBits)
        m.when(wrFirst && !response) { responsesOwed.set(responsesOwed + one) }
            .elseWhen(response && !wrFirst) { responsesOwed.set(responsesOwed - one) }
    }

    /// Start, abort, time-out and completion.
    func control() {
        let bb = bufferBits
        let limit = m.wire("timeout_limit", mux(timeoutValue == 0, lit(HostDMA.defaultTimeout, width: 32), timeoutValue))
        memory.timeout_cycles.set(limit)
        // Registered, as the compare after it (a time-out a cycle or two later
        // is harmless): `progress` ends the transfer's deepest handshake logic,
        // and deciding the time-out from it in the same cycle was 13 LUT levels.
        let stalled = m.regNext("stalled", running && !progress, reset: false)
        expired.set(running && stalled && m.heldFor("stall", stalled, atLeast: limit))
        // Registered, a cycle late (the end a cycle later is harmless): the
        // zero checks, the drain and the end into `running` in one cycle were
        // 7 LUT levels. A read issued or a beat written in that cycle would
        // make it stale (the memory's busy, the responses owed move next
        // cycle): then it waits.
        let drained = m.regNext("drained", outstanding == 0 && !rdHeld && !wrHeld && !inBurst && responsesOwed == 0
                                && !memory.busy && !issued && !wrote, reset: false)
        let finished = m.wire("finished", running && drained && mux(aborting, held == 0, dstLeft == 0))
        let start = m.wire("start", checked && !running)
        let beats = resize(length >> shift, countBits)

        // Two-operand adds only: a three-operand sum maps to a deep LUT compressor.
        outstanding.set(mux(arrival, outstanding - lit(1, width: bb), outstanding) + mux(issued, issuedBeats, lit(0, width: bb)))
        m.when(issued) {
            srcLine.set(srcLine + resize(issuedBeats, ptrBits))
            srcLeft.set(srcLeft - resize(issuedBeats, countBits))
        }
        m.when(wrote) {
            dstLine.set(dstLine + 1)
            dstLeft.set(dstLeft - 1)
            bytes.set(bytes + lit(p.beatBytes, width: 64))
        }
        m.when(running) { cycles.set(cycles + 1) }
        // Cleared by the start's write: a refusal while the start is checked counts.
        m.when(coreRefused) { refused.set(true) }.elseWhen(startWritten && !running) { refused.set(false) }

        m.when(start) {
            bytes.set(0)
            cycles.set(0)
            done.set(false)
            errorCode.set(startError)
            m.when(startError == 0) {
                running.set(true)
                aborting.set(false)
                c2h.set(direction.asBool)
                let h = resize(hostAddress >> shift, ptrBits), c = resize(cardAddress >> shift, ptrBits)
                srcLine.set(mux(direction.asBool, c, h))
                dstLine.set(mux(direction.asBool, h, c))
                srcLeft.set(beats)
                dstLeft.set(beats)
            }
        }.elseWhen(expired) {
            running.set(false)
            aborting.set(false)
            errorCode.set(lit(DMAError.timeout.rawValue, width: DMAError.bits))
            outstanding.set(0)
            inBurst.set(false)
            responsesOwed.set(0)
        }.elseWhen(abortWritten) {
            aborting.set(true)
            errorCode.set(lit(DMAError.busy.rawValue, width: DMAError.bits))
        }.elseWhen(finished) {
            running.set(false)
            aborting.set(false)
            done.set(!aborting)
        }
        busyOut.set(running || starting)
    }

    /// Reads answer one cycle later, as the core's CSR slave.
    func readBack() {
        let busy = running || starting
        let status = cat(lit(0, width: 48), errorCode, lit(0, width: 4), refused, errorCode != 0 && !busy, done && !starting, busy)
        let table: [(DMARegister, Signal)] = [
            (.hostAddress, hostAddress), (.cardAddress, cardAddress), (.length, length),
            (.direction, direction.extend(to: 64)), (.status, status), (.timeout, timeoutValue.extend(to: 64)),
            (.bytes, bytes), (.cycles, cycles),
            (.capacity, lit(BitVector(width: 64, words: [UInt64(DMARegister.capacityBeats(p) * p.beatBytes)]), .uint(64))),
            (.configuration, lit(BitVector(width: 64, words: [DMARegister.configurationValue(p, host)]), .uint(64))),
        ]
        var value = lit(0, width: 64)
        for (r, v) in table.reversed() { value = mux(address == lit(r.rawValue, width: DMARegister.addressBits), v, value) }
        m.output("csr_readdata", .uint(64)).set(m.regNext("read_q", m.wire("read_value", value)))
        m.output("csr_readdatavalid", .bool).set(m.regNext("read_valid_q", read, reset: false))
    }
}
