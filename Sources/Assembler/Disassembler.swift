import ISA

/// Program image to assembly text that reassembles to the same bytes.
public enum Disassembler {
    /// One instruction in assembly syntax (`f` fraction bits for fixed operands).
    public static func text(_ ins: Instruction, fracBits f: Int) -> String {
        let spec = ins.spec
        let mnemonic = spec.mnemonic(mode: ins.mode)
        if spec.operands.isEmpty { return mnemonic }
        let ops = spec.operands.map { o -> String in
            let v = ins.value(of: o.field)
            switch o.kind {
            case .vreg: return "v\(v)"
            case .sreg: return "s\(v)"
            case .address: return Hex.word(UInt32(truncatingIfNeeded: v))
            case .length: return String(v)
            case .fixed: return Numeric.decimalString(Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: v))), f: f)
            case .eps: return Numeric.decimalString(Int64(v), f: 2 * f)
            }
        }
        return mnemonic + " " + ops.joined(separator: ", ")
    }

    /// The listing of a whole image. Words that do not decode become `.inst`
    /// lines with the reason in a comment.
    public static func listing(_ image: ProgramImage) -> String {
        var out: [String] = []
        out.append("; Trit program: \(image.code.count) instructions, \(image.data.count) data sections")
        out.append(".fracbits \(image.fracBits)")
        if image.streams != 1 { out.append(".streams \(image.streams)") }
        out.append(".memory \(Hex.word(image.memorySize))")
        out.append("")
        let config = CoreConfig(fracBits: image.fracBits)
        for (i, w) in image.code.enumerated() {
            switch Instruction.decode(w, config: config) {
            case .success(let ins):
                out.append("    " + pad(text(ins, fracBits: image.fracBits), 40) + "; \(i)")
            case .failure(let why):
                out.append("    " + pad(".inst 0x" + Hex.digits(w, 16), 40) + "; \(i): illegal, \(why)")
            }
        }
        for d in image.data {
            out.append("")
            out.append(".org \(Hex.word(d.address))")
            let words = d.bytes.count / 4
            var k = 0
            while k < words {
                let n = min(8, words - k)
                let vals = (0..<n).map { j -> String in
                    let o = 4 * (k + j)
                    let v = UInt32(d.bytes[o]) | UInt32(d.bytes[o + 1]) << 8 | UInt32(d.bytes[o + 2]) << 16 | UInt32(d.bytes[o + 3]) << 24
                    return Hex.word(v)
                }
                out.append("    .word " + vals.joined(separator: ", "))
                k += n
            }
            if d.bytes.count % 4 != 0 {
                let tail = d.bytes[(4 * words)...].map { "0x" + Hex.digits($0, 2) }
                out.append("    .byte " + tail.joined(separator: ", "))
            }
        }
        if !image.symbols.isEmpty {
            out.append("")
            out.append(".text")
            for s in image.symbols {
                out.append(".symbol \(s.name), \(Hex.word(s.address)), \(s.count)")
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count)
    }
}
