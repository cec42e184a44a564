/// A clock estimate from a path's logic depth: an estimate, not timing
/// analysis (no placement, routing or fan-out). Where the numbers come from:
///
/// - carry hop, register overhead and DSP: Yosys's Cyclone 10 GX timing
///   model, the `specify` blocks of `techlibs/intel_alm/common/*_sim.v`
///   (Yosys 0.23): `MISTRAL_ALUT_ARITH` CI -> CO 16 ps; `MISTRAL_FF`
///   clock-to-Q 219 ps plus setup 268 ps; `MISTRAL_MUL27X27` 3.9 ns (Yosys
///   notes these DSP numbers are Cyclone V's, carried over; pessimistic for
///   a Stratix 10 DSP whose registers Quartus packs into the block).
/// - per LUT level: the same model gives 53 to 275 ps of cell delay per
///   LUT input and nothing for routing, which dominates in an FPGA. VTR's
///   Stratix-10-like architecture (`vtr_flow/arch/COFFE_22nm/stratix10_arch.xml`,
///   COFFE's 20 nm delays) puts a level at 0.29 ns inside a LAB and 0.67 ns
///   when its net takes one length-4 wire to another LAB (LUT, output mux,
///   wire driver, connection block, local crossbar); 0.6 ns is near the
///   second. Not an Intel datasheet figure (docs/silicon.md).
public enum TimingEstimate {
    public static let nanosecondsPerLevel = 0.6
    public static let nanosecondsPerCarryHop = 0.016
    public static let registerOverheadNanoseconds = 0.219 + 0.268
    public static let nanosecondsPerDSP = 3.9

    /// The path's delay in nanoseconds.
    public static func nanoseconds(_ p: LogicPath) -> Double {
        registerOverheadNanoseconds + Double(p.lutLevels) * nanosecondsPerLevel
            + Double(p.carryHops) * nanosecondsPerCarryHop + Double(p.dsps) * nanosecondsPerDSP
    }

    /// The clock the path allows, in MHz.
    public static func megahertz(_ p: LogicPath) -> Double { 1000 / nanoseconds(p) }

    /// LUT levels a path without adders or DSPs may have at `mhz`.
    public static func levels(at mhz: Double) -> Int {
        Int(((1000 / mhz - registerOverheadNanoseconds) / nanosecondsPerLevel).rounded(.down))
    }

    /// The slower of `paths` (ltp finds the path with the most cells, which
    /// is not always the slowest; the flow asks for two, see `IntelFlow`).
    public static func slowest(_ paths: [LogicPath]) -> LogicPath? {
        paths.max { nanoseconds($0) < nanoseconds($1) }
    }
}
