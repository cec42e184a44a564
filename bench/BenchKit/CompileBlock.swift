import Compiler
import ISA
import Model

/// The one place the benchmark asks the compiler for a block in a given
/// weight packing.
func compileBlock(_ weights: WeightSource, target: CoreConfig, packing: WeightPacking) throws -> Build? {
    try ModelCompiler.compile(weights, layers: 0...0, head: false, target: target, packing: packing)
}

extension WeightPacking {
    /// How the report names a packing.
    var label: String { self == .twoBit ? "2-bit" : "base-3 (1.6-bit)" }
    /// Trits per byte of weight memory.
    var tritsPerByte: Double { self == .twoBit ? 4 : 5 }
}
