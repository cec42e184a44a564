import Compiler
import Core
import Cosim
import Foundation
import HDL
import DeviceAPI
import ISA
import Model
import Runner

/// Cycles per block: one token through block 0 of a synthetic one-layer
/// checkpoint, on the generated core in Verilator.
public struct BlockMeasurement: Sendable {
    public var d: Int
    public var intermediate: Int
    public var banks: Int
    public var packing: WeightPacking
    /// Nil when the configuration could not be measured (`note` says why).
    public var counters: BlockCounters?
    /// The core agreed with the interpreter on every record and the memory.
    public var checked: Bool
    public var note: String?
    public var weightBytes: Int
    public var compileSeconds: Double
}

/// Core models by configuration: a Verilator build takes minutes at the
/// D5005 size, so each one is built (or found in the cache) once per run.
final class CoreModels {
    private var models: [String: TestBenchModel] = [:]
    private var buildSeconds: [String: Double] = [:]
    let log: (String) -> Void

    init(log: @escaping (String) -> Void) { self.log = log }

    func model(_ p: CoreParameters) throws -> TestBenchModel {
        let key = String(describing: p)
        if let m = models[key] { return m }
        log("core model: \(Sweep.describe(p))\(p.isa.streams > 1 ? ", \(p.isa.streams) streams" : "") (Verilator; cached after the first build)")
        let clock = Date()
        let m = try TestBenchModel(design: elaborate(TritCore(params: p)), parameters: p)
        buildSeconds[key] = m.library.build.cacheHit ? 0 : Date().timeIntervalSince(clock)
        if !m.library.build.cacheHit { log(String(format: "  built in %.0f s", Date().timeIntervalSince(clock))) }
        models[key] = m
        return m
    }
}

enum BlockCycles {
    static func measure(_ sweep: Sweep, log: @escaping (String) -> Void) throws -> [BlockMeasurement] {
        let cores = CoreModels(log: log)
        var out: [BlockMeasurement] = []
        for (d, inter) in sweep.blocks {
            let config = ModelConfig(hiddenSize: d, intermediateSize: inter, layers: 1, vocabSize: 16)
            let weights = SyntheticCheckpoint(config: config, seed: 1)
            for packing in sweep.packings {
                let target = sweep.core(1).isa
                let clock = Date()
                log("d = \(d), I = \(inter), \(packing.label): compiling block 0")
                guard let build = try compileBlock(weights, target: target, packing: packing) else {
                    for b in sweep.banks {
                        out.append(BlockMeasurement(d: d, intermediate: inter, banks: b, packing: packing, counters: nil, checked: false,
                                                    note: "not available: the compiler does not take a packing yet",
                                                    weightBytes: 0, compileSeconds: 0))
                    }
                    continue
                }
                let compileSeconds = Date().timeIntervalSince(clock)
                let input = try EmbeddingTable(vocab: config.vocabSize, width: d, values: build.embeddings ?? []).row(1)
                for b in sweep.banks {
                    let p = sweep.core(b)
                    log("d = \(d), \(packing.label), \(b) bank(s): one token in lock step")
                    let options = TestBenchOptions(latency: sweep.latency, backpressure: sweep.backpressure, seed: 1)
                    let model = try cores.model(p)
                    var m = BlockMeasurement(d: d, intermediate: inter, banks: b, packing: packing, counters: nil, checked: false,
                                             note: nil, weightBytes: build.manifest.weightBytes, compileSeconds: compileSeconds)
                    do {
                        let session = try BuildSession(manifest: build.manifest, program: build.program, memory: build.memory,
                                                       engine: CosimEngine(CoSimulation(model: model, options: options)))
                        if let r = try session.step(input).run.detail as? CoSimulationReport { m.counters = BlockCounters(r); m.checked = true }
                    } catch let failure as CoSimulationFailure {
                        // Timing still means something when the values differ; say that they did.
                        log("  lock step failed (\(failure.kind.rawValue)); timing the core alone")
                        let (counters, faulted) = try CoreAlone.run(build, input: input, model: model, options: options)
                        m.counters = counters
                        m.note = "core and interpreter disagree (\(failure.kind.rawValue)); cycles from the core alone"
                            + (faulted ? ", which faulted" : "")
                    } catch {
                        // One configuration failing must not lose a long sweep.
                        log("  failed: \(error)")
                        m.note = "failed: \(String(describing: error).prefix(160))"
                    }
                    if let c = m.counters {
                        log(String(format: "  %llu cycles, utilization %.3f, %.0f cycles/s", c.cycles, c.utilization, c.cyclesPerSecond))
                    }
                    out.append(m)
                }
            }
        }
        return out
    }
}

/// The core without the interpreter beside it: a fallback that still yields
/// the counters when the lock-step comparison fails.
enum CoreAlone {
    static func run(_ build: Build, input: [Float], model: TestBenchModel, options: TestBenchOptions) throws -> (BlockCounters, faulted: Bool) {
        var image = build.image()
        var memory = build.memory
        let f = build.manifest.target.fracBits
        for (k, v) in input.enumerated() {
            let q = Int32(clamping: Int64((Double(v) * Double(1 << f)).rounded(.toNearestOrAwayFromZero)))
            for b in 0..<4 { memory[build.manifest.input.address + 4 * k + b] = UInt8(truncatingIfNeeded: UInt32(bitPattern: q) >> UInt32(8 * b)) }
        }
        image.data = [ProgramImage.DataSection(address: 0, bytes: memory)]
        let bench = try model.makeBench(options)
        try bench.reset()
        let placement = ProgramPlacement(image)
        placement.load(image, into: bench)
        let clock = Date()
        try bench.start(placement)
        var retired = 0
        var faulted = false
        loop: while true {
            let (result, records) = try bench.step(maxCycles: 50_000_000)
            retired += records.count
            switch result {
            case .running: continue
            case .cycleLimit: throw BenchError("the core neither halted nor faulted within 50 M cycles")
            case .halted, .faulted:
                faulted = result == .faulted
                if records.isEmpty { break loop }
            }
        }
        let seconds = Date().timeIntervalSince(clock)
        let c = try [CSR.cycles, .busyLoadStore, .busyVector, .busyReduction, .busyTernary, .memoryStall, .weightBeats, .issueStall]
            .map { try bench.csrRead($0) }
        return (BlockCounters(cycles: c[0], busy: Array(c[1...4]), memoryStall: c[5], weightBeats: c[6], issueStall: c[7],
                              instructions: retired, simulatedCycles: bench.statistics.cycles, seconds: seconds), faulted)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
