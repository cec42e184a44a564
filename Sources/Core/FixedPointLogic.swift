import HDL

// Small combinational pieces of the numeric contract, shared by the
// datapaths: saturation to 32 bits and `rshr` by a run-time amount.

/// `sat32(v)` of an SInt at least 32 bits wide: clamp to [-2^31, 2^31 - 1].
func saturatedToInt32(_ v: Signal) -> Signal {
    let w = v.width ?? 32
    if w == 32 { return v }
    let high = slit(Int(Int32.max), width: w), low = slit(Int(Int32.min), width: w)
    return mux(v > high, slit(Int(Int32.max), width: 32),
               mux(v < low, slit(Int(Int32.min), width: 32), v.truncate(to: 32)))
}

/// Whether `sat32(v)` clamps an SInt: v outside [-2^31, 2^31 - 1] (false
/// when v is 32 bits wide).
func exceedsInt32(_ v: Signal) -> Signal {
    let w = v.width ?? 32
    if w <= 32 { return false }
    return v > slit(Int(Int32.max), width: w) || v < slit(Int(Int32.min), width: w)
}

/// Whether `saturatedUnsignedToInt32` clamps a UInt: v above 2^31 - 1.
func exceedsUnsignedInt32(_ v: Signal) -> Signal {
    let w = v.width ?? 32
    if w < 32 { return false }
    return v > lit(Int(Int32.max), width: w)
}

/// `sat32(v)` of a UInt: values above 2^31 - 1 become 2^31 - 1.
func saturatedUnsignedToInt32(_ v: Signal) -> Signal {
    let w = v.width ?? 32
    let low = w >= 32 ? v.truncate(to: 32) : v.extend(to: 32)
    if w < 32 { return low.asSInt }
    return mux(v > lit(Int(Int32.max), width: w), slit(Int(Int32.max), width: 32), low.asSInt)
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
