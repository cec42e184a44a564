import Testing
import ISA
import Assembler
@testable import Interpreter

/// The interpreter's saturation counts (ISA.md, "Where values saturate"):
/// each kind on crafted operands, per record and per opcode, none on
/// ordinary values, cleared by `restart()`.
@Suite struct SaturationTests {
    func assemble(_ source: String) throws -> Machine {
        guard case .success(let image) = Assembler().assemble(source, file: "saturation.s") else {
            throw Failure(message: "the test program does not assemble")
        }
        return try Machine(image: image, config: CoreConfig(fracBits: image.fracBits))
    }
    struct Failure: Error { let message: String }

    /// Runs `source` and returns the saturations of each retired record by index, and the machine.
    func run(_ source: String) throws -> ([Int: Int], Machine) {
        let m = try assemble(source)
        var perRecord: [Int: Int] = [:]
        m.onRetire = { if $0.saturations != 0 { perRecord[Int($0.index)] = Int($0.saturations) } }
        #expect(m.run() == .halted)
        return (perRecord, m)
    }

    @Test func everySaturatingKindCountsItsClampedElements() throws {
        let (records, m) = try run("""
                setvl 4
                ldv v1, a
                ldv v2, b
                add v3, v1, v2          ; 2: MAX + 1, MIN + -1
                sub v4, v1, v2          ; 1: MIN - 1 only (MAX - 1 and the others fit)
                ldv v5, big
                mul v6, v5, v5          ; 3: 1000 * 1000 twice, 20000 * 20000
                ldv v7, num
                ldv v8, den
                div v9, v7, v8          ; 3: 1/0, -1/0, 30000/0.5 (0/0 is 0, not saturated)
                li s1, 3.0
                muls v10, v5, s1        ; 1: 3 * 20000
                adds v11, v1, s1        ; 1: MAX + 3
                mv v12, v5
                mac v12, v5, v2         ; 0: v2 is tiny
                ldv v13, lbx
                ldv v14, lbl
                lba v15, v13, v14       ; 1: -30000 + 30001 * 3
                ldv v1, ex
                exp v2, v1              ; 2: e^11 and e^20 (e^10 fits, e^-30 underflows to 0)
                rsqrt v3, v1            ; 1: x = -30 <= 0 (0 is not in ex)
                ldv v4, minv
                absmax s2, v4           ; 1: -2^31 in the vector
                li s3, 2.0
                ldv v5, qx
                quant v6, v5, s3        ; 2: 4 and -3 against a scale of 2
                halt
            .org 0
            a:    .word 0x7fffffff, 0x80000000, 5, 0x80000000
            b:    .word 1, -1, 5, 1
            big:  .fix 1000, 1000, 2, 20000
            num:  .fix 1, 0, -1, 30000
            den:  .fix 0, 0, 0, 0.5
            lbx:  .fix 3, 0.5, 0, 1
            lbl:  .fix -30000, 0.5, 0, 1
            ex:   .fix 11, 10, -30, 20
            minv: .word 5, 0x80000000, 0, 1
            qx:   .fix 4, 1, -3, 0
            """)
        let expected: [Opcode: Int] = [.add: 2, .adds: 1, .sub: 1, .mul: 3, .div: 3, .muls: 1, .lba: 1, .exp: 2,
                                       .rsqrt: 1, .absmax: 1, .quant: 2]
        #expect(m.saturations == SaturationCounts(expected), "\(m.saturations.listing)")
        #expect(records[3] == 2 && records[4] == 1 && records[6] == 3 && records[9] == 3 && records[12] == 1)
        #expect(records[14] == nil, "mac of tiny products saturated")
        #expect(m.saturations.total == records.values.reduce(0, +))
        m.restart()
        #expect(m.saturations.isEmpty)
    }

    @Test func normAndTernaryProductOutputsSaturate() throws {
        // norm: one nonzero element of 64 normalizes to sqrt(64) = 8, times a weight of 5000.
        // tmatmul: row 0 sums 4 * 127 codes, rescaled by 30000 / 127: 120000 does not fit; row 1 is 30000.
        let (records, m) = try run("""
                setvl 64
                ldv v1, x
                ldv v2, w
                norm v3, v1, v2, 0
                setvl 4
                ldv v4, codes
                li s1, 30000.0
                tmatmul v5, v4, s1, mat
                halt
            .org 0
            x:     .fix 2.5
                   .zero 252
            w:     .fix 5000, 0.5
                   .zero 248
            codes: .word 127, 127, 127, 127
                   .align 256
            mat:   .matrix 2, 4, 1.0
                   .row ++++
                   .row +000
            """)
        #expect(records[3] == 1)
        #expect(records[7] == 1)
        #expect(m.saturations == SaturationCounts([.norm: 1, .tmatmul: 1]))
        #expect(m.vector(5, count: 2) == [Int32.max, Numeric.matmulOutput(127, scale: Numeric.matmulScale(weightScale: 65536, activationScale: 30000 << 16), f: 16)])
    }

    @Test func rsqrtLeftShiftSaturatesAtMoreFractionBits() throws {
        // At F = 24 the range is 128 and 1/sqrt(2^-24) = 4096.
        let (records, m) = try run("""
                .fracbits 24
                setvl 2
                ldv v1, x
                rsqrt v2, v1
                halt
            .org 0
            x: .word 1, 0x01000000
            """)
        #expect(records[2] == 1)
        #expect(m.saturations == SaturationCounts([.rsqrt: 1]))
    }

    @Test func ordinaryValuesNeverSaturate() throws {
        let (records, m) = try run("""
                setvl 8
                ldv v1, x
                ldv v2, y
                add v3, v1, v2
                sub v3, v1, v2
                mul v3, v1, v2
                div v3, v1, v2
                mac v3, v1, v2
                lba v3, v1, v2
                exp v3, v1
                sig v3, v1
                csig v3, v1
                silu v3, v1
                rsqrt v3, v2
                absmax s1, v1
                quant v4, v1, s1
                norm v5, v1, v2, 1e-6
                halt
            .org 0
            x: .fix 0.5, -1.25, 3, -7, 0.001, 9.5, -0.3, 2
            y: .fix 1.5, 0.25, 2, 7, 0.002, 4, 0.3, 1
            """)
        #expect(records.isEmpty)
        #expect(m.saturations.isEmpty)
    }
}
