import Core
import HDL
import HDLSim
import TestSupport

/// Drives a `HostDMA`, or a whole `TritAfu` (`afu: true`), in Verilator:
/// the banks (`AvalonMemoryModel`), host memory (`HostMemoryModel`) and
/// the host's register accesses, and keeps what both memories should hold
/// (`expectedCard`, `expectedHost`) as the transfers complete.
final class DMABench {
    let p: CoreParameters
    let host: HostDMAParameters
    let sim: Simulator
    let banks: AvalonMemoryModel
    let hostMemory: HostMemoryModel
    var expectedCard: [Int: [UInt64]] = [:]
    var expectedHost: [Int: [UInt64]] = [:]
    var coreBusy = false
    var refusePulse = false
    /// The AFU top: DMA registers in its second window, the core's in the first.
    let afu: Bool

    init(_ p: CoreParameters, _ host: HostDMAParameters, bankLatency: Int, hostLatency: Int, waitChance: Double, seed: UInt64,
         afu: Bool = false) throws {
        self.p = p
        self.host = host
        self.afu = afu
        sim = try Simulator(afu ? elaborate(TritAfu(params: p, host: host)) : elaborate(HostDMA(params: p, host: host)))
        if !sim.build.cacheHit {
            print("[sim] \(sim.moduleName): built in \(Int((sim.build.verilateSeconds + sim.build.compileSeconds).rounded()))s")
        }
        let words = p.dataBits / 64
        banks = AvalonMemoryModel(banks: p.banks, dataBits: p.dataBits, latency: bankLatency, waitChance: waitChance,
                                  seed: seed ^ 0x5A5A, initial: AvalonMemoryModel.pattern(words: words, salt: seed))
        hostMemory = HostMemoryModel(dataBits: p.dataBits, maxBurst: host.maxBurst, latency: hostLatency, waitChance: waitChance,
                                     seed: seed ^ 0xC3C3, initial: AvalonMemoryModel.pattern(words: words, salt: ~seed))
        try sim.reset()
        try idle()
    }

    func cardLine(_ l: Int) -> [UInt64] { expectedCard[l] ?? banks.initial(l) }
    func hostLine(_ l: Int) -> [UInt64] { expectedHost[l] ?? hostMemory.initial(l) }

    private func idle() throws {
        try sim.poke("csr_read", false); try sim.poke("csr_write", false)
        try sim.poke("csr_address", 0); try sim.poke("csr_writedata", 0)
    }

    /// One clock edge with both memories answering.
    func tick() throws {
        try banks.drive(sim)
        try hostMemory.drive(sim)
        if !afu {
            try sim.poke("core_busy", coreBusy)
            try sim.poke("core_start_refused", refusePulse)
            refusePulse = false
        }
        sim.eval()
        try banks.observe(sim)
        try hostMemory.observe(sim)
        try sim.step()
        banks.advance()
        hostMemory.advance()
    }

    func write(_ r: DMARegister, _ value: UInt64) throws {
        try writeIndex(afu ? DMARegister.windowBase + r.rawValue : r.rawValue, value)
    }

    func read(_ r: DMARegister) throws -> UInt64 {
        try readIndex(afu ? DMARegister.windowBase + r.rawValue : r.rawValue)
    }

    /// A 64-bit register by its index on the CSR slave.
    func writeIndex(_ index: Int, _ value: UInt64) throws {
        try sim.poke("csr_address", index); try sim.poke("csr_write", true)
        try sim.poke("csr_writedata", BitVector(width: 64, words: [value]))
        try tick()
        try idle()
    }

    func readIndex(_ index: Int) throws -> UInt64 {
        try sim.poke("csr_address", index); try sim.poke("csr_read", true)
        try tick()
        try idle()
        sim.eval()
        guard try sim.peekBool("csr_readdatavalid") else { return UInt64.max }
        return try sim.peekBits("csr_readdata").words[0]
    }

    struct Status: CustomStringConvertible {
        let raw: UInt64
        var busy: Bool { raw & 1 != 0 }
        var done: Bool { raw & 2 != 0 }
        var error: Bool { raw & 4 != 0 }
        var refused: Bool { raw & 8 != 0 }
        var code: Int { Int(raw >> 8 & 0xFF) }
        var description: String { "busy \(busy) done \(done) error \(error) code \(code) refused \(refused)" }
    }

    func status() throws -> Status { Status(raw: try read(.status)) }

    /// Writes the descriptor and starts it.
    func start(host h: UInt64, card: UInt64, length: UInt64, toHost: Bool) throws {
        try write(.hostAddress, h)
        try write(.cardAddress, card)
        try write(.length, length)
        try write(.direction, toHost ? 1 : 0)
        try write(.control, 1)
    }

    /// Polls STATUS until the engine is idle; nil after `maxCycles`.
    func wait(maxCycles: Int = 100_000) throws -> Status? {
        for _ in 0..<maxCycles {
            let s = try status()
            if !s.busy { return s }
        }
        return nil
    }

    /// A transfer of whole beats; on success the expected memories follow it.
    func transfer(hostLine h: Int, cardLine c: Int, beats: Int, toHost: Bool) throws -> Status? {
        let b = p.beatBytes
        try start(host: UInt64(h * b), card: UInt64(c * b), length: UInt64(beats * b), toHost: toHost)
        let s = try wait()
        if let s, s.done {
            for i in 0..<beats {
                if toHost { expectedHost[h + i] = cardLine(c + i) } else { expectedCard[c + i] = hostLine(h + i) }
            }
        }
        return s
    }

    /// Lines where a memory differs from what it should hold, over `0..<span` of each.
    func mismatches(span: Int) -> [String] {
        var out: [String] = []
        for l in 0..<span where banks.line(l) != cardLine(l) { out.append("card line \(l)") }
        for l in 0..<span where hostMemory.line(l) != hostLine(l) { out.append("host line \(l)") }
        return out
    }
}
