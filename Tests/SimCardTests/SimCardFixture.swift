import Core
import Foundation
import ISA
import OPAE
import SimCard
import TestSupport

/// The simulated card every test here opens: a small AFU (128-bit beats,
/// one bank, max VL 256) built once per process into a temporary directory.
/// Its host channel is 64 bits wide, so the DMA reaches it through the
/// width adapter, as a 1024-bit core reaches the D5005's 512-bit channel
/// (`TritAfuTests` cover the DMA on a channel of its own width).
enum SimCardFixture {
    static let params = CoreParameters(isa: CoreConfig(maxVectorLength: 256), dataBits: 128, addressBits: 16, outstandingBeats: 64)
    static let host = HostDMAParameters(addressBits: 25, maxBurst: 16, bufferBeats: 128, channelBits: 64)

    static let built: Result<SimulatedCard, Error> = Result {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("trit-simcard-\(getpid())", isDirectory: true)
        let clock = ContinuousClock.now
        let card = try SimulatedCard.make(params: params, host: host, out: out)
        if !card.model.cacheHit { print("simulated card built in \(ContinuousClock.now - clock)") }
        return card
    }

    static var library: String { get throws { try built.get().library.path } }

    static let settingNames = ["LATENCY", "HOST_LATENCY", "BACKPRESSURE", "SEED", "CYCLES_PER_POLL", "STATS", "CARDS", "FAIL_AFTER_READS"].map { "TRIT_SIMCARD_" + $0 }

    /// Sets the card's environment (read at fpgaOpen): `settings` by short
    /// name ("SEED": "3"), every other setting cleared.
    static func configure(_ settings: [String: String]) {
        for name in settingNames {
            if let v = settings[String(name.dropFirst("TRIT_SIMCARD_".count))] { setenv(name, v, 1) } else { unsetenv(name) }
        }
    }

    /// Opens the card with `settings`.
    static func open(_ settings: [String: String]) throws -> OPAECard {
        configure(settings)
        return try OPAECard(library: OPAELibrary(path: library), uuid: CSR.afuUUID)
    }
}

/// Raw DMA descriptors through MMIO, as docs/host.md describes them.
extension OPAECard {
    /// Starts a transfer and polls the DMA's STATUS until done or error; returns STATUS.
    func dma(host: UInt64, card: UInt64, length: Int, toHost: Bool, polls: Int = 100_000) throws -> UInt64 {
        try write64(DMARegister.hostAddress.byteOffset, host)
        try write64(DMARegister.cardAddress.byteOffset, card)
        try write64(DMARegister.length.byteOffset, UInt64(length))
        try write64(DMARegister.direction.byteOffset, toHost ? 1 : 0)
        try write64(DMARegister.control.byteOffset, 1)
        for _ in 0..<polls {
            let status = try read64(DMARegister.status.byteOffset)
            if status & 0b110 != 0 { return status }
        }
        return try read64(DMARegister.status.byteOffset)
    }
}

/// Seeded bytes.
func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
}
