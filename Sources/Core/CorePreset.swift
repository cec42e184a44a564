import ISA

/// The named cores, defined once: `trit rtl`, `cosim`, `sim-card` and
/// `compile` take them by name (`--preset`), the shells build with them,
/// and generated/presets.md is generated from them (`make rtl`).
public enum CorePreset: String, CaseIterable, Sendable {
    case d5005
    case generic

    public var parameters: CoreParameters {
        switch self {
        case .d5005:
            // 1024-bit beats on one 512-bit DDR4 bank, through the shell's
            // width adapter: the bank's full rate (19.2 GB/s) at a core clock
            // of 150 MHz, where 512-bit beats need the DDR user clock, 300 MHz
            // (docs/shells.md, docs/silicon.md). The bank keeps its 8 GiB
            // (2^26 beats) and its longest burst, 4 KiB (32 beats).
            // Four streams: the register file's memories grow with the streams
            // (16 x 8192 x 32 bits per stream, read by seven ports), and at
            // max VL 8192 four streams take about half the device's M20Ks
            // (docs/core.md, "Streams"); a one-stream build runs on them too.
            var p = CoreParameters.d5005
            p.dataBits = 1024
            p.addressBits = 26
            p.maxBurst = 32
            p.isa.streams = 4
            return p
        case .generic: return .generic
        }
    }

    /// What the preset is for, in a sentence.
    public var purpose: String {
        switch self {
        case .d5005: return "Intel FPGA PAC D5005: 1024-bit beats on a 512-bit DDR4 bank through the OFS PIM (its full rate at 150 MHz), four streams"
        case .generic: return "any FPGA flow with a 256-bit memory port"
        }
    }

    /// generated/presets.md: every preset's parameters and the widths derived from them.
    public static var markdown: String {
        let all = allCases.map { ($0, $0.parameters) }
        func row(_ name: String, _ value: (CoreParameters) -> String) -> String {
            "| \(name) | " + all.map { value($0.1) }.joined(separator: " | ") + " |"
        }
        return ([
            "# Core presets",
            "",
            "Generated from `CorePreset` (Sources/Core/CorePreset.swift) by `make rtl`; a test fails when it is stale.",
            "Every command that builds or targets a core takes `--preset NAME` and overrides with `--data-bits`,",
            "`--banks`, `--max-vector-length`, `--frac-bits` and `--batch`; `CoreParameters.problems` checks the result.",
            "",
            "| | " + all.map { "`\($0.0.rawValue)`" }.joined(separator: " | ") + " |",
            "|---|" + all.map { _ in "---|" }.joined(),
            "| for | " + all.map { $0.0.purpose }.joined(separator: " | ") + " |",
            row("memory beat (`--data-bits`)") { "\($0.dataBits) bits" },
            row("banks (`--banks`)") { "\($0.banks)" },
            row("bank address") { "\($0.addressBits) bits (beats)" },
            row("longest burst") { "\($0.maxBurst) beats" },
            row("outstanding read beats per bank") { "\($0.outstandingBeats)" },
            row("weight buffer") { "\($0.weightBufferBeats) wide beats" },
            row("weight stream window") { "\($0.streamWindowBeats) wide beats" },
            row("max vector length (`--max-vector-length`)") { "\($0.isa.maxVectorLength)" },
            row("element format (`--frac-bits`)") { $0.isa.formatName },
            row("vector and scalar registers") { "\($0.isa.vectorRegisters), \($0.isa.scalarRegisters)" },
            row("streams (`--batch`)") { "\($0.isa.streams)" },
            row("vector lanes (32-bit elements per cycle)") { "\($0.vectorLanes)" },
            row("ternary weights per cycle (2-bit packing)") { "\($0.tritsPerCycle)" },
        ] + [""]).joined(separator: "\n")
    }
}
