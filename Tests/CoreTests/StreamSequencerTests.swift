import Core
import HDL
import HDLEmit
import HDLSim
import ISA
import Testing
import TestSupport

/// The stream sequencer against a unit modelled in Swift: each instruction
/// starts the unit once per stream in order (stream s's scalar, `imm + s * SS`
/// for `.s` memory instructions, an address past 2^32 - 1 as stream s's own
/// fault), stops at a unit's fault, sums the streams' records, offsets the
/// register ports by stream and chains `macp`'s `b` port to the previous
/// stream's `vd`, and runs only the active streams 0 ... `stream_last`.
@Suite(.serialized) struct StreamSequencerTests {
    static func params(streams: Int) -> CoreParameters {
        CoreParameters(isa: CoreConfig(vectorRegisters: 4, maxVectorLength: 32, streams: streams), dataBits: 128)
    }

    static func sequencer(_ p: CoreParameters) -> StreamSequencer {
        StreamSequencer(params: p, readPorts: ["a", "b"], chain: "b", memory: true, scalarResults: true)
    }

    /// One instruction as the test dispatches it.
    struct Instruction: CustomStringConvertible {
        var op: Opcode, mode: Int, rd: Int, ra: Int, rb: Int, imm: UInt64, stride: UInt64
        var scalars: [Int32]
        /// The stream whose unit run faults, if any.
        var faultingStream: Int?
        /// The active streams (STREAMS): the sequencer runs streams 0 ..< active.
        var active: Int

        var perStream: Bool { [.ldv, .sv, .lds, .sts].contains(op) && mode == 1 }
        /// A load of one address: stream 0's load is copied to the other streams.
        var broadcast: Bool { op == .ldv && mode == 0 }
        var description: String {
            "\(op.mnemonic)\(mode == 1 ? ".s" : "") rd \(rd) ra \(ra) rb \(rb) imm \(imm) SS \(stride), fault in \(faultingStream.map(String.init) ?? "none"), \(active) active"
        }
        /// Stream s's address, unwrapped.
        func address(_ s: Int) -> UInt64 { perStream ? imm + UInt64(s) * stride : imm }
    }

    @Test(arguments: [3, 4])
    func sequencesEveryStream(_ streams: Int) throws {
        let p = Self.params(streams: streams)
        let seed = testSeed(0x5E9_0000 + UInt64(streams))
        var rng = SplitMix64(seed: seed)
        let sim = try Simulator(elaborate(Self.sequencer(p)))
        try sim.reset()
        let ops: [Opcode] = [.ldv, .sv, .lds, .sts, .macp, .add, .absmax]
        for n in 0..<iterations(150) {
            let op = ops[rng.below(ops.count)]
            let near = rng.chance(0.3)
            var ins = Instruction(op: op, mode: [.ldv, .sv, .lds, .sts].contains(op) ? rng.below(2) : 0,
                                  rd: rng.below(4), ra: rng.below(4), rb: rng.below(4),
                                  imm: near ? 0xFFFF_FF00 + UInt64(rng.below(64)) : rng.next() & 0xFFFF_FFFF,
                                  stride: near ? UInt64(rng.below(200)) : rng.next() & 0xFFFF_FFFF,
                                  scalars: (0..<streams).map { _ in Int32(truncatingIfNeeded: rng.next()) },
                                  faultingStream: rng.chance(0.15) ? rng.below(streams) : nil,
                                  active: rng.chance(0.6) ? streams : rng.int(1...streams))
            if rng.chance(0.5) { ins.stride &= 0xFFFC }
            try run(ins, sim: sim, p: p, rng: &rng, context: "seed \(seed), instruction \(n): \(ins)")
        }
    }

    /// Dispatches `ins` and plays the unit until the sequencer's `done`.
    func run(_ ins: Instruction, sim: Simulator, p: CoreParameters, rng: inout SplitMix64, context: String) throws {
        // Idle between instructions: dispatch.
        try sim.poke("start", true)
        try sim.poke("op", Int(ins.op.rawValue)); try sim.poke("mode", ins.mode)
        try sim.poke("rd", ins.rd); try sim.poke("ra", ins.ra); try sim.poke("rb", ins.rb)
        try sim.poke("vl", 5); try sim.poke("scalar", 0); try sim.poke("imm", ins.imm)
        try sim.poke("stream_scalars", elements: ins.scalars.map { Int($0) })
        try sim.poke("stream_stride", ins.stride)
        try sim.poke("stream_last", ins.active - 1)
        try pokeUnit(sim, busy: false, done: nil, record: nil)
        sim.eval()
        #expect(try sim.peekBool("idle"), "\(context): not idle at dispatch")
        try sim.step()
        try sim.poke("start", false)

        // The expected record: streams until a fault (the unit's, or an address past 32 bits).
        var count: UInt32 = 0, digest: UInt32 = 0, saturations: UInt32 = 0, results: [Int32] = []
        var stream = 0, remaining = 0, busy = false, lateIdle = false
        // A broadcast load's copy: its first cycle, and stream 0's record.
        var copyStart: Int?, record0: (count: UInt32, digest: UInt32) = (0, 0)
        // The unit's records, each `Dispatch.recordLatency` cycles after its done.
        let latency = Dispatch.recordLatency(p)
        var records = RecordQueue<Record>(latency: latency)
        /// Runs the cycles after the sequencer's done until its record is out, then checks it.
        func awaitRecord(_ check: () throws -> Void) throws {
            try sim.step()
            for k in 1...latency {
                try pokeUnit(sim, busy: false, done: nil, record: records.tick(done: nil))
                sim.eval()
                #expect(try !sim.peekBool("done") && !sim.peekBool("unit_start"), "\(context): a second done or start")
                if k == latency { try check() }
                try sim.step()
            }
        }
        for cycle in 0..<400 {
            // The unit: `done` after 1 ... 4 cycles; some units' idle rises a cycle after done.
            let finishing = busy && remaining == 0
            var done: (count: UInt32, digest: UInt32, saturations: UInt32, fault: Int, scalar: Int32)?
            if finishing {
                done = (UInt32(rng.below(40)), UInt32(truncatingIfNeeded: rng.next()), UInt32(rng.below(5)),
                        ins.faultingStream == stream ? Int(FaultCode.badWeight.rawValue) : 0, Int32(truncatingIfNeeded: rng.next()))
            }
            let record = records.tick(done: done.map { Record(count: $0.count, digest: $0.digest, saturations: $0.saturations) })
            try pokeUnit(sim, busy: busy && !finishing || lateIdle, done: done, record: record)
            let ports = try pokePorts(sim, rng: &rng)
            sim.eval()
            if busy { try checkPorts(sim, ports, ins: ins, stream: stream, p: p, context: "\(context), stream \(stream)") }
            if let start = copyStart { try checkCopy(sim, ports, ins: ins, step: cycle - start, p: p, context: "\(context), copy") }
            let started = try sim.peekBool("unit_start")
            if started {
                #expect(!busy && !lateIdle, "\(context): started a busy unit")
                #expect(try sim.peek("unit_imm") == ins.address(stream) & 0xFFFF_FFFF, "\(context): stream \(stream)'s imm")
                #expect(try sim.peekSigned("unit_scalar") == Int(ins.scalars[stream]), "\(context): stream \(stream)'s scalar")
                #expect(try sim.peek("unit_op") == UInt64(ins.op.rawValue) && sim.peek("unit_rd") == UInt64(ins.rd), "\(context)")
                #expect(ins.address(stream) <= 0xFFFF_FFFF, "\(context): stream \(stream) started past 2^32")
            }
            let outerDone = try sim.peekBool("done")
            if let d = done {
                count &+= d.count; digest &+= d.digest; saturations &+= d.saturations
                results.append(d.scalar)
            }
            if outerDone, copyStart != nil {
                // Stream 0's record once per active stream (vl 5: two rows per stream).
                #expect(cycle - copyStart! == 2 * (ins.active - 1), "\(context): copy done at step \(cycle - copyStart!)")
                #expect(try sim.peek("done_fault") == 0, "\(context): copy fault")
                #expect(try sim.peekBool("idle"), "\(context): not idle at done")
                try awaitRecord { () throws in
                    #expect(try sim.peek("done_count") == UInt64(record0.count &* UInt32(ins.active)), "\(context): copy count")
                    #expect(try sim.peek("done_digest") == UInt64(record0.digest &* UInt32(ins.active)), "\(context): copy digest")
                    #expect(try sim.peek("done_saturations") == UInt64(saturations), "\(context): copy saturations")
                }
                return
            }
            if outerDone {
                let overflow = done == nil
                let lastStream = done != nil && (stream == ins.active - 1 || done!.fault != 0)
                #expect(overflow || lastStream, "\(context): done after stream \(stream) of \(ins.active)")
                let address = ins.address(stream)
                let fault = overflow ? Int(address & 3 != 0 ? FaultCode.misaligned.rawValue : FaultCode.addressOutOfRange.rawValue)
                                     : done!.fault
                if overflow { #expect(address > 0xFFFF_FFFF, "\(context): fault without an overflow") }
                #expect(try sim.peek("done_fault") == UInt64(fault), "\(context): fault")
                if fault == 0 {
                    let packed = try sim.peekBits("stream_results")
                    let got = (0..<ins.active).map { Int32(truncatingIfNeeded: packed.bits(32 * $0, count: 32).uint64!) }
                    #expect(got == results, "\(context): scalar results")
                }
                #expect(try sim.peekBool("idle"), "\(context): not idle at done")
                try awaitRecord { () throws in
                    guard fault == 0 else { return }
                    #expect(try sim.peek("done_count") == UInt64(count), "\(context): count")
                    #expect(try sim.peek("done_digest") == UInt64(digest), "\(context): digest")
                    #expect(try sim.peek("done_saturations") == UInt64(saturations), "\(context): saturations")
                }
                return
            }
            try sim.step()
            lateIdle = finishing && rng.chance(0.5)
            if finishing, let d = done, ins.broadcast, stream == 0, d.fault == 0, ins.active > 1 {
                copyStart = cycle + 1
                record0 = (d.count, d.digest)
            }
            if finishing { busy = false; stream += 1 }
            if started { busy = true; remaining = rng.int(1...4) } else if busy { remaining -= 1 }
            _ = cycle
        }
        Issue.record("\(context): no done")
    }

    /// Step `step` of a broadcast load's copy (vl 5, 4 lanes: two rows per
    /// stream): stream 0's rows read on a, a cycle later written to stream
    /// 1, 2, ... with a's data, the second row masked to element 4; the unit not started.
    func checkCopy(_ sim: Simulator, _ ports: Ports, ins: Instruction, step: Int, p: CoreParameters, context: String) throws {
        let rows = 2 * (ins.active - 1)
        #expect(try !sim.peekBool("unit_start"), "\(context): the unit started again")
        if step < rows {
            #expect(try sim.peek("a_reg") == UInt64(ins.rd) && sim.peek("a_chunk") == UInt64(step % 2), "\(context): read at \(step)")
        }
        guard step >= 1 && step <= rows else { return }
        let (s, c) = (1 + (step - 1) / 2, (step - 1) % 2)
        #expect(try sim.peekBool("w_valid") && sim.peek("w_reg") == UInt64(ins.rd), "\(context): write at \(step)")
        #expect(try sim.peek("w_chunk") == UInt64(s << p.chunkBits | c), "\(context): row at \(step)")
        #expect(try sim.peek("w_mask") == (c == 1 ? 1 : 15), "\(context): mask at \(step)")
        let data = try sim.peekBits("w_data")
        #expect((0..<4).map { Int(Int32(truncatingIfNeeded: data.bits(32 * $0, count: 32).uint64!)) } == ports.data["a"], "\(context): data")
    }

    struct Record { var count, digest, saturations: UInt32 }

    /// The unit's dispatch outputs this cycle: `done`'s fault and scalar, and
    /// the record of an earlier done (junk when none is out, which the
    /// sequencer must not add).
    func pokeUnit(_ sim: Simulator, busy: Bool, done: (count: UInt32, digest: UInt32, saturations: UInt32, fault: Int, scalar: Int32)?,
                  record: Record?) throws {
        try sim.poke("unit_idle", !busy)
        try sim.poke("unit_done", done != nil)
        try sim.poke("unit_done_fault", done?.fault ?? 0)
        try sim.poke("unit_done_count", UInt64(record?.count ?? 0xBAD))
        try sim.poke("unit_done_digest", UInt64(record?.digest ?? 0xBAD_BAD))
        try sim.poke("unit_done_saturations", UInt64(record?.saturations ?? 0xBAD))
        try sim.poke("unit_done_scalar", Int(done?.scalar ?? 0))
    }

    /// Random register traffic on both sides: (port, reg, chunk) the unit drives, the write, the file's read data.
    struct Ports { var reads: [(String, Int, Int)]; var write: (valid: Bool, reg: Int, chunk: Int); var data: [String: [Int]] }

    func pokePorts(_ sim: Simulator, rng: inout SplitMix64) throws -> Ports {
        var ports = Ports(reads: [], write: (rng.chance(0.5), rng.below(4), rng.below(8)), data: [:])
        for port in ["a", "b"] {
            let reg = rng.below(4), chunk = rng.below(8)
            try sim.poke("unit_\(port)_reg", reg); try sim.poke("unit_\(port)_chunk", chunk)
            let data = (0..<4).map { _ in Int(Int32(truncatingIfNeeded: rng.next())) }
            try sim.poke("\(port)_data", elements: data)
            ports.reads.append((port, reg, chunk))
            ports.data[port] = data
        }
        try sim.poke("unit_w_valid", ports.write.valid); try sim.poke("unit_w_reg", ports.write.reg)
        try sim.poke("unit_w_chunk", ports.write.chunk); try sim.poke("unit_w_mask", 5)
        try sim.poke("unit_w_data", elements: [1, 2, 3, 4])
        return ports
    }

    func checkPorts(_ sim: Simulator, _ ports: Ports, ins: Instruction, stream: Int, p: CoreParameters, context: String) throws {
        for (port, reg, chunk) in ports.reads {
            let chained = port == "b" && ins.op == .macp && stream > 0
            let wantReg = chained ? ins.rd : reg, wantStream = chained ? stream - 1 : stream
            #expect(try sim.peek("\(port)_reg") == UInt64(wantReg), "\(context): \(port)_reg")
            #expect(try sim.peek("\(port)_chunk") == UInt64(wantStream << p.chunkBits | chunk), "\(context): \(port)_chunk")
            let data = try sim.peekBits("unit_\(port)_data")
            let got = (0..<4).map { Int(Int32(truncatingIfNeeded: data.bits(32 * $0, count: 32).uint64!)) }
            #expect(got == ports.data[port], "\(context): \(port)_data")
        }
        #expect(try sim.peekBool("w_valid") == ports.write.valid && sim.peek("w_reg") == UInt64(ports.write.reg), "\(context): w")
        #expect(try sim.peek("w_chunk") == UInt64(stream << p.chunkBits | ports.write.chunk), "\(context): w_chunk")
    }

    /// The load/store unit's sequencer and two other configurations, lint clean.
    @Test func lintClean() throws {
        let p = Self.params(streams: 4)
        for s in [StreamSequencer(params: p, readPorts: ["a"], memory: true, scalarResults: true),
                  StreamSequencer(params: p, readPorts: ["a", "b", "d"], chain: "b"),
                  StreamSequencer(params: p, readPorts: ["a", "b"], scalarResults: true)] {
            let design = try elaborate(s)
            let files = SystemVerilogEmitter().files(for: design)
            let verilator = try Lint.verilator(files, top: design.top.name)
            #expect(verilator.isEmpty, "\(verilator)")
        }
    }
}
