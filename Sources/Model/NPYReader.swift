import Foundation

/// A problem with a `.npy` file, printed as `file: problem`.
public struct NPYError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var problem: String
    public init(file: String, problem: String) { self.file = file; self.problem = problem }
    public var description: String { "\(file): \(problem)" }
}

/// An array read from a `.npy` file: its shape and its values, row-major.
public struct NPYArray: Sendable, Equatable {
    public var shape: [Int]
    /// The values widened to Double (exact for f2, f4, f8 and i4; i8 up to 2^53).
    public var values: [Double]
    public var floats: [Float] { values.map(Float.init) }
}

extension NPY {
    public static func read(path: String) throws -> NPYArray {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NPYError(file: path, problem: FileManager.default.fileExists(atPath: path) ? "cannot read" : "no such file")
        }
        return try parse([UInt8](data), file: path)
    }

    /// Reads versions 1.0, 2.0 and 3.0; little-endian f2, f4, f8, i4, i8 in C order.
    public static func parse(_ bytes: [UInt8], file: String) throws -> NPYArray {
        func bad(_ p: String) -> NPYError { NPYError(file: file, problem: p) }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw bad("not a NumPy .npy file (bad magic)")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw bad("truncated header") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        default:
            throw bad("unsupported .npy version \(major).\(bytes[7])")
        }
        guard headerStart + headerLength <= bytes.count else { throw bad("truncated header") }
        guard let text = String(validating: bytes[headerStart..<headerStart + headerLength], as: UTF8.self) else {
            throw bad("header is not text")
        }
        var lit = PythonLiteral(text: Array(text.unicodeScalars))
        guard let dict = try? lit.dictionary(), case .string(let descr)? = dict["descr"],
              case .bool(let fortran)? = dict["fortran_order"], case .tuple(let dims)? = dict["shape"] else {
            throw bad("header not parseable (expected {'descr': ..., 'fortran_order': ..., 'shape': (...)})")
        }
        guard !fortran else { throw bad("Fortran-order arrays are not supported (save with C order)") }
        let size: Int
        switch descr {
        case "<f2": size = 2
        case "<f4": size = 4
        case "<f8": size = 8
        case "<i4": size = 4
        case "<i8": size = 8
        default: throw bad("unsupported dtype '\(descr)' (little-endian float16, float32, float64, int32 or int64 expected)")
        }
        var count = 1
        for d in dims {
            let (c, o) = count.multipliedReportingOverflow(by: d)
            guard d >= 0, !o else { throw bad("bad shape \(dims)") }
            count = c
        }
        let start = headerStart + headerLength
        let have = bytes.count - start
        guard have >= count * size else { throw bad("truncated data: shape \(dims) needs \(count * size) bytes, found \(have)") }
        guard have == count * size else { throw bad("\(have - count * size) unexpected bytes after the data") }
        let integer = descr.hasPrefix("<i")
        let values: [Double] = bytes.withUnsafeBytes { raw in
            (0..<count).map { k in
                let at = start + k * size
                let u32 = { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
                let u64 = { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
                switch (size, integer) {
                case (2, _): return Double(HalfFloat.float(fromHalf: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt16.self))))
                case (4, false): return Double(Float(bitPattern: u32()))
                case (4, true): return Double(Int32(bitPattern: u32()))
                case (8, false): return Double(bitPattern: u64())
                default: return Double(Int64(bitPattern: u64()))
                }
            }
        }
        return NPYArray(shape: dims, values: values)
    }
}

/// The Python literal subset of a .npy header: a dict of strings to
/// strings, booleans and tuples of integers.
private struct PythonLiteral {
    enum Value { case string(String), bool(Bool), tuple([Int]) }
    struct Failure: Error {}
    let text: [Unicode.Scalar]
    var at = 0

    mutating func skip() { while at < text.count, text[at].properties.isWhitespace { at += 1 } }

    mutating func expect(_ c: Unicode.Scalar) throws {
        skip()
        guard at < text.count, text[at] == c else { throw Failure() }
        at += 1
    }

    mutating func peek(_ c: Unicode.Scalar) -> Bool {
        skip()
        return at < text.count && text[at] == c
    }

    mutating func string() throws -> String {
        skip()
        guard at < text.count, text[at] == "'" || text[at] == "\"" else { throw Failure() }
        let quote = text[at]
        at += 1
        var s = String.UnicodeScalarView()
        while at < text.count, text[at] != quote { s.append(text[at]); at += 1 }
        guard at < text.count else { throw Failure() }
        at += 1
        return String(s)
    }

    mutating func value() throws -> Value {
        skip()
        guard at < text.count else { throw Failure() }
        if text[at] == "'" || text[at] == "\"" { return .string(try string()) }
        if text[at] == "(" || text[at] == "[" {
            let close: Unicode.Scalar = text[at] == "(" ? ")" : "]"
            at += 1
            var items: [Int] = []
            while !peek(close) {
                var digits = ""
                while at < text.count, text[at].properties.numericType != nil { digits.unicodeScalars.append(text[at]); at += 1 }
                if at < text.count, text[at] == "L" { at += 1 }  // Python 2 longs
                guard let v = Int(digits) else { throw Failure() }
                items.append(v)
                if !peek(close) { try expect(",") }
            }
            at += 1
            return .tuple(items)
        }
        for (word, v) in [("True", true), ("False", false)] where text[at...].starts(with: word.unicodeScalars) {
            at += word.unicodeScalars.count
            return .bool(v)
        }
        throw Failure()
    }

    mutating func dictionary() throws -> [String: Value] {
        try expect("{")
        var out: [String: Value] = [:]
        while !peek("}") {
            let k = try string()
            try expect(":")
            out[k] = try value()
            if !peek("}") { try expect(",") }
        }
        at += 1
        return out
    }
}
