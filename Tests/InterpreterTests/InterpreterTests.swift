import Foundation
import Testing
import TestSupport
import ISA
import Assembler
@testable import Interpreter

/// The shared seeded generator (TestSupport).
typealias Rng = SplitMix64

func le(_ v: [Int32]) -> [UInt8] { v.flatMap { x in (0..<4).map { UInt8(truncatingIfNeeded: UInt32(bitPattern: x) >> UInt32(8 * $0)) } } }
func q16(_ x: Double) -> Int32 { Int32((x * 65536).rounded()) }
func dbl(_ v: Int32) -> Double { Double(v) / 65536 }

/// Runs `code` with the given data sections; returns the machine.
func run(_ code: [Instruction], data: [(UInt32, [UInt8])] = [], memory: UInt32 = 4096,
         config: CoreConfig = .standard) throws -> Machine {
    let img = ProgramImage(memorySize: memory, code: code.map(\.word) + [Instruction(.halt).word],
                           data: data.map { .init(address: $0.0, bytes: $0.1) })
    let m = try Machine(image: img, config: config)
    m.run()
    return m
}

@Suite struct InstructionSemanticsTests {
    @Test func elementwiseOpsRouteRegistersAndRespectVL() throws {
        var rng = Rng(seed: 5)
        let n = 37
        let a = (0..<n).map { _ in rng.int32(in: -3_000_000...3_000_000) }
        var b = (0..<n).map { _ in rng.int32(in: -3_000_000...3_000_000) }
        b[3] = 0
        b[4] = Int32.max; b[5] = Int32.min
        let m = try run([
            Instruction(.setvl, imm: UInt32(n)),
            Instruction(.ldv, rd: 1, imm: 0), Instruction(.ldv, rd: 2, imm: 256),
            Instruction(.add, rd: 3, ra: 1, rb: 2), Instruction(.sub, rd: 4, ra: 1, rb: 2),
            Instruction(.mul, rd: 5, ra: 1, rb: 2), Instruction(.div, rd: 6, ra: 1, rb: 2),
            Instruction(.mv, rd: 7, ra: 1), Instruction(.mac, rd: 7, ra: 1, rb: 2),
            Instruction(.lba, rd: 8, ra: 1, rb: 2),
        ], data: [(0, le(a)), (256, le(b))])
        #expect(m.status == .halted)
        #expect(m.retired == 11)
        for i in 0..<n {
            let A = Int64(a[i]), B = Int64(b[i])
            #expect(m.vector(3)[i] == Int32(clamping: A + B))
            #expect(m.vector(4)[i] == Int32(clamping: A - B))
            let prod = (Double(A) * Double(B) / 65536)
            #expect(abs(Double(m.vector(5)[i]) - max(min(prod, 2147483647), -2147483648)) <= 0.5 + 1e-9 * abs(prod), "mul \(i)")
            if B == 0 { #expect(m.vector(6)[i] == (A > 0 ? Int32.max : Int32.min)) } else {
                let qt = Double(A) * 65536 / Double(B)
                #expect(abs(Double(m.vector(6)[i]) - max(min(qt, 2147483647), -2147483648)) <= 0.51 + 1e-8 * abs(qt), "div \(i)")
            }
            let macTruth = Double(A) + prod
            #expect(abs(Double(m.vector(7)[i]) - max(min(macTruth, 2147483647), -2147483648)) <= 0.51 + 1e-9 * abs(macTruth), "mac \(i)")
            let lbaTruth = Double(B) + (65536 - Double(B)) * Double(A) / 65536
            #expect(abs(Double(m.vector(8)[i]) - max(min(lbaTruth, 2147483647), -2147483648)) <= 0.51 + 1e-9 * abs(lbaTruth), "lba \(i)")
        }
        // Tail undisturbed beyond VL.
        #expect(m.vector(3, count: n + 5).suffix(5).allSatisfy { $0 == 0 })
    }

    @Test func scalarOpsLoadsAndStores() throws {
        let m = try run([
            Instruction(.setvl, imm: 4),
            Instruction(.li, rd: 2, imm: UInt32(bitPattern: q16(-1.25))),
            Instruction(.lds, rd: 3, imm: 16),
            Instruction(.bcast, rd: 0, ra: 2),
            Instruction(.ldv, rd: 1, imm: 0),
            Instruction(.adds, rd: 4, ra: 1, rb: 3),
            Instruction(.muls, rd: 5, ra: 1, rb: 2),
            Instruction(.sv, ra: 5, imm: 64),
            Instruction(.sts, ra: 2, imm: 96),
            Instruction(.absmax, rd: 6, ra: 1),
        ], data: [(0, le([q16(1), q16(-2), q16(3.5), q16(-7)])), (16, le([q16(0.5)]))])
        #expect(m.status == .halted)
        #expect(m.vector(0) == Array(repeating: q16(-1.25), count: 4))
        #expect(m.vector(4) == [q16(1.5), q16(-1.5), q16(4), q16(-6.5)])
        #expect(m.words(at: 64, count: 4) == [q16(-1.25), q16(2.5), q16(-4.375), q16(8.75)])
        #expect(m.words(at: 96, count: 1) == [q16(-1.25)])
        #expect(m.sregs[6] == q16(7))
    }

    @Test func lookupUnitsOnNegativeLargeAndZeroInputs() throws {
        let xs: [Int32] = [Int32.min, q16(-30), q16(-1), 0, q16(0.5), q16(9), q16(11), Int32.max]
        let m = try run([Instruction(.setvl, imm: 8), Instruction(.ldv, rd: 0, imm: 0),
                         Instruction(.exp, rd: 1, ra: 0), Instruction(.sig, rd: 2, ra: 0), Instruction(.csig, rd: 3, ra: 0),
                         Instruction(.silu, rd: 4, ra: 0), Instruction(.rsqrt, rd: 5, ra: 0)], data: [(0, le(xs))])
        for (i, x) in xs.enumerated() {
            let v = dbl(x)
            let e = Foundation.exp(v) * 65536
            if e >= 2147483647 { #expect(m.vector(1)[i] == Int32.max) } else { #expect(abs(Double(m.vector(1)[i]) - e) <= 2e-6 * e + 0.51) }
            let s = 65536 / (1 + Foundation.exp(-v))
            #expect(abs(Double(m.vector(2)[i]) - s) <= 1.01)
            #expect(abs(Double(m.vector(3)[i]) - (65536 - s)) <= 1.01)
            let silu = v * s
            #expect(abs(Double(m.vector(4)[i]) - min(silu, 2147483647)) <= abs(v) + 0.51)
            if x <= 0 { #expect(m.vector(5)[i] == Int32.max) } else {
                #expect(abs(Double(m.vector(5)[i]) - 65536 / v.squareRoot()) <= 1e-8 * 65536 / v.squareRoot() + 0.51)
            }
        }
    }

    @Test func normAndQuantEdgeCases() throws {
        // A zero vector: norm gives zeros, absmax 0, quant zeros (the docs/model.md clamp case).
        let w = le([q16(1), q16(2), q16(3)])
        let m = try run([Instruction(.setvl, imm: 3), Instruction(.ldv, rd: 0, imm: 0), Instruction(.ldv, rd: 1, imm: 16),
                         Instruction(.norm, rd: 2, ra: 0, rb: 1, imm: 4295), Instruction(.absmax, rd: 0, ra: 2),
                         Instruction(.quant, rd: 3, ra: 2, rb: 0),
                         Instruction(.ldv, rd: 4, imm: 32), Instruction(.norm, rd: 5, ra: 4, rb: 1, imm: 0)],
                        data: [(0, le([0, 0, 0])), (16, w), (32, le([q16(3), q16(-4), 0]))])
        #expect(m.vector(2) == [0, 0, 0])
        #expect(m.sregs[0] == 0)
        #expect(m.vector(3) == [0, 0, 0])
        // [3, -4, 0]: rms = sqrt(25/3); y = x / rms * w
        let rms = (25.0 / 3).squareRoot()
        let want = [3 / rms * 1, -4 / rms * 2, 0]
        for i in 0..<3 { #expect(abs(dbl(m.vector(5)[i]) - want[i]) < 3e-5) }
    }

    /// `quant` ties (A = 254 raw, so x * 127 / A = x / 2) round away from zero.
    @Test func quantTiesRoundAwayFromZero() throws {
        let xs: [Int32] = [1, -1, 3, -3, -5, 254, -254, 0]
        let m = try run([Instruction(.setvl, imm: UInt32(xs.count)), Instruction(.ldv, rd: 0, imm: 0),
                         Instruction(.absmax, rd: 0, ra: 0), Instruction(.quant, rd: 1, ra: 0, rb: 0)],
                        data: [(0, le(xs))])
        #expect(m.sregs[0] == 254)
        #expect(m.vector(1) == [1, -1, 2, -2, -3, 127, -127, 0])
    }

    @Test func retirementRecordsAndDigests() throws {
        let img = ProgramImage(memorySize: 64, code: [Instruction(.setvl, imm: 2).word, Instruction(.ldv, rd: 1, imm: 0).word,
                                                     Instruction(.sv, ra: 1, imm: 32).word, Instruction(.halt).word],
                               data: [.init(address: 0, bytes: le([7, -1]))])
        let m = try Machine(image: img)
        var recs: [RetireRecord] = []
        m.onRetire = { recs.append($0) }
        m.run()
        #expect(recs.map(\.line) == ["0 setvl vl 1 00000002", "1 ldv v1 2 \(Hex.digits(Digest.of([Int32(7), -1]), 8))",
                                     "2 sv @0x00000020 2 \(Hex.digits(Digest.of([Int32(7), -1]), 8))", "3 halt - 0 00000000"])
        #expect(Digest.of([Int32(7), -1]) == 7 &+ 0xFFFF_FFFF)
    }
}

@Suite struct FaultTests {
    func fault(_ code: [Instruction], data: [(UInt32, [UInt8])] = [], memory: UInt32 = 256,
               config: CoreConfig = .standard, raw: [UInt64]? = nil) throws -> Fault? {
        let img = ProgramImage(memorySize: memory, code: raw ?? code.map(\.word), data: data.map { .init(address: $0.0, bytes: $0.1) })
        let m = try Machine(image: img, config: config)
        if case .faulted(let f) = m.run() { return f }
        return nil
    }

    @Test func everyFaultCodeWithItsIndex() throws {
        #expect(try fault([], raw: [Instruction(.nop).word, 0xFF00_0000_0000_0000])?.code == .illegalInstruction)
        #expect(try fault([], raw: [Instruction(.nop).word, 0xFF00_0000_0000_0000])?.index == 1)
        #expect(try fault([], raw: [Instruction(.add).word | 1])?.code == .illegalInstruction)
        #expect(try fault([Instruction(.add, rd: 9)], config: CoreConfig(vectorRegisters: 8))?.code == .illegalInstruction)
        let oob = try fault([Instruction(.setvl, imm: 8), Instruction(.ldv, imm: 240)])
        #expect(oob?.code == .addressOutOfRange && oob?.index == 1)
        #expect(try fault([Instruction(.sts, imm: 256)])?.code == .addressOutOfRange)
        #expect(try fault([Instruction(.sts, imm: 0xFFFF_FFFC)])?.code == .addressOutOfRange)
        #expect(try fault([Instruction(.lds, imm: 2)])?.code == .misaligned)
        #expect(try fault([Instruction(.nop), Instruction(.nop), Instruction(.setvl, imm: 8193)]) == Fault(code: .badVectorLength, index: 2, detail: "setvl 8193 outside 1...8192"))
        #expect(try fault([Instruction(.setvl, imm: 0)])?.code == .badVectorLength)
        #expect(try fault([Instruction(.tmatmul, imm: 32)])?.code == .misaligned)
        // Matrix header with 0 rows, then one reaching past memory, then an illegal code.
        #expect(try fault([Instruction(.tmatmul, imm: 0)], data: [(0, le([0, 4]))])?.code == .badVectorLength)
        #expect(try fault([Instruction(.tmatmul, imm: 0)], data: [(0, le([2, 4]))], memory: 128)?.code == .addressOutOfRange)
        var mat = TernaryMatrix.pack(rows: 2, cols: 4, weightScale: 65536, trits: [1, 0, -1, 0, 0, 1, 1, 1])
        mat[256 + 1] |= 0b10            // row 1, column 0 (a zero trit): code 10
        let bad = try fault([Instruction(.setvl, imm: 4), Instruction(.tmatmul, imm: 0)], data: [(0, mat)], memory: 1024)
        #expect(bad?.code == .badWeight && bad?.index == 1 && bad?.detail.contains("row 1") == true)
        #expect(try fault([Instruction(.nop)])?.code == .fetchOutOfRange)
        #expect(try fault([Instruction(.nop)])?.index == 1)
    }

    @Test func faultingInstructionDoesNotRetireOrWrite() throws {
        let img = ProgramImage(memorySize: 64, code: [Instruction(.setvl, imm: 4).word, Instruction(.bcast, rd: 1).word,
                                                     Instruction(.ldv, rd: 1, imm: 60).word, Instruction(.halt).word])
        let m = try Machine(image: img)
        m.sregs[0] = 5
        m.run()
        #expect(m.retired == 2)
        #expect(m.pc == 2)
        #expect(m.vector(1) == [5, 5, 5, 5])   // from bcast; the faulting ldv wrote nothing
    }

    @Test func imageForAnotherFormatIsRefused() {
        let img = ProgramImage(fracBits: 12, memorySize: 0, code: [])
        #expect(throws: Machine.SetupError.self) { try Machine(image: img) }
    }
}
