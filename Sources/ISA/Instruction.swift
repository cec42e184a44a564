import TritJSON
/// A decoded instruction: the opcode and its raw field values.
public struct Instruction: Sendable, Equatable, Hashable {
    public var opcode: Opcode
    public var rd: UInt8
    public var ra: UInt8
    public var rb: UInt8
    public var mode: UInt8
    public var imm: UInt32

    public init(_ opcode: Opcode, rd: UInt8 = 0, ra: UInt8 = 0, rb: UInt8 = 0, mode: UInt8 = 0, imm: UInt32 = 0) {
        self.opcode = opcode; self.rd = rd; self.ra = ra; self.rb = rb; self.mode = mode; self.imm = imm
    }

    public var spec: InstructionSpec { opcode.spec }

    /// Field value by name (rc is always 0 in a decoded instruction).
    public func value(of field: FieldName) -> UInt64 {
        switch field {
        case .op: return UInt64(opcode.rawValue)
        case .rd: return UInt64(rd)
        case .ra: return UInt64(ra)
        case .rb: return UInt64(rb)
        case .rc: return 0
        case .mode: return UInt64(mode)
        case .imm: return UInt64(imm)
        }
    }

    public mutating func set(_ field: FieldName, _ v: UInt64) {
        switch field {
        case .op: break
        case .rd: rd = UInt8(truncatingIfNeeded: v & 0xF)
        case .ra: ra = UInt8(truncatingIfNeeded: v & 0xF)
        case .rb: rb = UInt8(truncatingIfNeeded: v & 0xF)
        case .rc: break
        case .mode: mode = UInt8(truncatingIfNeeded: v)
        case .imm: imm = UInt32(truncatingIfNeeded: v)
        }
    }

    /// The 64-bit instruction word.
    public var word: UInt64 {
        var w: UInt64 = 0
        w = Encoding.op.insert(UInt64(opcode.rawValue), into: w)
        w = Encoding.rd.insert(UInt64(rd), into: w)
        w = Encoding.ra.insert(UInt64(ra), into: w)
        w = Encoding.rb.insert(UInt64(rb), into: w)
        w = Encoding.mode.insert(UInt64(mode), into: w)
        w = Encoding.imm.insert(UInt64(imm), into: w)
        return w
    }

    /// Why a word does not decode.
    public enum Illegal: Error, Equatable, Sendable, CustomStringConvertible {
        case unknownOpcode(UInt8)
        case nonzeroUnusedField(FieldName)
        case registerOutOfRange(FieldName, Int)
        case unsupportedMode(UInt8)

        public var description: String {
            switch self {
            case .unknownOpcode(let o): return "unknown opcode 0x" + String(o, radix: 16)
            case .nonzeroUnusedField(let f): return "field \(f.rawValue) must be zero for this opcode"
            case .registerOutOfRange(let f, let r): return "register \(r) in field \(f.rawValue) is beyond the register file"
            case .unsupportedMode(let m): return "mode \(m) is not defined for this opcode"
            }
        }
    }

    /// Decodes a word under `config`. Every encoding that is not exactly one
    /// of the specified forms is illegal: unknown opcode, a nonzero unused
    /// field, a register index beyond the configured register file, or a
    /// mode the opcode does not define.
    public static func decode(_ word: UInt64, config: CoreConfig = .standard) -> Result<Instruction, Illegal> {
        let opv = UInt8(truncatingIfNeeded: Encoding.op.extract(word))
        guard let op = Opcode(rawValue: opv) else { return .failure(.unknownOpcode(opv)) }
        let spec = op.spec
        let used = spec.usedFields
        for f in Encoding.fields {
            guard let name = FieldName(rawValue: f.name), !used.contains(name) else { continue }
            if f.extract(word) != 0 { return .failure(.nonzeroUnusedField(name)) }
        }
        var ins = Instruction(op)
        for o in spec.operands {
            let v = Encoding.field(o.field).extract(word)
            switch o.kind {
            case .vreg:
                if v >= UInt64(config.vectorRegisters) { return .failure(.registerOutOfRange(o.field, Int(v))) }
            case .sreg:
                if v >= UInt64(config.scalarRegisters) { return .failure(.registerOutOfRange(o.field, Int(v))) }
            default: break
            }
            ins.set(o.field, v)
        }
        if used.contains(.mode) {
            let m = UInt8(truncatingIfNeeded: Encoding.mode.extract(word))
            guard Int(m) < spec.modeSuffixes.count,
                  op != .tmatmul || WeightPacking(rawValue: m)?.supported == true else {
                return .failure(.unsupportedMode(m))
            }
            ins.mode = m
        }
        return .success(ins)
    }
}

/// Faults stop the core with a code and the index of the faulting instruction.
public enum FaultCode: UInt8, Sendable, Codable, CaseIterable {
    case illegalInstruction = 1
    case addressOutOfRange = 2
    case misaligned = 3
    case badVectorLength = 4
    case badWeight = 5
    case fetchOutOfRange = 6
    /// Raised only by the hardware: memory stopped answering.
    case timeout = 7

    public var name: String {
        switch self {
        case .illegalInstruction: return "illegal-instruction"
        case .addressOutOfRange: return "address-out-of-range"
        case .misaligned: return "misaligned"
        case .badVectorLength: return "bad-vector-length"
        case .badWeight: return "bad-weight"
        case .fetchOutOfRange: return "fetch-out-of-range"
        case .timeout: return "timeout"
        }
    }

    public var doc: String {
        switch self {
        case .illegalInstruction: return "The word does not decode (unknown opcode, nonzero unused field, register beyond the register file, undefined mode)."
        case .addressOutOfRange: return "A load, store or matrix access reaches outside data memory (any byte at or beyond the memory size)."
        case .misaligned: return "A vector or scalar access address is not a multiple of 4, or a matrix address is not a multiple of 256."
        case .badVectorLength: return "setvl outside 1 ... maxVectorLength, or a matrix header with rows or cols outside that range."
        case .badWeight: return "An illegal weight inside a matrix's rows and columns: a 2-bit code 10 (`tmatmul`) or a base-3 byte above 242 (`tmatmul.b3`)."
        case .fetchOutOfRange: return "The program counter ran past the end of the code without a halt."
        case .timeout: return "Hardware only: a memory request went unanswered for longer than the core's TIMEOUT register allows. Reported at the oldest instruction not yet retired; the interpreter never raises it."
        }
    }
}

extension FaultCode {
    /// `{"code": 3, "name": "...", "index": i}`: a fault at instruction `index`, in reports.
    public func json(index: Int) -> JSON {
        .object(["code": .int(Int(rawValue)), "name": .string(name), "index": .int(index)])
    }
}
