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
    /// Seven distinct random matrices (weights stream from memory, as on the
    /// core) and their quantized activations (`InterpreterWorkload.block`).
    /// Only the products are timed: up to `repeats` blocks per batch (fewer
    /// when a block is slow, about 2 s a batch), best batch of 3, after one
    /// untimed block.
    static func measure(d: Int, intermediate: Int, packing: WeightPacking, repeats: Int) throws -> InterpreterMeasurement {
        let w = InterpreterWorkload.block(d: d, intermediate: intermediate, packing: packing, rounds: 1, seed: 0x9E37_79B9_7F4A_7C15)
        let machine = try Machine(image: w.image)
        func block() throws -> Double {
            machine.restart()
            _ = machine.run(maxSteps: w.setup)
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = machine.run(maxSteps: w.products)
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
        return InterpreterMeasurement(packing: packing, secondsPerBlock: best, trits: w.trits)
    }
}
