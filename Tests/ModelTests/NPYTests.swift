import Foundation
import Model
import Testing
import TestSupport

/// `.npy` files: what we write reads back, what NumPy writes reads, and
/// every malformed file is a clear error naming the file.
@Suite struct NPYTests {
    @Test func roundTrip() throws {
        var rng = SplitMix64(seed: testSeed(21))
        let v = (0..<12).map { _ in rng.normal() }
        let a = try NPY.parse(NPY.float64(v, shape: [3, 4]), file: "a.npy")
        #expect(a.shape == [3, 4] && a.values == v)
        let b = try NPY.parse(NPY.float32(v.map(Float.init), shape: [12]), file: "b.npy")
        #expect(b.shape == [12] && b.floats == v.map(Float.init))
        let c = try NPY.parse(NPY.float32([], shape: [0, 5]), file: "c.npy")
        #expect(c.shape == [0, 5] && c.values.isEmpty)
        // Headers are padded so the data starts on a 64-byte boundary.
        #expect((NPY.float64(v, shape: [3, 4]).count - 8 * 12) % 64 == 0)
    }

    /// Version 2.0, float16 and a hand-written header in another style.
    func file(version: UInt8, header: String, data: [UInt8]) -> [UInt8] {
        let h = Array(header.utf8)
        let length: [UInt8] = version == 1 ? [UInt8(h.count & 0xFF), UInt8(h.count >> 8)]
            : (0..<4).map { UInt8((h.count >> (8 * $0)) & 0xFF) }
        return [0x93] + Array("NUMPY".utf8) + [version, 0] + length + h + data
    }

    @Test func otherVersionsAndDtypes() throws {
        let half: [UInt8] = [0x00, 0x3C, 0x00, 0xC0]  // 1.0, -2.0
        let a = try NPY.parse(file(version: 2, header: "{\"descr\": \"<f2\", \"fortran_order\": False, \"shape\": (2,)}\n", data: half), file: "h.npy")
        #expect(a.shape == [2] && a.values == [1, -2])
        let s = try NPY.parse(file(version: 1, header: "{'shape': (), 'fortran_order': False, 'descr': '<f4'}", data: [0, 0, 0x80, 0x3F]), file: "s.npy")
        #expect(s.shape == [] && s.values == [1])
        // Token ids: int32 and int64.
        let i4 = try NPY.parse(file(version: 1, header: "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }",
                                    data: [7, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]), file: "i.npy")
        #expect(i4.values == [7, -1])
        let i8 = try NPY.parse(file(version: 1, header: "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }",
                                    data: [0, 1, 0, 0, 0, 0, 0, 0]), file: "l.npy")
        #expect(i8.values == [256])
    }

    @Test func badFiles() throws {
        expectError("x.npy: not a NumPy .npy file (bad magic)") { _ = try NPY.parse(Array("hello world".utf8), file: "x.npy") }
        expectError("x.npy: unsupported dtype '<u2'") {
            _ = try NPY.parse(file(version: 1, header: "{'descr': '<u2', 'fortran_order': False, 'shape': (1,), }", data: [0, 0]), file: "x.npy")
        }
        expectError("x.npy: unsupported dtype '>f4'") {
            _ = try NPY.parse(file(version: 1, header: "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", data: [0, 0, 0, 0]), file: "x.npy")
        }
        expectError("x.npy: Fortran-order arrays are not supported") {
            _ = try NPY.parse(file(version: 1, header: "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", data: [0, 0, 0, 0]), file: "x.npy")
        }
        expectError("x.npy: truncated data: shape [2, 2] needs 16 bytes, found 12") {
            _ = try NPY.parse(Array(NPY.float32([1, 2, 3, 4], shape: [2, 2]).dropLast(4)), file: "x.npy")
        }
        expectError("x.npy: header not parseable") {
            _ = try NPY.parse(file(version: 1, header: "{'descr': '<f4', 'shape': (1,), }", data: [0, 0, 0, 0]), file: "x.npy")
        }
        expectError("x.npy: truncated header") { _ = try NPY.parse(Array(NPY.float32([1], shape: [1]).prefix(40)), file: "x.npy") }
        expectError("x.npy: unsupported .npy version 9.0") { _ = try NPY.parse(file(version: 9, header: "{}", data: []), file: "x.npy") }
        expectError("missing.npy: no such file") { _ = try NPY.read(path: "missing.npy") }
    }
}
