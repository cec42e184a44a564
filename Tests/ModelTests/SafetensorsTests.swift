import Foundation
import Model
import Testing
import TestSupport

/// The safetensors writer and reader agree, in every dtype, and the
/// half-precision conversions round to nearest even.
@Suite struct SafetensorsTests {
    func roundTrip(_ tensors: [(name: String, shape: [Int], values: [Float])], _ dtype: TensorDType) throws -> SafetensorsFile {
        let url = try scratchDirectory().appendingPathComponent("t.safetensors")
        try Data(SafetensorsWriter.bytes(tensors, dtype: dtype, metadata: ["format": "pt"])).write(to: url)
        return try SafetensorsFile(path: url.path)
    }

    func randomTensors(_ seed: UInt64) -> [(name: String, shape: [Int], values: [Float])] {
        var rng = SplitMix64(seed: testSeed(seed))
        return [("b.weight", [3, 5]), ("a", [7]), ("empty", [0, 4]), ("scalar", [])].map { name, shape in
            (name, shape, (0..<shape.reduce(1, *)).map { _ in Float(rng.normal() * 3) })
        }
    }

    @Test(arguments: [TensorDType.f32, .f16, .bf16])
    func roundTrip(_ dtype: TensorDType) throws {
        let tensors = randomTensors(11)
        let f = try roundTrip(tensors, dtype)
        #expect(f.names == ["a", "b.weight", "empty", "scalar"])
        #expect(f.metadata == ["format": "pt"])
        for t in tensors {
            #expect(f.entries[t.name]?.shape == t.shape)
            #expect(f.entries[t.name]?.dtype == dtype.rawValue)
            let expected: [Float] = t.values.map {
                switch dtype {
                case .f32: return $0
                case .f16: return HalfFloat.float(fromHalf: HalfFloat.half(from: $0))
                case .bf16: return HalfFloat.float(fromBFloat: HalfFloat.bfloat(from: $0))
                }
            }
            #expect(try f.floats(t.name) == expected, "\(t.name)")
            // Half precision keeps about 3 (f16) or 2 (bf16) significant digits.
            let tolerance: Float = dtype == .f32 ? 0 : dtype == .f16 ? 1e-3 : 8e-3
            for (a, b) in zip(try f.floats(t.name), t.values) { #expect(abs(a - b) <= tolerance * abs(b)) }
        }
    }

    @Test func layoutIsDeterministicAndAligned() throws {
        let tensors = randomTensors(12)
        let a = SafetensorsWriter.bytes(tensors, dtype: .bf16), b = SafetensorsWriter.bytes(tensors.reversed(), dtype: .bf16)
        #expect(a == b)
        let n = a.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(n % 8 == 0)
        #expect(a[8 + n - 1] == 0x20 || a[8 + n - 1] == UInt8(ascii: "}"))
    }

    @Test func bfloatRoundsToNearestEven() {
        // 1 + 2^-8 lies halfway between bf16 neighbours 1 and 1 + 2^-7: ties go to the even one (1).
        #expect(HalfFloat.bfloat(from: 1 + 0x1p-8) == 0x3F80)
        #expect(HalfFloat.bfloat(from: 1 + 3 * 0x1p-8) == 0x3F82)  // tie between 0x3F81 and 0x3F82: even
        #expect(HalfFloat.bfloat(from: 1 + 0x1p-8 + 0x1p-20) == 0x3F81)  // just above the tie
        #expect(HalfFloat.bfloat(from: .greatestFiniteMagnitude) == 0x7F80)  // rounds up to infinity
        #expect(HalfFloat.bfloat(from: -2) == 0xC000)
        #expect(HalfFloat.float(fromBFloat: HalfFloat.bfloat(from: .nan)).isNaN)
    }

    @Test func halfRoundsToNearestEven() {
        #expect(HalfFloat.half(from: 1) == 0x3C00)
        #expect(HalfFloat.half(from: 1 + 0x1p-11) == 0x3C00)  // tie: even
        #expect(HalfFloat.half(from: 1 + 3 * 0x1p-11) == 0x3C02)
        #expect(HalfFloat.half(from: 65520) == 0x7C00)  // halfway to 2^16 rounds to infinity
        #expect(HalfFloat.half(from: 65504) == 0x7BFF)
        #expect(HalfFloat.half(from: 0x1p-24) == 0x0001)  // smallest subnormal
        #expect(HalfFloat.half(from: 0x1p-25) == 0x0000)  // tie with zero: even
        #expect(HalfFloat.half(from: 0x1.8p-25) == 0x0001)
        #expect(HalfFloat.half(from: -0.0) == 0x8000)
        #expect(HalfFloat.float(fromHalf: 0x0001) == 0x1p-24)
        #expect(HalfFloat.float(fromHalf: 0xFC00) == -.infinity)
    }

    #if !(os(macOS) && arch(x86_64))
    /// Against the platform's own binary16 conversion, over many magnitudes.
    @Test func halfMatchesFloat16() {
        var rng = SplitMix64(seed: testSeed(13))
        for _ in 0..<iterations(20_000) {
            let f = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            guard f.isFinite else { continue }
            #expect(HalfFloat.half(from: f) == Float16(f).bitPattern, "\(f)")
        }
        for h in 0...UInt16.max where !Float16(bitPattern: h).isNaN {
            #expect(HalfFloat.float(fromHalf: h) == Float(Float16(bitPattern: h)))
        }
    }
    #endif

    @Test func nonFiniteValueNamesTheTensor() throws {
        let f = try roundTrip([("x", [3], [1, .infinity, 2])], .f16)
        expectError("t.safetensors: x: non-finite value inf at element 1") { _ = try f.floats("x") }
        expectError("nope: missing tensor") { _ = try f.floats("nope") }
    }
}
