import Compiler
import ISA
import Interpreter
import Model
import TestSupport

/// Small random models with every tensor of `TensorNames.required`.
enum RandomModel {
    static func weights(d: Int, intermediate: Int, layers: Int, vocab: Int, useLowerBound: Bool = true,
                        seed: UInt64) -> InMemoryWeights {
        var rng = SplitMix64(seed: seed)
        let c = ModelConfig(hiddenSize: d, intermediateSize: intermediate, layers: layers, vocabSize: vocab,
                            useLowerBound: useLowerBound)
        var tensors: [String: (shape: [Int], values: [Float])] = [:]
        for (name, shape) in TensorNames.required(c) {
            let n = shape.reduce(1, *)
            let values: [Float]
            if name.hasSuffix("norm.weight") {
                values = (0..<n).map { _ in Float(1 + 0.1 * rng.normal()) }
            } else if name == TensorNames.lowerBounds || name == TensorNames.embeddings {
                values = (0..<n).map { _ in Float(rng.normal()) }
            } else {
                values = (0..<n).map { _ in Float(0.05 * rng.normal()) }
            }
            tensors[name] = (shape, values)
        }
        return InMemoryWeights(config: c, tensors: tensors)
    }

    /// A standard-sized test target with a small max VL, for head chunking.
    static func target(maxVectorLength: Int = 8192) -> CoreConfig { CoreConfig(maxVectorLength: maxVectorLength) }
}

/// Runs a build on the interpreter, token after token, carrying memory (and so the states) between them.
struct TokenRunner {
    let build: Build
    var memory: [UInt8]

    init(_ build: Build) {
        self.build = build
        memory = build.memory
    }

    /// Writes `input` (Q.F) to the input region, runs to halt, returns the output region.
    mutating func step(_ input: [Int32]) throws -> [Int32] {
        let m = try Machine(image: build.image(withData: true), config: build.manifest.target)
        m.memory = memory
        let base = build.manifest.input.address
        for (k, v) in input.enumerated() {
            let u = UInt32(bitPattern: v)
            for b in 0..<4 { m.memory[base + 4 * k + b] = UInt8(truncatingIfNeeded: u >> UInt32(8 * b)) }
        }
        let status = m.run()
        guard status == .halted else { throw RunFailure(status: "\(status)") }
        memory = m.memory
        return words(build.manifest.output)
    }

    func words(_ r: BuildManifest.Region) -> [Int32] {
        (0..<r.count).map { k in
            let a = r.address + 4 * k
            return Int32(bitPattern: UInt32(memory[a]) | UInt32(memory[a + 1]) << 8 | UInt32(memory[a + 2]) << 16 | UInt32(memory[a + 3]) << 24)
        }
    }

    struct RunFailure: Error { var status: String }
}

/// Q.F words as Doubles and back.
func toDoubles(_ w: [Int32], f: Int = 16) -> [Double] { w.map { Double($0) / Double(1 << f) } }
func toFixed(_ x: [Double], f: Int = 16) -> [Int32] { x.map { Int32(($0 * Double(1 << f)).rounded()) } }

/// The trits of a packed matrix at `address`, decoded per the ISA's table
/// (nil for an illegal code or base-3 byte).
func unpackMatrix(_ memory: [UInt8], at address: Int, base3: Bool = false) -> (rows: Int, cols: Int, scale: Int32, trits: [Int8?]) {
    func u32(_ a: Int) -> UInt32 { (0..<4).reduce(UInt32(0)) { $0 | UInt32(memory[a + $1]) << UInt32(8 * $1) } }
    let rows = Int(u32(address)), cols = Int(u32(address + 4))
    let scale = Int32(bitPattern: u32(address + 8))
    // Written from ISA.md: groups of 64 rows, steps of k = 4 (2-bit) or 5
    // (base-3) columns, padded to a multiple of 8 steps.
    let k = base3 ? 5 : 4
    let steps = ((cols + k - 1) / k + 7) / 8 * 8
    var trits: [Int8?] = []
    for r in 0..<rows {
        for c in 0..<cols {
            let byte = memory[address + 256 + (r / 64) * steps * 64 + (c / k) * 64 + r % 64]
            if base3 {
                // d0 + 3 d1 + 9 d2 + 27 d3 + 81 d4, digit 1 for +1, 2 for -1; 243 and up illegal.
                var v = Int(byte)
                for _ in 0..<(c % k) { v /= 3 }
                trits.append(byte >= 243 ? nil : [0, 1, -1][v % 3])
                continue
            }
            switch (byte >> UInt8(2 * (c % 4))) & 3 {
            case 0: trits.append(0)
            case 1: trits.append(1)
            case 3: trits.append(-1)
            default: trits.append(nil)
            }
        }
    }
    return (rows, cols, scale, trits)
}
