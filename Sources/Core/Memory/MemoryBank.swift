import HDL
import HDLLib

/// One local-memory bank of the memory system: an Avalon-MM master fed by a
/// small command queue, a response buffer for the read beats, and the
/// counters that keep the buffer from overflowing and notice a memory that
/// stopped answering.
///
/// Command side: a command (`cmd_write`, bank beat `cmd_address`; a read's
/// `cmd_beats`; a write's one beat `cmd_data` / `cmd_byteenable`, its
/// `cmd_beats` unused, so that the fit check need not wait on choosing it)
/// is queued at the clock edge when `cmd_valid` is high; `cmd_ready` says it
/// fits: queue room, and for a read `cmd_beats` more beats fit in the
/// response buffer next to every read beat already requested and not yet
/// popped (`outstandingBeats` of room: clients have no response
/// back-pressure).
///
/// Response side: `avail` is high while a read beat waits in the buffer;
/// `pop` takes it and its data appears on `rdata` `bufferLatency` cycles
/// later.
///
/// `held` is high while a command is held by `waitrequest`; `expired`
/// pulses when a command has been held, or read beats have been
/// outstanding without `readdatavalid`, for more than `timeout_cycles`
/// consecutive cycles. `busy`: a command is queued or a read beat is owed
/// or buffered.
public struct MemoryBank: Module {
    public let p: CoreParameters

    public init(params: CoreParameters) { p = params }

    public var name: String { "MemoryBank" }
    public var parameters: [Parameter] {
        [Parameter("D", p.dataBits), Parameter("A", p.addressBits), Parameter("M", p.maxBurst),
         Parameter("O", p.outstandingBeats)]
    }

    /// Commands queued in front of the Avalon master: two already sustain
    /// one per cycle; four absorb short bursts of `waitrequest`.
    public static let commandDepth = 4
    /// Cycles from `pop` to `rdata` (M20K with its output register).
    public static let bufferLatency = 2

    public func build(_ m: ModuleBuilder) {
        let o = p.outstandingBeats
        guard m.require(o >= 2 && o & (o - 1) == 0, "outstanding beats must be a power of two of at least 2, got \(o)") else { return }
        let ob = log2(o)
        let creditBits = ob + 1

        let cmdValid = m.input("cmd_valid", .bool)
        let cmdReady = m.output("cmd_ready", .bool)
        let cmdWrite = m.input("cmd_write", .bool)
        let cmdAddress = m.input("cmd_address", .uint(p.addressBits))
        let cmdBeats = m.input("cmd_beats", .uint(p.burstBits))
        let cmdData = m.input("cmd_data", .uint(p.dataBits))
        let cmdByteEnable = m.input("cmd_byteenable", .uint(p.beatBytes))
        let pop = m.input("pop", .bool)
        let avail = m.output("avail", .bool)
        let rdata = m.output("rdata", .uint(p.dataBits))

        let master = m.ports(BankMaster(p))
        let waitrequest = master.waitRequest, readdatavalid = master.readDataValid
        let timeoutCycles = m.input("timeout_cycles", .uint(32))
        let held = m.output("held", .bool)
        let busy = m.output("busy", .bool)
        let expired = m.output("expired", .bool)

        // The response buffer's room: o less the read beats requested and not
        // yet popped. Kept as room rather than as credits so that a command's
        // check is one compare (credits + beats <= o was an add and a compare
        // in front of the queue's push), written as a difference's sign so
        // that it maps to a carry chain (as `<=` it became four LUT levels).
        let room = m.reg("room", .uint(creditBits), reset: lit(o, width: creditBits))
        let roomLeft = m.wire("room_left", room.extend(to: creditBits + 1) - cmdBeats.extend(to: creditBits + 1))
        let fits = m.wire("fits", cmdWrite || !roomLeft[creditBits])

        // Field layout of a queued command, most significant first.
        let queue = m.instance(FIFO(width: 1 + p.addressBits + p.burstBits + p.dataBits + p.beatBytes,
                                    depth: Self.commandDepth), "commands")
        queue.in_valid.set(cmdValid && fits)
        queue.in_data.set(cat(cmdWrite.asUInt, cmdAddress, mux(cmdWrite, lit(1, width: p.burstBits), cmdBeats), cmdData, cmdByteEnable))
        cmdReady.set(queue.in_ready && fits)
        let head = queue.out_data
        var at = p.beatBytes
        master.byteEnable.set(head[at - 1, 0])
        master.writeData.set(head[at + p.dataBits - 1, at]); at += p.dataBits
        master.burstCount.set(head[at + p.burstBits - 1, at]); at += p.burstBits
        master.address.set(head[at + p.addressBits - 1, at]); at += p.addressBits
        let headWrite = head[at]
        let pending = queue.out_valid
        master.read.set(pending && !headWrite)
        master.write.set(pending && headWrite)
        queue.out_ready.set(!waitrequest)
        let issued = m.wire("issued", pending && !waitrequest)

        // Read beats the memory still owes. A beat nobody asked for (after a
        // reset during a transfer) is dropped rather than buffered.
        let owed = m.reg("owed", .uint(creditBits), reset: 0)
        let arrives = m.wire("arrives", readdatavalid && owed != 0)
        let more = mux(issued && !headWrite, head[at - 1 - p.addressBits, at - p.addressBits - p.burstBits].extend(to: creditBits),
                       lit(0, width: creditBits))
        // Two-operand adds only: a three-operand sum maps to a deep LUT compressor.
        owed.set(mux(arrives, owed - lit(1, width: creditBits), owed) + more)

        // The response buffer: written in arrival order, popped in the same order.
        let wptr = m.reg("wptr", .uint(ob + 1), reset: 0)
        let rptr = m.reg("rptr", .uint(ob + 1), reset: 0)
        let buffer = m.memory("responses", depth: o, of: .uint(p.dataBits), readLatency: Self.bufferLatency)
        let port = buffer.write()
        port.enable.set(arrives)
        port.address.set(wptr[ob - 1, 0])
        port.data.set(master.readData)
        let reader = buffer.read()
        reader.address.set(rptr[ob - 1, 0])
        rdata.set(reader.data)
        // Whether a beat waits, as a register (a pointer compare fed the
        // delivery's handshake): one beat in, or one left after a pop.
        let nonEmpty = m.reg("non_empty", .bool, reset: false)
        avail.set(nonEmpty)
        let taken = m.wire("taken", pop && nonEmpty)
        m.when(arrives) { wptr.set(wptr + 1) }
        m.when(taken) { rptr.set(rptr + 1) }
        nonEmpty.set(arrives || mux(taken, wptr != rptr + 1, nonEmpty))

        let reserve = mux(cmdValid && fits && queue.in_ready && !cmdWrite, cmdBeats.extend(to: creditBits), lit(0, width: creditBits))
        room.set(mux(taken, room + lit(1, width: creditBits), room) - reserve)

        // Time-outs: consecutive cycles held by waitrequest, and consecutive
        // cycles owed beats without a beat arriving (after a reset no command
        // is pending and no beat owed).
        let holding = m.wire("holding", pending && waitrequest)
        let silent = m.wire("silent", owed != 0 && !readdatavalid)
        let heldTooLong = m.heldFor("held", holding, atLeast: timeoutCycles)
        let silentTooLong = m.heldFor("silent", silent, atLeast: timeoutCycles)
        held.set(holding)
        busy.set(pending || owed != 0 || nonEmpty)
        expired.set((holding && heldTooLong) || (silent && silentTooLong))
    }
}
