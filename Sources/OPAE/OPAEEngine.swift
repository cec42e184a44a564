import Core
import DeviceAPI
import Foundation
import ISA

/// A Trit card through OPAE as an `Engine`: the AFU found by its UUID, its
/// core's CSRs and its DMA engine (docs/host.md) on MMIO, a pinned host
/// buffer between the host and the card's memory. The program goes where
/// `ProgramPlacement` puts it; data regions move by DMA in whole beats
/// (a partial beat is read, patched and written back).
public final class OPAEEngine: Engine {
    public let card: OPAECard
    public let config: CoreConfig
    /// Card memory beat (the DMA's alignment), bytes.
    public let beatBytes: Int
    /// Bytes of card memory.
    public let capacity: UInt64
    private let buffer: OPAECard.SharedBuffer
    private var placement: ProgramPlacement?
    /// Seconds a DMA transfer may take before it is given up.
    public var transferTimeout = 60.0

    /// Opens the card through `library` (nil: the system's libopae-c) and
    /// reads what the core and the DMA are: fraction bits, vector length,
    /// beat size and memory capacity come from their CONFIGURATION registers.
    public init(library path: String?, card index: Int = 0, bufferBytes: Int = 4 << 20) throws {
        let lib = try OPAELibrary(path: path)
        card = try OPAECard(library: lib, uuid: CSR.afuUUID, index: index)
        let core = try card.read64(CSR.configuration.byteOffset)
        let dma = try card.read64(DMARegister.configuration.byteOffset)
        config = CSR.instructionSet(configuration: core)
        beatBytes = Int(dma & 0xFFFF)
        capacity = try card.read64(DMARegister.capacity.byteOffset)
        guard beatBytes > 0, beatBytes & (beatBytes - 1) == 0, config.problems.isEmpty else {
            throw OPAEError("the card's CONFIGURATION registers (core 0x\(String(core, radix: 16)), DMA 0x\(String(dma, radix: 16))) "
                            + "do not describe a Trit core this host understands: \(config.problems.joined(separator: "; "))")
        }
        buffer = try card.sharedBuffer(length: bufferBytes / beatBytes * beatBytes)
    }

    public var summary: String {
        "OPAE card through \(card.library.path) (\(config.formatName), max VL \(config.maxVectorLength), "
            + "\(capacity >> 20) MiB of card memory)"
    }

    public func load(_ image: ProgramImage) throws -> LoadReport {
        guard image.streams <= config.streams else {
            throw OPAEError("the program is written for \(image.streams) stream(s), the card's core runs only \(config.streams)")
        }
        let p = ProgramPlacement(image)
        let code = ProgramPlacement.codeBytes(image.code)
        guard p.codeBase + UInt64(code.count) <= capacity else {
            throw OPAEError("the program needs \(p.codeBase + UInt64(code.count)) bytes of card memory, the card has \(capacity)")
        }
        var cycles: UInt64 = 0
        cycles += try put(image.memory(), at: p.dataBase)
        cycles += try put(code, at: p.codeBase)
        placement = p
        return LoadReport(bytes: Int(p.dataSize) + code.count, cycles: cycles)
    }

    /// The new code goes where the old one was (after the data memory).
    public func replaceCode(_ code: [UInt64]) throws {
        var p = try loaded()
        let bytes = ProgramPlacement.codeBytes(code)
        guard p.codeBase + UInt64(bytes.count) <= capacity else {
            throw OPAEError("the program needs \(p.codeBase + UInt64(bytes.count)) bytes of card memory, the card has \(capacity)")
        }
        _ = try put(bytes, at: p.codeBase)
        p.codeLength = code.count
        placement = p
    }

    func loaded() throws -> ProgramPlacement {
        guard let placement else { throw OPAEError("no program loaded on the card") }
        return placement
    }

    public func write(_ bytes: [UInt8], at address: Int) throws {
        let p = try loaded()
        try EngineError.checkRange("write", count: bytes.count, at: address, size: Int(p.dataSize))
        // Whole beats: read the partial ones at the ends, patch, write back.
        let first = address / beatBytes * beatBytes
        let end = (address + bytes.count + beatBytes - 1) / beatBytes * beatBytes
        var span = first == address && end == address + bytes.count ? [UInt8](repeating: 0, count: end - first)
            : try get(count: end - first, at: p.dataBase + UInt64(first))
        span.replaceSubrange((address - first)..<(address - first + bytes.count), with: bytes)
        _ = try put(span, at: p.dataBase + UInt64(first))
    }

    public func read(count: Int, at address: Int) throws -> [UInt8] {
        let p = try loaded()
        try EngineError.checkRange("read", count: count, at: address, size: Int(p.dataSize))
        let first = address / beatBytes * beatBytes
        let end = (address + count + beatBytes - 1) / beatBytes * beatBytes
        let span = try get(count: end - first, at: p.dataBase + UInt64(first))
        return Array(span[(address - first)..<(address - first + count)])
    }

    public func run(timeout: Double) throws -> EngineRun {
        let p = try loaded()
        // The loaded image's streams are the active ones (ISA.md, "Streams").
        try card.write64(CSR.streams.byteOffset, UInt64(p.streams))
        try card.write64(CSR.codeBase.byteOffset, p.codeBase)
        try card.write64(CSR.codeLength.byteOffset, UInt64(p.codeLength))
        try card.write64(CSR.dataBase.byteOffset, p.dataBase)
        try card.write64(CSR.dataSize.byteOffset, p.dataSize)
        try card.write64(CSR.control.byteOffset, 1)
        let status = try poll(CSR.status.byteOffset, timeout: timeout, what: "the program") { $0 & 0b110 != 0 }
        let read = { (r: CSR) in try self.card.read64(r.byteOffset) }
        let counters = CoreCounters(cycles: try read(.cycles),
                                    busy: try [CSR.busyLoadStore, .busyVector, .busyReduction, .busyTernary].map(read),
                                    memoryStall: try read(.memoryStall), weightBeats: try read(.weightBeats),
                                    issueStall: try read(.issueStall), saturations: try read(.saturations),
                                    banks: Int((try read(.configuration) >> 24) & 0xF))
        var fault: (code: FaultCode, index: Int)?
        if status & 0b100 != 0 {
            let code = UInt8(truncatingIfNeeded: status >> 8)
            guard let f = FaultCode(rawValue: code) else { throw OPAEError("the core stopped with unknown fault code \(code)") }
            fault = (f, Int(try read(.faultIndex)))
        }
        return EngineRun(instructions: Int(try read(.retired)), fault: fault, counters: counters)
    }

    /// Host to card through the shared buffer, in buffer-sized transfers; returns the DMA's cycles.
    func put(_ bytes: [UInt8], at card: UInt64) throws -> UInt64 {
        var cycles: UInt64 = 0
        var done = 0
        let padded = (bytes.count + beatBytes - 1) / beatBytes * beatBytes
        while done < padded {
            let n = min(buffer.bytes.count, padded - done)
            let have = max(0, min(n, bytes.count - done))
            bytes.withUnsafeBytes { src in
                buffer.bytes.baseAddress!.copyMemory(from: src.baseAddress! + done, byteCount: have)
            }
            if have < n { (buffer.bytes.baseAddress! + have).initializeMemory(as: UInt8.self, repeating: 0, count: n - have) }
            cycles += try transfer(card: card + UInt64(done), length: n, toHost: false)
            done += n
        }
        return cycles
    }

    /// Card to host, `count` bytes (a multiple of the beat) at `card`.
    func get(count: Int, at card: UInt64) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var done = 0
        while done < count {
            let n = min(buffer.bytes.count, count - done)
            _ = try transfer(card: card + UInt64(done), length: n, toHost: true)
            out += UnsafeRawBufferPointer(rebasing: buffer.bytes[0..<n])
            done += n
        }
        return out
    }

    /// One DMA descriptor between the shared buffer and card memory; returns its cycles.
    func transfer(card address: UInt64, length: Int, toHost: Bool) throws -> UInt64 {
        try card.write64(DMARegister.hostAddress.byteOffset, buffer.ioAddress)
        try card.write64(DMARegister.cardAddress.byteOffset, address)
        try card.write64(DMARegister.length.byteOffset, UInt64(length))
        try card.write64(DMARegister.direction.byteOffset, toHost ? 1 : 0)
        try card.write64(DMARegister.control.byteOffset, 1)
        let status = try poll(DMARegister.status.byteOffset, timeout: transferTimeout, what: "a DMA transfer") { $0 & 0b110 != 0 }
        if status & 0b100 != 0 {
            let code = Int((status >> 8) & 0xFF)
            let name = DMAError(rawValue: code).map { "\($0)" } ?? "code \(code)"
            throw OPAEError("DMA of \(length) bytes \(toHost ? "from" : "to") card address 0x\(String(address, radix: 16)) failed: \(name)")
        }
        return try card.read64(DMARegister.cycles.byteOffset)
    }

    /// Reads `offset` until `done` holds; past `timeout` seconds the AFU is reset and an error thrown.
    func poll(_ offset: Int, timeout: Double, what: String, until done: (UInt64) -> Bool) throws -> UInt64 {
        let deadline = Date().addingTimeInterval(timeout)
        var spins = 0
        while true {
            let v = try card.read64(offset)
            if done(v) { return v }
            if Date() > deadline {
                try? card.reset()
                placement = nil
                throw OPAEError("\(what) did not finish within \(timeout) s; the AFU was reset (fpgaReset): load the program again")
            }
            spins += 1
            if spins > 1000 { usleep(50) }
        }
    }
}
