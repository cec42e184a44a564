/// The instruction set, described once as plain data.
///
/// Everything else is derived from the tables in this file: the encoder and
/// decoder, the assembler's operand grammar, the disassembler, the
/// interpreter's decoder, the reference (ISA.md, isa.json) and, later, the
/// SystemVerilog decoder package (fields, bit positions and opcodes are all
/// plain values here, with no Swift logic needed to read them).

/// A field of the 64-bit instruction word.
public struct BitField: Sendable, Codable, Equatable {
    public let name: String
    /// Least significant bit position (0 = LSB of the word).
    public let lsb: Int
    public let width: Int
    public let doc: String

    public var msb: Int { lsb + width - 1 }
    public var mask: UInt64 { (width == 64 ? UInt64.max : (UInt64(1) << UInt64(width)) - 1) << UInt64(lsb) }

    @inlinable public func extract(_ word: UInt64) -> UInt64 {
        (word >> UInt64(lsb)) & ((UInt64(1) << UInt64(width)) - 1)
    }
    @inlinable public func insert(_ value: UInt64, into word: UInt64) -> UInt64 {
        (word & ~mask) | ((value << UInt64(lsb)) & mask)
    }
}

/// Names of the instruction word's fields.
public enum FieldName: String, Sendable, Codable, CaseIterable {
    case op, rd, ra, rb, rc, mode, imm
}

/// The instruction word layout.
public enum Encoding {
    public static let wordBits = 64
    public static let wordBytes = 8
    public static let op = BitField(name: "op", lsb: 56, width: 8,
        doc: "Opcode. Unassigned values are illegal (0x00 is illegal, so zeroed memory traps).")
    public static let rd = BitField(name: "rd", lsb: 52, width: 4,
        doc: "Destination register (vector or scalar, by opcode). Zero when unused.")
    public static let ra = BitField(name: "ra", lsb: 48, width: 4,
        doc: "First source register. Zero when unused.")
    public static let rb = BitField(name: "rb", lsb: 44, width: 4,
        doc: "Second source register. Zero when unused.")
    public static let rc = BitField(name: "rc", lsb: 40, width: 4,
        doc: "Reserved for a third source register; must be zero.")
    public static let mode = BitField(name: "mode", lsb: 32, width: 8,
        doc: "Opcode modifier. tmatmul: weight packing (0 = 2 bits per trit, spelled `tmatmul`; 1 = 5 trits per byte, base 3, spelled `tmatmul\(WeightPacking.base3.mnemonicSuffix)`). ldv, sv, lds, sts: stream addressing (0 = every stream at addr; 1 = stream s at addr + s * SS, spelled with `\(StreamAddressing.perStream.mnemonicSuffix)`). Must be zero for every other opcode.")
    public static let imm = BitField(name: "imm", lsb: 0, width: 32,
        doc: "32-bit address or immediate (by operand kind). Zero when unused.")
    public static let fields: [BitField] = [op, rd, ra, rb, rc, mode, imm]

    public static func field(_ name: FieldName) -> BitField {
        switch name {
        case .op: return op
        case .rd: return rd
        case .ra: return ra
        case .rb: return rb
        case .rc: return rc
        case .mode: return mode
        case .imm: return imm
        }
    }
}

/// Weight packing modes of `tmatmul` (the `mode` field).
public enum WeightPacking: UInt8, Sendable, Codable, CaseIterable {
    /// 2 bits per trit, 256 trits per 64-byte beat.
    case twoBit = 0
    /// 5 trits per byte, base 3 (1.6 bits per trit), 320 trits per 64-byte beat.
    case base3 = 1
    public var supported: Bool { true }
    /// What `tmatmul` appends to its mnemonic for this packing: every legal
    /// word keeps exactly one spelling.
    public var mnemonicSuffix: String { self == .twoBit ? "" : ".b3" }
    public var name: String { self == .twoBit ? "2-bit" : "base-3" }
}

/// Stream addressing modes of the memory instructions (the `mode` field of
/// `ldv`, `sv`, `lds`, `sts`; ISA.md, "Streams").
public enum StreamAddressing: UInt8, Sendable, Codable, CaseIterable {
    /// Every stream accesses `addr` (shared data such as norm weights; a
    /// store writes stream by stream, so the last stream's value stays).
    case shared = 0
    /// Stream s accesses `addr + s * SS` (its own input, state and output).
    case perStream = 1
    public var mnemonicSuffix: String { self == .shared ? "" : ".s" }
}

/// What an operand means and how the assembler writes it.
public enum OperandKind: String, Sendable, Codable, CaseIterable {
    /// Vector register `v0`...`v15`.
    case vreg
    /// Scalar register `s0`...`s15`.
    case sreg
    /// Byte address in data memory (integer expression; labels allowed).
    case address
    /// Vector length, 1...maxVectorLength (integer expression).
    case length
    /// Signed fixed-point value in the element format (decimal with optional
    /// fraction and exponent; stored as the raw 32-bit Q.F pattern).
    case fixed
    /// Unsigned fixed-point value with 2F fractional bits (RMSNorm epsilon).
    case eps

    public var isRegister: Bool { self == .vreg || self == .sreg }
}

public struct OperandSpec: Sendable, Codable, Equatable {
    public let name: String
    public let kind: OperandKind
    public let field: FieldName
    public init(_ name: String, _ kind: OperandKind, _ field: FieldName) {
        self.name = name; self.kind = kind; self.field = field
    }
}

/// The functional unit an instruction issues to (for the core's scoreboard
/// and for documentation).
public enum FunctionalUnit: String, Sendable, Codable {
    case control, loadStore = "load-store", vector, lookup, reduction, ternary
}

/// What an instruction writes, as reported by its retirement record.
public enum DestinationKind: String, Sendable, Codable {
    case none, vector, scalar, memory, vectorLength = "vl"
}

/// All opcodes. Raw values are the `op` field.
public enum Opcode: UInt8, Sendable, Codable, CaseIterable {
    case halt = 0x01, nop = 0x02, setvl = 0x03, li = 0x04, setss = 0x05
    case ldv = 0x10, sv = 0x11, lds = 0x12, sts = 0x13
    case add = 0x20, sub = 0x21, mul = 0x22, div = 0x23, mac = 0x24, lba = 0x25, macp = 0x26
    case adds = 0x28, muls = 0x29, bcast = 0x2A, mv = 0x2B
    case exp = 0x30, sig = 0x31, csig = 0x32, silu = 0x33, rsqrt = 0x34
    case absmax = 0x38, quant = 0x39
    case tmatmul = 0x40, norm = 0x41

    public var spec: InstructionSpec { InstructionSet.specsByOpcode[Int(rawValue)]! }
    public var mnemonic: String { spec.mnemonic }
}

public struct InstructionSpec: Sendable, Codable, Equatable {
    public let mnemonic: String
    public let opcode: UInt8
    public let operands: [OperandSpec]
    public let unit: FunctionalUnit
    public let destination: DestinationKind
    /// One line.
    public let summary: String
    /// The exact integer semantics (Markdown), referring to Numeric's algorithms.
    public let semantics: String
    /// Faults this instruction can raise besides illegal encoding.
    public let faults: [String]
    /// True for the mnemonics of the original paper's core.
    public let fromPaper: Bool
    /// Mnemonic suffix for each value of the `mode` field (index = mode);
    /// empty when the instruction does not use `mode`. Every value below
    /// the count is legal.
    public let modeSuffixes: [String]

    /// The spelling of this instruction with `mode`, e.g. "tmatmul.b3".
    public func mnemonic(mode: UInt8) -> String {
        Int(mode) < modeSuffixes.count ? mnemonic + modeSuffixes[Int(mode)] : mnemonic
    }
    /// Every spelling with its mode value (one, mode 0, when `mode` is unused).
    public var spellings: [(mnemonic: String, mode: UInt8)] {
        modeSuffixes.isEmpty ? [(mnemonic, UInt8(0))]
            : modeSuffixes.enumerated().map { (mnemonic + $0.element, UInt8($0.offset)) }
    }

    /// The fields this instruction uses (others must be zero).
    public var usedFields: Set<FieldName> {
        var s: Set<FieldName> = [.op]
        for o in operands { s.insert(o.field) }
        if !modeSuffixes.isEmpty { s.insert(.mode) }
        return s
    }
    /// Assembly syntax, e.g. "tmatmul vd, va, sb, addr".
    public var syntax: String { syntax(mode: 0) }
    public func syntax(mode: UInt8) -> String {
        let m = mnemonic(mode: mode)
        return operands.isEmpty ? m : m + " " + operands.map(\.name).joined(separator: ", ")
    }
}

public enum InstructionSet {
    private static func v(_ n: String, _ f: FieldName) -> OperandSpec { OperandSpec(n, .vreg, f) }
    private static func s(_ n: String, _ f: FieldName) -> OperandSpec { OperandSpec(n, .sreg, f) }
    private static let addr = OperandSpec("addr", .address, .imm)

    private static func spec(_ op: Opcode, _ operands: [OperandSpec], _ unit: FunctionalUnit,
                             _ dest: DestinationKind, _ summary: String, _ semantics: String,
                             faults: [String] = [], paper: Bool = false, modes: [String] = []) -> InstructionSpec {
        InstructionSpec(mnemonic: String(describing: op), opcode: op.rawValue, operands: operands,
                        unit: unit, destination: dest, summary: summary, semantics: semantics,
                        faults: faults, fromPaper: paper, modeSuffixes: modes)
    }

    private static let ew = "for i in 0 ..< VL"
    private static let addressing = StreamAddressing.allCases.map(\.mnemonicSuffix)
    private static let streamAddress = " With `\(StreamAddressing.perStream.mnemonicSuffix)` (mode 1) stream s uses `addr + s * SS` for `addr`."

    /// Every instruction, in opcode order.
    public static let instructions: [InstructionSpec] = [
        spec(.halt, [], .control, .none, "Stop; the program completed.",
             "Retires, then the core stops with status `halted`. Nothing is written."),
        spec(.nop, [], .control, .none, "Do nothing.", "Retires without effect."),
        spec(.setvl, [OperandSpec("len", .length, .imm)], .control, .vectorLength,
             "Set the vector length VL.",
             "`VL = len`. `len` must be in 1 ... maxVectorLength. VL is maxVectorLength at reset.",
             faults: ["bad-vector-length"]),
        spec(.setss, [OperandSpec("stride", .address, .imm)], .control, .none,
             "Set the stream stride SS (bytes) of per-stream memory accesses.",
             "`SS = stride` (any 32-bit value; SS is 0 at reset). Its record has count 1 and the stride as digest."),
        spec(.li, [s("sd", .rd), OperandSpec("value", .fixed, .imm)], .control, .scalar,
             "Load a fixed-point immediate into a scalar register.",
             "`sd = imm` (the raw 32-bit Q.F pattern)."),
        spec(.ldv, [v("vd", .rd), addr], .loadStore, .vector,
             "Load VL elements from memory.",
             "\(ew): `vd[i] = mem32[addr + 4i]` (little-endian, two's complement). Elements VL and above keep their values." + streamAddress,
             faults: ["misaligned (addr not a multiple of 4)", "address-out-of-range"], paper: true, modes: addressing),
        spec(.sv, [v("va", .ra), addr], .loadStore, .memory,
             "Store VL elements to memory.",
             "\(ew): `mem32[addr + 4i] = va[i]`." + streamAddress,
             faults: ["misaligned", "address-out-of-range"], paper: true, modes: addressing),
        spec(.lds, [s("sd", .rd), addr], .loadStore, .scalar,
             "Load one scalar from memory.", "`sd = mem32[addr]`." + streamAddress,
             faults: ["misaligned", "address-out-of-range"], modes: addressing),
        spec(.sts, [s("sa", .ra), addr], .loadStore, .memory,
             "Store one scalar to memory.", "`mem32[addr] = sa`." + streamAddress,
             faults: ["misaligned", "address-out-of-range"], modes: addressing),
        spec(.add, [v("vd", .rd), v("va", .ra), v("vb", .rb)], .vector, .vector,
             "Element-wise saturating add.", "\(ew): `vd[i] = sat32(va[i] + vb[i])`.", paper: true),
        spec(.sub, [v("vd", .rd), v("va", .ra), v("vb", .rb)], .vector, .vector,
             "Element-wise saturating subtract.", "\(ew): `vd[i] = sat32(va[i] - vb[i])`.", paper: true),
        spec(.mul, [v("vd", .rd), v("va", .ra), v("vb", .rb)], .vector, .vector,
             "Element-wise fixed-point multiply (Hadamard product).",
             "\(ew): `vd[i] = sat32(rshr(va[i] * vb[i], F))`.", paper: true),
        spec(.div, [v("vd", .rd), v("va", .ra), v("vb", .rb)], .lookup, .vector,
             "Element-wise fixed-point divide.",
             "\(ew): `vd[i] = div(va[i], vb[i])`: reciprocal of |vb[i]| by table RECIP with interpolation and one Newton step, times va[i], rounded (see Numeric contract). Division by zero saturates.",
             paper: true),
        spec(.mac, [v("vd", .rd), v("va", .ra), v("vb", .rb)], .vector, .vector,
             "Element-wise multiply-accumulate into vd.",
             "\(ew): `vd[i] = sat32(vd[i] + rshr(va[i] * vb[i], F))`."),
        spec(.macp, [v("vd", .rd), v("va", .ra), v("vb", .rb)], .vector, .vector,
             "Multiply-accumulate chained through the streams: the recurrence h = i + f * h_prev over a batch of consecutive tokens.",
             "For stream s = 0 ... B-1 in order, \(ew): `vd[i] = sat32(vd[i] + rshr(va[i] * p[i], F))`, where p is stream 0's `vb` for s = 0 and stream s-1's `vd` (just written) for s > 0. With one stream it is `mac`."),
        spec(.lba, [v("vd", .rd), v("va", .ra), v("vb", .rb)], .vector, .vector,
             "Lower-bound affine: vd = vb + (1 - vb) * va.",
             "\(ew): `vd[i] = sat32(vb[i] + rshr((ONE - vb[i]) * va[i], F))` (the forget-gate lower bound `f = lb + (1 - lb) * f` with va = f, vb = lb)."),
        spec(.adds, [v("vd", .rd), v("va", .ra), s("sb", .rb)], .vector, .vector,
             "Add a scalar to every element.", "\(ew): `vd[i] = sat32(va[i] + sb)`."),
        spec(.muls, [v("vd", .rd), v("va", .ra), s("sb", .rb)], .vector, .vector,
             "Multiply every element by a scalar.", "\(ew): `vd[i] = sat32(rshr(va[i] * sb, F))`."),
        spec(.bcast, [v("vd", .rd), s("sa", .ra)], .vector, .vector,
             "Broadcast a scalar.", "\(ew): `vd[i] = sa`."),
        spec(.mv, [v("vd", .rd), v("va", .ra)], .vector, .vector,
             "Copy a vector.", "\(ew): `vd[i] = va[i]`."),
        spec(.exp, [v("vd", .rd), v("va", .ra)], .lookup, .vector,
             "Element-wise e^x.", "\(ew): `vd[i] = exp(va[i])` (table EXP2, see Numeric contract).", paper: true),
        spec(.sig, [v("vd", .rd), v("va", .ra)], .lookup, .vector,
             "Element-wise logistic sigmoid.", "\(ew): `vd[i] = sigmoid(va[i])`.", paper: true),
        spec(.csig, [v("vd", .rd), v("va", .ra)], .lookup, .vector,
             "Element-wise 1 - sigmoid.", "\(ew): `vd[i] = ONE - sigmoid(va[i])`."),
        spec(.silu, [v("vd", .rd), v("va", .ra)], .lookup, .vector,
             "Element-wise SiLU, x * sigmoid(x).", "\(ew): `vd[i] = sat32(rshr(va[i] * sigmoid(va[i]), F))`."),
        spec(.rsqrt, [v("vd", .rd), v("va", .ra)], .lookup, .vector,
             "Element-wise reciprocal square root.",
             "\(ew): `vd[i] = rsqrt(va[i])`; inputs <= 0 give 2^31-1."),
        spec(.absmax, [s("sd", .rd), v("va", .ra)], .reduction, .scalar,
             "Largest magnitude of the first VL elements.",
             "`sd = min(max_i |va[i]|, 2^31-1)` over i < VL (the activation scale max|x|, Q.F)."),
        spec(.quant, [v("vd", .rd), v("va", .ra), s("sb", .rb)], .reduction, .vector,
             "Absmax quantization to int8 codes with scale sb.",
             "`Q = round(127 * 2^32 / sb)` (0 when sb <= 0); \(ew): `vd[i] = clamp(rshra(va[i] * Q, 32), -128, 127)`, ties away from zero (plain integers, not Q.F)."),
        spec(.tmatmul, [v("vd", .rd), v("va", .ra), s("sb", .rb), addr], .ternary, .vector,
             "Ternary matrix (streamed from memory) times an int8 vector, rescaled.",
             "Reads the matrix header at `addr` (rows R, cols C, weight scale ws = mean|W| in Q.F), then for r < R: `acc = sum_{c<C} W[r][c] * va[c]` (exact, |acc| < 2^24), `vd[r] = sat32(rshr(acc * K, F))` with `K = round(ws * sb / 127)` in Q.(2F). Each `va[c]` is read as its low 8 bits, sign-extended (int8 codes from `quant`); `sb` is the activation scale from `absmax`. Writes R elements regardless of VL.",
             faults: ["misaligned (addr not a multiple of 256)", "address-out-of-range", "bad-vector-length (R or C outside 1 ... maxVectorLength)", "bad-weight (an illegal code inside the matrix: 2-bit code 10, base-3 byte above 242)"],
             paper: true, modes: WeightPacking.allCases.map(\.mnemonicSuffix)),
        spec(.norm, [v("vd", .rd), v("va", .ra), v("vb", .rb), OperandSpec("eps", .eps, .imm)], .reduction, .vector,
             "RMSNorm with weight vector vb and epsilon eps.",
             "Over the first VL elements: `vd[i] = x[i] * rsqrt(mean(x^2) + eps) * vb[i]` computed as in the Numeric contract's RMSNorm section (exact sum of squares, eps in Q.(2F), normalized rsqrt). A zero vector with eps = 0 gives zeros.",
             paper: true),
    ]

    /// Spec by opcode value (nil for unassigned opcodes).
    public static let specsByOpcode: [InstructionSpec?] = {
        var t = [InstructionSpec?](repeating: nil, count: 256)
        for s in instructions { t[Int(s.opcode)] = s }
        return t
    }()

    public static let specsByMnemonic: [String: InstructionSpec] =
        Dictionary(uniqueKeysWithValues: instructions.map { ($0.mnemonic, $0) })

    /// Spec and mode value by spelling ("tmatmul.b3" is tmatmul with mode 1).
    public static let specsBySpelling: [String: (spec: InstructionSpec, mode: UInt8)] =
        Dictionary(uniqueKeysWithValues: instructions.flatMap { s in s.spellings.map { ($0.mnemonic, (s, $0.mode)) } })

    /// The mnemonics of the paper's core.
    public static let paperMnemonics = ["ldv", "sv", "add", "sub", "mul", "div", "exp", "sig", "tmatmul", "norm"]
}
