/// The element types a checkpoint tensor may be stored in, as the
/// safetensors header names them.
public enum TensorDType: String, Sendable, CaseIterable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16"

    public var byteSize: Int { self == .f32 ? 4 : 2 }

    /// The lowercase spelling the CLI uses (`f32`, `bf16`, `f16`).
    public init?(cliName: String) { self.init(rawValue: cliName.uppercased()) }

    /// Every dtype the safetensors format defines, with its element size,
    /// so a header using one we cannot convert can still be validated.
    static let knownSizes: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1,
        "U16": 2, "I16": 2, "F16": 2, "BF16": 2,
        "U32": 4, "I32": 4, "F32": 4,
        "U64": 8, "I64": 8, "F64": 8,
    ]
}

/// IEEE binary16 and bfloat16 conversions, written out bit by bit so they
/// behave the same on every platform (Float16 is missing on some).
public enum HalfFloat {
    public static func float(fromHalf h: UInt16) -> Float {
        let sign: UInt32 = UInt32(h & 0x8000) << 16
        let exp = UInt32(h >> 10) & 0x1F, mant = UInt32(h & 0x3FF)
        if exp == 0 {
            // Zero or subnormal: mant * 2^-24 is exact in Float.
            let v = Float(mant) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -v : v
        }
        if exp == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mant << 13)) }
        return Float(bitPattern: sign | ((exp + 112) << 23) | (mant << 13))
    }

    /// Float to binary16, rounding to nearest even; too large becomes infinity.
    public static func half(from f: Float) -> UInt16 {
        let b = f.bitPattern
        let sign = UInt16((b >> 16) & 0x8000)
        let exp = Int((b >> 23) & 0xFF)
        var mant = b & 0x7F_FFFF
        if exp == 0xFF { return sign | 0x7C00 | (mant != 0 ? 0x200 : 0) }
        let e = exp - 112  // the binary16 biased exponent
        if e >= 0x1F { return sign | 0x7C00 }
        if e <= 0 {
            // A binary16 subnormal, in units of 2^-24: the full significand shifted right.
            if e < -10 { return sign }
            mant |= 0x80_0000
            let shift = UInt32(14 - e)
            var h = mant >> shift
            let rest = mant & ((1 << shift) - 1), halfway: UInt32 = 1 << (shift - 1)
            if rest > halfway || (rest == halfway && h & 1 == 1) { h += 1 }
            return sign | UInt16(h)
        }
        // A carry out of the mantissa correctly bumps the exponent (up to infinity).
        var h = UInt32(e) << 10 | (mant >> 13)
        let rest = mant & 0x1FFF
        if rest > 0x1000 || (rest == 0x1000 && h & 1 == 1) { h += 1 }
        return sign | UInt16(h)
    }

    public static func float(fromBFloat b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }

    /// Float to bfloat16 (the top half of the float), rounding to nearest even.
    public static func bfloat(from f: Float) -> UInt16 {
        let b = f.bitPattern
        if f.isNaN { return UInt16(b >> 16) | 0x40 }
        let rounded = b &+ 0x7FFF &+ ((b >> 16) & 1)
        return UInt16(rounded >> 16)
    }
}
