import Core
import HDL
import HDLEmit
import HDLSim
import Testing
import TestSupport

/// The width adapters in Verilator between a Swift master at the core's
/// beat and the Swift memory models at the platform's: every read returns
/// what the wide beats held when it was taken, every write changes exactly
/// its enabled bytes, each host write burst gets one response, and the
/// narrow side keeps the platform's protocol (`HostMemoryModel` checks
/// bursts, gaps and held commands).
@Suite(.serialized) struct WidthAdapterTests {
    /// A small wide core: 256-bit beats, so ratio 4 makes 64-bit platform beats.
    static let wide = CoreParameters(dataBits: 256, addressBits: 10, maxBurst: 8)

    @Test(arguments: [2, 4])
    func lintClean(ratio: Int) throws {
        for module in [BankWidthAdapter(wide: Self.wide, ratio: ratio) as any Module,
                       HostWidthAdapter(wide: Self.wide, host: .standard, ratio: ratio)] {
            let design = try elaborate(module)
            let files = SystemVerilogEmitter().files(for: design)
            let problems = try Lint.verilator(files, top: design.top.name)
            #expect(problems.isEmpty, "\(problems)")
            #expect(try Lint.yosys(files, top: design.top.name).problems.isEmpty)
        }
    }

    @Test func aRatioThatIsNotAPowerOfTwoIsRefused() {
        #expect(throws: (any Error).self) { try elaborate(BankWidthAdapter(wide: Self.wide, ratio: 3)) }
    }

    @Test(arguments: [(2, UInt64(11)), (4, UInt64(12))])
    func bankAdapterMovesEveryBeat(ratio: Int, seed: UInt64) throws {
        let narrowBits = Self.wide.dataBits / ratio
        let sim = try Simulator(elaborate(BankWidthAdapter(wide: Self.wide, ratio: ratio)))
        let initial = AvalonMemoryModel.pattern(words: max(1, narrowBits / 64), salt: seed)
        let memory = AvalonMemoryModel(banks: 1, dataBits: narrowBits, latency: 7, waitChance: 0.3, seed: seed,
                                       prefix: { _ in "narrow_" }, initial: initial)
        memory.longestWrite = ratio * Self.wide.maxBurst
        var rng = SplitMix64(seed: seed)
        let ops = (0..<120).map { _ in WideMaster.randomOp(&rng, lines: 0..<48, maxBurst: Self.wide.maxBurst, beatWords: Self.wide.dataBits / 64, allowReads: true, allowWrites: true, partialWrites: true) }
        let master = WideMaster(ops: ops, shared: "wide_", initial: WideMaster.wideInitial(initial, ratio: ratio))
        try sim.reset()
        try run(sim, master: [master], seed: seed) {
            try memory.drive(sim)
        } observe: {
            try memory.observe(sim)
            memory.advance()
        }
        #expect(master.failures.isEmpty, "seed \(seed): \(master.failures.prefix(3))")
        #expect(master.done && master.pending.isEmpty, "seed \(seed): script not finished")
        for line in 0..<48 {
            let narrow = (0..<ratio).flatMap { memory.line(line * ratio + $0) }
            #expect(Array(narrow.prefix(Self.wide.dataBits / 64)) == master.line(line), "seed \(seed): line \(line)")
        }
    }

    @Test(arguments: [(2, UInt64(21)), (4, UInt64(22))])
    func hostAdapterMovesEveryBeat(ratio: Int, seed: UInt64) throws {
        let narrowBits = Self.wide.dataBits / ratio
        let host = HostDMAParameters(addressBits: 20, maxBurst: 8, bufferBeats: 64)
        let sim = try Simulator(elaborate(HostWidthAdapter(wide: Self.wide, host: host, ratio: ratio)))
        let initial = AvalonMemoryModel.pattern(words: max(1, narrowBits / 64), salt: seed)
        let memory = HostMemoryModel(dataBits: narrowBits, maxBurst: host.maxBurst * ratio, latency: 9, waitChance: 0.3,
                                     seed: seed, initial: initial)
        var rng = SplitMix64(seed: seed)
        // Reads and writes run on two channels at once: reads below line 64, writes above.
        let reads = (0..<60).map { _ in WideMaster.randomOp(&rng, lines: 0..<64, maxBurst: host.maxBurst, beatWords: Self.wide.dataBits / 64, allowReads: true, allowWrites: false, partialWrites: false) }
        let writes = (0..<60).map { _ in WideMaster.randomOp(&rng, lines: 64..<128, maxBurst: host.maxBurst, beatWords: Self.wide.dataBits / 64, allowReads: false, allowWrites: true, partialWrites: false) }
        let wideInitial = WideMaster.wideInitial(initial, ratio: ratio)
        let reader = WideMaster(ops: reads, readPort: "wide_rd_", initial: wideInitial)
        let writer = WideMaster(ops: writes, writePort: "wide_wr_", initial: wideInitial)
        var responses = 0
        try sim.reset()
        try run(sim, master: [reader, writer], seed: seed) {
            try memory.drive(sim)
        } observe: {
            if try sim.peekBool("wide_wr_writeresponsevalid") { responses += 1 }
            try memory.observe(sim)
            memory.advance()
        }
        #expect(memory.violations.isEmpty, "seed \(seed): \(memory.violations.prefix(3))")
        #expect(reader.failures.isEmpty, "seed \(seed): \(reader.failures.prefix(3))")
        #expect(reader.done && reader.pending.isEmpty && writer.done, "seed \(seed): script not finished")
        #expect(responses == writes.count, "seed \(seed): \(responses) write responses for \(writes.count) bursts")
        for line in 64..<128 {
            let narrow = (0..<ratio).flatMap { memory.line(line * ratio + $0) }
            #expect(Array(narrow.prefix(Self.wide.dataBits / 64)) == writer.line(line), "seed \(seed): line \(line)")
        }
    }

    /// Cycles until every master is done and its reads are back (at most 20,000).
    func run(_ sim: Simulator, master: [WideMaster], seed: UInt64,
             drive: () throws -> Void, observe: () throws -> Void) throws {
        var idle = 0, cycles = 0
        while idle < 40 && cycles < 20_000 {
            cycles += 1
            try drive()
            for m in master { try m.drive(sim) }
            sim.eval()
            for m in master { try m.observe(sim) }
            try observe()
            try sim.step()
            idle = master.allSatisfy { $0.done && $0.pending.isEmpty } ? idle + 1 : 0
        }
    }
}

/// A wide Avalon-MM master in Swift running a script of read and write
/// bursts, on one command port (`shared`, a bank's) or on a read or a write
/// channel; it keeps the wide lines as its writes leave them and checks
/// each read beat against the lines as they were when the read was taken.
final class WideMaster {
    enum Op {
        case read(line: Int, beats: Int)
        case write(line: Int, data: [[UInt64]], enables: [BitVector])
    }

    let ops: [Op]
    let readPort: String?, writePort: String?
    let shared: Bool
    private(set) var shadow: [Int: [UInt64]] = [:]
    let initial: (Int) -> [UInt64]
    private var next = 0, beat = 0, accepted = false
    private(set) var pending: [[UInt64]] = []
    private(set) var failures: [String] = []
    private var cycle = 0

    init(ops: [Op], shared: String? = nil, readPort: String? = nil, writePort: String? = nil, initial: @escaping (Int) -> [UInt64]) {
        self.ops = ops
        self.readPort = shared ?? readPort
        self.writePort = shared ?? writePort
        self.shared = shared != nil
        self.initial = initial
    }

    var done: Bool { next == ops.count }
    func line(_ l: Int) -> [UInt64] { shadow[l] ?? initial(l) }

    /// Wide line `l` from the narrow memory's initial lines `ratio * l ...` (of whole 64-bit words).
    static func wideInitial(_ narrow: @escaping (Int) -> [UInt64], ratio: Int) -> (Int) -> [UInt64] {
        { l in (0..<ratio).flatMap { narrow(l * ratio + $0) } }
    }

    /// A burst within `lines` that does not cross a multiple of `maxBurst`.
    static func randomOp(_ rng: inout SplitMix64, lines: Range<Int>, maxBurst: Int, beatWords: Int,
                         allowReads: Bool, allowWrites: Bool, partialWrites: Bool) -> Op {
        let beats = 1 + Int(rng.next() % UInt64(maxBurst))
        let start = lines.lowerBound + Int(rng.next() % UInt64(lines.count / maxBurst)) * maxBurst
        let line = start + Int(rng.next() % UInt64(maxBurst - beats + 1))
        let isRead = allowReads && (!allowWrites || rng.next() % 2 == 0)
        if isRead { return .read(line: line, beats: beats) }
        let data = (0..<beats).map { _ in (0..<beatWords).map { _ in rng.next() } }
        let enables = (0..<beats).map { _ in
            BitVector(width: beatWords * 8, words: (0..<((beatWords * 8 + 63) / 64)).map { _ in partialWrites ? rng.next() : ~0 })
        }
        return .write(line: line, data: data, enables: enables)
    }

    func drive(_ sim: Simulator) throws {
        let op: Op? = done ? nil : ops[next]
        var read = false, write = false, line = 0, beats = 1
        var data: [UInt64] = [], enable: BitVector?
        switch op {
        case .read(let l, let b)?: read = true; line = l; beats = b
        case .write(let l, let d, let e)?: write = true; line = l; beats = d.count; data = d[beat]; enable = e[beat]
        case nil: break
        }
        let dataBits = initial(0).count * 64
        if let port = readPort, shared || !write {
            try sim.poke(port + "read", read)
            if !shared {
                try sim.poke(port + "address", line)
                try sim.poke(port + "burstcount", beats)
                try sim.poke(port + "byteenable", BitVector(width: dataBits / 8, value: -1))
            }
        }
        if let port = writePort, shared || !read {
            try sim.poke(port + "write", write)
            try sim.poke(port + "address", line)
            try sim.poke(port + "burstcount", beats)
            try sim.poke(port + "writedata", BitVector(width: dataBits, words: data))
            try sim.poke(port + "byteenable", enable ?? BitVector(width: dataBits / 8, value: -1))
        }
    }

    func observe(_ sim: Simulator) throws {
        defer { cycle += 1 }
        if let port = readPort, try sim.peekBool(port + "readdatavalid") {
            let got = try sim.peekBits(port + "readdata").words
            if pending.isEmpty { failures.append("cycle \(cycle): a read beat nobody asked for") }
            else if got != pending.removeFirst() { failures.append("cycle \(cycle): read beat differs") }
        }
        guard !done else { return }
        switch ops[next] {
        case .read(let l, let b):
            guard try !sim.peekBool(readPort! + "waitrequest") else { return }
            pending += (0..<b).map { line(l + $0) }
            next += 1
        case .write(let l, let d, let e):
            guard try !sim.peekBool(writePort! + "waitrequest") else { return }
            var words = line(l + beat)
            for byte in 0..<(words.count * 8) where e[beat].bit(byte) {
                let mask = UInt64(0xFF) << UInt64(8 * (byte % 8))
                words[byte / 8] = (words[byte / 8] & ~mask) | (d[beat][byte / 8] & mask)
            }
            shadow[l + beat] = words
            beat += 1
            if beat == d.count { beat = 0; next += 1 }
        }
    }
}
