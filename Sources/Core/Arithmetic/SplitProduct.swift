import HDL

/// A wide product built from DSP-sized pieces, pipelined (docs/silicon.md).
///
/// Why: a product wider than one 27 x 27 DSP block maps to several blocks
/// whose outputs are summed by adders in the same cycle (a 32 x 32 product
/// was a DSP plus a 90-bit carry chain) or, for a 64 x 32 product, to 22
/// LUT levels. Here the operands are registered (the DSP block's input
/// registers), every piece is one block between registers, and the pieces
/// are summed by a registered tree of two-operand adds.
///
/// Each operand is cut into chunks of nearly equal size, at most 17 bits
/// (unsigned, with a zero sign bit added) below a top chunk (signed for an
/// SInt operand, at most 18 bits with its sign), so every piece is a signed
/// product of at most 18 x 18 bits. Why equal and not 27-bit chunks: Yosys
/// maps a product to one 27 x 27 block only when both operands have 19 bits
/// or more, and to one 18 x 18 block when both have 10 or more; a 27-bit
/// chunk times a 6-bit top chunk became two smaller blocks and an adder
/// after them (a DSP and a 32-bit carry chain in one cycle). The pieces,
/// moved to their weight and summed modulo 2^(wa + wb), give the exact
/// product: it fits that width for both UInt and SInt operands.
enum SplitProduct {
    static let chunkBits = 17

    /// Chunks of a `width`-bit operand. A signed top chunk may take one more
    /// bit (its sign) and still fit 18 bits.
    static func chunkCount(_ width: Int, signed: Bool) -> Int {
        Swift.max(1, ((signed ? width - 1 : width) + chunkBits - 1) / chunkBits)
    }

    /// Bits of each chunk below the top one: the operand shared out evenly.
    static func lowChunkBits(_ width: Int, signed: Bool) -> Int {
        let count = chunkCount(width, signed: signed)
        return count == 1 ? width : ((signed ? width - 1 : width) + count - 1) / count
    }

    /// The operand's chunks as SInt signals, least significant first.
    static func chunks(_ x: Signal) -> [Signal] {
        let w = x.width!, signed = x.type!.isSigned
        let count = chunkCount(w, signed: signed), size = lowChunkBits(w, signed: signed)
        let bits = x.asUInt
        return (0..<count).map { c in
            let low = c * size, high = c == count - 1 ? w - 1 : low + size - 1
            let piece = bits[high, low]
            return c == count - 1 && signed ? piece.asSInt : cat(lit(0, width: 1), piece).asSInt
        }
    }

    /// Clock edges from the operands to the product: one for the operands,
    /// one for the pieces, one per level of the sum.
    static func latency(_ aBits: Int, _ bBits: Int, signed: Bool) -> Int {
        2 + treeLevels(chunkCount(aBits, signed: signed) * chunkCount(bBits, signed: signed))
    }
}

extension ModuleBuilder {
    /// `a * b` (both UInt or both SInt, full width), registered
    /// `SplitProduct.latency` clock edges later; a new pair may enter every cycle.
    func splitProduct(_ name: String, _ a: Signal, _ b: Signal) -> Signal {
        let width = a.width! + b.width!, signed = a.type!.isSigned
        let aStep = SplitProduct.lowChunkBits(a.width!, signed: signed)
        let bStep = SplitProduct.lowChunkBits(b.width!, signed: signed)
        var terms: [Signal] = []
        let a = regNext("\(name)_a", a), b = regNext("\(name)_b", b)
        for (i, x) in SplitProduct.chunks(a).enumerated() {
            for (j, y) in SplitProduct.chunks(b).enumerated() {
                let piece = regNext("\(name)_piece\(i)_\(j)", x * y)
                let shift = i * aStep + j * bStep
                let placed = piece.width! >= width ? piece.asUInt.truncate(to: width) : piece.extend(to: width).asUInt
                terms.append(shift == 0 ? placed : cat(placed[width - shift - 1, 0], lit(0, width: shift)))
            }
        }
        let product = registeredTree(self, name, terms, registeredLevels: Int.max)
        return signed ? product.asSInt : product
    }
}
