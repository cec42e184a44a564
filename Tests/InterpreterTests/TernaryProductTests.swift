import Testing
import TestSupport
import ISA
@testable import Interpreter

/// `tmatmul` and `tmatmul.b3` against a naive product. The matrices are
/// packed here from the ISA text alone (not with TernaryMatrix), with
/// garbage in every padding byte and digit the layout allows.
@Suite struct TernaryProductTests {
    /// A packed matrix and the trits it holds.
    struct Packed {
        var bytes: [UInt8]
        let rows: Int, cols: Int, k: Int, steps: Int
        /// Offset of the byte holding trits k*s ..< k*s + k of `row`.
        func offset(row: Int, step: Int) -> Int { 256 + (row / 64) * steps * 64 + step * 64 + row % 64 }
    }

    /// Packs row-major trits: 256-byte header (R, C, ws), groups of 64 rows
    /// of S = ceil(ceil(C / k) / 8) * 8 steps, byte s * 64 + j of a group
    /// holding trits k*s ..< k*s + k of row j (2-bit codes 00, 01, 11 from
    /// bit 0 up; base-3 digits 0, 1, 2 for 0, +1, -1, first trit least
    /// significant).
    static func pack(_ trits: [Int8], rows: Int, cols: Int, ws: Int32, base3: Bool, garbage rng: inout SplitMix64) -> Packed {
        let k = base3 ? 5 : 4
        let steps = ((cols + k - 1) / k + 7) / 8 * 8
        let groups = (rows + 63) / 64
        var p = Packed(bytes: [UInt8](repeating: 0, count: 256 + groups * steps * 64), rows: rows, cols: cols, k: k, steps: steps)
        for (o, v) in [(0, UInt32(rows)), (4, UInt32(cols)), (8, UInt32(bitPattern: ws))] {
            for b in 0..<4 { p.bytes[o + b] = UInt8(truncatingIfNeeded: v >> UInt32(8 * b)) }
        }
        for i in 12..<256 { p.bytes[i] = UInt8(truncatingIfNeeded: rng.next()) }   // reserved: ignored
        for g in 0..<groups {
            for lane in 0..<64 {
                let r = 64 * g + lane
                for s in 0..<steps {
                    let o = p.offset(row: r, step: s)
                    if r >= rows || k * s >= cols {
                        // Wholly outside the matrix: anything, illegal values included.
                        p.bytes[o] = UInt8(truncatingIfNeeded: rng.next())
                        continue
                    }
                    var byte = 0, weight = 1
                    for i in 0..<k {
                        let c = k * s + i
                        let t = c < cols ? Int(trits[r * cols + c]) : Int(rng.below(3)) - 1   // garbage past C
                        if base3 {
                            byte += (t == 1 ? 1 : t == -1 ? 2 : 0) * weight
                            weight *= 3
                        } else {
                            // Past C even the illegal code 10 is allowed.
                            let code = c < cols ? (t == 1 ? 1 : t == -1 ? 3 : 0) : rng.below(4)
                            byte |= code << (2 * i)
                        }
                    }
                    p.bytes[o] = UInt8(byte)
                }
            }
        }
        return p
    }

    /// Loads `x` (raw words: tmatmul reads each one's low 8 bits) and runs
    /// one tmatmul on the matrix (placed after the vectors, ending exactly
    /// at the end of memory) with activation scale `sb`.
    func product(_ p: Packed, x: [Int32], sb: Int32, base3: Bool) throws -> Machine {
        let xBytes = le(x)
        var v1 = [Int32](repeating: 0, count: p.rows)
        for i in v1.indices { v1[i] = Int32(i) * 7 + 1 }   // must survive a faulting tmatmul
        let addr = UInt32((xBytes.count + 4 + 4 * p.rows + 255) / 256 * 256)
        return try run([Instruction(.setvl, imm: UInt32(x.count)), Instruction(.ldv, rd: 2, imm: 0),
                        Instruction(.lds, rd: 5, imm: UInt32(xBytes.count)),
                        Instruction(.setvl, imm: UInt32(p.rows)), Instruction(.ldv, rd: 1, imm: UInt32(xBytes.count + 4)),
                        Instruction(.tmatmul, rd: 1, ra: 2, rb: 5, mode: base3 ? 1 : 0, imm: addr)],
                       data: [(0, xBytes + le([sb]) + le(v1)), (addr, p.bytes)],
                       memory: addr + UInt32(p.bytes.count))
    }

    func expected(_ trits: [Int8], rows: Int, cols: Int, x: [Int32], ws: Int32, sb: Int32) -> [Int32] {
        let k = Numeric.matmulScale(weightScale: ws, activationScale: sb)
        return (0..<rows).map { r in
            var acc = 0
            for c in 0..<cols { acc += Int(trits[r * cols + c]) * Int(Int8(truncatingIfNeeded: x[c])) }
            return Numeric.matmulOutput(Int32(acc), scale: k, f: 16)
        }
    }

    @Test(arguments: [false, true])
    func productsMatchNaiveReference(base3: Bool) throws {
        let seed = testSeed(base3 ? 0x7B3 : 0x72B)
        var rng = SplitMix64(seed: seed)
        // Edges of groups (64 rows), bytes (4 or 5 trits) and step padding (4 steps), then random shapes.
        var shapes = [(1, 1), (3, 5), (64, 4), (65, 5), (63, 16), (64, 20), (1, 21), (129, 321), (7, 1000), (2, 2048)]
        for _ in 0..<iterations(12) { shapes.append((1 + rng.below(300), 1 + rng.below(1500))) }
        for (rows, cols) in shapes {
            let trits = (0..<(rows * cols)).map { _ in Int8(rng.below(3) - 1) }
            // Raw words: the high bits must be ignored; -128 and 127 included.
            var x = (0..<cols).map { _ in Int32(truncatingIfNeeded: rng.next()) }
            x[0] = -128
            if cols > 1 { x[cols - 1] = 127 }
            let ws = rng.int32(in: 1...200_000), sb = rng.int32(in: 1...3_000_000)
            let p = Self.pack(trits, rows: rows, cols: cols, ws: ws, base3: base3, garbage: &rng)
            let m = try product(p, x: x, sb: sb, base3: base3)
            #expect(m.status == .halted, "seed \(seed) \(rows)x\(cols)")
            let want = expected(trits, rows: rows, cols: cols, x: x, ws: ws, sb: sb)
            let got = m.vector(1, count: rows)
            #expect(got == want, "seed \(seed) \(rows)x\(cols) base3 \(base3): first difference at row \(got.indices.first { got[$0] != want[$0] } ?? -1)")
        }
    }

    /// One machine, several products in a row: the kernel's tables follow
    /// every change of input (even one element), column count and packing,
    /// and are reused only for an identical input (gate and up share one).
    @Test func productsInSequenceFollowInputsShapesAndPackings() throws {
        let seed = testSeed(0x5E0)
        var rng = SplitMix64(seed: seed)
        let c1 = 300, c2 = 77, rows = 70
        let x1 = (0..<c1).map { _ in Int32(truncatingIfNeeded: rng.next()) }
        var x1b = x1
        x1b[c1 - 1] = x1b[c1 - 1] &+ 1                  // the last column's code changes by one
        let y = (0..<c2).map { _ in Int32(truncatingIfNeeded: rng.next()) }
        // Matrices: A (2-bit, c1), B (base-3, c2), C (base-3, c1).
        let specs = [(c1, false), (c2, true), (c1, true)]
        var mats: [(trits: [Int8], packed: Packed, addr: Int)] = []
        var data: [(UInt32, [UInt8])] = [(0, le(x1) + le(x1b) + le(y))]
        var end = 4 * (2 * c1 + c2)
        for (cols, base3) in specs {
            let t = (0..<(rows * cols)).map { _ in Int8(rng.below(3) - 1) }
            let p = Self.pack(t, rows: rows, cols: cols, ws: 40_000, base3: base3, garbage: &rng)
            let addr = (end + 255) / 256 * 256
            mats.append((t, p, addr))
            data.append((UInt32(addr), p.bytes))
            end = addr + p.bytes.count
        }
        // (matrix, input register, destination): v1 = x1, v2 = x1b, v3 = y.
        let order: [(Int, UInt8)] = [(0, 1), (0, 1), (0, 2), (1, 3), (2, 1), (2, 2), (0, 1)]
        var code = [Instruction(.li, rd: 1, imm: 900_000),
                    Instruction(.setvl, imm: UInt32(c1)), Instruction(.ldv, rd: 1, imm: 0), Instruction(.ldv, rd: 2, imm: UInt32(4 * c1)),
                    Instruction(.setvl, imm: UInt32(c2)), Instruction(.ldv, rd: 3, imm: UInt32(8 * c1))]
        for (k, (m, src)) in order.enumerated() {
            code.append(Instruction(.tmatmul, rd: UInt8(4 + k), ra: src, rb: 1, mode: specs[m].1 ? 1 : 0, imm: UInt32(mats[m].addr)))
        }
        let machine = try run(code, data: data, memory: UInt32(end))
        #expect(machine.status == .halted, "seed \(seed)")
        let inputs = [1: x1, 2: x1b, 3: y]
        for (k, (m, src)) in order.enumerated() {
            let want = expected(mats[m].trits, rows: rows, cols: specs[m].0, x: inputs[Int(src)]!, ws: 40_000, sb: 900_000)
            #expect(machine.vector(4 + k, count: rows) == want, "seed \(seed): product \(k) (matrix \(m), v\(src))")
        }
    }

    /// An illegal code inside the matrix faults (the first one in row-major
    /// order is reported, by the first column of its byte) and writes
    /// nothing; the same values in the padding are ignored (above).
    @Test(arguments: [false, true])
    func illegalWeightsInsideFault(base3: Bool) throws {
        let seed = testSeed(base3 ? 0xBAD3 : 0xBAD2)
        var rng = SplitMix64(seed: seed)
        for i in 0..<iterations(20) {
            let rows = 1 + rng.below(200), cols = 1 + rng.below(700)
            let trits = (0..<(rows * cols)).map { _ in Int8(rng.below(3) - 1) }
            var p = Self.pack(trits, rows: rows, cols: cols, ws: 65536, base3: base3, garbage: &rng)
            let k = p.k
            // One or two illegal bytes at (row, column) positions inside the matrix.
            var spots = [(rng.below(rows), rng.below(cols))]
            if i % 2 == 1 { spots.append((rng.below(rows), rng.below(cols))) }
            for (r, c) in spots {
                let o = p.offset(row: r, step: c / k)
                if base3 {
                    p.bytes[o] = UInt8(243 + rng.below(13))
                } else {
                    p.bytes[o] = p.bytes[o] & ~(3 << UInt8(2 * (c % k))) | (0b10 << UInt8(2 * (c % k)))
                }
            }
            let first = spots.min { ($0.0, $0.1 / k) < ($1.0, $1.1 / k) }!
            // In 2-bit packing the fault names the byte's first column; a second
            // illegal code in the same byte at a lower column is the same byte.
            let x = (0..<cols).map { _ in Int32(truncatingIfNeeded: rng.next()) }
            let m = try product(p, x: x, sb: 1000, base3: base3)
            guard case .faulted(let f) = m.status else {
                Issue.record("seed \(seed) case \(i): \(rows)x\(cols) with illegal weights at \(spots) did not fault"); continue
            }
            #expect(f.code == .badWeight && f.index == 5, "seed \(seed) case \(i): \(f)")
            #expect(f.detail.hasSuffix("row \(first.0), column \(first.1 / k * k)"), "seed \(seed) case \(i): \(f.detail), spots \(spots)")
            #expect(m.vector(1, count: rows) == (0..<rows).map { Int32($0) * 7 + 1 }, "seed \(seed) case \(i): v1 written")
        }
    }
}
