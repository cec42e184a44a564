import ISA

/// Programs that time the interpreter's ternary products: random trits and
/// activations from a seed, matrices 256-byte aligned after the vectors.
/// `trit-bench` and `trit bench-interp` both run these.
public struct InterpreterWorkload: Sendable {
    /// The image: `setup` instructions, then `products` instructions repeated `rounds` times, then halt.
    public var image: ProgramImage
    public var setup: Int
    public var products: Int
    /// Trits multiplied by one round of products.
    public var trits: Int

    /// The products of a block in program order: i, f, g, o (d x d), gate and up (I x d), down (d x I).
    public static func blockShapes(d: Int, intermediate i: Int) -> [(rows: Int, cols: Int)] {
        [(d, d), (d, d), (d, d), (d, d), (i, d), (i, d), (d, i)]
    }

    /// One block's seven products, each from the quantized activation its
    /// matrix takes (d elements, or I for down_proj), `rounds` times.
    /// With `streams` > 1 every stream runs them (on the same activations).
    public static func block(d: Int, intermediate n: Int, packing p: WeightPacking, rounds: Int, seed: UInt64,
                             streams: Int = 1) -> InterpreterWorkload {
        var src = Source(state: seed | 1)
        var layout = Layout()
        let inputD = layout.put(src.vector(d)), inputN = layout.put(src.vector(n))
        let shapes = blockShapes(d: d, intermediate: n)
        let matrices = shapes.map { layout.put(src.matrix($0.rows, $0.cols, p)) }
        let setup = quantize(into: 1, from: inputD, length: d) + quantize(into: 2, from: inputN, length: n)
        // Each product reads the activation of its input width: v1 (d) or v2 (I), with its scale in s1 or s2.
        let products = zip(shapes, matrices).enumerated().map { k, sm in
            let input: UInt8 = sm.0.cols == d ? 1 : 2
            return Instruction(.tmatmul, rd: UInt8(3 + k), ra: input, rb: input, mode: p.rawValue, imm: sm.1)
        }
        var w = make(layout, setup: setup, products: products, rounds: rounds, trits: shapes.reduce(0) { $0 + $1.rows * $1.cols })
        w.image.streams = streams
        return w
    }

    /// One `rows x cols` product, `rounds` times.
    public static func matrix(rows: Int, cols: Int, packing p: WeightPacking, rounds: Int, seed: UInt64) -> InterpreterWorkload {
        var src = Source(state: seed | 1)
        var layout = Layout()
        let input = layout.put(src.vector(cols))
        let matrix = layout.put(src.matrix(rows, cols, p))
        return make(layout, setup: quantize(into: 1, from: input, length: cols),
                    products: [Instruction(.tmatmul, rd: 2, ra: 1, rb: 1, mode: p.rawValue, imm: matrix)], rounds: rounds, trits: rows * cols)
    }

    /// setvl, load, absmax, quant: register `r` holds the quantized vector, its scale in scalar `r`.
    static func quantize(into r: UInt8, from address: UInt32, length: Int) -> [Instruction] {
        [Instruction(.setvl, imm: UInt32(length)), Instruction(.ldv, rd: r, imm: address),
         Instruction(.absmax, rd: r, ra: r), Instruction(.quant, rd: r, ra: r, rb: r)]
    }

    static func make(_ layout: Layout, setup: [Instruction], products: [Instruction], rounds: Int, trits: Int) -> InterpreterWorkload {
        let code = setup + Array(repeating: products, count: rounds).joined() + [Instruction(.halt)]
        let image = ProgramImage(memorySize: UInt32(layout.end), code: code.map(\.word), data: layout.sections)
        return InterpreterWorkload(image: image, setup: setup.count, products: products.count, trits: trits)
    }

    /// A random source (xorshift) for trits and activations.
    struct Source {
        var state: UInt64
        mutating func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        mutating func matrix(_ rows: Int, _ cols: Int, _ p: WeightPacking) -> [UInt8] {
            let trits = (0..<(rows * cols)).map { _ in Int8(Int(next() % 3) - 1) }
            return TernaryMatrix.pack(rows: rows, cols: cols, weightScale: 1 << 14, trits: trits, packing: p)
        }
        /// `n` Q.F elements in [-1, 1), little-endian.
        mutating func vector(_ n: Int) -> [UInt8] {
            (0..<n).flatMap { _ -> [UInt8] in
                let v = UInt32(bitPattern: Int32(Int(next() % 131_072)) - 65_536)
                return (0..<4).map { UInt8(truncatingIfNeeded: v >> UInt32(8 * $0)) }
            }
        }
    }

    /// Data sections placed one after another, each 256-byte aligned.
    struct Layout {
        var sections: [ProgramImage.DataSection] = []
        var end = 0
        mutating func put(_ bytes: [UInt8]) -> UInt32 {
            let a = (end + TernaryMatrix.alignment - 1) / TernaryMatrix.alignment * TernaryMatrix.alignment
            sections.append(.init(address: UInt32(a), bytes: bytes))
            end = a + bytes.count
            return UInt32(a)
        }
    }
}
