import HDL

// Small combinational pieces of the numeric contract, shared by the
// datapaths: saturation to 32 bits and `rshr` by a run-time amount.

/// `sat32(v)` of an SInt at least 32 bits wide: clamp to [-2^31, 2^31 - 1].
func saturatedToInt32(_ v: Signal) -> Signal { saturatedToSigned(v, bits: 32) }

/// Whether `sat32(v)` clamps an SInt (false when v is 32 bits wide).
func exceedsInt32(_ v: Signal) -> Signal { exceedsSigned(v, bits: 32) }

/// v (an SInt of at least `bits` bits) clamped to the signed `bits`-bit
/// range: the edge of v's sign when it does not fit (`exceedsSigned`).
func saturatedToSigned(_ v: Signal, bits n: Int) -> Signal {
    let w = v.width ?? n
    if w == n { return v }
    let low = slit(-(1 << (n - 1)), width: n), high = slit((1 << (n - 1)) - 1, width: n)
    return mux(exceedsSigned(v, bits: n), mux(v.asUInt[w - 1], low, high), v.truncate(to: n))
}

/// Whether an SInt lies outside the signed `bits`-bit range, that is, its
/// bits from `bits - 1` up are not all equal: a sign-extension check (two
/// reductions over the top bits, far cheaper than two wide comparisons).
func exceedsSigned(_ v: Signal, bits n: Int) -> Signal {
    let w = v.width ?? n
    if w <= n { return false }
    let top = v.asUInt[w - 1, n - 1]
    return top.orR && !top.andR
}

/// Whether `saturatedUnsignedToInt32` clamps a UInt: v above 2^31 - 1,
/// that is, some bit from 31 up is set.
func exceedsUnsignedInt32(_ v: Signal) -> Signal {
    let w = v.width ?? 32
    if w < 32 { return false }
    return v.asUInt[w - 1, 31].orR
}

/// `sat32(v)` of a UInt: values above 2^31 - 1 become 2^31 - 1.
func saturatedUnsignedToInt32(_ v: Signal) -> Signal {
    let w = v.width ?? 32
    let low = w >= 32 ? v.truncate(to: 32) : v.extend(to: 32)
    if w < 32 { return low.asSInt }
    return mux(exceedsUnsignedInt32(v), slit(Int(Int32.max), width: 32), low.asSInt)
}

extension ModuleBuilder {
    /// `rshr(v, s)` for s >= 1 given `s - 1`: `floor((floor(v / 2^(s-1)) + 1) / 2)`,
    /// which equals `floor((v + 2^(s-1)) / 2^s)`. Same type as `v` (arithmetic
    /// shift for SInt; shifts past the width give 0 or -1 as they should).
    /// The shifted value is the wire `name` (a shift inside a wider sum would
    /// be widened first in SystemVerilog).
    func roundingShiftRight(_ name: String, _ v: Signal, byOneLessThan sMinusOne: Signal,
                            file: String = #fileID, line: Int = #line, column: Int = #column) -> Signal {
        let shifted = wire(name, v >> sMinusOne, file: file, line: line, column: column)
        let w = v.width ?? 1
        return shifted.expandingAdd(v.type?.isSigned == true ? slit(1, width: w) : lit(1, width: w)) >> 1
    }
}

extension ModuleBuilder {
    /// `roundingShiftRight` over two cycles, for wide values: the shift by
    /// whole bytes of s - 1 into the registers `name_bytes` and `name_bits`,
    /// then the rest (0 ... 7) with the rounding, combinational (the caller
    /// registers it). A 64-bit shift and its rounding in one cycle were
    /// 7 LUT levels and a 64-bit carry chain.
    func roundingShiftRightInTwoSteps(_ name: String, _ v: Signal, byOneLessThan sMinusOne: Signal,
                                      file: String = #fileID, line: Int = #line, column: Int = #column) -> Signal {
        let w = sMinusOne.width ?? 1
        // An amount of 3 bits or fewer has no whole bytes: all of it goes to the second step.
        let bytes = regNext("\(name)_bytes", w > 3 ? v >> cat(sMinusOne[w - 1, 3], lit(0, width: 3)) : v,
                            file: file, line: line, column: column)
        let bits = regNext("\(name)_bits", w > 3 ? sMinusOne[2, 0] : sMinusOne, file: file, line: line, column: column)
        return roundingShiftRight("\(name)_shifted", bytes, byOneLessThan: bits, file: file, line: line, column: column)
    }
}
