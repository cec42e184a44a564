import HDL
import ISA

/// The instruction set's numbers as a SystemVerilog package (`trit_isa_pkg`):
/// opcodes, field positions, decoder output codes, fault codes and the core
/// configuration, all read from the ISA description.
public enum ISAConstants {
    public static func package(config: CoreConfig = .standard) -> ConstantPackage {
        var p = ConstantPackage(name: "trit_isa_pkg",
                                summary: "Trit instruction set constants (see generated/isa/ISA.md), derived from the ISA description.")
        p.add("WORD_BITS", Encoding.wordBits, "instruction word width")
        for f in Encoding.fields {
            let upper = f.name.uppercased()
            p.add("\(upper)_LSB", f.lsb, "field \(f.name): bits \(f.msb):\(f.lsb)")
            p.add("\(upper)_WIDTH", f.width)
        }
        for spec in InstructionSet.instructions {
            p.add("OP_\(spec.mnemonic.uppercased())", width: Encoding.op.width, Int(spec.opcode), spec.summary)
        }
        for (code, unit) in InstructionDecoder.units.enumerated() {
            p.add("UNIT_\(constantName(unit.rawValue))", width: 3, code, "decoder 'unit' output")
        }
        for (code, destination) in InstructionDecoder.destinations.enumerated() {
            p.add("DEST_\(constantName(destination.rawValue))", width: 3, code, "decoder 'destination' output")
        }
        for use in InstructionDecoder.RegisterUse.allCases {
            p.add("USE_\(constantName("\(use)"))", width: 2, use.rawValue, "decoder '*_use' outputs")
        }
        for fault in FaultCode.allCases {
            p.add("FAULT_\(constantName(fault.name))", width: 8, Int(fault.rawValue))
        }
        p.add("VECTOR_REGISTERS", config.vectorRegisters)
        p.add("SCALAR_REGISTERS", config.scalarRegisters)
        p.add("MAX_VECTOR_LENGTH", config.maxVectorLength)
        p.add("FRAC_BITS", config.fracBits, "element format \(config.formatName)")
        return p
    }

    /// "load-store" -> "LOAD_STORE", "vectorLength" -> "VECTOR_LENGTH".
    static func constantName(_ s: String) -> String {
        var out = ""
        for ch in s {
            if ch == "-" { out.append("_"); continue }
            if ch.isUppercase, !out.isEmpty { out.append("_") }
            out.append(contentsOf: ch.uppercased())
        }
        return out
    }
}

/// An opcode as the constant the decoded `opcode` field is compared with.
func opcodeLiteral(_ o: Opcode) -> Signal { lit(Int(o.rawValue), width: Encoding.op.width) }
