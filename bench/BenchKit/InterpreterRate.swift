import Foundation
import ISA
import Interpreter

/// The interpreter running the seven ternary products of one block.
public struct InterpreterMeasurement: Sendable {
    public var packing: WeightPacking
    public var secondsPerBlock: Double
    public var trits: Int
    public var tritsPerSecond: Double { secondsPerBlock > 0 ? Double(trits) / secondsPerBlock : 0 }
}

enum InterpreterRate {
    /// The products of a block in program order: i, f, g, o (d x d), gate and up (I x d), down (d x I).
    static func shapes(d: Int, intermediate i: Int) -> [(rows: Int, cols: Int)] {
        [(d, d), (d, d), (d, d), (d, d), (i, d), (i, d), (d, i)]
    }

    /// Seven distinct random matrices (weights stream from memory, as on the
    /// core) and one quantized activation vector. Only the products are
    /// timed: up to `repeats` blocks per batch (fewer when a block is slow,
    /// about 2 s a batch), best batch of 3, after one untimed block.
    static func measure(d: Int, intermediate: Int, packing: WeightPacking, repeats: Int) throws -> InterpreterMeasurement {
        let shapes = shapes(d: d, intermediate: intermediate)
        let longest = max(d, intermediate)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        var vector: [UInt8] = []
        for _ in 0..<longest {
            let v = UInt32(bitPattern: Int32(Int(next() % 131_072)) - 65_536)
            for k in 0..<4 { vector.append(UInt8(truncatingIfNeeded: v >> UInt32(8 * k))) }
        }
        var sections = [ProgramImage.DataSection(address: 0, bytes: vector)]
        var address = align(vector.count)
        var matrices: [UInt32] = []
        for (rows, cols) in shapes {
            let trits = (0..<(rows * cols)).map { _ in Int8(Int(next() % 3) - 1) }
            let bytes = TernaryMatrix.pack(rows: rows, cols: cols, weightScale: 1 << 14, trits: trits, packing: packing)
            sections.append(.init(address: UInt32(address), bytes: bytes))
            matrices.append(UInt32(address))
            address = align(address + bytes.count)
        }
        let products = matrices.map { Instruction(.tmatmul, rd: 2, ra: 1, rb: 0, mode: packing.rawValue, imm: $0) }
        let setup = [Instruction(.setvl, imm: UInt32(longest)), Instruction(.ldv, rd: 0, imm: 0),
                     Instruction(.absmax, rd: 0, ra: 0), Instruction(.quant, rd: 1, ra: 0, rb: 0)]
        let image = ProgramImage(memorySize: UInt32(address), code: (setup + products + [Instruction(.halt)]).map(\.word),
                                 data: sections)
        let machine = try Machine(image: image)
        func block() throws -> Double {
            machine.restart()
            _ = machine.run(maxSteps: setup.count)
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = machine.run(maxSteps: products.count)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            if case .faulted(let f) = machine.status { throw BenchError("the interpreter faulted: \(f)") }
            return seconds
        }
        let first = try block()
        let perBatch = max(1, min(repeats, Int(2 / max(first, 1e-6))))
        var best = Double.infinity
        for _ in 0..<3 {
            var total = 0.0
            for _ in 0..<perBatch { total += try block() }
            best = min(best, total / Double(perBatch))
        }
        return InterpreterMeasurement(packing: packing, secondsPerBlock: best, trits: shapes.reduce(0) { $0 + $1.rows * $1.cols })
    }

    static func align(_ n: Int) -> Int { (n + TernaryMatrix.alignment - 1) / TernaryMatrix.alignment * TernaryMatrix.alignment }
}
