import ArgumentParser
import Core
import ISA

extension CorePreset: ExpressibleByArgument {}

/// The one way commands take a core's parameters: a named preset
/// (`CorePreset`) and overrides, checked once by `CoreParameters.problems`.
/// `trit rtl`, `cosim`, `sim-card` and `compile` share it.
struct CoreOptions: ParsableArguments {
    @Option(help: "Core preset: \(CorePreset.allCases.map(\.rawValue).joined(separator: ", ")) (generated/presets.md); default: the command's.")
    var preset: CorePreset?

    @Option(help: "Memory beat width in bits (128 ... 1024; default: the preset's); each bank keeps its size and its longest burst's bytes (the beat address width and burst count follow; bursts of at most 64 beats).")
    var dataBits: Int?

    @Option(help: "Memory banks (1, 2 or 4; default: the preset's).")
    var banks: Int?

    @Option(help: "Maximum vector length (default: the preset's); smaller builds faster.")
    var maxVectorLength: Int?

    @Option(help: "Fraction bits of the element format (default: the preset's).")
    var fracBits: Int?

    @Option(help: "Streams B that share each weight pass (1...\(CoreConfig.streamLimit); default: the preset's): B users' decode steps, or B tokens of a prompt per run.")
    var batch: Int?

    /// `preset` (or `fallback`) with the overrides; every problem is one error.
    func parameters(default fallback: CorePreset) throws -> CoreParameters {
        var p = (preset ?? fallback).parameters
        if let dataBits {
            // The same bytes per bank, and per longest burst (the D5005
            // preset's 4 KiB), in beats of the new width.
            if dataBits > 0 && dataBits & (dataBits - 1) == 0 {
                let shift = p.dataBits.trailingZeroBitCount - dataBits.trailingZeroBitCount
                p.addressBits += shift
                p.maxBurst = Swift.min(64, Swift.max(1, shift >= 0 ? p.maxBurst << shift : p.maxBurst >> -shift))
            }
            p.dataBits = dataBits
        }
        if let banks { p.banks = banks }
        if let maxVectorLength { p.isa.maxVectorLength = maxVectorLength }
        if let fracBits { p.isa.fracBits = fracBits }
        if let batch { p.isa.streams = batch }
        let problems = p.problems
        guard problems.isEmpty else {
            throw ValidationError("invalid core parameters:\n" + problems.map { "  - \($0)" }.joined(separator: "\n"))
        }
        return p
    }

    /// For commands that target only the instruction set (a build runs on any
    /// core with its format and vector length): the memory options are refused.
    func instructionSet(default fallback: CorePreset) throws -> CoreConfig {
        if dataBits != nil || banks != nil {
            throw ValidationError("--data-bits and --banks describe a core's memory, not the instruction set a build targets")
        }
        // A build's streams are the user's choice (--batch), not the preset's lanes.
        var isa = try parameters(default: fallback).isa
        isa.streams = batch ?? 1
        return isa
    }
}
