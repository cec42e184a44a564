import Compiler
import Foundation
import ISA
import Testing
import TestSupport

@Suite struct BuildDirectoryTests {
    let w = RandomModel.weights(d: 32, intermediate: 64, layers: 2, vocab: 80, seed: testSeed(71))

    func scratch() throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("trit-compiler-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    func files(_ dir: URL) throws -> [String: Data] {
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        return try Dictionary(uniqueKeysWithValues: names.map { ($0, try Data(contentsOf: dir.appendingPathComponent($0))) })
    }

    @Test(arguments: WeightPacking.allCases)
    func writeThenLoadGivesTheSameBuild(packing: WeightPacking) throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent("build")
        let b = try ModelCompiler.compile(w, head: true, packing: packing)
        try b.write(to: dir)
        let f = try files(dir)
        #expect(Set(f.keys) == ["program.s", "program.bin", "memory.bin", "embeddings.npy", "manifest.json"])
        #expect(f["memory.bin"]!.count == b.manifest.memorySize)
        let json = String(decoding: f["manifest.json"]!, as: UTF8.self)
        #expect(json.contains("\"firstLayer\" : 0"))
        #expect(json.contains("\"packing\" : \(packing.rawValue)"))
        let back = try Build.load(from: dir)
        #expect(back.manifest == b.manifest)
        #expect(back.program == b.program)
        #expect(back.memory == b.memory)
        #expect(back.assembly == b.assembly)
        #expect(back.embeddings == b.embeddings)
        #expect(back.plan == b.plan)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["build"], "no staging left behind")
    }

    @Test func replacesAnExistingBuildOnlyOnSuccess() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent("build")
        try ModelCompiler.compile(w, head: true).write(to: dir)
        let before = try files(dir)
        // A failed compile writes nothing: the existing build is untouched.
        #expect(throws: CompileError.self) { try ModelCompiler.compile(w, layers: 0...5, head: false).write(to: dir) }
        #expect(try files(dir) == before)
        // A successful one replaces every file (this build has no embeddings: it starts at layer 1).
        let second = try ModelCompiler.compile(w, layers: 1...1, head: false)
        try second.write(to: dir)
        let after = try files(dir)
        #expect(after["embeddings.npy"] == nil)
        #expect(after["program.bin"] == Data(second.program.serialized()))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["build"])
    }

    @Test func loadNamesTheFileAtFault() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let good = root.appendingPathComponent("good")
        try ModelCompiler.compile(w, head: false).write(to: good)

        func broken(_ change: (URL) throws -> Void) throws -> BuildFileError? {
            let dir = root.appendingPathComponent("case-\(UUID().uuidString)")
            try FileManager.default.copyItem(at: good, to: dir)
            try change(dir)
            return #expect(throws: BuildFileError.self) { _ = try Build.load(from: dir) }
        }
        func put(_ dir: URL, _ file: String, _ text: String) throws {
            try Data(text.utf8).write(to: dir.appendingPathComponent(file))
        }
        func editManifest(_ dir: URL, _ edit: (inout [String: Any]) -> Void) throws {
            let u = dir.appendingPathComponent("manifest.json")
            var j = try JSONSerialization.jsonObject(with: Data(contentsOf: u)) as! [String: Any]
            edit(&j)
            try JSONSerialization.data(withJSONObject: j).write(to: u)
        }

        var e = try broken { try FileManager.default.removeItem(at: $0.appendingPathComponent("memory.bin")) }
        #expect(e?.file == "memory.bin" && e?.problem.hasPrefix("missing") == true)
        e = try broken { try put($0, "manifest.json", "{ not json") }
        #expect(e?.file == "manifest.json")
        e = try broken { try editManifest($0) { $0["format"] = 99 } }
        #expect(e?.file == "manifest.json" && e?.problem.contains("format 99") == true)
        e = try broken { try editManifest($0) { $0["packing"] = 7 } }
        #expect(e?.file == "manifest.json" && e?.problem.contains("packing 7") == true)
        // Here both packings need the same bytes (32 and 64 columns: 8 and 16 steps either way); the code disagrees.
        e = try broken { try editManifest($0) { $0["packing"] = 1 } }
        #expect(e?.file == "program.bin" && e?.problem.contains("packing mode 0, the manifest says 1") == true)
        e = try broken { try put($0, "memory.bin", "short") }
        #expect(e?.file == "memory.bin" && e?.problem.contains("memorySize") == true)
        e = try broken { try put($0, "program.bin", "TRIT garbage") }
        #expect(e?.file == "program.bin")
        e = try broken { try editManifest($0) { $0["output"] = ["address": 1 << 30, "count": 4] } }
        #expect(e?.file == "manifest.json" && e?.problem.contains("output") == true)
        e = try broken { try FileManager.default.removeItem(at: $0.appendingPathComponent("embeddings.npy")) }
        #expect(e?.file == "embeddings.npy")
    }

    @Test func imageWithDataRunsWhereProgramBinAloneHasNoWeights() throws {
        let b = try ModelCompiler.compile(w, head: false)
        #expect(b.image(withData: false) == b.program)
        let image = b.image(withData: true)
        #expect(image.memory() == b.memory)
        #expect(try ProgramImage.parse(image.serialized()) == image)
    }
}
