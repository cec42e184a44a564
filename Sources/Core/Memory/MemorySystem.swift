import HDL
import HDLLib

/// Connects the core's memory clients (`readClients` read clients and one
/// write client, contracts in `Interfaces.swift`) to `banks` Avalon-MM
/// masters.
///
/// Beat `L` lives in bank `L mod B` at bank address `L / B`. A read of N
/// beats becomes one burst in every bank it touches (each at most
/// `maxBurst` beats); the beats come back to the client re-interleaved, in
/// address order. A write is one wide beat (a beat of every bank, at a line
/// that is a multiple of B): one beat in each bank whose byte enables are
/// not all zero.
///
/// Arbitration: round robin over the read clients and the write client. The
/// grant goes to a client that requested in the cycle before (the turn
/// passes to the requester after the one taken), so a waiting client is
/// served after at most one request of each other client, and a client
/// that keeps requesting alone is taken every cycle. A request taken goes
/// into a two-entry register stage (`SkidBuffer`), from which it goes to
/// the banks once it fits (command queues, the response order queue):
/// every client's ready comes from registers. One request is taken per
/// cycle. Requests reach each bank in the order they were taken, so a read
/// taken after a write to the same beat returns the new data.
///
/// Responses: one beat per cycle to one client, in acceptance order
/// (an order queue records client, first bank and length of every read),
/// `MemoryBank.bufferLatency + 1` cycles after the beat is in its bank's
/// buffer. With a single client streaming, bursts overlap responses and
/// the client receives a beat every cycle.
///
/// A wide client (of `wideClients`: the load/store unit and the ternary
/// unit) reads B beats per cycle:
/// its `rs_data` is B beats side by side (bank 0's, the lowest address, in
/// the low bits), its requests start at a line that is a multiple of B and
/// have a multiple of B beats (up to `maxBurst * B`, so each bank bursts up
/// to `maxBurst`). Its reads are delivered one wide beat per cycle, taking
/// a beat from every bank together once each has one.
///
/// `timeout` is sticky until reset: some bank held a command under
/// `waitrequest`, or waited for owed read beats, for more than
/// `timeout_cycles` consecutive cycles. `stall`: a command is held by
/// `waitrequest` this cycle. `busy`: some request is not finished (a write
/// accepted but not yet taken by its bank, a read not fully delivered); the
/// core waits for it to fall before it reports a halt, so the host sees
/// every store.
public struct MemorySystem: Module {
    public let p: CoreParameters
    public let readClients: Int
    /// The read clients that receive a beat of every bank per cycle.
    public let wideClients: Set<Int>

    public init(params: CoreParameters, readClients: Int, wideClients: Set<Int> = []) {
        p = params
        self.readClients = readClients
        self.wideClients = wideClients
    }

    public var name: String { "MemorySystem" }

    /// Read client `index`'s signature, from the client's side: wide or narrow.
    public func readClientSignature(_ index: Int) -> MemoryRead { MemoryRead(p, wide: wideClients.contains(index)) }
    /// The prefix of read client `index`'s ports (`c1_`).
    public static func readClientPrefix(_ index: Int) -> String { "c\(index)_" }

    /// Read client `index` of `memory` (an instance of this module), to connect to the client's `MemoryRead`.
    public func readClient(_ index: Int, of memory: Instance) -> Interface<MemoryRead> {
        memory.ports(readClientSignature(index).flipped(), prefix: Self.readClientPrefix(index))
    }

    /// The write client of `memory` (an instance of this module), to connect to the client's `MemoryWrite`.
    public func writeClient(of memory: Instance) -> Interface<MemoryWrite> { memory.ports(MemoryWrite(p).flipped()) }

    /// The Avalon-MM master of bank `bank` of `memory` (an instance of this module).
    public func bank(_ bank: Int, of memory: Instance) -> Interface<BankMaster> {
        memory.ports(BankMaster(p), prefix: BankMaster.prefix(bank))
    }
    public var parameters: [Parameter] {
        [Parameter("D", p.dataBits), Parameter("B", p.banks), Parameter("A", p.addressBits),
         Parameter("M", p.maxBurst), Parameter("O", p.outstandingBeats), Parameter("RC", readClients),
         Parameter("WC", wideClients.reduce(0) { $0 | 1 << $1 })]
    }

    /// Reads accepted and not yet fully delivered, at most.
    public static let orderDepth = 64

    /// Cycles from the memory's `readdatavalid` to the client's `rs_valid`
    /// when nothing is queued ahead: buffer write, pop, buffer read latency.
    public static var responseLatency: Int { 1 + MemoryBank.bufferLatency }

    public func build(_ m: ModuleBuilder) {
        guard m.require(readClients >= 1, "a memory system needs at least one read client, got \(readClients)"),
              m.require([1, 2, 4].contains(p.banks), "banks must be 1, 2 or 4, got \(p.banks)"),
              m.require(p.maxBurst >= 1, "maximum burst must be at least 1, got \(p.maxBurst)"),
              m.require(wideClients.allSatisfy { (0..<readClients).contains($0) }, "wide clients must be read clients") else { return }
        let banks = p.banks
        let bankBits = log2(banks)
        // Burst counts inside: wide enough for a wide client's maxBurst * B beats.
        let bb = p.wideBurstBits

        // MARK: Ports
        let readers = (0..<readClients).map { m.ports(readClientSignature($0).flipped(), prefix: Self.readClientPrefix($0)) }
        // Beat counts of every client at the width of a wide one.
        let readerBeats = readers.map { r in r.requestBeats.width! == bb ? r.requestBeats : r.requestBeats.extend(to: bb) }
        let writer = m.ports(MemoryWrite(p).flipped())
        let units = (0..<banks).map { m.instance(MemoryBank(params: p), "bank\($0)") }
        for (b, u) in units.enumerated() { m.forward(u.ports(BankMaster(p)), prefix: BankMaster.prefix(b)) }
        let timeoutCycles = m.input("timeout_cycles", .uint(32))
        let timeout = m.output("timeout", .bool)
        let stall = m.output("stall", .bool)
        let busy = m.output("busy", .bool)

        // MARK: Arbitration (round robin; index readClients is the write client)
        // Why from registers: the grant is chosen from the requests of the
        // cycle before, and a request taken goes into a register stage, so a
        // client's ready is the grant and the stage's room, both registered.
        // No path runs from a client's request through the arbiter and the
        // banks' split into any client's handshake.
        let n = readClients + 1
        let turnBits = addressWidth(n)
        let turn = m.reg("turn", .uint(turnBits), reset: 0)
        let valids = readers.map(\.requestValid) + [writer.valid]
        // A request is held until taken (or withdrawn), so last cycle's requests are this cycle's candidates.
        let waiting = valids.enumerated().map { i, v in m.regNext("waiting\(i)", v, reset: false) }
        let ahead = (0..<n).map { i in
            m.wire("ahead\(i)", i == (1 << turnBits) - 1 ? waiting[i] : waiting[i] && lit(i, width: turnBits) >= turn)
        }
        let anyAhead = m.wire("any_ahead", anyTrue(ahead))
        let grants = (0..<n).map { i in
            m.wire("grant\(i)", mux(anyAhead, ahead[i] && !anyTrue(Array(ahead[..<i])), waiting[i] && !anyTrue(Array(waiting[..<i]))))
        }
        var line = writer.line, beats = lit(1, width: bb), chosen = lit(readClients, width: turnBits)
        for (i, r) in readers.enumerated() {
            line = mux(grants[i], r.requestLine, line)
            beats = mux(grants[i], readerBeats[i], beats)
            chosen = mux(grants[i], lit(i, width: turnBits), chosen)
        }
        chosen = m.wire("chosen", chosen)
        let clientBits = addressWidth(readClients)
        let stage = m.instance(SkidBuffer(width: 1 + clientBits + p.lineBits + bb + p.wideBeatBytes + p.dataBits * banks),
                               "request")
        for (i, r) in readers.enumerated() { r.requestReady.set(grants[i] && stage.in_ready) }
        writer.ready.set(grants[readClients] && stage.in_ready)
        let taken = m.wire("taken", anyTrue(zip(valids, grants).map { $0 && $1 }) && stage.in_ready)
        stage.in_valid.set(taken)
        stage.clear.set(false)
        // The write data and enables ride along with every request: only a write uses them.
        stage.in_data.set(cat(grants[readClients], chosen.truncate(to: clientBits), line, beats, writer.byteEnable, writer.data))
        m.when(taken) {
            turn.set(mux(chosen == lit(n - 1, width: turnBits), lit(0, width: turnBits), chosen + 1))
        }

        // MARK: The oldest request taken, split into per-bank bursts
        var field = p.dataBits * banks
        func next(_ width: Int) -> Signal {
            defer { field += width }
            return stage.out_data[field + width - 1, field]
        }
        let writeData = stage.out_data[p.dataBits * banks - 1, 0]
        let byteEnable = m.wire("request_byteenable", next(p.wideBeatBytes))
        beats = m.wire("beats", next(bb))
        line = m.wire("line", next(p.lineBits))
        let client = m.wire("client", next(clientBits))
        let isWrite = m.wire("is_write", next(1).asBool)
        // Bank b holds the request's beats k0, k0 + B, ... with k0 = (b - L) mod B.
        var fitsAll: [Signal] = [], counts: [Signal] = []
        for (b, u) in units.enumerated() {
            let first: Signal = banks == 1 ? lit(0, width: 1) : lit(b, width: bankBits) - line[bankBits - 1, 0]
            // The beats k < n with k = k0 mod B: ceil((n - k0) / B) for n > k0, else 0, which is
            // floor((n + B - 1 - k0) / B) for every n, and B - 1 - k0 is ~k0: one add, where a
            // compare, a three-operand difference and an add were in front of the accept.
            let readCount = banks == 1 ? resize(beats, p.burstBits)
                : resize(shiftDown(beats.extend(to: bb + 1) + (~first).extend(to: bb + 1), bankBits), p.burstBits)
            // A write gives bank b its slice of the wide beat, unless nothing in it is enabled.
            let enables = byteEnable[p.beatBytes * (b + 1) - 1, p.beatBytes * b]
            let count = m.wire("split\(b)_beats", mux(isWrite, mux(enables != 0, lit(1, width: p.burstBits), lit(0, width: p.burstBits)), readCount))
            let start = shiftDown(line.extend(to: p.lineBits + 1) + first.extend(to: p.lineBits + 1), bankBits)
            let w = p.lineBits + 1 - bankBits
            let address = w >= p.addressBits ? start.truncate(to: p.addressBits) : start.extend(to: p.addressBits)
            u.cmd_write.set(isWrite)
            u.cmd_address.set(m.wire("split\(b)_address", address))
            u.cmd_beats.set(readCount)
            u.cmd_data.set(writeData[p.dataBits * (b + 1) - 1, p.dataBits * b])
            u.cmd_byteenable.set(enables)
            fitsAll.append(u.cmd_ready)
            counts.append(count)
        }
        // Why every bank's readiness and the order queue's room even where the
        // request leaves them alone (a bank it does not touch, a read of no
        // beats): the zero checks stay off the accept, which ends in every
        // queue's push; they only gate the pushes, beside it.
        let order = m.instance(FIFO(width: clientBits + bankBits + bb, depth: Self.orderDepth), "order")
        let accept = m.wire("accept", stage.out_valid && allTrue(fitsAll) && (isWrite || order.in_ready))
        stage.out_ready.set(accept)
        for (b, u) in units.enumerated() {
            u.cmd_valid.set(accept && m.wire("split\(b)_touched", counts[b] != 0))
        }

        // MARK: Delivery in acceptance order: one beat per cycle, or one of every bank for the wide client
        order.in_valid.set(accept && !isWrite && beats != 0)
        order.in_data.set(banks == 1 ? cat(client, beats) : cat(client, line[bankBits - 1, 0], beats))
        let head = order.out_data
        let headBeats = head[bb - 1, 0]
        let headClient = head[bb + bankBits + clientBits - 1, bb + bankBits]
        let sent = m.reg("sent", .uint(bb), reset: 0)
        let bank: Signal = banks == 1 ? lit(0, width: 1)
            : m.wire("bank", head[bb + bankBits - 1, bb] + sent[bankBits - 1, 0])
        func bankIs(_ b: Int) -> Signal { banks == 1 ? true : bank == lit(b, width: bankBits) }
        let headWide: Signal = wideClients.isEmpty ? false
            : m.wire("head_wide", anyTrue(wideClients.sorted().map { headClient == lit($0, width: clientBits) }))
        var ready: Signal = false
        for (b, u) in units.enumerated() { ready = mux(bankIs(b), u.avail, ready) }
        let allReady = allTrue(units.map(\.avail))
        let deliver = m.wire("deliver", order.out_valid && mux(headWide, allReady, ready))
        // sent + step kept in registers for both steps: the head's beat count
        // comes from the order queue's memory late in the cycle, and an add
        // before the compare put a carry chain in front of its pop.
        let sentPlusOne = m.reg("sent_plus_one", .uint(bb), reset: lit(1, width: bb))
        let sentPlusBanks = m.reg("sent_plus_banks", .uint(bb), reset: lit(banks, width: bb))
        let afterStep = mux(headWide, sentPlusBanks, sentPlusOne)
        let last = m.wire("last", afterStep == headBeats)
        order.out_ready.set(deliver && last)
        m.when(deliver) {
            sent.set(mux(last, lit(0, width: bb), afterStep))
            sentPlusOne.set(mux(last, lit(1, width: bb), afterStep + lit(1, width: bb)))
            sentPlusBanks.set(mux(last, lit(banks, width: bb), afterStep + lit(banks, width: bb)))
        }
        for (b, u) in units.enumerated() { u.pop.set(deliver && (headWide || bankIs(b))) }

        // The beat's data leaves the bank buffer bufferLatency cycles after the pop.
        var valid = deliver, who = headClient, from = bank
        for stage in 0..<MemoryBank.bufferLatency {
            valid = m.regNext("out_valid\(stage)", valid, reset: false)
            who = m.regNext("out_client\(stage)", who)
            from = m.regNext("out_bank\(stage)", from)
        }
        var data = units[0].rdata
        for (b, u) in units.enumerated().dropFirst() { data = mux(from == lit(b, width: bankBits), u.rdata, data) }
        let outData = m.wire("out_data", data)
        for (i, r) in readers.enumerated() {
            r.responseValid.set(valid && who == lit(i, width: clientBits))
            r.responseData.set(wideClients.contains(i) && banks > 1 ? cat(units.reversed().map(\.rdata)) : outData)
        }

        // MARK: Status
        for u in units { u.timeout_cycles.set(timeoutCycles) }
        let expired = m.reg("expired", .bool, reset: false)
        expired.set(expired || anyTrue(units.map { $0.expired }))
        timeout.set(expired)
        stall.set(anyTrue(units.map { $0.held }))
        busy.set(stage.out_valid || order.out_valid || anyTrue(units.map { $0.busy }))
    }
}
