import Core
import HDL
import HDLSim
import ISA
import TestSupport

/// Drives a simulated `TernaryUnit` through whole `tmatmul`s: a Swift
/// memory system implementing the wide read-client protocol (a beat of
/// every bank per response; fixed latency, optional random gaps between
/// response beats and random request back-pressure) and a Swift register
/// file (read data one cycle after the address, writes applied by mask).
/// The memory keeps serving the unit's weight stream between instructions
/// (`idle`); `quiesce` stops the stream and drains it, as a core does
/// between runs, before the memory's contents change.
final class TernaryUnitBench {
    let params: CoreParameters
    let sim: Simulator
    var rng: SplitMix64
    /// Response latency in cycles after a request is taken.
    var latency = 8
    /// Probability of a cycle without a response beat although one is due.
    var gapChance = 0.0
    /// Probability that `rq_ready` is low in a cycle.
    var stallChance = 0.0
    /// Print each cycle's handshakes (for debugging a failing seed).
    var trace = false
    /// Drop `stream_enable` (the core stops, say for a fault elsewhere) this
    /// many cycles into the next `run`; `quiesce` raises it again.
    var stopStreamAfter: Int?

    /// Vector registers as the interpreter keeps them: stream s's register r
    /// element i at `(s * vectorRegisters + r) * maxVectorLength + i`.
    var vregs: [Int32]
    /// Each stream's sb (`stream_scalars`) with several streams; `run`'s scalar otherwise.
    var streamScalars: [Int32] = []
    /// The active streams (`stream_last` + 1) with several streams; nil: all.
    var activeStreams: Int?
    var data: [UInt8] = []
    var baseLine = 0
    var writeProblems: [String] = []
    /// Wide beats requested and not yet delivered: first line, due cycle.
    private var pending: [(line: Int, due: Int)] = []
    private var readAddress: (reg: Int, chunk: Int)?
    private var now = 0

    struct Outcome {
        var fault: Int
        var count: UInt32
        var digest: UInt32
        var saturations: UInt32 = 0
        var cycles: Int
        /// Core beats the unit reported consumed (the `beat` output summed).
        var beatPulses: Int
        var beatsRequested: Int
        /// Protocol violations seen (reads outside the data region, writes
        /// outside the register, a request not a whole number of wide beats, ...).
        var problems: [String]

        static let none = Outcome(fault: -1, count: 0, digest: 0, cycles: 0, beatPulses: 0, beatsRequested: 0, problems: [])
    }

    init(params: CoreParameters, sim: Simulator, seed: UInt64) throws {
        self.params = params
        self.sim = sim
        self.rng = SplitMix64(seed: seed)
        vregs = [Int32](repeating: 0, count: params.streams * params.isa.vectorRegisters * params.isa.maxVectorLength)
        try sim.reset()
        for name in ["start", "rq_ready", "rs_valid", "store_valid"] { try sim.poke(name, false) }
        try sim.poke("stream_enable", true)
    }

    /// Runs one `tmatmul` to its `done` (or `maxCycles`).
    func run(_ ins: Instruction, scalar: Int32, vl: Int, maxCycles: Int = 200_000) throws -> Outcome {
        var outcome = Outcome.none
        try pokeRegion()
        try sim.poke("op", UInt64(ins.opcode.rawValue))
        try sim.poke("rd", UInt64(ins.rd))
        try sim.poke("ra", UInt64(ins.ra))
        try sim.poke("rb", UInt64(ins.rb))
        try sim.poke("mode", UInt64(ins.mode))
        try sim.poke("imm", UInt64(ins.imm))
        try sim.poke("vl", UInt64(vl))
        try sim.poke("scalar", Int(scalar))
        if params.streams > 1 {
            try sim.poke("stream_scalars", elements: streamScalars.map { Int($0) })
            try sim.poke("stream_last", (activeStreams ?? params.streams) - 1)
        }
        sim.eval()
        if !(try sim.peekBool("idle")) { outcome.problems.append("not idle at dispatch") }
        try sim.poke("start", true)

        for cycle in 0..<maxCycles {
            let done = try step(&outcome) {
                if cycle == 0 { try self.sim.poke("start", false) }
                if cycle == self.stopStreamAfter { try self.sim.poke("stream_enable", false) }
            }
            if done {
                stopStreamAfter = nil
                outcome.cycles = cycle + 1
                outcome.problems += writeProblems
                writeProblems = []
                // The unit is idle again one cycle later.
                sim.eval()
                if !(try sim.peekBool("idle")) { outcome.problems.append("not idle after done") }
                // The record comes Dispatch.recordLatency cycles after done.
                for _ in 1..<Dispatch.recordLatency(params) { _ = try step(&outcome) {} }
                sim.eval()
                outcome.count = UInt32(try sim.peek("done_count"))
                outcome.digest = UInt32(try sim.peek("done_digest"))
                outcome.saturations = UInt32(try sim.peek("done_saturations"))
                return outcome
            }
        }
        outcome.problems.append("no done within \(maxCycles) cycles")
        stopStreamAfter = nil
        return outcome
    }

    /// `cycles` cycles without an instruction: the stream goes on.
    func idle(_ cycles: Int) throws -> [String] {
        var outcome = Outcome.none
        for _ in 0..<cycles { _ = try step(&outcome) {} }
        if outcome.beatPulses != 0 { outcome.problems.append("\(outcome.beatPulses) weight beats consumed while idle") }
        return outcome.problems
    }

    /// A store the memory system takes at beat `line` this cycle (the
    /// caller changes `data` to match).
    func store(line: Int) throws -> [String] {
        var outcome = Outcome.none
        try sim.poke("store_valid", true)
        try sim.poke("store_line", UInt64(line))
        _ = try step(&outcome) { try self.sim.poke("store_valid", false) }
        return outcome.problems
    }

    /// Stops the stream (the core no longer running) and delivers every
    /// beat still owed, so the memory's contents may change.
    func quiesce() throws -> [String] {
        var outcome = Outcome.none
        try sim.poke("stream_enable", false)
        var cycles = 0
        // Two cycles at least: the unit sees the stop even with nothing owed.
        while !pending.isEmpty || cycles < 2 {
            _ = try step(&outcome) {}
            cycles += 1
            if cycles > 100_000 { outcome.problems.append("stream not drained"); break }
        }
        if outcome.beatsRequested != 0 { outcome.problems.append("\(outcome.beatsRequested) beats requested with the stream stopped") }
        try sim.poke("stream_enable", true)
        return outcome.problems
    }

    private func pokeRegion() throws {
        try sim.poke("data_base_line", UInt64(baseLine))
        try sim.poke("data_size", UInt64(data.count))
    }

    /// One clock cycle: memory and register inputs, outputs, the edge;
    /// `afterEdge` runs right after the edge. Returns `done`.
    private func step(_ outcome: inout Outcome, afterEdge: () throws -> Void) throws -> Bool {
        let p = params
        let cycle = now
        let ready = !rng.chance(stallChance)
        try sim.poke("rq_ready", ready)
        var responding = false
        if let first = pending.first, first.due <= cycle, !rng.chance(gapChance) {
            responding = true
            try sim.poke("rs_valid", true)
            try sim.poke("rs_data", beat(at: first.line, &outcome))
        } else {
            try sim.poke("rs_valid", false)
        }
        if let r = readAddress {
            let (stream, chunk) = row(r.chunk)
            let base = (stream * p.isa.vectorRegisters + r.reg) * p.isa.maxVectorLength + chunk * p.vectorLanes
            if chunk >= p.chunksPerRegister || stream >= p.streams { outcome.problems.append("read of row \(r.chunk)") }
            try sim.poke("a_data", elements: (0..<p.vectorLanes).map { Int(vregs[(base + $0) % vregs.count]) })
        }
        sim.eval()

        // Outputs, then the clock edge.
        let requestValid = try sim.peekBool("rq_valid")
        if requestValid && ready {
            let line = Int(try sim.peek("rq_line")), beats = Int(try sim.peek("rq_beats")), banks = p.banks
            if beats < banks || beats > p.maxBurst * banks || beats % banks != 0 {
                outcome.problems.append("burst of \(beats) beats on \(banks) bank(s)")
            }
            if line % banks != 0 { outcome.problems.append("wide read from line \(line), not a multiple of \(banks)") }
            for k in stride(from: 0, to: beats, by: banks) { pending.append((line + k, cycle + latency)) }
            outcome.beatsRequested += beats
        }
        readAddress = (Int(try sim.peek("a_reg")), Int(try sim.peek("a_chunk")))
        if try sim.peekBool("w_valid") { try applyWrite() }
        outcome.beatPulses += Int(try sim.peek("beat"))
        let done = try sim.peekBool("done")
        if trace {
            print("cycle \(cycle): rq \(try sim.peek("rq_valid")) line \(try sim.peek("rq_line")) beats \(try sim.peek("rq_beats")) ready \(ready) rs \(responding) a_chunk \(try sim.peek("a_chunk")) w \(try sim.peek("w_valid")) beat \(try sim.peek("beat")) done \(done)")
        }
        if done { outcome.fault = Int(try sim.peek("done_fault")) }
        try sim.step()
        now += 1
        try afterEdge()
        if responding { pending.removeFirst() }
        return done
    }

    /// The wide beat (one beat of every bank) from global line address `line`.
    func beat(at line: Int, _ outcome: inout Outcome) -> BitVector {
        let bytes = params.wideBeatBytes, bits = 8 * bytes
        let offset = (line - baseLine) * params.beatBytes
        if offset < 0 || offset + bytes > data.count {
            outcome.problems.append("read of line \(line) outside the data region of \(data.count) bytes at line \(baseLine)")
            return .zero(bits)
        }
        var words = [UInt64](repeating: 0, count: bits / 64)
        for b in 0..<bytes { words[b / 8] |= UInt64(data[offset + b]) << UInt64(8 * (b % 8)) }
        return BitVector(width: bits, words: words)
    }

    /// A register-file row address as (stream, chunk).
    func row(_ address: Int) -> (stream: Int, chunk: Int) {
        params.streams == 1 ? (0, address) : (address >> params.chunkBits, address & ((1 << params.chunkBits) - 1))
    }

    func applyWrite() throws {
        let p = params
        let reg = Int(try sim.peek("w_reg")), (stream, chunk) = row(Int(try sim.peek("w_chunk")))
        guard reg < p.isa.vectorRegisters, chunk < p.chunksPerRegister, stream < p.streams else {
            writeProblems.append("write to register \(reg) chunk \(chunk) of stream \(stream)")
            return
        }
        let mask = try sim.peekBits("w_mask"), values = try sim.peekBits("w_data")
        let base = (stream * p.isa.vectorRegisters + reg) * p.isa.maxVectorLength + chunk * p.vectorLanes
        for lane in 0..<p.vectorLanes where mask.bit(lane) {
            let word = values.bits(lane * 32, count: 32).uint64!
            vregs[base + lane] = Int32(truncatingIfNeeded: word)
        }
    }
}
