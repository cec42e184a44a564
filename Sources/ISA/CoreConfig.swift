/// The parameters an accelerator core and its instruction set share.
///
/// The interpreter, the assembler and (later) the RTL generator all take the
/// same `CoreConfig`, so a program, its golden results and the hardware agree
/// on the vector length, the register files and the element format.
public struct CoreConfig: Sendable, Equatable, Codable {
    /// Number of vector registers (1...16; the register fields are 4 bits wide).
    public var vectorRegisters: Int
    /// Number of scalar registers (1...16).
    public var scalarRegisters: Int
    /// Largest vector length `setvl` accepts, and the number of 32-bit
    /// elements in each vector register. Must be at least 1.
    public var maxVectorLength: Int
    /// Fractional bits `F` of the element format Q(31-F).F (8...24).
    public var fracBits: Int
    /// Streams `B` (1...16): every stream has its own vector and scalar
    /// registers, and each instruction runs for all of them in stream order,
    /// a `tmatmul` reading each weight once for all B (ISA.md, "Streams").
    public var streams: Int

    public init(vectorRegisters: Int = 16, scalarRegisters: Int = 16,
                maxVectorLength: Int = 8192, fracBits: Int = 16, streams: Int = 1) {
        self.vectorRegisters = vectorRegisters
        self.scalarRegisters = scalarRegisters
        self.maxVectorLength = maxVectorLength
        self.fracBits = fracBits
        self.streams = streams
    }

    private enum CodingKeys: String, CodingKey { case vectorRegisters, scalarRegisters, maxVectorLength, fracBits, streams }

    /// Reads builds written before streams existed as one stream.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(vectorRegisters: try c.decode(Int.self, forKey: .vectorRegisters),
                  scalarRegisters: try c.decode(Int.self, forKey: .scalarRegisters),
                  maxVectorLength: try c.decode(Int.self, forKey: .maxVectorLength),
                  fracBits: try c.decode(Int.self, forKey: .fracBits),
                  streams: try c.decodeIfPresent(Int.self, forKey: .streams) ?? 1)
    }

    /// The shipped default: 16 vector registers of 8192 elements, 16 scalar
    /// registers, Q15.16 elements. 8192 covers the largest published
    /// intermediate size (I = 6912).
    public static let standard = CoreConfig()

    /// Limits the encoding and the numeric contract can express.
    public static let fracBitsRange = 8...24
    public static let maxRegisters = 16
    /// Largest `maxVectorLength`: keeps every accumulator in its stated width
    /// (a ternary dot product of 65536 int8 values fits in 24 bits).
    public static let vectorLengthLimit = 65536
    /// Most streams a core runs side by side (the image header's byte).
    public static let streamLimit = 16

    /// Problems with this configuration, empty when it is usable.
    public var problems: [String] {
        var p: [String] = []
        if !(1...Self.maxRegisters).contains(vectorRegisters) {
            p.append("vector registers must be 1...\(Self.maxRegisters), got \(vectorRegisters)")
        }
        if !(1...Self.maxRegisters).contains(scalarRegisters) {
            p.append("scalar registers must be 1...\(Self.maxRegisters), got \(scalarRegisters)")
        }
        if !(1...Self.vectorLengthLimit).contains(maxVectorLength) {
            p.append("max vector length must be 1...\(Self.vectorLengthLimit), got \(maxVectorLength)")
        }
        if !Self.fracBitsRange.contains(fracBits) {
            p.append("fraction bits must be \(Self.fracBitsRange.lowerBound)...\(Self.fracBitsRange.upperBound), got \(fracBits)")
        }
        if !(1...Self.streamLimit).contains(streams) {
            p.append("streams must be 1...\(Self.streamLimit), got \(streams)")
        }
        return p
    }

    /// 1.0 in the element format.
    public var one: Int32 { Int32(1) << Int32(fracBits) }
    /// Name of the element format, e.g. "Q15.16".
    public var formatName: String { "Q\(31 - fracBits).\(fracBits)" }
}
