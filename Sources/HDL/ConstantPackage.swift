/// A set of named constants that the generated hardware is built from, to be
/// emitted as a SystemVerilog package so hand-written parts of a design
/// (test harnesses, board shells) share the generator's numbers instead of
/// copying them.
public struct ConstantPackage {
    public struct Constant {
        public let name: String
        /// A bit pattern of a stated width, or nil for a plain integer.
        public let bits: BitVector?
        public let integer: Int
        public let comment: String
    }

    public let name: String
    public let summary: String
    public private(set) var constants: [Constant] = []

    public init(name: String, summary: String) {
        self.name = name
        self.summary = summary
    }

    /// A bit pattern of `width` bits (an opcode, a code), two's complement when negative.
    public mutating func add(_ name: String, width: Int, _ value: Int, _ comment: String = "") {
        constants.append(Constant(name: name, bits: BitVector(width: width, value: value), integer: value, comment: comment))
    }

    /// A plain integer (a size, a bit position).
    public mutating func add(_ name: String, _ value: Int, _ comment: String = "") {
        constants.append(Constant(name: name, bits: nil, integer: value, comment: comment))
    }
}
