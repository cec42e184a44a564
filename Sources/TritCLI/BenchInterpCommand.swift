import TritJSON
import ArgumentParser
import BenchKit
import Foundation
import ISA
import Interpreter

/// `trit bench-interp`: the interpreter's ternary product rate, for one
/// matrix or for the seven products of one HGRN-Bit block.
struct BenchInterpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-interp",
        abstract: "Measure the interpreter's tmatmul rate (one core): one matrix, or with --block a whole block's seven products.",
        discussion: """
            --block times the products of one block as the compiler emits them: i, f, g, o (d x d), \
            gate and up (I x d, one shared input) and down (d x I), each with its own quantized input, \
            and reports the best of --rounds blocks. bench/numpy_matvec.py measures NumPy's float32 \
            W @ x over the same shapes.
            """)

    @Option(help: "Matrix rows.") var rows: Int = 2048
    @Option(help: "Matrix columns.") var cols: Int = 2048
    @Option(help: "Number of timed tmatmul instructions.") var reps: Int = 200
    @Flag(help: "Time a whole block's products instead of one matrix.") var block = false
    @Option(help: "Block width d (with --block).") var hidden: Int = 2048
    @Option(help: "Block intermediate size I (with --block).") var intermediate: Int = 5632
    @Option(help: "Timed blocks (with --block); the best is reported.") var rounds: Int = 7
    @Option(help: PackingChoice.help) var packing: PackingChoice = .twoBit
    @Option(help: "Streams (with --block): a batch of B tokens per block, timed per token.") var batch: Int = 1
    @Option(help: "Random seed for the matrices and vectors.") var seed: UInt64 = 1
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try exitOnError { try block ? benchBlock() : benchMatrix() }
    }

    static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    func checkLength(_ n: Int, _ what: String) throws {
        guard (1...CoreConfig.standard.maxVectorLength).contains(n) else {
            throw ValidationError("\(what) must be 1...\(CoreConfig.standard.maxVectorLength)")
        }
    }

    func benchMatrix() throws {
        try checkLength(rows, "--rows"); try checkLength(cols, "--cols")
        guard reps >= 1 && reps <= 1_000_000 else { throw ValidationError("--reps must be 1...1000000") }
        let p = packing.packing
        let w = InterpreterWorkload.matrix(rows: rows, cols: cols, packing: p, rounds: reps, seed: seed)
        let m = try Machine(image: w.image)
        m.run(maxSteps: w.setup + 1)  // setup and one untimed tmatmul (warm-up)
        let t0 = DispatchTime.now().uptimeNanoseconds
        m.run(maxSteps: reps - 1)
        let ns = Double(DispatchTime.now().uptimeNanoseconds - t0)
        let timed = max(reps - 1, 1)
        let secondsPer = reps > 1 ? ns / 1e9 / Double(timed) : 0
        let rate = secondsPer > 0 ? Double(rows * cols) / secondsPer : 0
        if json {
            print(JSON.object(["rows": .int(rows), "cols": .int(cols), "packing": .string(packing.rawValue), "reps": .int(timed),
                               "seconds_per_matvec": .double(secondsPer), "trit_ops_per_second": .double(rate)]).serialized)
        } else {
            print("tmatmul\(p.mnemonicSuffix) \(rows) x \(cols): \(String(format: "%.3f", secondsPer * 1e3)) ms per product, \(String(format: "%.3e", rate)) trit-ops/s (\(timed) timed)")
        }
    }

    func benchBlock() throws {
        try checkLength(hidden, "--hidden"); try checkLength(intermediate, "--intermediate")
        guard rounds >= 1 && rounds <= 10_000 else { throw ValidationError("--rounds must be 1...10000") }
        let d = hidden, n = intermediate
        let p = packing.packing
        guard (1...CoreConfig.streamLimit).contains(batch) else { throw ValidationError("--batch must be 1...\(CoreConfig.streamLimit)") }
        let w = InterpreterWorkload.block(d: d, intermediate: n, packing: p, rounds: rounds + 1, seed: seed, streams: batch)
        var config = CoreConfig.standard
        config.streams = batch
        let m = try Machine(image: w.image, config: config)
        m.run(maxSteps: w.setup + w.products)  // setup and one untimed block (warm-up)
        // Wall time, and this thread's CPU time (what the block costs on a machine shared with other work).
        var times: [Double] = [], cpu: [Double] = []
        for _ in 0..<rounds {
            let t0 = DispatchTime.now().uptimeNanoseconds, c0 = Self.threadCPUSeconds()
            m.run(maxSteps: w.products)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            cpu.append(Self.threadCPUSeconds() - c0)
        }
        guard m.status == .running else { throw ValidationError("the benchmark program stopped: \(m.status)") }
        let best = times.min()!, mean = times.reduce(0, +) / Double(times.count), bestCPU = cpu.min()!
        let trits = w.trits
        let rate = Double(trits * batch) / best
        if json {
            print(JSON.object(["hidden": .int(d), "intermediate": .int(n), "packing": .string(packing.rawValue), "rounds": .int(rounds),
                               "seconds_per_block": .double(best), "mean_seconds_per_block": .double(mean),
                               "cpu_seconds_per_block": .double(bestCPU), "trit_ops_per_second": .double(rate),
                               "streams": .int(batch), "seconds_per_token": .double(best / Double(batch))]).serialized)
        } else {
            print("d = \(d), I = \(n) block, \(packing.rawValue) weights (7 tmatmul\(p.mnemonicSuffix), \(trits) trits): "
                  + String(format: "%.3f ms per block (best of %d, mean %.3f ms; thread CPU time %.3f ms), %.3e trit-ops/s",
                           best * 1e3, rounds, mean * 1e3, bestCPU * 1e3, rate)
                  + (batch > 1 ? String(format: "; %d streams: %.3f ms per token", batch, best * 1e3 / Double(batch)) : ""))
        }
    }
}
