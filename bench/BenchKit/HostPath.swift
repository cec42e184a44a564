import Compiler
import Core
import DeviceAPI
import Foundation
import ISA
import Model
import OPAE
import Runner
import SimCard

/// The host path on the simulated card: the OPAE engine (the code a real
/// D5005 would run) loads a model-sized image through the AFU's DMA, and
/// reads a buffer back. The host model never stalls (no back-pressure) and
/// answers reads after a fixed latency, so the rate is the DMA's own.
public struct HostPathMeasurement: Sendable {
    public var core: CoreParameters
    public var host: HostDMAParameters
    public var hostLatency: Int
    public var bankLatency: Int
    /// The model whose image was loaded (the data memory its build plans).
    public var model: String
    public var imageBytes: Int
    /// DMA cycles of the whole load (every descriptor, summed).
    public var loadCycles: UInt64
    /// The engine's pinned host buffer: the most one descriptor moves.
    public var bufferBytes: Int
    /// Card to host: one descriptor of `readBytes`, its cycles.
    public var readBytes: Int
    public var readCycles: UInt64
    /// Wall-clock seconds the simulated load took (Verilator).
    public var simulationSeconds: Double
    public var cardBuildSeconds: Double

    public var beatBytes: Int { core.beatBytes }
    public var loadBeatsPerCycle: Double { Double(imageBytes / beatBytes) / Double(loadCycles) }
    public var readBeatsPerCycle: Double { Double(readBytes / beatBytes) / Double(readCycles) }
}

enum HostPath {
    /// The core clock the AFU JSON asks for (`auto-200`), for seconds from cycles.
    static let clock = 200e6
    /// PCIe Gen3 x16 in practice (BOARD.md): an assumption, not a measurement.
    static let hostChannelBytesPerSecond = 12e9

    static func measure(_ sweep: Sweep, log: (String) -> Void) throws -> HostPathMeasurement {
        let (core, host, shape) = sweep.hostPath
        let fm = FileManager.default
        let out = fm.temporaryDirectory.appendingPathComponent("trit-bench-card-\(UUID().uuidString)", isDirectory: true)
        defer { try? fm.removeItem(at: out) }
        var clock = Date()
        let card = try SimulatedCard.make(params: core, host: host, out: out)
        let built = Date().timeIntervalSince(clock)
        log("simulated card (\(Sweep.describe(core))) \(card.model.cacheHit ? "from the cache" : "built in \(Int(built)) s")")

        let (bankLatency, hostLatency) = (sweep.latency, 100)
        for (name, value) in [("LATENCY", "\(bankLatency)"), ("HOST_LATENCY", "\(hostLatency)"), ("BACKPRESSURE", "0")] {
            setenv("TRIT_SIMCARD_" + name, value, 1)
        }
        let bufferBytes = 4 << 20
        let engine = try OPAEEngine(library: card.library.path, bufferBytes: bufferBytes)
        let config = ModelConfig(hiddenSize: shape.d, intermediateSize: shape.intermediate, layers: shape.layers, vocabSize: shape.vocab)
        let plan = try MemoryPlan.make(config, layers: 0...(shape.layers - 1), head: true,
                                       maxVectorLength: core.isa.maxVectorLength)
        let data = randomBytes(plan.size, seed: 7)
        let image = ProgramImage(memorySize: UInt32(plan.size), code: [], data: [.init(address: 0, bytes: data)])
        log("loading the \(shape.name) image: \(plan.size >> 20) MiB")
        clock = Date()
        let load = try engine.load(image)
        let simulated = Date().timeIntervalSince(clock)

        // Card to host: one full buffer, and it must be what was loaded.
        let readBytes = min(plan.size / core.beatBytes * core.beatBytes, bufferBytes)
        let back = try engine.read(count: readBytes, at: 0)
        guard back.elementsEqual(data.prefix(readBytes)) else { throw BenchError("the card returned other bytes than were loaded") }
        let readCycles = try engine.card.read64(DMARegister.cycles.byteOffset)
        return HostPathMeasurement(core: core, host: host, hostLatency: hostLatency, bankLatency: bankLatency, model: shape.name,
                                   imageBytes: load.bytes, loadCycles: load.cycles ?? 0, bufferBytes: bufferBytes, readBytes: readBytes, readCycles: readCycles,
                                   simulationSeconds: simulated, cardBuildSeconds: built)
    }

    /// Image contents the DMA does not interpret, from a seeded generator.
    static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var random = SeededRandom(seed: seed)
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { raw in
            for i in 0..<(count / 8) { raw.storeBytes(of: random.next(), toByteOffset: 8 * i, as: UInt64.self) }
            for i in (count / 8 * 8)..<count { raw[i] = UInt8(truncatingIfNeeded: random.next()) }
        }
        return out
    }
}
