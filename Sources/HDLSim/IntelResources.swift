/// What one run of the Intel ALM flow used, in the units a Stratix 10
/// (and Cyclone 10 GX) device is counted in.
public struct IntelResources: Codable, Sendable, Equatable {
    /// 6-input LUTs, LUTs of 5 inputs or fewer, and adder bits (`MISTRAL_ALUT_ARITH`).
    public var lut6 = 0
    public var smallLUTs = 0
    public var adderBits = 0
    /// MLAB bit cells (`MISTRAL_MLAB`: 32 words x 1 bit; 20 make one MLAB).
    public var mlabBitCells = 0
    public var flipFlops = 0
    /// M20K blocks (each `altsyncram` the M20K map writes is one block).
    public var m20k = 0
    /// DSP blocks: a 27 x 27 multiplier takes one, an 18 x 18 (or 9 x 9) half of one.
    public var dsps = 0

    public init() {}

    /// Counts the cells of `stat`'s table; other types (black boxes, the
    /// constant drivers) are not resources.
    public init(cellTypes: [String: Int]) {
        var halfDSPs = 0
        for (type, n) in cellTypes {
            switch type {
            case "MISTRAL_ALUT6": lut6 += n
            case "MISTRAL_ALUT5", "MISTRAL_ALUT4", "MISTRAL_ALUT3", "MISTRAL_ALUT2", "MISTRAL_NOT": smallLUTs += n
            case "MISTRAL_ALUT_ARITH": adderBits += n
            case "MISTRAL_MLAB": mlabBitCells += n
            case "MISTRAL_FF": flipFlops += n
            case "altsyncram", "MISTRAL_M10K", "MISTRAL_M20K": m20k += n
            case "MISTRAL_MUL27X27": dsps += n
            case "MISTRAL_MUL18X18", "MISTRAL_MUL9X9": halfDSPs += n
            default: break
            }
        }
        dsps += (halfDSPs + 1) / 2
    }

    /// MLABs: 20 bit cells each (an MLAB is a LAB of 10 ALMs used as 32 x 20 bits).
    public var mlabs: Int { (mlabBitCells + 19) / 20 }

    /// An estimate of ALMs. An ALM holds one 6-input LUT or two smaller
    /// LUTs (sharing inputs), two adder bits, and four registers; an MLAB
    /// takes its LAB's 10 ALMs. Packing is Quartus's job (two small LUTs
    /// fit one ALM only when their inputs allow it), so this is a figure for
    /// planning, not a fit: 6-LUTs + ceil(small LUTs / 2) + ceil(adder bits
    /// / 2) + 10 per MLAB, and at least ceil(registers / 4).
    public var alms: Int {
        let logic = lut6 + (smallLUTs + 1) / 2 + (adderBits + 1) / 2 + 10 * mlabs
        return max(logic, (flipFlops + 3) / 4)
    }

    /// `n` copies of the same logic (a module synthesized once, instantiated `n` times).
    public static func * (a: IntelResources, n: Int) -> IntelResources {
        var r = a
        for field in [\IntelResources.lut6, \.smallLUTs, \.adderBits, \.mlabBitCells, \.flipFlops, \.m20k, \.dsps] {
            r[keyPath: field] *= n
        }
        return r
    }

    public static func + (a: IntelResources, b: IntelResources) -> IntelResources {
        var r = a
        r.lut6 += b.lut6
        r.smallLUTs += b.smallLUTs
        r.adderBits += b.adderBits
        r.mlabBitCells += b.mlabBitCells
        r.flipFlops += b.flipFlops
        r.m20k += b.m20k
        r.dsps += b.dsps
        return r
    }
}
