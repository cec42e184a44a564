import Compiler
import Core
import Cosim
import Foundation
import ISA
import Model
import Runner

/// One measured configuration of the batched core: a decode step of
/// `streams` sequences, or a prefill of `tokens` tokens of one sequence.
public struct BatchMeasurement: Sendable {
    public enum Kind: String, Sendable { case decode, prefill }
    public var kind: Kind
    public var d: Int
    public var intermediate: Int
    public var banks: Int
    public var streams: Int
    /// Tokens the measured runs computed (streams per decode step; the prompt for prefill).
    public var tokens: Int
    /// Counters summed over the measured runs; nil when it failed (`note`).
    public var counters: BlockCounters?
    /// Cycles of as many tokens decoded one stream at a time, measured in this run.
    public var singleStreamCycles: UInt64?
    public var note: String?

    public var cyclesPerToken: Double? { counters.map { Double($0.cycles) / Double(tokens) } }
    /// Cycles per token of one stream over cycles per token here.
    public var speedup: Double? {
        guard let c = counters, let one = singleStreamCycles, c.cycles > 0 else { return nil }
        return Double(one) / Double(c.cycles)
    }
}

/// Batched decode and prefill of block 0 of a synthetic checkpoint on the
/// generated core of B streams, in lock step with the interpreter.
enum BatchCycles {
    static func measure(_ sweep: Sweep, blocks: [BlockMeasurement], log: @escaping (String) -> Void) throws -> [BatchMeasurement] {
        let cores = CoreModels(log: log)
        var out: [BatchMeasurement] = []
        for (d, inter) in sweep.batch.blocks {
            for b in sweep.batch.banks {
                let one = blocks.first { $0.d == d && $0.banks == b && $0.packing == .twoBit }?.counters?.cycles
                for streams in sweep.batch.streams {
                    log("d = \(d), \(b) bank(s), \(streams) streams: one decode step in lock step")
                    var m = BatchMeasurement(kind: .decode, d: d, intermediate: inter, banks: b, streams: streams, tokens: streams)
                    m.singleStreamCycles = one.map { $0 * UInt64(streams) }
                    record(&m, log) { try decode(sweep, d: d, intermediate: inter, banks: b, streams: streams, cores: cores) }
                    out.append(m)
                }
            }
        }
        if let p = sweep.batch.prefill {
            log("d = \(p.d), 1 bank: a \(p.tokens)-token prompt by prefill on \(p.streams) streams, and decoded token by token")
            var m = BatchMeasurement(kind: .prefill, d: p.d, intermediate: p.intermediate, banks: 1, streams: p.streams, tokens: p.tokens)
            var slow: UInt64?
            record(&m, log) {
                let (fast, decoded) = try prefill(sweep, p, cores: cores)
                slow = decoded
                return fast
            }
            m.singleStreamCycles = slow
            out.append(m)
        }
        return out
    }

    /// Runs `body`; a failure is noted, not thrown, so one configuration cannot lose the sweep.
    static func record(_ m: inout BatchMeasurement, _ log: (String) -> Void, _ body: () throws -> BlockCounters) {
        do {
            let c = try body()
            m.counters = c
            log(String(format: "  %llu cycles, %.0f cycles per token", c.cycles, m.cyclesPerToken ?? 0))
        } catch {
            log("  failed: \(error)")
            m.note = "failed: \(String(describing: error).prefix(160))"
        }
    }

    static func block(_ d: Int, _ intermediate: Int, streams: Int, prefill: Int? = nil, sweep: Sweep) throws -> (Build, SyntheticCheckpoint) {
        let config = ModelConfig(hiddenSize: d, intermediateSize: intermediate, layers: 1, vocabSize: 64)
        let weights = SyntheticCheckpoint(config: config, seed: 1)
        var target = sweep.core(1).isa
        target.streams = streams
        return (try ModelCompiler.compile(weights, layers: 0...0, head: false, target: target, prefill: prefill), weights)
    }

    static func session(_ build: Build, sweep: Sweep, banks: Int, cores: CoreModels) throws -> BuildSession {
        var p = sweep.core(banks)
        p.isa.streams = build.manifest.streams
        let options = TestBenchOptions(latency: sweep.latency, backpressure: sweep.backpressure, seed: 1)
        return try BuildSession(build, engine: CosimEngine(CoSimulation(model: try cores.model(p), options: options)))
    }

    /// Token k's input: the embedding of token k + 1.
    static func inputs(_ build: Build, count: Int) throws -> [[Float]] {
        let m = build.manifest.model
        let table = try EmbeddingTable(vocab: m.vocabSize, width: m.hiddenSize, values: build.embeddings ?? [])
        return try (0..<count).map { try table.row(($0 + 1) % m.vocabSize) }
    }

    static func decode(_ sweep: Sweep, d: Int, intermediate: Int, banks: Int, streams: Int, cores: CoreModels) throws -> BlockCounters {
        let (build, _) = try block(d, intermediate, streams: streams, sweep: sweep)
        let steps = try session(build, sweep: sweep, banks: banks, cores: cores).step(streams: try inputs(build, count: streams))
        return try counters(steps[0])
    }

    /// The prompt through the prefill program, and through a one-stream build token by token.
    static func prefill(_ sweep: Sweep, _ p: (streams: Int, tokens: Int, d: Int, intermediate: Int),
                        cores: CoreModels) throws -> (BlockCounters, UInt64) {
        let (build, _) = try block(p.d, p.intermediate, streams: p.streams, prefill: p.tokens, sweep: sweep)
        let prompt = try inputs(build, count: p.tokens)
        let fast = try session(build, sweep: sweep, banks: 1, cores: cores)
        var runs: [BlockCounters] = []
        for start in stride(from: 0, to: p.tokens, by: p.streams) {
            runs.append(try counters(try fast.prefill(Array(prompt[start..<(start + p.streams)]))[0]))
        }
        let (single, _) = try block(p.d, p.intermediate, streams: 1, sweep: sweep)
        let slow = try session(single, sweep: sweep, banks: 1, cores: cores)
        var cycles: UInt64 = 0
        for x in prompt { cycles += try counters(try slow.step(x)).cycles }
        return (BlockCounters(sum: runs), cycles)
    }

    static func counters(_ step: BuildSession.Step) throws -> BlockCounters {
        guard let r = step.run.detail as? CoSimulationReport else { throw BenchError("the engine gave no co-simulation report") }
        return BlockCounters(r)
    }
}

extension BlockCounters {
    /// Several runs' counters added up.
    init(sum runs: [BlockCounters]) {
        self.init(cycles: runs.reduce(0) { $0 + $1.cycles }, busy: runs.reduce(into: [UInt64](repeating: 0, count: runs.first?.busy.count ?? 0)) { acc, r in
                      for k in acc.indices { acc[k] += r.busy[k] } },
                  memoryStall: runs.reduce(0) { $0 + $1.memoryStall }, weightBeats: runs.reduce(0) { $0 + $1.weightBeats },
                  issueStall: runs.reduce(0) { $0 + $1.issueStall }, instructions: runs.reduce(0) { $0 + $1.instructions },
                  simulatedCycles: runs.reduce(0) { $0 + $1.simulatedCycles }, seconds: runs.reduce(0) { $0 + $1.seconds })
    }
}
