import ArgumentParser
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
    @Option(help: "Random seed for the matrices and vectors.") var seed: UInt64 = 1
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        try exitOnError { try block ? benchBlock() : benchMatrix() }
    }

    /// A random source (xorshift) for trits and activations.
    struct Source {
        var state: UInt64
        mutating func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        mutating func matrix(_ rows: Int, _ cols: Int, _ p: WeightPacking) -> [UInt8] {
            let trits = (0..<(rows * cols)).map { _ in Int8(Int(next() % 3) - 1) }
            return TernaryMatrix.pack(rows: rows, cols: cols, weightScale: 1 << 14, trits: trits, packing: p)
        }
        /// `n` Q.F elements in [-1, 1), little-endian.
        mutating func vector(_ n: Int) -> [UInt8] {
            (0..<n).flatMap { _ -> [UInt8] in
                let v = UInt32(bitPattern: Int32(Int(next() % 131072)) - 65536)
                return (0..<4).map { UInt8(truncatingIfNeeded: v >> UInt32(8 * $0)) }
            }
        }
    }

    /// Data sections placed one after another, matrices 256-byte aligned.
    struct Layout {
        var sections: [ProgramImage.DataSection] = []
        var end = 0
        mutating func put(_ bytes: [UInt8]) -> UInt32 {
            let a = (end + TernaryMatrix.alignment - 1) / TernaryMatrix.alignment * TernaryMatrix.alignment
            sections.append(.init(address: UInt32(a), bytes: bytes))
            end = a + bytes.count
            return UInt32(a)
        }
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
        var src = Source(state: seed | 1)
        let p = packing.packing
        var layout = Layout()
        let vecAddr = layout.put(src.vector(cols))
        let matAddr = layout.put(src.matrix(rows, cols, p))
        let code: [Instruction] = [
            Instruction(.setvl, imm: UInt32(cols)),
            Instruction(.ldv, rd: 0, imm: vecAddr),
            Instruction(.absmax, rd: 0, ra: 0),
            Instruction(.quant, rd: 1, ra: 0, rb: 0),
        ] + Array(repeating: Instruction(.tmatmul, rd: 2, ra: 1, rb: 0, mode: p.rawValue, imm: matAddr), count: reps)
          + [Instruction(.halt)]
        let img = ProgramImage(memorySize: UInt32(layout.end), code: code.map(\.word), data: layout.sections)
        let m = try Machine(image: img)
        m.run(maxSteps: 5)           // setup and one untimed tmatmul (warm-up)
        let t0 = DispatchTime.now().uptimeNanoseconds
        m.run(maxSteps: reps - 1)
        let ns = Double(DispatchTime.now().uptimeNanoseconds - t0)
        let timed = max(reps - 1, 1)
        let secondsPer = reps > 1 ? ns / 1e9 / Double(timed) : 0
        let rate = secondsPer > 0 ? Double(rows * cols) / secondsPer : 0
        if json {
            print("{\"rows\": \(rows), \"cols\": \(cols), \"packing\": \"\(packing.rawValue)\", \"reps\": \(timed), \"seconds_per_matvec\": \(secondsPer), \"trit_ops_per_second\": \(rate)}")
        } else {
            print("tmatmul\(p.mnemonicSuffix) \(rows) x \(cols): \(String(format: "%.3f", secondsPer * 1e3)) ms per product, \(String(format: "%.3e", rate)) trit-ops/s (\(timed) timed)")
        }
    }

    func benchBlock() throws {
        try checkLength(hidden, "--hidden"); try checkLength(intermediate, "--intermediate")
        guard rounds >= 1 && rounds <= 10_000 else { throw ValidationError("--rounds must be 1...10000") }
        let d = hidden, n = intermediate
        var src = Source(state: seed | 1)
        let p = packing.packing
        var layout = Layout()
        // Inputs: i, f, g, o and the shared gate/up input have d elements, down's has I.
        let inputs = (0..<5).map { _ in layout.put(src.vector(d)) }
        let downInput = layout.put(src.vector(n))
        let shapes = [(d, d), (d, d), (d, d), (d, d), (n, d), (n, d), (d, n)]
        let matrices = shapes.map { layout.put(src.matrix($0.0, $0.1, p)) }
        var setup: [Instruction] = [Instruction(.setvl, imm: UInt32(d))]
        for (k, a) in inputs.enumerated() {
            let r = UInt8(1 + k)
            setup += [Instruction(.ldv, rd: r, imm: a), Instruction(.absmax, rd: r, ra: r), Instruction(.quant, rd: r, ra: r, rb: r)]
        }
        setup += [Instruction(.setvl, imm: UInt32(n)), Instruction(.ldv, rd: 6, imm: downInput),
                  Instruction(.absmax, rd: 6, ra: 6), Instruction(.quant, rd: 6, ra: 6, rb: 6)]
        // Source register of each product: i, f, g, o, then gate and up share v5, down reads v6.
        let sources: [UInt8] = [1, 2, 3, 4, 5, 5, 6]
        let products = zip(sources, matrices).enumerated().map { k, sm in
            Instruction(.tmatmul, rd: UInt8(7 + k), ra: sm.0, rb: sm.0, mode: p.rawValue, imm: sm.1)
        }
        let blocks = rounds + 1
        let code = setup + Array((0..<blocks).map { _ in products }.joined()) + [Instruction(.halt)]
        let img = ProgramImage(memorySize: UInt32(layout.end), code: code.map(\.word), data: layout.sections)
        let m = try Machine(image: img)
        m.run(maxSteps: setup.count + products.count)     // setup and one untimed block (warm-up)
        // Wall time, and this thread's CPU time (what the block costs on a machine shared with other work).
        var times: [Double] = [], cpu: [Double] = []
        for _ in 0..<rounds {
            let t0 = DispatchTime.now().uptimeNanoseconds, c0 = Self.threadCPUSeconds()
            m.run(maxSteps: products.count)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            cpu.append(Self.threadCPUSeconds() - c0)
        }
        guard m.status == .running else { throw ValidationError("the benchmark program stopped: \(m.status)") }
        let best = times.min()!, mean = times.reduce(0, +) / Double(times.count), bestCPU = cpu.min()!
        let trits = shapes.reduce(0) { $0 + $1.0 * $1.1 }
        let rate = Double(trits) / best
        if json {
            print("{\"hidden\": \(d), \"intermediate\": \(n), \"packing\": \"\(packing.rawValue)\", \"rounds\": \(rounds), "
                  + "\"seconds_per_block\": \(best), \"mean_seconds_per_block\": \(mean), \"cpu_seconds_per_block\": \(bestCPU), "
                  + "\"trit_ops_per_second\": \(rate)}")
        } else {
            print("d = \(d), I = \(n) block, \(packing.rawValue) weights (7 tmatmul\(p.mnemonicSuffix), \(trits) trits): "
                  + String(format: "%.3f ms per block (best of %d, mean %.3f ms; thread CPU time %.3f ms), %.3e trit-ops/s",
                           best * 1e3, rounds, mean * 1e3, bestCPU * 1e3, rate))
        }
    }
}
