import ArgumentParser
import Foundation
import ISA
import Interpreter

/// `trit bench-interp`: the interpreter's ternary product rate.
struct BenchInterpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-interp",
        abstract: "Measure the interpreter's tmatmul rate (trit-operations per second, one core).")

    @Option(help: "Matrix rows.") var rows: Int = 2048
    @Option(help: "Matrix columns.") var cols: Int = 2048
    @Option(help: "Number of timed tmatmul instructions.") var reps: Int = 200
    @Option(help: "Random seed for the matrix and vector.") var seed: UInt64 = 1
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        guard (1...CoreConfig.standard.maxVectorLength).contains(rows),
              (1...CoreConfig.standard.maxVectorLength).contains(cols) else {
            throw ValidationError("rows and cols must be 1...\(CoreConfig.standard.maxVectorLength)")
        }
        guard reps >= 1 && reps <= 1_000_000 else { throw ValidationError("--reps must be 1...1000000") }
        var state = seed | 1
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        let trits = (0..<(rows * cols)).map { _ in Int8(Int(next() % 3) - 1) }
        let matrix = TernaryMatrix.pack(rows: rows, cols: cols, weightScale: 1 << 14, trits: trits)
        var vec: [UInt8] = []
        for _ in 0..<cols {
            let v = UInt32(bitPattern: Int32(Int(next() % 131072)) - 65536)
            for k in 0..<4 { vec.append(UInt8(truncatingIfNeeded: v >> UInt32(8 * k))) }
        }
        let vecAddr: UInt32 = 0
        let matAddr = UInt32((vec.count + 63) / 64 * 64)
        let code: [Instruction] = [
            Instruction(.setvl, imm: UInt32(cols)),
            Instruction(.ldv, rd: 0, imm: vecAddr),
            Instruction(.absmax, rd: 0, ra: 0),
            Instruction(.quant, rd: 1, ra: 0, rb: 0),
        ] + Array(repeating: Instruction(.tmatmul, rd: 2, ra: 1, rb: 0, imm: matAddr), count: reps)
          + [Instruction(.halt)]
        let img = ProgramImage(memorySize: matAddr + UInt32(matrix.count), code: code.map(\.word),
                               data: [.init(address: vecAddr, bytes: vec), .init(address: matAddr, bytes: matrix)])
        let m = try Machine(image: img)
        m.run(maxSteps: 5)           // setup and one untimed tmatmul (warm-up)
        let t0 = DispatchTime.now().uptimeNanoseconds
        m.run(maxSteps: reps - 1)
        let ns = Double(DispatchTime.now().uptimeNanoseconds - t0)
        let timed = max(reps - 1, 1)
        let secondsPer = reps > 1 ? ns / 1e9 / Double(timed) : 0
        let rate = secondsPer > 0 ? Double(rows * cols) / secondsPer : 0
        if json {
            print("{\"rows\": \(rows), \"cols\": \(cols), \"reps\": \(timed), \"seconds_per_matvec\": \(secondsPer), \"trit_ops_per_second\": \(rate)}")
        } else {
            print("tmatmul \(rows) x \(cols): \(String(format: "%.3f", secondsPer * 1e3)) ms per product, \(String(format: "%.3e", rate)) trit-ops/s (\(timed) timed)")
        }
    }
}
