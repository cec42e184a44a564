import Core
import Foundation
import ISA
import OPAE
import SimCard
import Testing
import TestSupport

/// The simulated card through the same host code a real card runs under
/// (`OPAELibrary`, `OPAECard`): enumeration by UUID, MMIO, DMA both ways
/// through prepared buffers, DMA errors, bus errors and recovery by reset.
/// One serialized suite: the card's settings travel in the environment.
@Suite(.serialized) struct SimCardTests {
    let p = SimCardFixture.params

    @Test func enumeratesTheAFUByItsUUIDOnly() throws {
        let card = try SimCardFixture.open([:])
        card.close()
        let lib = try OPAELibrary(path: SimCardFixture.library)
        let wrong = "5d7c1c36-9a0e-4f3b-8b6e-7a3e1f0c2b15"
        #expect(throws: OPAEError.self) { try OPAECard(library: lib, uuid: wrong) }
    }

    @Test func mmioReadsTheCoreAndDMARegisters() throws {
        let card = try SimCardFixture.open([:])
        #expect(try card.read64(CSR.dfh.byteOffset) == CSR.dfhValue)
        #expect(try card.read64(CSR.afuIdLow.byteOffset) == CSR.afuIdHalves.low)
        #expect(try card.read64(CSR.afuIdHigh.byteOffset) == CSR.afuIdHalves.high)
        #expect(try card.read64(CSR.configuration.byteOffset) == CSR.configurationValue(p))
        #expect(try card.read64(DMARegister.configuration.byteOffset) == DMARegister.configurationValue(p, SimCardFixture.host.inCoreBeats(p)))
        #expect(try card.read64(DMARegister.capacity.byteOffset) == UInt64(DMARegister.capacityBeats(p) * p.beatBytes))
        // A written register reads back; an unaligned or out-of-range offset is refused.
        try card.write64(CSR.dataSize.byteOffset, 0x1234_5600)
        #expect(try card.read64(CSR.dataSize.byteOffset) == 0x1234_5600)
        #expect(throws: OPAEError.self) { try card.read64(CSR.status.byteOffset + 4) }
        #expect(throws: OPAEError.self) { try card.read64(0x1000) }
    }

    @Test func dataMakesTheRoundTripThroughCardMemory() throws {
        let seed = testSeed(0x5C0)
        let stats = FileManager.default.temporaryDirectory.appendingPathComponent("trit-simcard-stats-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: stats) }
        let card = try SimCardFixture.open(["SEED": "\(seed)", "BACKPRESSURE": "0.2", "LATENCY": "12", "HOST_LATENCY": "60",
                                            "STATS": stats.path])
        let length = 333 * p.beatBytes
        let data = randomBytes(length, seed: seed)
        let out = try card.sharedBuffer(length: length)
        let back = try card.sharedBuffer(length: length)
        #expect(out.ioAddress != back.ioAddress && out.ioAddress % UInt64(p.beatBytes) == 0)
        data.withUnsafeBytes { out.bytes.copyMemory(from: $0) }
        let cardAddress = UInt64(1000 * p.beatBytes)
        let toCard = try card.dma(host: out.ioAddress, card: cardAddress, length: length, toHost: false)
        #expect(toCard & 0xFF07 == 0b010, "seed \(seed): status 0x\(String(toCard, radix: 16))")
        let toHost = try card.dma(host: back.ioAddress, card: cardAddress, length: length, toHost: true)
        #expect(toHost & 0xFF07 == 0b010, "seed \(seed): status 0x\(String(toHost, radix: 16))")
        let same = Array(back.bytes) == data
        #expect(same, "seed \(seed): the data came back different")
        #expect(try card.read64(DMARegister.bytes.byteOffset) == UInt64(length))
        let cycles = try card.read64(DMARegister.cycles.byteOffset)
        print("simulated card: \(length) bytes card to host in \(cycles) cycles, back-pressure 0.2 (seed \(seed))")
        card.close()
        let json = try String(contentsOf: stats, encoding: .utf8)
        let beats = 333 * SimCardFixture.host.ratio(p)  // the card counts the channel's beats
        #expect(json.contains("\"host_read_beats\": \(beats),") && json.contains("\"host_write_beats\": \(beats),"), "\(json)")
    }

    @Test func aMisalignedTransferIsReportedInStatus() throws {
        let card = try SimCardFixture.open([:])
        let buffer = try card.sharedBuffer(length: 4096)
        let status = try card.dma(host: buffer.ioAddress + 8, card: 0, length: 4 * p.beatBytes, toHost: true)
        #expect(status & 0b110 == 0b100 && Int((status >> 8) & 0xFF) == DMAError.misaligned.rawValue,
                "status 0x\(String(status, radix: 16))")
    }

    /// A DMA outside every prepared buffer is a bus error: the next call
    /// fails with FPGA_EXCEPTION, the process lives on, and fpgaReset
    /// brings the card back (also in the middle of a transfer).
    @Test func aBusErrorIsAnExceptionAndResetRecovers() throws {
        let card = try SimCardFixture.open([:])
        let buffer = try card.sharedBuffer(length: 4096)
        let beat = p.beatBytes
        // The page after a buffer belongs to none.
        try card.write64(DMARegister.hostAddress.byteOffset, buffer.ioAddress + 4096)
        try card.write64(DMARegister.cardAddress.byteOffset, 0)
        try card.write64(DMARegister.length.byteOffset, UInt64(4 * beat))
        try card.write64(DMARegister.direction.byteOffset, 1)
        try card.write64(DMARegister.control.byteOffset, 1)
        var failure: Error?
        for _ in 0..<50 where failure == nil {
            do { _ = try card.read64(DMARegister.status.byteOffset) } catch { failure = error }
        }
        #expect("\(failure.map { "\($0)" } ?? "no error")".contains("exception"))
        // Reported once: the card answers again (the transfer ended, its writes dropped).
        var status: UInt64 = 1
        for _ in 0..<100 where status & 1 == 1 { status = try card.read64(DMARegister.status.byteOffset) }
        #expect(status & 0b111 == 0b010, "status 0x\(String(status, radix: 16))")
        try card.reset()
        #expect(try card.read64(DMARegister.status.byteOffset) & 0b111 == 0)
        // A long transfer cut short by a reset leaves the DMA idle and ready.
        let big = try card.sharedBuffer(length: 64 * 1024)
        try card.write64(DMARegister.hostAddress.byteOffset, big.ioAddress)
        try card.write64(DMARegister.cardAddress.byteOffset, 0)
        try card.write64(DMARegister.length.byteOffset, UInt64(big.bytes.count))
        try card.write64(DMARegister.direction.byteOffset, 0)
        try card.write64(DMARegister.control.byteOffset, 1)
        #expect(try card.read64(DMARegister.status.byteOffset) & 1 == 1, "the transfer should still run")
        try card.reset()
        #expect(try card.read64(DMARegister.status.byteOffset) & 0b111 == 0)
        let data = randomBytes(16 * beat, seed: 7)
        data.withUnsafeBytes { buffer.bytes.copyMemory(from: $0) }
        #expect(try card.dma(host: buffer.ioAddress, card: 0, length: data.count, toHost: false) & 0b110 == 0b010)
        buffer.bytes.initializeMemory(as: UInt8.self, repeating: 0)
        #expect(try card.dma(host: buffer.ioAddress, card: 0, length: data.count, toHost: true) & 0b110 == 0b010)
        #expect(Array(buffer.bytes[0..<data.count]) == data)
    }
}
