import Foundation
import Testing
import TestSupport
@testable import ISA

@Suite struct EncodingTests {
    @Test func fieldsTileTheWordWithoutOverlap() {
        var covered: UInt64 = 0
        for f in Encoding.fields {
            #expect(covered & f.mask == 0, "field \(f.name) overlaps")
            covered |= f.mask
        }
        #expect(covered == UInt64.max)
        #expect(Encoding.fields.map(\.width).reduce(0, +) == 64)
    }

    @Test func opcodesAreUniqueAndZeroIsIllegal() {
        let ops = InstructionSet.instructions.map(\.opcode)
        #expect(Set(ops).count == ops.count)
        #expect(!ops.contains(0))
        #expect(Instruction.decode(0) == .failure(.unknownOpcode(0)))
        for m in InstructionSet.paperMnemonics { #expect(InstructionSet.specsByMnemonic[m] != nil, "\(m)") }
        for op in Opcode.allCases { #expect(op.spec.opcode == op.rawValue) }
    }

    @Test func everyInstructionEncodesAndDecodesWithRandomFields() {
        var rng = SplitMix64(seed: 3)
        for spec in InstructionSet.instructions {
            for _ in 0..<200 {
                var ins = Instruction(Opcode(rawValue: spec.opcode)!)
                for o in spec.operands {
                    switch o.kind {
                    case .vreg, .sreg: ins.set(o.field, rng.next() % 16)
                    case .length: ins.set(o.field, rng.next() % 8192 + 1)
                    default: ins.set(o.field, rng.next() & 0xFFFF_FFFF)
                    }
                }
                let w = ins.word
                #expect(Instruction.decode(w) == .success(ins), "\(spec.mnemonic) 0x\(String(w, radix: 16))")
                #expect(Encoding.op.extract(w) == UInt64(spec.opcode))
            }
        }
    }

    @Test func unusedFieldsRegistersAndPackingAreChecked() {
        // A nonzero rc is illegal for everything.
        let add = Instruction(.add, rd: 1, ra: 2, rb: 3).word
        #expect(Instruction.decode(add | (1 << 40)) == .failure(.nonzeroUnusedField(.rc)))
        // imm is unused by add.
        #expect(Instruction.decode(add | 5) == .failure(.nonzeroUnusedField(.imm)))
        // rb unused by exp.
        #expect(Instruction.decode(Instruction(.exp, rd: 1, ra: 2).word | (1 << 44)) == .failure(.nonzeroUnusedField(.rb)))
        // mode is only for tmatmul, where 0 (2-bit) and 1 (base-3) are legal.
        #expect(Instruction.decode(add | (1 << 32)) == .failure(.nonzeroUnusedField(.mode)))
        let tm = Instruction(.tmatmul, rd: 1, ra: 2, rb: 3, imm: 64).word
        #expect(Instruction.decode(tm | (1 << 32)) == .success(Instruction(.tmatmul, rd: 1, ra: 2, rb: 3, mode: 1, imm: 64)))
        #expect(Instruction.decode(tm | (2 << 32)) == .failure(.unsupportedMode(2)))
        #expect(Instruction.decode(tm | (7 << 32)) == .failure(.unsupportedMode(7)))
        // Register beyond a smaller register file.
        let small = CoreConfig(vectorRegisters: 8, scalarRegisters: 4)
        #expect(Instruction.decode(Instruction(.add, rd: 8).word, config: small) == .failure(.registerOutOfRange(.rd, 8)))
        #expect(Instruction.decode(Instruction(.absmax, rd: 4).word, config: small) == .failure(.registerOutOfRange(.rd, 4)))
        #expect(Instruction.decode(Instruction(.absmax, rd: 3, ra: 7).word, config: small) == .success(Instruction(.absmax, rd: 3, ra: 7)))
        // Every unassigned opcode is illegal.
        for op in 0...255 where Opcode(rawValue: UInt8(op)) == nil {
            #expect(Instruction.decode(UInt64(op) << 56) == .failure(.unknownOpcode(UInt8(op))))
        }
    }

    @Test func configValidation() {
        #expect(CoreConfig.standard.problems.isEmpty)
        #expect(CoreConfig(vectorRegisters: 0).problems.count == 1)
        #expect(CoreConfig(vectorRegisters: 17, scalarRegisters: 0, maxVectorLength: 0, fracBits: 30).problems.count == 4)
        #expect(CoreConfig.standard.maxVectorLength >= 6912)
        #expect(CoreConfig.standard.formatName == "Q15.16")
    }

    @Test func retirementLine() {
        let r = RetireRecord(index: 7, opcode: Opcode.tmatmul.rawValue, destination: .vector, destinationIndex: 6, count: 2048, digest: 0x3fa2b1c0)
        #expect(r.line == "7 tmatmul v6 2048 3fa2b1c0")
        let m = RetireRecord(index: 0, opcode: Opcode.sv.rawValue, destination: .memory, destinationIndex: 0x1000, count: 4, digest: 1)
        #expect(m.line == "0 sv @0x00001000 4 00000001")
        #expect(RetireRecord(index: 9, opcode: 1, destination: .none, destinationIndex: 0, count: 0, digest: 0).line == "9 halt - 0 00000000")
    }

    @Test func ternaryPacking() {
        let trits: [Int8] = [1, -1, 0, 1, 1, 0, 0, -1, 1]
        let b = TernaryMatrix.pack(rows: 1, cols: 9, weightScale: 65536, trits: trits)
        // Header, then one group of 8 steps (3 padded to a multiple of 8) of 64 bytes.
        #expect(b.count == 256 + 8 * 64)
        #expect(Array(b[0..<12]) == [1, 0, 0, 0, 9, 0, 0, 0, 0, 0, 1, 0])
        // first byte: codes 01, 11, 00, 01 from LSB -> 0b01_00_11_01
        #expect(b[256] == 0b0100_1101)
        #expect(b[256 + 64] == 0b1100_0001)   // 01, 00, 00, 11
        #expect(b[256 + 128] == 0b01)
        #expect(TernaryMatrix.trit(0b10) == nil && TernaryMatrix.trit(0b11) == -1)

        // Base 3: digits 1, 2, 0, 1, 1 -> 1 + 6 + 27 + 81; then 0, 0, 2, 1 -> 18 + 27.
        let b3 = TernaryMatrix.pack(rows: 1, cols: 9, weightScale: 65536, trits: trits, packing: .base3)
        #expect(b3.count == 256 + 8 * 64)
        #expect(b3[256] == 115 && b3[256 + 64] == 45)
        #expect(TernaryMatrix.unpack(b3, rows: 1, cols: 9, packing: .base3) == .success(trits))
    }

    /// Padding and the trits' bytes tile the weights: every weight byte holds
    /// trits or is padding (a 2-bit row's last byte both), and junk in the
    /// padding leaves the matrix as it was.
    @Test func paddingIsEverythingButTheTrits() {
        var rng = SplitMix64(seed: testSeed(0x9AD))
        for n in 0..<40 {
            let p: WeightPacking = n % 2 == 0 ? .twoBit : .base3
            let rows = rng.int(1...150), cols = rng.int(1...90)
            let trits = (0..<(rows * cols)).map { _ in Int8(rng.int(-1...1)) }
            var bytes = TernaryMatrix.pack(rows: rows, cols: cols, weightScale: 1, trits: trits, packing: p)
            let padding = TernaryMatrix.padding(rows: rows, cols: cols, packing: p)
            var used = Set<Int>()
            for r in 0..<rows { for c in 0..<cols { used.insert(TernaryMatrix.location(row: r, col: c, cols: cols, packing: p).offset) } }
            var whole = Set<Int>()
            for slot in padding {
                switch slot {
                case .byte(let o):
                    whole.insert(o)
                    bytes[o] = UInt8(rng.int(0...255))
                case .codes(let o, let digits):
                    #expect(used.contains(o) && digits.lowerBound == cols % 4, "\(rows) x \(cols): codes at \(o)")
                    for d in digits { bytes[o] |= UInt8(rng.int(0...3)) << UInt8(2 * d) }
                }
            }
            #expect(whole.isDisjoint(with: used), "\(rows) x \(cols) \(p): padding over a trit's byte")
            #expect(whole.count + used.count == bytes.count - TernaryMatrix.headerBytes, "\(rows) x \(cols) \(p): bytes left out")
            #expect(TernaryMatrix.unpack(bytes, rows: rows, cols: cols, packing: p) == .success(trits), "\(rows) x \(cols) \(p)")
        }
    }

    @Test func ternaryLayoutInterleavesRows() {
        // Row 70 is lane 6 of group 1; column 11 is step 2 (4 per byte) or 2 (5 per byte).
        #expect(TernaryMatrix.steps(cols: 512) == 128 && TernaryMatrix.steps(cols: 512, packing: .base3) == 104)
        let l = TernaryMatrix.location(row: 70, col: 11, cols: 512)
        #expect(l.offset == 256 + 128 * 64 + 2 * 64 + 6 && l.digit == 3)
        let l3 = TernaryMatrix.location(row: 70, col: 11, cols: 512, packing: .base3)
        #expect(l3.offset == 256 + 104 * 64 + 2 * 64 + 6 && l3.digit == 1)
        var rng = SystemRandomNumberGenerator()
        for p in WeightPacking.allCases {
            let rows = 130, cols = 37
            let t = (0..<(rows * cols)).map { _ in Int8.random(in: -1...1, using: &rng) }
            let packed = TernaryMatrix.pack(rows: rows, cols: cols, weightScale: 1, trits: t, packing: p)
            #expect(packed.count == TernaryMatrix.totalBytes(rows: rows, cols: cols, packing: p))
            #expect(TernaryMatrix.unpack(packed, rows: rows, cols: cols, packing: p) == .success(t))
            var bad = packed
            let at = TernaryMatrix.location(row: 129, col: 36, cols: cols, packing: p)
            bad[at.offset] = p == .twoBit ? 0b10 << UInt8(2 * at.digit) : 250
            #expect(TernaryMatrix.unpack(bad, rows: rows, cols: cols, packing: p) == .failure(.init(row: 129, col: 36 - at.digit)))
        }
    }
}

@Suite struct ReferenceTests {
    /// The repository root, from this file's location (Tests/ISATests/...).
    static var root: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }

    func committed(_ rel: String) -> String? {
        guard let d = FileManager.default.contents(atPath: Self.root + "/" + rel) else { return nil }
        return String(decoding: d, as: UTF8.self)
    }

    @Test func committedMarkdownIsCurrent() {
        let file = committed("generated/isa/ISA.md")
        #expect(file != nil, "generated/isa/ISA.md missing")
        #expect(file == ISAReference.markdown(), "generated/isa/ISA.md is stale: regenerate with `trit isa --format md -o generated/isa/ISA.md`")
    }

    @Test func committedJSONIsCurrent() {
        let file = committed("generated/isa/isa.json")
        #expect(file != nil, "generated/isa/isa.json missing")
        #expect(file == ISAReference.json(), "generated/isa/isa.json is stale: regenerate with `trit isa --format json -o generated/isa/isa.json`")
    }

    @Test func referenceMentionsEveryInstructionAndFault() {
        let md = ISAReference.markdown()
        for s in InstructionSet.instructions { #expect(md.contains("### `\(s.mnemonic)`")) }
        for f in FaultCode.allCases { #expect(md.contains("`\(f.name)`")) }
        let js = ISAReference.json()
        #expect(js.contains("\"mnemonic\": \"tmatmul\""))
        #expect(js.contains("\"mnemonic\": \"tmatmul.b3\""))
        #expect(md.contains("`tmatmul.b3 vd, va, sb, addr`"))
        #expect(js.contains("\"lsb\": 56"))
    }
}
