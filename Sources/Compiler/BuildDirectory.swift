import Foundation
import ISA
import Model

/// A problem with a build directory: the file and what is wrong with it.
public struct BuildFileError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var problem: String
    public init(file: String, _ problem: String) {
        self.file = file
        self.problem = problem
    }
    public var description: String { "\(file): \(problem)" }
}

/// Fills a fresh sibling of `directory` with `fill`, then renames it into
/// place: an existing directory is replaced only when everything was
/// written, and a failure leaves it untouched. Builds and `trit rtl` write
/// their directories this way.
public func replaceDirectory(_ directory: URL, with fill: (URL) throws -> Void) throws {
    let fm = FileManager.default
    let parent = directory.deletingLastPathComponent()
    try fm.createDirectory(at: parent, withIntermediateDirectories: true)
    let name = directory.lastPathComponent
    let staging = parent.appendingPathComponent(".\(name).partial-\(UUID().uuidString)")
    try fm.createDirectory(at: staging, withIntermediateDirectories: false)
    do {
        try fill(staging)
        if fm.fileExists(atPath: directory.path) {
            let old = parent.appendingPathComponent(".\(name).old-\(UUID().uuidString)")
            try fm.moveItem(at: directory, to: old)
            do {
                try fm.moveItem(at: staging, to: directory)
            } catch {
                try? fm.moveItem(at: old, to: directory)
                throw error
            }
            try? fm.removeItem(at: old)
        } else {
            try fm.moveItem(at: staging, to: directory)
        }
    } catch {
        try? fm.removeItem(at: staging)
        throw error
    }
}

/// Files copied into a build directory beside the build's own.
func writeExtraFiles(_ files: [String: Data], into dir: URL) throws {
    for (name, data) in files.sorted(by: { $0.key < $1.key }) {
        precondition(!name.contains("/") && !name.hasPrefix("."), "extra build file \(name) must be a plain name")
        try data.write(to: dir.appendingPathComponent(name))
    }
}

extension Build {
    public static let assemblyFile = "program.s"
    public static let programFile = "program.bin"
    public static let prefillAssemblyFile = "prefill.s"
    public static let prefillProgramFile = "prefill.bin"
    public static let memoryFile = "memory.bin"
    public static let embeddingsFile = "embeddings.npy"

    /// Writes the build directory. The files go to a temporary sibling that
    /// is renamed into place, so an existing build is replaced only when
    /// every file was written, and a failure leaves it untouched.
    /// `extraFiles` (name: contents) go in beside the build's own, e.g. the
    /// checkpoint's tokenizer.json.
    public func write(to directory: URL, extraFiles: [String: Data] = [:]) throws {
        try replaceDirectory(directory) { dir in
            try writeFiles(into: dir)
            try writeExtraFiles(extraFiles, into: dir)
        }
    }

    private func writeFiles(into dir: URL) throws {
        func url(_ f: String) -> URL { dir.appendingPathComponent(f) }
        try Data(assembly.utf8).write(to: url(Self.assemblyFile))
        try Data(program.serialized()).write(to: url(Self.programFile))
        if let prefill {
            try Data(prefill.assembly.utf8).write(to: url(Self.prefillAssemblyFile))
            try Data(prefill.program.serialized()).write(to: url(Self.prefillProgramFile))
        }
        try memory.withUnsafeBytes { raw in
            // Written straight from the array: memory.bin can be hundreds of megabytes.
            let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!),
                            count: raw.count, deallocator: .none)
            try data.write(to: url(Self.memoryFile))
        }
        if let embeddings {
            try Data(NPY.float32(embeddings, shape: [manifest.model.vocabSize, manifest.model.hiddenSize]))
                .write(to: url(Self.embeddingsFile))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(manifest).write(to: url(BuildManifest.fileName))
    }

    /// Reads and checks a build directory; errors name the file at fault.
    public static func load(from directory: URL) throws -> Build {
        func read(_ f: String) throws -> Data {
            let u = directory.appendingPathComponent(f)
            guard FileManager.default.fileExists(atPath: u.path) else { throw BuildFileError(file: f, "missing from \(directory.path)") }
            do { return try Data(contentsOf: u) } catch { throw BuildFileError(file: f, "unreadable: \(error.localizedDescription)") }
        }
        let manifest = try decodeManifest(read(BuildManifest.fileName))
        let m = manifest
        guard let packing = UInt8(exactly: m.packing).flatMap(WeightPacking.init(rawValue:)) else {
            throw BuildFileError(file: BuildManifest.fileName, "packing \(m.packing), expected 0 (2-bit) or 1 (base-3)")
        }
        let plan: MemoryPlan
        do {
            plan = try MemoryPlan.make(m.model, layers: m.firstLayer...(m.firstLayer + m.layerCount - 1), head: m.head,
                                       maxVectorLength: m.target.maxVectorLength, packing: packing, streams: m.target.streams)
        } catch {
            throw BuildFileError(file: BuildManifest.fileName, "\(error)")
        }
        guard plan.size == m.memorySize, plan.streamStride == (m.streamStride ?? 0) else {
            throw BuildFileError(file: BuildManifest.fileName, "memorySize \(m.memorySize) and streamStride \(m.streamStride ?? 0) do not match the memory plan of this model (\(plan.size) bytes, stride \(plan.streamStride))")
        }
        do { try ModelCompiler.checkPrefill(m.prefillLength, streams: m.streams) } catch {
            throw BuildFileError(file: BuildManifest.fileName, "prefillLength: \(error)")
        }

        let program = try readProgram(read(programFile), file: programFile, manifest: m, packing: packing)
        var prefill: (String, ProgramImage)? = nil
        if m.prefillLength != nil {
            prefill = (try text(read(prefillAssemblyFile), file: prefillAssemblyFile),
                       try readProgram(read(prefillProgramFile), file: prefillProgramFile, manifest: m, packing: packing))
        }

        let memoryData = try read(memoryFile)
        guard memoryData.count == m.memorySize else {
            throw BuildFileError(file: memoryFile, "\(memoryData.count) bytes, the manifest's memorySize is \(m.memorySize)")
        }
        let assembly = try text(read(assemblyFile), file: assemblyFile)
        var embeddings: [Float]? = nil
        if m.firstLayer == 0 {
            let shape = [m.model.vocabSize, m.model.hiddenSize]
            let array: NPYArray
            do { array = try NPY.parse([UInt8](try read(embeddingsFile)), file: embeddingsFile) } catch {
                throw BuildFileError(file: embeddingsFile, "\(error)")
            }
            guard array.shape == shape else {
                throw BuildFileError(file: embeddingsFile, "shape \(array.shape), the model's embedding table is \(shape)")
            }
            embeddings = array.floats
        }
        return Build(manifest: m, plan: plan, assembly: assembly, program: program, prefill: prefill,
                     memory: [UInt8](memoryData), embeddings: embeddings)
    }

    private static func text(_ data: Data, file: String) throws -> String {
        guard let s = String(data: data, encoding: .utf8) else { throw BuildFileError(file: file, "not UTF-8 text") }
        return s
    }

    /// A program image of the build, checked against its manifest.
    private static func readProgram(_ data: Data, file: String, manifest m: BuildManifest, packing: WeightPacking) throws -> ProgramImage {
        let program: ProgramImage
        do { program = try ProgramImage.parse([UInt8](data)) } catch {
            throw BuildFileError(file: file, "not a valid program image: \(error)")
        }
        guard program.fracBits == m.target.fracBits else {
            throw BuildFileError(file: file, "assembled for \(program.fracBits) fraction bits, the manifest's target has \(m.target.fracBits)")
        }
        guard program.streams == m.streams else {
            throw BuildFileError(file: file, "written for \(program.streams) stream(s), the manifest's target has \(m.streams)")
        }
        // The plan's sizes may coincide for both packings; the products' modes may not.
        if let i = program.code.firstIndex(where: {
            Encoding.op.extract($0) == UInt64(Opcode.tmatmul.rawValue) && Encoding.mode.extract($0) != UInt64(packing.rawValue)
        }) {
            throw BuildFileError(file: file, "tmatmul at instruction \(i) has packing mode \(Encoding.mode.extract(program.code[i])), the manifest says \(m.packing)")
        }
        guard Int(program.memorySize) == m.memorySize else {
            throw BuildFileError(file: file, "memory size \(program.memorySize), the manifest says \(m.memorySize)")
        }
        return program
    }

    private static func decodeManifest(_ data: Data) throws -> BuildManifest {
        let file = BuildManifest.fileName
        struct FormatOnly: Decodable { var format: Int }
        let format: Int
        do { format = try JSONDecoder().decode(FormatOnly.self, from: data).format } catch {
            throw BuildFileError(file: file, "not a build manifest (bad JSON or no format number): \(error)")
        }
        guard format == BuildManifest.currentFormat else {
            throw BuildFileError(file: file, "format \(format), this version reads format \(BuildManifest.currentFormat)")
        }
        let m: BuildManifest
        do { m = try JSONDecoder().decode(BuildManifest.self, from: data) } catch {
            throw BuildFileError(file: file, "bad manifest: \(error)")
        }
        guard m.memorySize > 0, m.memorySize <= Int(UInt32.max) else {
            throw BuildFileError(file: file, "memorySize \(m.memorySize) outside 1...\(UInt32.max)")
        }
        guard m.firstLayer >= 0, m.layerCount >= 1, m.firstLayer + m.layerCount <= m.model.layers else {
            throw BuildFileError(file: file, "layers \(m.firstLayer) + \(m.layerCount) do not fit the model's \(m.model.layers) layers")
        }
        guard m.states.count == m.layerCount, m.layerOutputs.count == m.layerCount else {
            throw BuildFileError(file: file, "\(m.layerCount) layers but \(m.states.count) states and \(m.layerOutputs.count) layer outputs")
        }
        let named = [("input", m.input), ("output", m.output)]
            + m.states.enumerated().map { ("states[\($0.offset)]", $0.element) }
            + m.layerOutputs.enumerated().map { ("layerOutputs[\($0.offset)]", $0.element) }
        for (what, r) in named {
            guard r.address >= 0, r.address % 4 == 0, r.count >= 0, r.address + 4 * r.count <= m.memorySize else {
                throw BuildFileError(file: file, "\(what) (address \(r.address), \(r.count) elements) lies outside the \(m.memorySize) bytes of memory")
            }
        }
        return m
    }
}
