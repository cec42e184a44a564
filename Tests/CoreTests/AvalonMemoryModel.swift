import HDL
import HDLSim
import TestSupport

/// The banks' Avalon-MM slaves, in Swift: bursts of reads answered after
/// `latency` cycles at one beat per cycle per bank, writes with byte
/// enables (the core's are single beats; a width adapter's are bursts), and
/// `waitrequest` at random. A read sees the memory as it
/// was when its command was taken, so each bank performs its commands in
/// the order it accepted them.
///
/// Each cycle: `drive` (before the design settles), poke the other inputs,
/// `sim.eval()`, `observe` (takes the commands the design issued), `sim.step()`.
final class AvalonMemoryModel {
    let banks: Int
    let dataBits: Int
    /// Cycles from taking a read command to its first beat.
    var latency: Int
    /// Chance of `waitrequest` in a cycle.
    var waitChance: Double
    /// Longest write burst allowed: the core writes single beats.
    var longestWrite = 1
    /// Never answer reads (for the time-out test).
    var silent = false
    /// Hold `waitrequest` forever (for the time-out test).
    var stuck = false
    /// Contents by global beat address; unwritten beats hold `initial(line)`.
    private(set) var lines: [Int: [UInt64]] = [:]
    let initial: (Int) -> [UInt64]
    private var rng: SplitMix64
    private var queues: [[(due: Int, data: [UInt64])]]
    private var waiting: [Bool]
    private var presented: [Bool]
    /// Per bank, the write burst being received: its next line and the beats still to come.
    private var writeBursts: [(line: Int, left: Int)?]
    /// The ports of bank `b` (`mem<b>_` as on the core).
    let prefix: (Int) -> String
    private(set) var cycle = 0
    private(set) var readCommands = 0
    private(set) var writeCommands = 0

    init(banks: Int, dataBits: Int, latency: Int, waitChance: Double, seed: UInt64,
         prefix: @escaping (Int) -> String = { "mem\($0)_" }, initial: @escaping (Int) -> [UInt64]) {
        self.prefix = prefix
        self.banks = banks
        self.dataBits = dataBits
        self.latency = latency
        self.waitChance = waitChance
        self.initial = initial
        rng = SplitMix64(seed: seed)
        queues = Array(repeating: [], count: banks)
        waiting = Array(repeating: false, count: banks)
        presented = Array(repeating: false, count: banks)
        writeBursts = Array(repeating: nil, count: banks)
    }

    /// Random contents that depend only on the line, so a test can predict them.
    static func pattern(words: Int, salt: UInt64) -> (Int) -> [UInt64] {
        { line in
            var g = SplitMix64(seed: salt &+ UInt64(line) &* 0x9E37_79B9_7F4A_7C15)
            return (0..<words).map { _ in g.next() }
        }
    }

    func line(_ l: Int) -> [UInt64] { lines[l] ?? initial(l) }

    /// Bytes `byteEnable` selects of `data` replace those of line `l`.
    func write(line l: Int, data: [UInt64], byteEnable: BitVector) {
        var words = line(l)
        for byte in 0..<(dataBits / 8) where byteEnable.bit(byte) {
            let mask = UInt64(0xFF) << UInt64(8 * (byte % 8))
            words[byte / 8] = (words[byte / 8] & ~mask) | (data[byte / 8] & mask)
        }
        lines[l] = words
    }

    var idle: Bool { queues.allSatisfy(\.isEmpty) }

    func drive(_ sim: Simulator) throws {
        for b in 0..<banks {
            waiting[b] = stuck || rng.chance(waitChance)
            try sim.poke(prefix(b) + "waitrequest", waiting[b])
            presented[b] = !silent && (queues[b].first.map { $0.due <= cycle } ?? false)
            try sim.poke(prefix(b) + "readdatavalid", presented[b])
            let data = presented[b] ? queues[b][0].data : Array(repeating: 0, count: dataBits / 64)
            try sim.poke(prefix(b) + "readdata", BitVector(width: dataBits, words: data))
        }
    }

    func observe(_ sim: Simulator) throws {
        for b in 0..<banks {
            if presented[b] { queues[b].removeFirst() }
            guard !waiting[b] else { continue }
            let port = prefix(b)
            let address = Int(try sim.peek(port + "address"))
            let count = Int(try sim.peek(port + "burstcount"))
            if try sim.peekBool(port + "read") {
                readCommands += 1
                precondition(count >= 1, "read burst of \(count) beats")
                let ready = max(cycle + latency, (queues[b].last?.due ?? 0) + 1)
                for i in 0..<count {
                    queues[b].append((ready + i, line((address + i) * banks + b)))
                }
            }
            if try sim.peekBool(port + "write") {
                let burst = writeBursts[b] ?? (address, count)
                if writeBursts[b] == nil {
                    writeCommands += 1
                    precondition((1...longestWrite).contains(count), "write burst of \(count) beats, at most \(longestWrite) allowed")
                }
                write(line: burst.line * banks + b, data: try sim.peekBits(port + "writedata").words,
                      byteEnable: try sim.peekBits(port + "byteenable"))
                writeBursts[b] = burst.left > 1 ? (burst.line + 1, burst.left - 1) : nil
            }
        }
    }

    /// Call after `sim.step()`.
    func advance() { cycle += 1 }
}
