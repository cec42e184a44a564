import Core
import HDL
import HDLSim
import ISA
import TestSupport

/// Drives a `TritCore` in the Simulator from Swift: an Avalon-MM memory per
/// bank (fixed latency, optional random waitrequest), the host's CSR
/// accesses, and retirement-record collection. Slow, but enough for unit
/// tests of the core's control paths; whole programs run in `trit cosim`.
final class CoreDriver {
    let params: CoreParameters
    let sim: Simulator
    /// Beat-interleaved global memory, as bytes.
    var memory: [UInt8]
    let latency: Int
    var rng: SplitMix64
    let waitProbability: Double
    private var pendingReads: [[(due: Int, line: Int)]]
    private var cycle = 0

    init(params: CoreParameters, memoryBytes: Int, latency: Int = 4, waitProbability: Double = 0, seed: UInt64 = 1) throws {
        self.params = params
        self.sim = try Simulator(elaborate(TritCore(params: params)))
        self.memory = [UInt8](repeating: 0, count: memoryBytes)
        self.latency = latency
        self.rng = SplitMix64(seed: seed)
        self.waitProbability = waitProbability
        self.pendingReads = Array(repeating: [], count: params.banks)
        try sim.reset()
        for b in 0..<params.banks {
            try sim.poke("mem\(b)_waitrequest", false)
            try sim.poke("mem\(b)_readdatavalid", false)
        }
        try idleCSR()
    }

    func idleCSR() throws {
        try sim.poke("csr_read", false); try sim.poke("csr_write", false)
        try sim.poke("csr_byteenable", 0xFF); try sim.poke("csr_address", 0); try sim.poke("csr_writedata", 0)
    }

    func writeCSR(_ r: CSR, _ value: UInt64) throws {
        try sim.poke("csr_address", r.rawValue); try sim.poke("csr_write", true)
        try sim.poke("csr_writedata", BitVector(width: 64, words: [value]))
        try tick()
        try idleCSR()
    }

    func readCSR(_ r: CSR) throws -> UInt64 {
        try sim.poke("csr_address", r.rawValue); try sim.poke("csr_read", true)
        try tick()
        try idleCSR()
        sim.eval()
        return try sim.peekBits("csr_readdata").words[0]
    }

    /// Loads a program image: data at byte 0, code after it (4 KiB aligned).
    func load(_ image: ProgramImage) throws -> (codeBase: Int, dataSize: Int) {
        let data = image.memory()
        let codeBase = (data.count + 4095) / 4096 * 4096
        memory.replaceSubrange(0..<data.count, with: data)
        for (i, w) in image.code.enumerated() {
            for k in 0..<8 { memory[codeBase + 8 * i + k] = UInt8(truncatingIfNeeded: w >> UInt64(8 * k)) }
        }
        try writeCSR(.codeBase, UInt64(codeBase))
        try writeCSR(.codeLength, UInt64(image.code.count))
        try writeCSR(.dataBase, 0)
        try writeCSR(.dataSize, UInt64(data.count))
        return (codeBase, data.count)
    }

    /// Cycles from the start to each retirement of the last `run`.
    private(set) var retireCycles: [Int] = []

    /// Runs until halted or faulted (or `maxCycles`), returning the records.
    func run(maxCycles: Int = 100_000) throws -> [RetireRecord] {
        try writeCSR(.control, 1)
        let start = cycle
        retireCycles = []
        var records: [RetireRecord] = []
        for _ in 0..<maxCycles {
            sim.eval()
            if try sim.peekBool("retire_valid") {
                records.append(RetireRecord(
                    index: UInt32(try sim.peek("retire_index")), opcode: UInt8(try sim.peek("retire_opcode")),
                    destination: InstructionDecoder.destinations[Int(try sim.peek("retire_dest"))],
                    destinationIndex: UInt32(try sim.peek("retire_dest_index")), count: UInt32(try sim.peek("retire_count")),
                    digest: UInt32(try sim.peek("retire_digest")), saturations: UInt32(try sim.peek("retire_saturations"))))
                retireCycles.append(cycle - start)
            }
            if try sim.peekBool("halted") || sim.peekBool("faulted") { break }
            try tick()
        }
        return records
    }

    /// One clock cycle of the memory models around one edge of the core.
    func tick() throws {
        let beatBytes = params.beatBytes
        for b in 0..<params.banks {
            let stall = waitProbability > 0 && rng.chance(waitProbability)
            try sim.poke("mem\(b)_waitrequest", stall)
            sim.eval()
            let reading = try sim.peekBool("mem\(b)_read"), writing = try sim.peekBool("mem\(b)_write")
            if !stall && reading {
                let address = Int(try sim.peek("mem\(b)_address")), beats = Int(try sim.peek("mem\(b)_burstcount"))
                let start = max(cycle + latency, pendingReads[b].last.map { $0.due + 1 } ?? 0)
                for k in 0..<beats {
                    pendingReads[b].append((start + k, (address + k) * params.banks + b))
                }
            }
            if !stall && writing {
                let line = Int(try sim.peek("mem\(b)_address")) * params.banks + b
                let data = try sim.peekBits("mem\(b)_writedata"), enables = try sim.peekBits("mem\(b)_byteenable")
                for k in 0..<beatBytes where enables.words[k / 64] >> UInt64(k % 64) & 1 == 1 {
                    memory[line * beatBytes + k] = UInt8(truncatingIfNeeded: data.words[k / 8] >> UInt64(8 * (k % 8)))
                }
            }
            if let first = pendingReads[b].first, first.due <= cycle {
                pendingReads[b].removeFirst()
                let bytes = memory[(first.line * beatBytes)..<((first.line + 1) * beatBytes)]
                var words = [UInt64](repeating: 0, count: beatBytes / 8)
                for (k, byte) in bytes.enumerated() { words[k / 8] |= UInt64(byte) << UInt64(8 * (k % 8)) }
                try sim.poke("mem\(b)_readdatavalid", true)
                try sim.poke("mem\(b)_readdata", BitVector(width: params.dataBits, words: words))
            } else {
                try sim.poke("mem\(b)_readdatavalid", false)
            }
        }
        try sim.step()
        cycle += 1
    }
}
