import HDL
import ISA

/// The instruction decoder of the core, derived entirely from the Swift
/// description in `ISA.InstructionSet`: field positions from `Encoding`,
/// one case per opcode, the unused-field masks, register-file limits from
/// `CoreConfig` and the supported weight packings. It agrees with
/// `Instruction.decode` on every 64-bit word (checked in simulation).
public struct InstructionDecoder: Module {
    public let config: CoreConfig

    public init(config: CoreConfig = .standard) { self.config = config }

    public var name: String { "TritDecoder" }
    public var parameters: [Parameter] {
        [Parameter("V", config.vectorRegisters), Parameter("S", config.scalarRegisters)]
    }

    /// Codes of the `unit` output, in this order.
    public static let units: [FunctionalUnit] = [.control, .loadStore, .vector, .lookup, .reduction, .ternary]
    /// Codes of the `destination` output, in this order.
    public static let destinations: [DestinationKind] = [.none, .vector, .scalar, .memory, .vectorLength]

    /// Register operands of an instruction, as the scoreboard sees them.
    public enum RegisterUse: Int, CaseIterable { case none = 0, vector = 1, scalar = 2 }

    public func build(_ m: ModuleBuilder) {
        let word = m.input("word", .uint(Encoding.wordBits))
        let legal = m.output("legal", .bool)
        let opcode = m.output("opcode", .uint(Encoding.op.width))
        let fields = [Encoding.rd, Encoding.ra, Encoding.rb, Encoding.mode, Encoding.imm].map { f in
            (f, m.output(f.name, .uint(f.width)))
        }
        let unit = m.output("unit", .uint(3))
        let destination = m.output("destination", .uint(3))
        // How rd, ra and rb are used: RegisterUse codes.
        let uses = [Encoding.rd, Encoding.ra, Encoding.rb].map { f in (f, m.output("\(f.name)_use", .uint(2))) }

        let op = word[Encoding.op.msb, Encoding.op.lsb]
        opcode.set(op)
        for (f, out) in fields { out.set(word[f.msb, f.lsb]) }

        legal.set(false)
        unit.set(0)
        destination.set(0)
        for (_, out) in uses { out.set(0) }
        m.switch(op) { c in
            for spec in InstructionSet.instructions {
                c.is(lit(Int(spec.opcode), width: Encoding.op.width), comment: spec.mnemonic) {
                    legal.set(legality(of: spec, word))
                    unit.set(lit(Self.units.firstIndex(of: spec.unit)!, width: 3))
                    destination.set(lit(Self.destinations.firstIndex(of: spec.destination)!, width: 3))
                    for (f, out) in uses {
                        guard let operand = spec.operands.first(where: { Encoding.field($0.field) == f }) else { continue }
                        let use: RegisterUse = operand.kind == .vreg ? .vector : operand.kind == .sreg ? .scalar : .none
                        if use != .none { out.set(lit(use.rawValue, width: 2)) }
                    }
                }
            }
        }
    }

    /// Legal when every unused field is zero, every register names an
    /// existing register, and `mode` is one the opcode defines (and, for `tmatmul`, a packing the core supports).
    private func legality(of spec: InstructionSpec, _ word: Signal) -> Signal {
        var conditions: [Signal] = []
        let unused = Encoding.fields.filter { f in
            FieldName(rawValue: f.name).map { !spec.usedFields.contains($0) } ?? true
        }
        let mask = unused.reduce(UInt64(0)) { $0 | $1.mask }
        if mask != 0 {
            let maskBits = BitVector(width: Encoding.wordBits, words: [mask])
            conditions.append((word & lit(maskBits, .uint(Encoding.wordBits))) == 0)
        }
        for operand in spec.operands {
            let f = Encoding.field(operand.field)
            let count = operand.kind == .vreg ? config.vectorRegisters : operand.kind == .sreg ? config.scalarRegisters : nil
            if let count, count < 1 << f.width {
                conditions.append(word[f.msb, f.lsb] < lit(count, width: f.width))
            }
        }
        if spec.usedFields.contains(.mode) {
            let f = Encoding.mode
            let defined = spec.spellings.map(\.mode).filter { spec.opcode != Opcode.tmatmul.rawValue || WeightPacking(rawValue: $0)?.supported == true }
            conditions.append(word[f.msb, f.lsb] < lit(defined.count, width: f.width))
        }
        return conditions.dropFirst().reduce(conditions.first ?? true) { $0 && $1 }
    }
}
