import Foundation
import Testing
import ISA
import Assembler
@testable import Interpreter

/// The isa/examples programs, assembled and run, checked against independent
/// double-precision computations from their own input data.
@Suite struct ExampleTests {
    static let root: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    struct Ran {
        let image: ProgramImage
        let machine: Machine
        let initial: [UInt8]
        func sym(_ name: String) -> ProgramImage.Symbol { image.symbols.first { $0.name == name }! }
        func words(_ mem: [UInt8], _ a: Int, _ n: Int) -> [Int32] {
            (0..<n).map { i in Int32(bitPattern: UInt32(mem[a + 4*i]) | UInt32(mem[a + 4*i + 1]) << 8 | UInt32(mem[a + 4*i + 2]) << 16 | UInt32(mem[a + 4*i + 3]) << 24) }
        }
        /// Input data, read from the image (not from the interpreter).
        func input(_ name: String) -> [Double] { let s = sym(name); return words(initial, Int(s.address), Int(s.count)).map(dbl) }
        func inputLabel(_ addr: Int, _ n: Int) -> [Double] { words(initial, addr, n).map(dbl) }
        func output(_ name: String) -> [Int32] { let s = sym(name); return machine.words(at: Int(s.address), count: Int(s.count))! }
    }

    func run(_ file: String) throws -> Ran {
        let src = try String(contentsOfFile: Self.root + "/isa/examples/" + file, encoding: .utf8)
        guard case .success(let img) = Assembler().assemble(src, file: file) else {
            throw Failure(message: "\(file) does not assemble")
        }
        var config = CoreConfig.standard
        config.streams = img.streams
        let m = try Machine(image: img, config: config)
        let st = m.run()
        #expect(st == .halted, "\(file): \(st)")
        return Ran(image: img, machine: m, initial: img.memory())
    }
    struct Failure: Error { let message: String }

    @Test func allExamplesRunAndUseEveryPaperMnemonic() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.root + "/isa/examples").filter { $0.hasSuffix(".s") }
        #expect(files.count >= 5)
        var used = Set<UInt8>()
        for f in files {
            let r = try run(f)
            for w in r.image.code { used.insert(UInt8(w >> 56)) }
        }
        for m in InstructionSet.paperMnemonics { #expect(used.contains(InstructionSet.specsByMnemonic[m]!.opcode), "\(m) unused") }
    }

    @Test func vectorArithmetic() throws {
        let r = try run("01_vector_arith.s")
        let a = r.input("a"), b = r.input("b")
        let clamp = { (x: Double) in max(min(x, 32767.9999847), -32768) }
        for i in 0..<8 {
            #expect(abs(dbl(r.output("sum")[i]) - clamp(a[i] + b[i])) <= 1e-9)
            #expect(abs(dbl(r.output("diff")[i]) - clamp(a[i] - b[i])) <= 1e-9)
            #expect(abs(dbl(r.output("prod")[i]) - clamp(a[i] * b[i])) <= 1.0 / 65536)
            let q = b[i] == 0 ? (a[i] > 0 ? 32768.0 : -32768.0) : a[i] / b[i]
            #expect(abs(dbl(r.output("quot")[i]) - clamp(q)) <= 1.0 / 65536 + 1e-9 * abs(q))
        }
        #expect(r.output("prod")[7] == Int32.max)      // 300 * 200 saturates
        #expect(r.output("quot")[6] == Int32.max)      // 5 / 0
    }

    @Test func lookupUnits() throws {
        let r = try run("02_lookup_units.s")
        let xs = r.input("xs")
        for (i, x) in xs.enumerated() {
            let e = Foundation.exp(x)
            if e >= 32768 { #expect(r.output("exp")[i] == Int32.max) } else { #expect(abs(dbl(r.output("exp")[i]) - e) <= 2e-6 * e + 1e-5) }
            let s = 1 / (1 + Foundation.exp(-x))
            #expect(abs(dbl(r.output("sig")[i]) - s) <= 2e-5)
            #expect(abs(dbl(r.output("csig")[i]) - (1 - s)) <= 2e-5)
            #expect(abs(dbl(r.output("silu")[i]) - x * s) <= 2e-5 * max(1, abs(x)))
            if x <= 0 { #expect(r.output("rsqrt")[i] == Int32.max) } else { #expect(abs(dbl(r.output("rsqrt")[i]) - 1 / x.squareRoot()) <= 1e-5 + 1e-8 / x.squareRoot()) }
        }
    }

    @Test func scalars() throws {
        let r = try run("03_scalars.s")
        let xs = [1.0, -2, 3.5, 1000]
        #expect(r.output("out4").map(dbl) == xs.map { ($0 - 0.75) + 2.5 * ($0 * 0.125) })
        #expect(r.output("out3").map(dbl) == [2.5, 2.5, 2.5, 9])
        #expect(r.output("sout").map(dbl) == [-0.75])
    }

    /// Float BitLinear exactly as docs/model.md writes it, with the stored scale.
    static func bitLinear(_ y: [Double], _ w: [[Int]], _ ws: Double) -> [Double] {
        let amax = max(y.map(abs).max() ?? 0, 1e-5)
        let sx = 127 / amax
        let xq = y.map { min(max(($0 * sx).rounded(), -128), 127) }
        return w.map { row in zip(row, xq).map { Double($0) * $1 }.reduce(0, +) * ws / sx }
    }
    static func rmsnorm(_ x: [Double], _ w: [Double], eps: Double = 1e-6) -> [Double] {
        let ms = x.map { $0 * $0 }.reduce(0, +) / Double(x.count)
        let r = 1 / (ms + eps).squareRoot()
        return zip(x, w).map { $0 * r * $1 }
    }
    static func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
    static func silu(_ x: Double) -> Double { x * sigmoid(x) }

    /// Unpacks a matrix from the image's initial memory, from the ISA text's
    /// layout (independent of the kernel and of TernaryMatrix): 256-byte
    /// header, groups of 64 rows, byte s * 64 + j of a group holding trits
    /// k*s ..< k*s + k of row j, S = ceil(ceil(C / k) / 8) * 8 steps.
    func matrix(_ r: Ran, _ label: String, _ src: String) -> ([[Int]], Double) {
        let addr = labelAddress(src, label, image: r.image)
        let base3 = isBase3(src, label)
        let m = r.initial
        let rows = Int(m[addr]) | Int(m[addr + 1]) << 8, cols = Int(m[addr + 4]) | Int(m[addr + 5]) << 8
        let ws = dbl(Int32(bitPattern: UInt32(m[addr + 8]) | UInt32(m[addr + 9]) << 8 | UInt32(m[addr + 10]) << 16 | UInt32(m[addr + 11]) << 24))
        let k = base3 ? 5 : 4
        let steps = ((cols + k - 1) / k + 7) / 8 * 8
        let w = (0..<rows).map { row in (0..<cols).map { c -> Int in
            let byte = Int(m[addr + 256 + (row / 64) * steps * 64 + (c / k) * 64 + row % 64])
            if base3 {
                var d = byte
                for _ in 0..<(c % k) { d /= 3 }
                return [0, 1, -1][d % 3]
            }
            let code = (byte >> (2 * (c % k))) & 3
            return code == 1 ? 1 : (code == 3 ? -1 : 0)
        } }
        return (w, ws)
    }

    /// Whether the `.matrix` after `label:` in the source has the `b3` operand.
    func isBase3(_ src: String, _ label: String) -> Bool {
        let lines = src.split(separator: "\n").map { $0.split(separator: ";").first.map(String.init) ?? "" }
        guard let i = lines.firstIndex(where: { $0.hasPrefix(label + ":") }) else { return false }
        let decl = lines[i...].first { $0.contains(".matrix") } ?? ""
        return decl.replacingOccurrences(of: " ", with: "").lowercased().hasSuffix(",b3")
    }

    /// A label's address: re-assemble the source with a `.symbol` for it.
    func labelAddress(_ src: String, _ label: String, image: ProgramImage) -> Int {
        guard case .success(let img) = Assembler().assemble(src + "\n.symbol probe_\(label), \(label), 1\n", file: "probe.s") else { return -1 }
        return Int(img.symbols.first { $0.name == "probe_\(label)" }!.address)
    }

    func vec(_ r: Ran, _ src: String, _ label: String, _ n: Int) -> [Double] { r.inputLabel(labelAddress(src, label, image: r.image), n) }

    @Test func fusedBitLinear() throws {
        let file = "04_bitlinear.s"
        let src = try String(contentsOfFile: Self.root + "/isa/examples/" + file, encoding: .utf8)
        let r = try run(file)
        let y = Self.rmsnorm(r.input("x"), r.input("norm_w"))
        for i in 0..<6 { #expect(abs(dbl(r.output("y")[i]) - y[i]) <= 5e-5) }
        #expect(abs(dbl(r.output("ymax")[0]) - y.map(abs).max()!) <= 5e-5)
        let (w, ws) = matrix(r, "W", src)
        let want = Self.bitLinear(y, w, ws)
        for i in 0..<5 { #expect(abs(dbl(r.output("out")[i]) - want[i]) <= 1e-4, "out[\(i)] \(dbl(r.output("out")[i])) vs \(want[i])") }
        #expect(r.output("zq") == [0, 0, 0, 0, 0, 0])
    }

    /// Four streams: each its own BitLinear of one shared matrix, then
    /// `macp` chaining them as consecutive tokens of one recurrence.
    @Test func streams() throws {
        let file = "07_streams.s"
        let src = try String(contentsOfFile: Self.root + "/isa/examples/" + file, encoding: .utf8)
        let r = try run(file)
        #expect(r.image.streams == 4)
        let (w, ws) = matrix(r, "W", src)
        let stride = 0x40, g = r.input("gate")
        var h = r.input("h0")
        for s in 0..<4 {
            let x = r.inputLabel(s * stride, 4)
            let y = Self.bitLinear(x, w, ws)
            let got = r.machine.words(at: 0x10 + s * stride, count: 3)!.map(dbl)
            for i in 0..<3 { #expect(abs(got[i] - y[i]) <= 1e-4 * max(1, abs(y[i])), "stream \(s) y[\(i)] \(got[i]) vs \(y[i])") }
            h = (0..<3).map { y[$0] + g[$0] * h[$0] }
            let hs = r.machine.words(at: 0x20 + s * stride, count: 3)!.map(dbl)
            for i in 0..<3 { #expect(abs(hs[i] - h[i]) <= 1e-3 * max(1, abs(h[i])), "stream \(s) h[\(i)] \(hs[i]) vs \(h[i])") }
        }
        #expect(r.output("hlast") == r.machine.words(at: 0x20 + 3 * stride, count: 3)!, "the shared store keeps the last stream's h")
    }

    /// The MLGRU step and the whole block against the float reference of docs/model.md.
    func mlgru(_ r: Ran, _ src: String, d: Int) -> (h: [Double], r1: [Double]) {
        let x = vec(r, src, "x", d), hPrev = vec(r, src, "h_prev", d)
        let a = Self.rmsnorm(x, vec(r, src, "attn_norm_w", d))
        func bl(_ inp: [Double], _ norm: String, _ mat: String) -> [Double] {
            let (w, ws) = matrix(r, mat, src)
            return Self.bitLinear(Self.rmsnorm(inp, vec(r, src, norm, inp.count)), w, ws)
        }
        let i0 = bl(a, "i_norm_w", "W_i"), f0 = bl(a, "f_norm_w", "W_f"), g = bl(a, "g_norm_w", "W_g")
        let lb = vec(r, src, "lb", d)
        let f = zip(f0, lb).map { $1 + (1 - $1) * Self.sigmoid($0) }
        let i = zip(i0, f).map { Self.silu($0) * (1 - $1) }
        let h = (0..<d).map { f[$0] * hPrev[$0] + i[$0] }
        let o0 = zip(Self.rmsnorm(g, vec(r, src, "gn_w", d)), h).map { $0 * Self.silu($1) }
        let o = bl(o0, "o_norm_w", "W_o")
        return (h, zip(x, o).map(+))
    }

    @Test func mlgruStep() throws {
        let file = "05_mlgru_step.s"
        let src = try String(contentsOfFile: Self.root + "/isa/examples/" + file, encoding: .utf8)
        let r = try run(file)
        let (h, r1) = mlgru(r, src, d: 8)
        for k in 0..<8 {
            #expect(abs(dbl(r.output("h_out")[k]) - h[k]) <= 2e-3, "h[\(k)] \(dbl(r.output("h_out")[k])) vs \(h[k])")
            #expect(abs(dbl(r.output("r1_out")[k]) - r1[k]) <= 2e-3, "r1[\(k)] \(dbl(r.output("r1_out")[k])) vs \(r1[k])")
        }
    }

    @Test func wholeBlock() throws {
        let file = "06_hgrn_block.s"
        let src = try String(contentsOfFile: Self.root + "/isa/examples/" + file, encoding: .utf8)
        let r = try run(file)
        let (h, r1) = mlgru(r, src, d: 8)
        let m = Self.rmsnorm(r1, vec(r, src, "mlp_norm_w", 8))
        let mn = Self.rmsnorm(m, vec(r, src, "gate_norm_w", 8))
        let (wg, wsg) = matrix(r, "W_gate", src), (wu, wsu) = matrix(r, "W_up", src)
        let gate = Self.bitLinear(mn, wg, wsg), up = Self.bitLinear(mn, wu, wsu)
        let hidden = zip(gate, up).map { Self.silu($0) * $1 }
        // W_down is the example's base-3 matrix, read by a tmatmul with mode 1.
        #expect(isBase3(src, "W_down"))
        #expect(r.image.code.contains { Encoding.op.extract($0) == UInt64(Opcode.tmatmul.rawValue) && Encoding.mode.extract($0) == 1 })
        let (wd, wsd) = matrix(r, "W_down", src)
        let z = Self.bitLinear(Self.rmsnorm(hidden, vec(r, src, "down_norm_w", 16)), wd, wsd)
        let out = zip(r1, z).map(+)
        for k in 0..<8 {
            #expect(abs(dbl(r.output("h_out")[k]) - h[k]) <= 2e-3)
            #expect(abs(dbl(r.output("r1_out")[k]) - r1[k]) <= 2e-3)
            #expect(abs(dbl(r.output("out")[k]) - out[k]) <= 5e-3, "out[\(k)] \(dbl(r.output("out")[k])) vs \(out[k])")
        }
    }
}
