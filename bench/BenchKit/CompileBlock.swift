import Compiler
import ISA
import Model

/// The one place the benchmark asks the compiler for a block in a given
/// weight packing. The compiler does not take a packing yet, so only 2-bit
/// builds exist; nil means "not available", and the report says so.
func compileBlock(_ weights: WeightSource, target: CoreConfig, packing: WeightPacking) throws -> Build? {
    guard packing == .twoBit else { return nil }
    return try ModelCompiler.compile(weights, layers: 0...0, head: false, target: target)
}

extension WeightPacking {
    /// How the report names a packing.
    var label: String { self == .twoBit ? "2-bit" : "base-3 (1.6-bit)" }
    /// Trits per byte of weight memory.
    var tritsPerByte: Double { self == .twoBit ? 4 : 5 }
}
