import Foundation
import Testing
@testable import Assembler
import ISA

func assemble(_ s: String) -> Result<ProgramImage, AsmErrors> { Assembler().assemble(s, file: "t.s") }

func image(_ s: String, sourceLocation: SourceLocation = #_sourceLocation) -> ProgramImage? {
    switch assemble(s) {
    case .success(let i): return i
    case .failure(let e): Issue.record("unexpected errors:\n\(e)", sourceLocation: sourceLocation); return nil
    }
}

/// Asserts exactly the given (line, column, message fragment) errors.
func expectErrors(_ s: String, _ want: [(Int, Int, String)], sourceLocation: SourceLocation = #_sourceLocation) {
    switch assemble(s) {
    case .success: Issue.record("assembled without errors, expected \(want)", sourceLocation: sourceLocation)
    case .failure(let e):
        #expect(e.errors.count == want.count, "\(e)", sourceLocation: sourceLocation)
        for (got, w) in zip(e.errors, want) {
            #expect(got.line == w.0 && got.column == w.1 && got.message.contains(w.2),
                    "got \(got), want \(w.0):\(w.1) containing '\(w.2)'", sourceLocation: sourceLocation)
            #expect(got.description.hasPrefix("t.s:\(got.line):\(got.column): error: "), sourceLocation: sourceLocation)
        }
    }
}

@Suite struct AssemblerTests {
    @Test func encodesInstructionsAndOperands() throws {
        let img = try #require(image("""
            ; comment
            start:  setvl 0x10          # hex literal
                    li s3, -1.5
                    tmatmul v1, v2, s3, W + 64
                    norm v4, v5, v6, 1e-6
                    HALT
            .org 0x40
            W:      .zero 64
            """))
        #expect(img.code.count == 5)
        #expect(img.code[0] == Instruction(.setvl, imm: 16).word)
        #expect(img.code[1] == Instruction(.li, rd: 3, imm: UInt32(bitPattern: -98304)).word)
        #expect(img.code[2] == Instruction(.tmatmul, rd: 1, ra: 2, rb: 3, imm: 128).word)
        #expect(img.code[3] == Instruction(.norm, rd: 4, ra: 5, rb: 6, imm: 4295).word)
        #expect(img.code[4] == Instruction(.halt).word)
        #expect(img.memorySize == 128)
    }

    @Test func dataDirectives() throws {
        let img = try #require(image("""
            .equ N, 3
            .org 0x10
            a:  .word 1, -1, 0xFFFFFFFF
            b:  .byte 1, 255, -128
                .align 8
            c:  .fix 1.5, -0.5, 0.00000762939453125, 2.5e-1, 3
                .zero N * 2
            .symbol c, c, 5
            .memory 0x100
            .text
                ldv v0, c
                halt
            """))
        #expect(img.memorySize == 256)
        let d = img.data[0]
        #expect(d.address == 16)
        #expect(Array(d.bytes[0..<12]) == [1, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255])
        #expect(Array(d.bytes[12..<15]) == [1, 255, 128])
        #expect(d.bytes.count == 16 + 20 + 6)
        func word(_ o: Int) -> Int32 { Int32(bitPattern: UInt32(d.bytes[o]) | UInt32(d.bytes[o+1]) << 8 | UInt32(d.bytes[o+2]) << 16 | UInt32(d.bytes[o+3]) << 24) }
        #expect(word(16) == 98304 && word(20) == -32768)
        #expect(word(24) == 1)          // 2^-17 rounds half away from zero to 2^-16
        #expect(word(28) == 16384 && word(32) == 196608)
        #expect(img.symbols == [.init(name: "c", address: 32, count: 5)])
        #expect(img.code[0] == Instruction(.ldv, imm: 32).word)
    }

    @Test func fixedRoundingIsExactAndSymmetric() throws {
        // 1/3 rounds down, 2^-17 * 3 rounds up, ties go away from zero for both signs.
        let img = try #require(image(".org 0\n .fix 0.333333333333333333333333, 0.0000228881835937500, -0.00000762939453125, -32768, 32767.9999847412109375"))
        let b = img.data[0].bytes
        let w = stride(from: 0, to: b.count, by: 4).map { Int32(bitPattern: UInt32(b[$0]) | UInt32(b[$0+1]) << 8 | UInt32(b[$0+2]) << 16 | UInt32(b[$0+3]) << 24) }
        #expect(w == [21845, 2, -1, Int32.min, Int32.max])
    }

    @Test func matrixDirective() throws {
        let img = try #require(image("""
            .org 0
            .align 256
            W: .matrix 2, 5, 0.5
               .row +-0 +-     ; spaces are ignored
               .row 0_0_0_0_+
            """))
        let b = img.data[0].bytes
        // Header, then one group of 64 rows by 4 column steps (2 used, padded to 4).
        #expect(b.count == 256 + 8 * 64)
        #expect(Array(b[0..<12]) == [2, 0, 0, 0, 5, 0, 0, 0, 0, 128, 0, 0])
        #expect(b[256] == 0b01_00_11_01 && b[256 + 64] == 0b11)     // row 0, steps 0 and 1
        #expect(b[257] == 0 && b[257 + 64] == 0b01)                 // row 1
        #expect(b.indices.filter { $0 >= 256 && b[$0] != 0 } == [256, 320, 321])
    }

    @Test func base3MatrixDirective() throws {
        let img = try #require(image("""
            .org 0
            W: .matrix 2, 7, 0.5, b3
               .row +-0+- -+
               .row 00000 0+
            """))
        let b = img.data[0].bytes
        #expect(b.count == 256 + 8 * 64)
        #expect(Array(b[0..<8]) == [2, 0, 0, 0, 7, 0, 0, 0])
        // Digits 0, +1, -1 -> 0, 1, 2; first trit least significant.
        #expect(b[256] == 1 + 3 * 2 + 9 * 0 + 27 * 1 + 81 * 2)
        #expect(b[256 + 64] == 2 + 3 * 1)
        #expect(b[257] == 0 && b[257 + 64] == 3)
        // The same rows at 64 x 300: the second group starts after ceil(60 / 8) * 8 = 64 steps.
        let rows = (0..<65).map { r in ".row " + String(repeating: r == 64 ? "-" : "0", count: 300) }.joined(separator: "\n")
        let big = try #require(image(".org 0\n.matrix 65, 300, 1, B3\n" + rows)).data[0].bytes
        #expect(big.count == 256 + 2 * 64 * 64)
        #expect(big[256 + 64 * 64] == 242 && big[256 + 64 * 64 + 59 * 64] == 242)
        #expect(big[256 + 64 * 64 + 1] == 0)
        // tmatmul.b3 is tmatmul with mode 1; the bare mnemonic is mode 0.
        let code = try #require(image("tmatmul v1, v2, s3, 256\ntmatmul.b3 v1, v2, s3, 256\nTMATMUL.B3 v0, v0, s0, 0")).code
        #expect(code == [Instruction(.tmatmul, rd: 1, ra: 2, rb: 3, imm: 256).word,
                         Instruction(.tmatmul, rd: 1, ra: 2, rb: 3, mode: 1, imm: 256).word,
                         Instruction(.tmatmul, mode: 1).word])
    }

    @Test func everyErrorKindWithItsLocation() {
        expectErrors("  frob v1, v2", [(1, 3, "unknown instruction 'frob'")])
        expectErrors(".bogus 1", [(1, 1, "unknown directive '.bogus'")])
        expectErrors("add v1, v2", [(1, 11, "add takes 3 operands (add vd, va, vb), got 2")])
        expectErrors("add v1, v2, v3, v4", [(1, 17, "got 4")])
        expectErrors("add v1, s2, v3", [(1, 9, "expected a vector register v0...v15 for va, got 's2'")])
        expectErrors("absmax v1, v2", [(1, 8, "expected a scalar register")])
        expectErrors("add v16, v2, v3", [(1, 5, "register v16 out of range, expected v0...v15")])
        expectErrors("ldv v1, nowhere", [(1, 9, "undefined name 'nowhere'")])
        expectErrors("x: halt\nx: halt", [(2, 1, "duplicate definition of 'x', first defined on line 1")])
        expectErrors("setvl 0x", [(1, 7, "invalid integer '0x'")])
        expectErrors("setvl 9000", [(1, 7, "vector length 9000 out of range, expected 1...8192")])
        expectErrors("ldv v0, -4", [(1, 9, "address -4 out of range")])
        expectErrors("li s0, 40000", [(1, 8, "out of range")])
        expectErrors("li s0, 1.5.2", [(1, 8, "invalid number '1.5.2'")])
        expectErrors("norm v0, v1, v2, -1e-6", [(1, 18, "out of range")])
        expectErrors(".word 5", [(1, 1, ".word outside a data section, expected .org ADDRESS before it")])
        expectErrors(".org 0\n halt", [(2, 2, "instruction 'halt' in a data section, expected .text before it")])
        expectErrors(".org 0\n.byte 256", [(2, 7, "value 256 out of range for .byte")])
        expectErrors(".org 0\n.row +-", [(2, 1, ".row outside a matrix")])
        expectErrors(".org 0\n.matrix 1, 3, 1\n.row +x-", [(3, 7, "invalid trit 'x'")])
        expectErrors(".org 0\n.matrix 1, 3, 1\n.row +-", [(3, 1, "row has 2 trits, expected 3")])
        expectErrors(".org 0\n.matrix 2, 3, 1\n.row +-0", [(2, 1, ".matrix declares 2 rows, got 1 .row lines")])
        expectErrors(".org 0\n.matrix 1, 3, 1\n.row +-0\n.row 000", [(4, 1, "too many .row lines")])
        expectErrors(".org 4\n.matrix 1, 3, 1\n.row +-0\n.row +-0", [(2, 1, "not 256-byte aligned, expected .align 256"), (4, 1, "too many .row lines")])
        expectErrors(".org 64\n.matrix 1, 3, 1, b3\n.row +-0", [(2, 1, "matrix at address 0x00000040 is not 256-byte aligned")])
        expectErrors(".org 0\n.matrix 1, 3, 1, b4\n.row +-0", [(2, 18, "invalid packing 'b4', expected b3 (base-3) or nothing (2-bit)")])
        expectErrors(".org 0\n.matrix 1, 3, 1, b3, 2", [(2, 1, ".matrix takes 3 or 4 operands (rows, cols, scale[, b3]), got 5")])
        expectErrors("tmatmul.b3 v1, v2, s3", [(1, 22, "tmatmul.b3 takes 4 operands (tmatmul.b3 vd, va, sb, addr), got 3")])
        expectErrors("tmatmul.b4 v1, v2, s3, 0", [(1, 1, "unknown instruction 'tmatmul.b4'")])
        expectErrors(".equ tmatmul.b3, 4", [(1, 6, "'tmatmul.b3' is reserved")])
        expectErrors(".org 0\n.zero 8\n.org 4\n.zero 8", [(3, 1, "overlaps")])
        expectErrors(".memory 4\n.org 0\n.zero 8", [(1, 1, ".memory 4 is smaller than the data")])
        expectErrors("halt extra", [(1, 6, "halt takes 0 operands")])
        expectErrors("add v1,, v2", [(1, 8, "empty operand")])
        expectErrors("@ halt", [(1, 1, "unexpected '@'")])
        expectErrors("ldv v0, 4 4", [(1, 11, "unexpected '4' after the address")])
        expectErrors("ldv v0, (4 + 4", [(1, 15, "missing ')'")])
        expectErrors(".equ v3, 4", [(1, 6, "'v3' is reserved")])
        expectErrors(".fracbits 30", [(1, 11, "fraction bits 30 out of range")])
        expectErrors("ldv v0, 0x7fffffffffffffff + 1", [(1, 28, "arithmetic overflow")])
        expectErrors(".symbol out, 2, 1", [(1, 14, "symbol address 2, expected a multiple of 4")])
        expectErrors(".org 0\n.align 3", [(2, 8, "expected a power of two")])
        expectErrors(".data", [(1, 1, ".data before any .org")])
    }

    @Test func severalErrorsAreAllReported() {
        expectErrors("""
            frob
            add v1, v2
            ldv v0, missing
            halt
            setvl 0
            """, [(1, 1, "unknown instruction"), (2, 11, "takes 3 operands"), (3, 9, "undefined name"), (5, 7, "vector length 0")])
    }
}
