import TritJSON

/// One `.safetensors` file, memory-mapped and validated when opened:
/// an 8-byte little-endian header length N, N bytes of JSON describing each
/// tensor (`dtype`, `shape`, `data_offsets` relative to the data buffer),
/// then the data buffer. Tensors are converted to Float one at a time.
public final class SafetensorsFile: Sendable {
    public struct Entry: Sendable, Equatable {
        public var name: String
        /// As the header spells it (F32, BF16, I64...).
        public var dtype: String
        public var shape: [Int]
        /// Byte range inside the data buffer.
        public var offsets: Range<Int>
        /// The convertible type, nil when the dtype is one we do not read.
        public var type: TensorDType? { TensorDType(rawValue: dtype) }
    }

    public let path: String
    public let entries: [String: Entry]
    public let metadata: [String: String]
    private let file: MappedFile
    private let dataStart: Int

    /// Refuse headers beyond this: real ones are a few hundred kilobytes.
    public static let maxHeaderBytes = 100_000_000

    public init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path)
        func bad(_ problem: String, _ tensor: String? = nil) -> CheckpointError {
            CheckpointError(file: path, tensor: tensor, problem: problem)
        }
        guard file.count >= 8 else {
            throw bad("truncated: \(file.count) bytes, shorter than the 8-byte header length")
        }
        var n: UInt64 = 0
        for (k, b) in file.bytes(0..<8).enumerated() { n |= UInt64(b) << (8 * UInt64(k)) }
        guard n <= UInt64(Self.maxHeaderBytes) else {
            throw bad("huge header: \(n) bytes (more than the \(Self.maxHeaderBytes / 1_000_000) MB limit); not a safetensors file?")
        }
        guard n <= UInt64(file.count - 8) else {
            throw bad("truncated: the header needs \(n) bytes but only \(file.count - 8) follow")
        }
        dataStart = 8 + Int(n)
        let dataCount = file.count - dataStart
        let json: JSON
        do { json = try JSON.parse(Array(file.bytes(8..<dataStart)), duplicateKeys: .reject) } catch {
            throw bad("header is not valid JSON: \(error)")
        }
        guard case .object(let fields) = json else { throw bad("header is not a JSON object") }

        var entries: [String: Entry] = [:]
        var meta: [String: String] = [:]
        for (name, value) in fields {
            if name == "__metadata__" {
                guard case .object(let m) = value else { throw bad("__metadata__ is not an object") }
                for (k, v) in m {
                    guard case .string(let s) = v else { throw bad("__metadata__ value \"\(k)\" is not a string") }
                    meta[k] = s
                }
                continue
            }
            guard case .object = value else { throw bad("entry is not an object", name) }
            guard case .string(let dtype)? = value["dtype"] else { throw bad("entry has no \"dtype\" string", name) }
            guard case .array(let dims)? = value["shape"] else { throw bad("entry has no \"shape\" array", name) }
            guard case .array(let offs)? = value["data_offsets"], offs.count == 2 else {
                throw bad("entry has no \"data_offsets\" [begin, end] pair", name)
            }
            guard let size = TensorDType.knownSizes[dtype] else { throw bad("unknown dtype '\(dtype)'", name) }
            var shape: [Int] = []
            var count = 1
            for d in dims {
                guard let v = d.intValue else { throw bad("shape entry \(d.serialized) is not an integer", name) }
                guard v >= 0 else { throw bad("negative shape entry \(v) in \(dims.map(\.serialized))", name) }
                let (c, overflow) = count.multipliedReportingOverflow(by: v)
                guard !overflow else { throw bad("shape \(dims.map(\.serialized)) is too large", name) }
                shape.append(v)
                count = c
            }
            guard let begin = offs[0].intValue, let end = offs[1].intValue, begin >= 0, end >= 0 else {
                throw bad("data_offsets must be two non-negative integers", name)
            }
            guard begin <= end else { throw bad("data_offsets reversed: [\(begin), \(end)]", name) }
            guard end <= dataCount else {
                throw bad("data_offsets [\(begin), \(end)] past the end of the data buffer (\(dataCount) bytes)", name)
            }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, end - begin == bytes else {
                throw bad("holds \(end - begin) bytes but shape \(shape) of \(dtype) needs \(overflow ? "too many" : String(bytes))", name)
            }
            entries[name] = Entry(name: name, dtype: dtype, shape: shape, offsets: begin..<end)
        }
        // Tensors may not share bytes: sort by start and compare neighbours.
        let ordered = entries.values.filter { !$0.offsets.isEmpty }
            .sorted { ($0.offsets.lowerBound, $0.name) < ($1.offsets.lowerBound, $1.name) }
        for (a, b) in zip(ordered, ordered.dropFirst()) where b.offsets.lowerBound < a.offsets.upperBound {
            throw bad("overlaps \(a.name) (bytes \(b.offsets.lowerBound)..<\(a.offsets.upperBound) shared)", b.name)
        }
        self.entries = entries
        metadata = meta
    }

    /// Tensor names, sorted.
    public var names: [String] { entries.keys.sorted() }

    /// The tensor's values as Float (row-major); an error when absent, of a
    /// dtype we do not convert, or holding NaN or infinity.
    public func floats(_ name: String) throws -> [Float] {
        guard let e = entries[name] else { throw CheckpointError(file: path, tensor: name, problem: "missing tensor") }
        guard let type = e.type else {
            throw CheckpointError(file: path, tensor: name, problem: "unsupported dtype \(e.dtype) (F32, F16 or BF16 expected)")
        }
        let raw = file.bytes((dataStart + e.offsets.lowerBound)..<(dataStart + e.offsets.upperBound))
        let n = e.offsets.count / type.byteSize
        let values = [Float](unsafeUninitializedCapacity: n) { out, initialized in
            switch type {
            case .f32:
                for k in 0..<n { out[k] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self))) }
            case .f16:
                for k in 0..<n { out[k] = HalfFloat.float(fromHalf: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * k, as: UInt16.self))) }
            case .bf16:
                for k in 0..<n { out[k] = HalfFloat.float(fromBFloat: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * k, as: UInt16.self))) }
            }
            initialized = n
        }
        if let k = values.firstIndex(where: { !$0.isFinite }) {
            throw CheckpointError(file: path, tensor: name, problem: "non-finite value \(values[k]) at element \(k)")
        }
        return values
    }
}
