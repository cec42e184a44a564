import HDL

/// `bitlen(v)`: the position of the highest set bit plus one (0 for v = 0),
/// as a balanced tree of halves (log2(width) levels of muxes rather than a
/// chain of width), one named wire per node. The result has
/// `bitLengthWidth(v.width)` bits.
func bitLength(_ m: ModuleBuilder, _ name: String, _ v: Signal) -> Signal {
    let w = v.width!
    if w == 1 { return m.wire(name, v.asUInt) }
    let out = bitLengthWidth(w)
    let lowWidth = w / 2
    let high = v.asUInt[w - 1, lowWidth], low = v.asUInt[lowWidth - 1, 0]
    let highLength = m.wire("\(name)_hx", bitLength(m, "\(name)h", high).extend(to: out) + lit(lowWidth, width: out))
    let lowLength = m.wire("\(name)_lx", bitLength(m, "\(name)l", low).extend(to: out))
    return m.wire(name, mux(high.orR, highLength, lowLength))
}

/// Bits of a bit length of a `width`-bit value (0 ... width).
func bitLengthWidth(_ width: Int) -> Int { addressWidth(width + 1) }
