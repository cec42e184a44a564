import HDL
import HDLSim
import TestSupport

/// Host memory behind the PIM's split read/write Avalon-MM channel
/// (`host_rd_*`, `host_wr_*`), in Swift: read bursts answered in order after
/// `latency` cycles at a beat per cycle, write bursts taken beat by beat
/// with one write response per burst, `waitrequest` at random on each
/// channel. It records protocol violations (a burst longer than
/// `maxBurst` or crossing a multiple of it, a write burst with a gap, a
/// command changed under `waitrequest`) in `violations`.
///
/// Each cycle, as `AvalonMemoryModel`: `drive`, poke, `sim.eval()`, `observe`, `sim.step()`, `advance`.
final class HostMemoryModel {
    let dataBits: Int
    let maxBurst: Int
    var latency: Int
    var waitChance: Double
    /// Never answer reads nor write bursts (for the time-out tests).
    var silent = false
    /// Hold both channels' `waitrequest` forever.
    var stuck = false
    private(set) var lines: [Int: [UInt64]] = [:]
    let initial: (Int) -> [UInt64]
    private(set) var violations: [String] = []
    private(set) var readBursts = 0
    private(set) var writeBursts = 0
    private var rng: SplitMix64
    private var reads: [(due: Int, data: [UInt64])] = []
    private var responses: [Int] = []
    /// The write burst being received: next beat address, beats still to come.
    private var burst: (line: Int, left: Int)?
    private var rdWaiting = false, wrWaiting = false, presented = false, answered = false
    private var heldRead: (address: Int, count: Int)?
    private var heldWrite: (address: Int, count: Int)?
    private(set) var cycle = 0

    init(dataBits: Int, maxBurst: Int, latency: Int, waitChance: Double, seed: UInt64, initial: @escaping (Int) -> [UInt64]) {
        self.dataBits = dataBits
        self.maxBurst = maxBurst
        self.latency = latency
        self.waitChance = waitChance
        self.initial = initial
        rng = SplitMix64(seed: seed)
    }

    func line(_ l: Int) -> [UInt64] { lines[l] ?? initial(l) }

    /// Puts `bytes` (padded with zeros to whole beats) at beat `first`, as a host program fills a buffer.
    func store(_ bytes: [UInt8], atLine first: Int) {
        let beatBytes = dataBits / 8
        for l in 0..<((bytes.count + beatBytes - 1) / beatBytes) {
            var words = [UInt64](repeating: 0, count: beatBytes / 8)
            for k in 0..<beatBytes where l * beatBytes + k < bytes.count {
                words[k / 8] |= UInt64(bytes[l * beatBytes + k]) << UInt64(8 * (k % 8))
            }
            lines[first + l] = words
        }
    }

    /// `count` bytes from beat `first` on.
    func bytes(fromLine first: Int, count: Int) -> [UInt8] {
        let beatBytes = dataBits / 8
        return (0..<count).map { i in
            UInt8(truncatingIfNeeded: line(first + i / beatBytes)[(i % beatBytes) / 8] >> UInt64(8 * (i % 8)))
        }
    }

    /// Forget everything in flight (the AFU was reset).
    func reset() {
        reads = []; responses = []; burst = nil; heldRead = nil; heldWrite = nil
    }

    var idle: Bool { reads.isEmpty && responses.isEmpty && burst == nil }

    func drive(_ sim: Simulator) throws {
        rdWaiting = stuck || rng.chance(waitChance)
        wrWaiting = stuck || rng.chance(waitChance)
        try sim.poke("host_rd_waitrequest", rdWaiting)
        try sim.poke("host_wr_waitrequest", wrWaiting)
        presented = !silent && (reads.first.map { $0.due <= cycle } ?? false)
        try sim.poke("host_rd_readdatavalid", presented)
        try sim.poke("host_rd_readdata", BitVector(width: dataBits, words: presented ? reads[0].data : Array(repeating: 0, count: dataBits / 64)))
        answered = !silent && (responses.first.map { $0 <= cycle } ?? false)
        try sim.poke("host_wr_writeresponsevalid", answered)
    }

    func observe(_ sim: Simulator) throws {
        if presented { reads.removeFirst() }
        if answered { responses.removeFirst() }
        try observeRead(sim)
        try observeWrite(sim)
    }

    private func checkBurst(_ kind: String, _ address: Int, _ count: Int) {
        if count < 1 || count > maxBurst { violations.append("cycle \(cycle): \(kind) burst of \(count) beats") }
        if address / maxBurst != (address + count - 1) / maxBurst {
            violations.append("cycle \(cycle): \(kind) burst of \(count) at \(address) crosses a multiple of \(maxBurst)")
        }
    }

    private func observeRead(_ sim: Simulator) throws {
        guard try sim.peekBool("host_rd_read") else {
            if heldRead != nil { violations.append("cycle \(cycle): read withdrawn under waitrequest") }
            heldRead = nil
            return
        }
        let address = Int(try sim.peek("host_rd_address")), count = Int(try sim.peek("host_rd_burstcount"))
        if let h = heldRead, h != (address, count) { violations.append("cycle \(cycle): read changed under waitrequest") }
        if rdWaiting { heldRead = (address, count); return }
        heldRead = nil
        checkBurst("read", address, count)
        readBursts += 1
        let first = max(cycle + latency, (reads.last?.due ?? 0) + 1)
        for i in 0..<count { reads.append((first + i, line(address + i))) }
    }

    private func observeWrite(_ sim: Simulator) throws {
        let writing = try sim.peekBool("host_wr_write")
        if burst != nil && !writing { violations.append("cycle \(cycle): gap in a write burst") }
        guard writing else {
            if heldWrite != nil { violations.append("cycle \(cycle): write withdrawn under waitrequest") }
            heldWrite = nil
            return
        }
        let address = Int(try sim.peek("host_wr_address")), count = Int(try sim.peek("host_wr_burstcount"))
        if burst == nil, let h = heldWrite, h != (address, count) { violations.append("cycle \(cycle): write changed under waitrequest") }
        if wrWaiting { if burst == nil { heldWrite = (address, count) }; return }
        heldWrite = nil
        if burst == nil {
            checkBurst("write", address, count)
            writeBursts += 1
            burst = (address, count)
        }
        if try sim.peekBits("host_wr_byteenable") != BitVector(width: dataBits / 8, value: -1) {
            violations.append("cycle \(cycle): partial write")
        }
        lines[burst!.line] = try sim.peekBits("host_wr_writedata").words
        burst!.line += 1
        burst!.left -= 1
        if burst!.left == 0 {
            burst = nil
            responses.append(max(cycle + latency / 2, (responses.last ?? 0) + 1))
        }
    }

    func advance() { cycle += 1 }
}
