/// The bit-exact numeric contract of the instruction set.
///
/// Every function here is an integer algorithm: the interpreter calls these
/// functions, the RTL generator builds the same datapaths and ROMs from the
/// same tables, and ISA.md documents them. No floating point is used in any
/// semantic function (the table generators use IEEE double arithmetic that
/// is correctly rounded and therefore reproducible; the table contents are
/// published in isa.json and pinned by a test).
///
/// Conventions used throughout:
/// - `sat32(v)`: clamp a wide signed value to [-2^31, 2^31 - 1].
/// - `rshr(v, s)`: rounding arithmetic shift right, `floor((v + 2^(s-1)) / 2^s)`
///   for s >= 1 (round half up, toward +infinity), `v` for s == 0.
/// - `rshra(v, s)`: the same with ties away from zero,
///   `floor((v + 2^(s-1) - [v < 0]) / 2^s)` = `sign(v) * rshr(|v|, s)`;
///   only `quant` uses it, to round like the model's activation quantizer.
/// - Products are formed exactly in 64 (or, where stated, 128) bits before
///   rounding; saturation happens once, when the value is written.
///
/// Every function that can saturate exists once, as a `...Reporting`
/// variant returning the value and whether it was clamped (ISA.md, "Where
/// values saturate", defines the flag); the plain function returns the value.
public enum Numeric {
    /// A written element and whether its exact (rounded) value did not fit,
    /// so it was clamped to the edge of its range.
    public typealias Clamped = (value: Int32, saturated: Bool)

    // MARK: - Basic helpers

    @inlinable
    public static func sat32(_ v: Int64) -> Int32 { sat32Reporting(v).value }

    @inlinable
    public static func sat32Reporting(_ v: Int64) -> Clamped {
        if v > Int64(Int32.max) { return (Int32.max, true) }
        if v < Int64(Int32.min) { return (Int32.min, true) }
        return (Int32(truncatingIfNeeded: v), false)
    }

    /// Rounding arithmetic shift right (round half up). `s` in 0...63.
    /// `v + 2^(s-1)` must not overflow; callers keep |v| < 2^62.
    @inlinable
    public static func rshr(_ v: Int64, _ s: Int) -> Int64 {
        if s <= 0 { return v }
        if s >= 63 { return v < -(Int64(1) << 62) ? -1 : 0 }
        return (v &+ (Int64(1) << Int64(s - 1))) >> Int64(s)
    }

    /// `sat32(rshr(a * b, s))` computed exactly in 128 bits; `s` in 0...126.
    public static func mulShiftSat(_ a: Int64, _ b: Int64, _ s: Int) -> Int32 {
        mulShiftSatReporting(a, b, s).value
    }

    /// `mulShiftSat`, and whether the value was clamped.
    public static func mulShiftSatReporting(_ a: Int64, _ b: Int64, _ s: Int) -> Clamped {
        var w = Wide.product(a, b)
        if s > 0 { w = w.adding(Wide.powerOfTwo(s - 1)).shiftedRight(s) }
        return w.saturatedInt32Reporting
    }

    /// A 128-bit two's complement value (high word signed), enough for the
    /// few places where a product can exceed 64 bits.
    public struct Wide: Equatable, Sendable {
        public var high: Int64
        public var low: UInt64
        public static func product(_ a: Int64, _ b: Int64) -> Wide {
            let p = a.multipliedFullWidth(by: b)
            return Wide(high: p.high, low: p.low)
        }
        public static func powerOfTwo(_ k: Int) -> Wide {
            if k < 64 { return Wide(high: 0, low: UInt64(1) << UInt64(k)) }
            return Wide(high: Int64(1) << Int64(k - 64), low: 0)
        }
        public func adding(_ o: Wide) -> Wide {
            let (l, c) = low.addingReportingOverflow(o.low)
            return Wide(high: high &+ o.high &+ (c ? 1 : 0), low: l)
        }
        /// Arithmetic shift right by 1...127.
        public func shiftedRight(_ s: Int) -> Wide {
            if s >= 64 {
                let hs = Swift.min(s - 64, 63)
                return Wide(high: high >> 63, low: UInt64(bitPattern: high >> Int64(hs)))
            }
            let l = (low >> UInt64(s)) | UInt64(bitPattern: high) << UInt64(64 - s)
            return Wide(high: high >> Int64(s), low: l)
        }
        public var saturatedInt32: Int32 { saturatedInt32Reporting.value }
        public var saturatedInt32Reporting: Clamped {
            let lowAsSigned = Int64(bitPattern: low)
            // The value fits in 64 bits exactly when high is the sign extension of low.
            if high == (lowAsSigned >> 63) { return sat32Reporting(lowAsSigned) }
            return high < 0 ? (Int32.min, true) : (Int32.max, true)
        }
    }

    // MARK: - Element-wise arithmetic

    @inlinable public static func add(_ a: Int32, _ b: Int32) -> Int32 { addReporting(a, b).value }
    @inlinable public static func addReporting(_ a: Int32, _ b: Int32) -> Clamped { sat32Reporting(Int64(a) + Int64(b)) }
    @inlinable public static func sub(_ a: Int32, _ b: Int32) -> Int32 { subReporting(a, b).value }
    @inlinable public static func subReporting(_ a: Int32, _ b: Int32) -> Clamped { sat32Reporting(Int64(a) - Int64(b)) }
    /// `sat32(rshr(a * b, F))`.
    @inlinable public static func mul(_ a: Int32, _ b: Int32, f: Int) -> Int32 { mulReporting(a, b, f: f).value }
    @inlinable public static func mulReporting(_ a: Int32, _ b: Int32, f: Int) -> Clamped {
        sat32Reporting(rshr(Int64(a) * Int64(b), f))
    }
    /// `sat32(d + rshr(a * b, F))`: one rounding, one saturation.
    @inlinable public static func mac(_ d: Int32, _ a: Int32, _ b: Int32, f: Int) -> Int32 { macReporting(d, a, b, f: f).value }
    @inlinable public static func macReporting(_ d: Int32, _ a: Int32, _ b: Int32, f: Int) -> Clamped {
        sat32Reporting(Int64(d) + rshr(Int64(a) * Int64(b), f))
    }
    /// Lower-bound affine `lb + (1 - lb) * x`: `sat32(lb + rshr((ONE - lb) * x, F))`.
    @inlinable public static func lba(_ x: Int32, _ lb: Int32, f: Int) -> Int32 { lbaReporting(x, lb, f: f).value }
    @inlinable public static func lbaReporting(_ x: Int32, _ lb: Int32, f: Int) -> Clamped {
        let t = (Int64(1) << Int64(f)) - Int64(lb)          // |t| < 2^32, so |t * x| < 2^63: rshr128 never clamps
        return sat32Reporting(Int64(lb) + rshr128(t, Int64(x), f))
    }
    /// `rshr(a * b, s)` with a 128-bit product, saturated to 64 bits (only
    /// used where |a*b| may reach 2^63); `rshra` when `tiesAway` is set.
    @inlinable static func rshr128(_ a: Int64, _ b: Int64, _ s: Int, tiesAway: Bool = false) -> Int64 {
        var w = Wide.product(a, b)
        if s > 0 {
            let minusOne = tiesAway && w.high < 0
            w = w.adding(Wide.powerOfTwo(s - 1))
            if minusOne { w = w.adding(Wide.product(-1, 1)) }
            w = w.shiftedRight(s)
        }
        let l = Int64(bitPattern: w.low)
        if w.high == (l >> 63) { return l }
        return w.high < 0 ? Int64.min / 2 : Int64.max / 2
    }

    // MARK: - Lookup tables (shared with the RTL generator as ROM contents)

    /// Table index bits of every interpolated table: 256 intervals, 257 entries.
    public static let tableIndexBits = 8

    /// `EXP2[k] = round(2^31 * 2^(k/256))`, k = 0...256; values in [2^31, 2^32] (33 bits unsigned).
    public static let exp2Table: [Int64] = (0...256).map { k in
        // 2^(k/256) = e^(k ln2 / 256) by a fixed 30-term Taylor series:
        // only +, *, / (IEEE correctly rounded), so the result is reproducible.
        let x = Double(k) * 0.693147180559945309417232121458176568 / 256.0
        var term = 1.0, sum = 1.0
        for n in 1...30 { term = term * x / Double(n); sum += term }
        return Int64((sum * 2147483648.0).rounded(.toNearestOrAwayFromZero))
    }

    /// `RECIP[k] = round(2^31 / (1 + k/256))`, k = 0...256; values in [2^30, 2^31] (32 bits unsigned).
    /// Computed exactly in integers: `floor((2^40 / (256+k) + 1) / 2)`.
    public static let recipTable: [Int64] = (0...256).map { k in
        let num = Int64(1) << 40
        let q2 = num / Int64(256 + k)          // floor(2^40/(256+k)) = floor(2 * 2^39/(256+k))
        return (q2 + 1) >> 1                    // round half up of 2^39/(256+k)
    }

    /// `RSQRT[j] = round(2^31 / sqrt(1 + j/64))`, j = 0...192 (mantissa in [1, 4));
    /// values in [2^30, 2^31] (32 bits unsigned). `sqrt` and `/` are IEEE correctly rounded.
    public static let rsqrtTable: [Int64] = (0...192).map { j in
        let v = 2147483648.0 / (Double(64 + j) / 64.0).squareRoot()
        return Int64(v.rounded(.toNearestOrAwayFromZero))
    }

    /// `round(log2(e) * 2^30)`.
    public static let log2eQ30: Int64 = 1_549_082_005

    // MARK: - Reciprocal and division

    /// Reciprocal of a positive magnitude `b` (1...2^31), as a mantissa
    /// `y` in Q1.31 (1/m for the normalized m in [1, 2)) and the exponent `p`
    /// with `b = m * 2^p`, so `1/b ~= y * 2^(-31-p)`.
    ///
    /// Algorithm: `p = msb(b)`, `M = b << (31 - p)` (Q1.31 in [2^31, 2^32)),
    /// `i = (M >> 23) - 256`, `r = M & (2^23 - 1)`,
    /// `y0 = RECIP[i] - floor((RECIP[i] - RECIP[i+1]) * r / 2^23)`, then one
    /// Newton step with truncating shifts:
    /// `e = floor(M * y0 / 2^31)`, `y = floor(y0 * (2^32 - e) / 2^31)`.
    public static func reciprocal(_ b: UInt64) -> (y: UInt64, p: Int) {
        precondition(b > 0 && b <= (UInt64(1) << 31))
        let p = 63 - b.leadingZeroBitCount
        let m = b << UInt64(31 - p)
        let i = Int(m >> 23) - 256
        let r = m & ((1 << 23) - 1)
        let t0 = UInt64(recipTable[i]), t1 = UInt64(recipTable[i + 1])
        let y0 = t0 - (((t0 - t1) * r) >> 23)
        let e = (m * y0) >> 31
        let y = (y0 * ((UInt64(1) << 32) &- e)) >> 31
        return (y, p)
    }

    /// Fixed-point division `a / b` (both Q.F, result Q.F).
    ///
    /// `b == 0`: the result saturates (`2^31-1` for a > 0, `-2^31` for a < 0, 0 for a == 0).
    /// Otherwise `(y, p) = reciprocal(|b|)`, `q = rshr(a * y, 31 + p - F)`,
    /// negated when b < 0, then saturated.
    public static func div(_ a: Int32, _ b: Int32, f: Int) -> Int32 { divReporting(a, b, f: f).value }

    /// `div`, and whether it saturated: b = 0 with a != 0, or a quotient out of range.
    public static func divReporting(_ a: Int32, _ b: Int32, f: Int) -> Clamped {
        if b == 0 { return a > 0 ? (Int32.max, true) : (a < 0 ? (Int32.min, true) : (0, false)) }
        let mag = UInt64(b.magnitude)
        let (y, p) = reciprocal(mag)
        let q = rshr(Int64(a) * Int64(y), 31 + p - f)     // |a*y| <= 2^62
        return sat32Reporting(b < 0 ? -q : q)
    }

    // MARK: - Exponential, sigmoid, SiLU

    /// `e^x` for x in Q.F, result Q.F.
    ///
    /// `T = x * LOG2E_Q30` (exact, Q.(F+30)); `k = floor(T / 2^(F+30))`;
    /// `u = (T - k*2^(F+30)) >> (F-2)` (fraction in Q0.32, truncated);
    /// `i = u >> 24`, `r = u & (2^24-1)`,
    /// `y = EXP2[i] + floor((EXP2[i+1] - EXP2[i]) * r / 2^24)` (Q.31 of 2^frac);
    /// result `= y * 2^(k + F - 31)`: with `s = 31 - F - k`, `rshr(y, s)` when
    /// s >= 1 (0 when s > 40), and saturation to 2^31-1 when s <= 0.
    public static func exp(_ x: Int32, f: Int) -> Int32 { expReporting(x, f: f).value }

    /// `exp`, and whether it saturated (s <= 0, or s = 1 rounding up to 2^31);
    /// an underflow to 0 (s > 40) is not a saturation.
    public static func expReporting(_ x: Int32, f: Int) -> Clamped {
        let t = Int64(x) * log2eQ30
        let sh = Int64(f + 30)
        let k = t >> sh
        let frac = t - (k << sh)
        let u = frac >> Int64(f - 2)
        let i = Int(u >> 24), r = u & 0xFF_FFFF
        let e0 = exp2Table[i], e1 = exp2Table[i + 1]
        let y = e0 + (((e1 - e0) * r) >> 24)
        let s = 31 - Int64(f) - k
        if s <= 0 { return (Int32.max, true) }
        if s > 40 { return (0, false) }
        return sat32Reporting(rshr(y, Int(s)))
    }

    /// Logistic sigmoid, Q.F -> Q.F.
    ///
    /// `E = exp(-|x|)` (in (0, ONE]), `S = div(ONE, ONE + E)` (in [ONE/2, ONE]);
    /// result `S` for x >= 0 and `ONE - S` for x < 0 (so it never needs
    /// e^x of a large positive argument).
    public static func sigmoid(_ x: Int32, f: Int) -> Int32 {
        let one = Int32(1) << Int32(f)
        let negAbs = x >= 0 ? Int32(-Int64(x)) : x           // -|x| fits: -2^31 ... 0
        let e = exp(negAbs, f: f)
        let s = div(one, one + e, f: f)
        return x >= 0 ? s : one - s
    }

    /// `1 - sigmoid(x)`, exactly `ONE - sigmoid(x)`.
    public static func csig(_ x: Int32, f: Int) -> Int32 {
        (Int32(1) << Int32(f)) - sigmoid(x, f: f)
    }

    /// `x * sigmoid(x)`: `sat32(rshr(x * sigmoid(x), F))`.
    public static func silu(_ x: Int32, f: Int) -> Int32 { siluReporting(x, f: f).value }
    public static func siluReporting(_ x: Int32, f: Int) -> Clamped {
        sat32Reporting(rshr(Int64(x) * Int64(sigmoid(x, f: f)), f))
    }

    // MARK: - Reciprocal square root

    /// Reciprocal square root of a positive `M` read as an unsigned value with
    /// any binary point: returns a mantissa `y` in Q1.31 and the even exponent
    /// `e` with `1/sqrt(M) ~= y * 2^(-31 - e/2)`.
    ///
    /// Algorithm: `e = msb(M) & ~1`; `N = M >> (e-30)` or `M << (30-e)` (Q2.30
    /// in [2^30, 2^32), truncated); `j = (N >> 24) - 64`, `r = N & (2^24-1)`,
    /// `y0 = RSQRT[j] - floor((RSQRT[j] - RSQRT[j+1]) * r / 2^24)`; one Newton
    /// step with truncating shifts: `t = (y0*y0) >> 31`, `u = (N*t) >> 30`,
    /// `y = (y0 * (3*2^31 - u)) >> 32`.
    public static func rsqrtCore(_ m: UInt64) -> (y: UInt64, e: Int) {
        precondition(m > 0)
        let msb = 63 - m.leadingZeroBitCount
        let e = msb & ~1
        let n = e >= 30 ? m >> UInt64(e - 30) : m << UInt64(30 - e)
        let j = Int(n >> 24) - 64
        let r = n & 0xFF_FFFF
        let t0 = UInt64(rsqrtTable[j]), t1 = UInt64(rsqrtTable[j + 1])
        let y0 = t0 - (((t0 - t1) * r) >> 24)
        let t = (y0 * y0) >> 31
        let u = (n * t) >> 30
        let y = (y0 * ((UInt64(3) << 31) &- u)) >> 32
        return (y, e)
    }

    /// Element-wise `1/sqrt(x)`, Q.F -> Q.F. `x <= 0` gives 2^31-1.
    /// `(y, e) = rsqrtCore(x << F)`; result `y * 2^(2F - 31 - e/2)` rounded
    /// by `rshr` (or shifted left and saturated when the exponent is >= 0).
    public static func rsqrt(_ x: Int32, f: Int) -> Int32 { rsqrtReporting(x, f: f).value }

    /// `rsqrt`, and whether it saturated: x <= 0, or a scaled value above 2^31 - 1.
    public static func rsqrtReporting(_ x: Int32, f: Int) -> Clamped {
        if x <= 0 { return (Int32.max, true) }
        let (y, e) = rsqrtCore(UInt64(x) << UInt64(f))
        return shiftSatReporting(Int64(y), 2 * f - 31 - e / 2)
    }

    /// `v * 2^k` with rounding (k < 0) or saturation (k > 0), to 32 bits.
    static func shiftSatReporting(_ v: Int64, _ k: Int) -> Clamped {
        if k <= 0 { return sat32Reporting(rshr(v, -k)) }
        if k >= 32 || v > (Int64(Int32.max) >> Int64(k)) { return v == 0 ? (0, false) : (Int32.max, true) }
        return (Int32(v << Int64(k)), false)
    }

    // MARK: - RMSNorm

    /// RMSNorm of `n` elements with weight vector `w` and `eps`:
    /// `y[i] = x[i] * rsqrt(mean(x^2) + eps) * w[i]`.
    ///
    /// - `S = sum x[i]^2 + n * epsQ` exactly, with `epsQ` the instruction's
    ///   unsigned 32-bit immediate in Q.(2F) (each square < 2^62; with
    ///   n <= 65536 the sum is < 2^79: a 79-bit accumulator; here 128 bits).
    ///   `S / n` is mean(x^2) + eps in Q.(2F).
    /// - `S == 0` (zero vector and eps 0): every output is 0.
    /// - Normalization keeps full precision for small inputs:
    ///   `h = min(62, 63 + bitlen(n) - bitlen(S))` rounded down to even
    ///   (never negative), `M = floor(S * 2^h / n)` (fits in 64 bits).
    /// - `(y, e) = rsqrtCore(M)`; `R = y * 2^(F + h/2 - 1 - e/2)` (1/rms in
    ///   Q.30; rounded by `rshr` when the exponent is negative).
    /// - `t[i] = rshr(x[i] * R, 30)` (128-bit product, saturated to 64 bits),
    ///   `y[i] = sat32(rshr(t[i] * w[i], F))` (128-bit product).
    public static func rmsScale(_ x: UnsafeBufferPointer<Int32>, epsQ: UInt32, f: Int) -> Int64? {
        var hi: UInt64 = 0, lo: UInt64 = 0
        for v in x {
            let sq = UInt64(v.magnitude) * UInt64(v.magnitude)
            let (l, c) = lo.addingReportingOverflow(sq)
            lo = l
            if c { hi += 1 }
        }
        let n = UInt64(x.count)
        guard n > 0 else { return nil }
        let ne = n.multipliedFullWidth(by: UInt64(epsQ))
        let (l2, c2) = lo.addingReportingOverflow(ne.low)
        lo = l2
        hi = hi &+ ne.high &+ (c2 ? 1 : 0)
        if hi == 0 && lo == 0 { return nil }
        let bitsS = hi != 0 ? 128 - hi.leadingZeroBitCount : 64 - lo.leadingZeroBitCount
        let bitsN = 64 - n.leadingZeroBitCount
        let h = max(0, min(62, 63 + bitsN - bitsS)) & ~1
        if h > 0 {
            hi = (hi << UInt64(h)) | (lo >> UInt64(64 - h))
            lo = lo << UInt64(h)
        }
        // S * 2^h < n * 2^64 by the choice of h, so the quotient fits in 64 bits.
        let (m, _) = n.dividingFullWidth((high: hi, low: lo))
        let (y, e) = rsqrtCore(m)
        let k = f + h / 2 - 1 - e / 2
        return k >= 0 ? Int64(y) << Int64(k) : rshr(Int64(y), -k)
    }

    /// One RMSNorm output element given the scale from `rmsScale` (nil means 0).
    @inlinable
    public static func rmsApply(_ x: Int32, scale: Int64?, weight: Int32, f: Int) -> Int32 {
        rmsApplyReporting(x, scale: scale, weight: weight, f: f).value
    }

    /// `rmsApply`, and whether the final `sat32` clamped (t never reaches
    /// its 64-bit limits: |t| <= sqrt(n) * ONE).
    @inlinable
    public static func rmsApplyReporting(_ x: Int32, scale: Int64?, weight: Int32, f: Int) -> Clamped {
        guard let r = scale else { return (0, false) }
        let t = rshr128(Int64(x), r, 30)
        return mulShiftSatReporting(t, Int64(weight), f)
    }

    // MARK: - Quantization and the ternary rescale

    /// `max |x[i]|`, saturated to 2^31-1 (|-2^31|).
    public static func absmax(_ x: UnsafeBufferPointer<Int32>) -> Int32 { absmaxReporting(x).value }

    /// `absmax`, saturated when an element is -2^31.
    public static func absmaxReporting(_ x: UnsafeBufferPointer<Int32>) -> Clamped {
        var m: UInt32 = 0
        for v in x { m = Swift.max(m, v.magnitude) }
        return m > UInt32(Int32.max) ? (Int32.max, true) : (Int32(m), false)
    }

    /// The per-vector quantization multiplier for absmax `a` (Q.F):
    /// `Q = floor((127 * 2^32 + floor(a/2)) / a)` (round(127 * 2^32 / a),
    /// halves up), or 0 when a <= 0.
    public static func quantMultiplier(_ a: Int32) -> Int64 {
        guard a > 0 else { return 0 }
        return ((Int64(127) << 32) + Int64(a / 2)) / Int64(a)
    }

    /// int8 code of one element: `clamp(rshra(x * Q, 32), -128, 127)`
    /// (128-bit product), i.e. round(x * 127 / a) with ties away from zero,
    /// the official kernel's rule (0.5 -> 1, -2.5 -> -3).
    @inlinable
    public static func quantize(_ x: Int32, multiplier q: Int64) -> Int32 { quantizeReporting(x, multiplier: q).value }

    /// `quantize`, and whether the code was clamped to -128 or 127.
    @inlinable
    public static func quantizeReporting(_ x: Int32, multiplier q: Int64) -> Clamped {
        let v = rshr128(Int64(x), q, 32, tiesAway: true)
        return (Int32(Swift.min(Swift.max(v, -128), 127)), v < -128 || v > 127)
    }

    /// The ternary product's output scale `K = round(wscale * a / 127)` in
    /// Q.(2F): `P = wscale * a` (exact, Q.(2F)), `K = floor((P + 63) / 127)`
    /// (127 is odd, so there are no ties).
    public static func matmulScale(weightScale ws: Int32, activationScale a: Int32) -> Int64 {
        let p = Int64(ws) * Int64(a) + 63
        // floor division
        let q = p / 127
        return (p % 127 != 0 && p < 0) ? q - 1 : q
    }

    /// One ternary output: `sat32(rshr(acc * K, F))` with a 128-bit product
    /// (acc is an integer and K is in Q.(2F), so the product is Q.(2F)).
    @inlinable
    public static func matmulOutput(_ acc: Int32, scale k: Int64, f: Int) -> Int32 {
        mulShiftSat(Int64(acc), k, f)
    }

    /// `matmulOutput`, and whether it saturated.
    @inlinable
    public static func matmulOutputReporting(_ acc: Int32, scale k: Int64, f: Int) -> Clamped {
        mulShiftSatReporting(Int64(acc), k, f)
    }

    // MARK: - Conversions for tools (not part of the core's semantics)

    /// The exact decimal value of a fixed-point number with `f` fractional
    /// bits (every such value has a finite decimal expansion). Always has a
    /// fraction part: "1.0", "-0.5", "0.0000152587890625".
    public static func decimalString(_ raw: Int64, f: Int) -> String {
        let neg = raw < 0
        let mag = raw.magnitude
        let intPart = mag >> UInt64(f)
        var frac = mag & ((UInt64(1) << UInt64(f)) - 1)
        var digits = ""
        if frac == 0 { digits = "0" }
        // frac * 10 < 2^(f+4) fits easily for f <= 40.
        while frac != 0 {
            frac *= 10
            digits.append(Character(String(frac >> UInt64(f))))
            frac &= (UInt64(1) << UInt64(f)) - 1
        }
        return (neg ? "-" : "") + String(intPart) + "." + digits
    }

    /// Double value of a fixed-point number (for tests, reports and .npy output only).
    public static func toDouble(_ raw: Int64, f: Int) -> Double {
        Double(raw) / Double(Int64(1) << Int64(f))
    }
}
