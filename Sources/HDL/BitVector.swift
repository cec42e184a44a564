/// A constant bit pattern of any width, stored as little-endian 64-bit words.
/// Used for literals, reset values and memory contents.
public struct BitVector: Hashable, Sendable, CustomStringConvertible {
    public let width: Int
    public private(set) var words: [UInt64]

    public init(width: Int, words: [UInt64]) {
        self.width = width
        let count = max(1, (width + 63) / 64)
        var w = Array(words.prefix(count))
        while w.count < count { w.append(0) }
        let spare = count * 64 - width
        if spare > 0 && spare < 64 { w[count - 1] &= (UInt64.max >> UInt64(spare)) }
        self.words = w
    }

    /// The two's-complement pattern of `value` cut to `width` bits.
    public init(width: Int, value: Int) {
        let fill: UInt64 = value < 0 ? .max : 0
        var words = [UInt64(bitPattern: Int64(value))]
        while words.count * 64 < width { words.append(fill) }
        self.init(width: width, words: words)
    }

    public static func zero(_ width: Int) -> BitVector { BitVector(width: width, words: []) }

    public var isZero: Bool { words.allSatisfy { $0 == 0 } }

    public func bit(_ i: Int) -> Bool { (words[i / 64] >> UInt64(i % 64)) & 1 == 1 }

    /// Bits `lo ..< lo + count` as a new vector.
    public func bits(_ lo: Int, count: Int) -> BitVector {
        var out = [UInt64](repeating: 0, count: max(1, (count + 63) / 64))
        for i in 0..<count where bit(lo + i) {
            out[i / 64] |= 1 << UInt64(i % 64)
        }
        return BitVector(width: count, words: out)
    }

    /// Upper-case hexadecimal digits, most significant first, no prefix.
    public var hexDigits: String {
        let digits = max(1, (width + 3) / 4)
        var s = ""
        for d in stride(from: digits - 1, through: 0, by: -1) {
            let nibble = (words[(d * 4) / 64] >> UInt64((d * 4) % 64)) & 0xF
            s.append(Character(String(nibble, radix: 16, uppercase: true)))
        }
        return s
    }

    /// The value as an unsigned integer, when it fits in 64 bits.
    public var uint64: UInt64? {
        words.dropFirst().allSatisfy { $0 == 0 } ? words[0] : nil
    }

    public var description: String { "\(width)'h\(hexDigits)" }
}

extension BitVector {
    /// True when `value` is representable in `width` bits of the given signedness.
    static func fits(_ value: Int, width: Int, signed: Bool) -> Bool {
        if width >= 64 { return signed || value >= 0 }
        if width == 63 && !signed { return value >= 0 }     // 1 << 63 overflows Int
        if signed {
            let lo = -(1 << (width - 1)), hi = (1 << (width - 1)) - 1
            return value >= lo && value <= hi
        }
        return value >= 0 && value < (1 << width)
    }
}
