import Foundation
import Testing

/// `trit compile`, `trit run BUILD_DIR`, `trit generate` and `trit cosim
/// BUILD_DIR` as a user runs them.
extension CommandLineTests {
    /// A small checkpoint and its build with head, in a fresh directory.
    func compiledModel() throws -> URL {
        let dir = try scratch()
        let synth = try trit("checkpoint", "synth", "--hidden", "32", "--layers", "2", "--vocab", "64", "--seed", "9", "--out", "ck", in: dir)
        #expect(synth.status == 0, "\(synth.error)")
        let compile = try trit("compile", "ck", "--head", "--max-vector-length", "256", "--out", "build", in: dir)
        #expect(compile.status == 0, "\(compile.error)")
        #expect(compile.output.contains("layers 0..1 of 2 (d 32, I 256) + head (vocab 64)"), "\(compile.output)")
        return dir
    }

    @Test func compileRunAndGenerate() throws {
        let dir = try compiledModel()
        for file in ["program.s", "program.bin", "memory.bin", "embeddings.npy", "manifest.json"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("build/\(file)").path), "\(file)")
        }
        // program.s assembles to program.bin.
        #expect(try trit("asm", "build/program.s", "-o", "again.bin", in: dir).status == 0)
        #expect(try Data(contentsOf: dir.appendingPathComponent("again.bin")) == Data(contentsOf: dir.appendingPathComponent("build/program.bin")))

        let run = try trit("run", "build", "--token", "1,2,3", "--output", "logits.npy", "--reference", "ck", "--trace", "t.log", in: dir)
        #expect(run.status == 0, "\(run.error)")
        #expect(try npyShape(dir.appendingPathComponent("logits.npy")) == "3, 64")
        #expect(run.output.contains("against the float reference, worst over 3 tokens and 2 blocks"), "\(run.output)")
        let trace = try String(contentsOf: dir.appendingPathComponent("t.log"), encoding: .utf8)
        #expect(trace.split(separator: "\n").count == 3 * 122)

        // The same checkpoint with 1.6-bit (base-3) weights: the same logits from fewer bytes.
        let b3 = try trit("compile", "ck", "--head", "--max-vector-length", "256", "--packing", "1.6bit", "--out", "b3", in: dir)
        #expect(b3.status == 0 && b3.output.contains("(base-3 packing)"), "\(b3.output) \(b3.error)")
        #expect(try String(contentsOf: dir.appendingPathComponent("b3/program.s"), encoding: .utf8).contains("tmatmul.b3 "))
        #expect(try trit("run", "b3", "--token", "1,2,3", "--output", "logits3.npy", in: dir).status == 0)
        #expect(try Data(contentsOf: dir.appendingPathComponent("logits3.npy")) == Data(contentsOf: dir.appendingPathComponent("logits.npy")))

        let json = try trit("run", "build", "--token", "4", "--json", in: dir)
        #expect(json.status == 0 && json.output.hasPrefix("{\"tokens\": 1"), "\(json.output)")

        // A build of layer 1 alone fed layer 0's outputs matches: the same hidden state path as the whole model.
        #expect(try trit("compile", "ck", "--layers", "0", "--out", "l0", in: dir).status == 0)
        #expect(try trit("run", "l0", "--token", "1,2", "--output", "h.npy", in: dir).status == 0)
        #expect(try trit("compile", "ck", "--layers", "1", "--out", "l1", in: dir).status == 0)
        let second = try trit("run", "l1", "--input", "h.npy", "--output", "h1.npy", "--reference", "ck", in: dir)
        #expect(second.status == 0, "\(second.error)")
        #expect(try npyShape(dir.appendingPathComponent("h1.npy")) == "2, 32")

        let gen = try trit("generate", "build", "--ids", "1,2", "--max-new", "5", "--reference", "ck", in: dir)
        #expect(gen.status == 0, "\(gen.error)")
        let generated = gen.output.split(separator: "\n").first { $0.hasPrefix("generated: ") }
        #expect(generated.map { $0.dropFirst(11).split(separator: ",").count } == 5, "\(gen.output)")
        let genJSON = try trit("generate", "build", "--ids", "1,2", "--max-new", "2", "--json", in: dir)
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(genJSON.output.utf8)) as? [String: Any])
        #expect((fields["generated"] as? [Int])?.count == 2 && fields["saturations"] as? Int != nil, "\(genJSON.output)")
    }

    /// `compile --json` names the output directory as a JSON string, whatever its characters.
    @Test func compileJSONEscapesThePath() throws {
        let dir = try compiledModel()
        let name = "a \"quoted\" \\ name"
        let r = try trit("compile", "ck", "--head", "--max-vector-length", "256", "--out", name, "--json", in: dir)
        #expect(r.status == 0, "\(r.error)")
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any], "\(r.output)")
        #expect(fields["out"] as? String == name)
    }

    /// `trit run` on a model compiled for two cards: the logits of one card,
    /// bit for bit; commands that run one build say so.
    @Test func runTakesAModelCompiledForSeveralCards() throws {
        let dir = try compiledModel()
        let split = try trit("compile", "ck", "--head", "--max-vector-length", "256", "--cards", "2", "--out", "two", in: dir)
        #expect(split.status == 0, "\(split.error)")
        #expect(try trit("run", "build", "--token", "1,2,3", "--output", "one.npy", in: dir).status == 0)
        let chained = try trit("run", "two", "--token", "1,2,3", "--output", "two.npy", "--reference", "ck", in: dir)
        #expect(chained.status == 0, "\(chained.error)")
        #expect(chained.output.contains("+ head (vocab 64)") && chained.output.contains("on 2 cards"), "\(chained.output)")
        #expect(chained.output.contains("worst over 3 tokens and 2 blocks"), "\(chained.output)")
        #expect(try Data(contentsOf: dir.appendingPathComponent("two.npy")) == Data(contentsOf: dir.appendingPathComponent("one.npy")))
        let json = try trit("run", "two", "--token", "1", "--json", in: dir)
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(fields["cards"] as? Int == 2 && (fields["load"] as? [Any])?.count == 2, "\(json.output)")
        for (args, message) in [(["run", "two", "--token", "1", "--trace", "t.log"], "compiled for 2 cards"),
                                (["cosim", "two", "--token", "1"], "compiled for 2 cards")] {
            let r = try run(args, in: dir)
            #expect(r.status != 0 && r.error.contains(message), "\(args): \(r.error)")
        }
    }

    @Test func buildCommandsRejectBadInputClearly() throws {
        let dir = try compiledModel()
        #expect(try trit("compile", "ck", "--layers", "0", "--out", "nohead", in: dir).status == 0)
        try Data(NPYFixture.float32(count: 5)).write(to: dir.appendingPathComponent("five.npy"))
        let cases: [([String], String)] = [
            (["compile", "nowhere", "--out", "b"], "no such checkpoint directory"),
            (["compile", "ck", "--layers", "0..7", "--out", "b"], "out of range"),
            (["compile", "ck", "--layers", "0", "--head", "--out", "b"], "with head, the layers must end at 1"),
            (["compile", "ck", "--max-vector-length", "64", "--out", "b"], "max vector length 64"),
            (["compile", "ck", "--packing", "3bit", "--out", "b"], "'3bit' is invalid for '--packing"),
            (["run", "build", "--output", "y.npy"], "exactly one of --input and --token"),
            (["run", "build", "--token", "1", "--input", "five.npy"], "exactly one of --input and --token"),
            (["run", "build", "--input", "five.npy"], "shape [5], expected [T, 32]"),
            (["run", "build", "--token", "99"], "token 99 is outside the vocabulary"),
            (["run", "build", "--token", "1", "--dump", "v0=x.npy"], "--dump is for program images"),
            (["run", "ck", "--token", "1"], "manifest.json"),
            (["generate", "nohead", "--ids", "1"], "needs a build compiled from layer 0 with --head"),
            (["generate", "build", "--ids", "1,a"], "'a' is not a token id"),
            (["cosim", "build", "--token", "1", "--max-vector-length", "128"], "needs vectors of 256 elements"),
        ]
        for (arguments, message) in cases {
            let r = try run(arguments, in: dir)
            #expect(r.status != 0, "trit \(arguments) succeeded")
            #expect(r.error.contains(message), "trit \(arguments): \(r.error)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("b").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("y.npy").path))
    }

    /// The same build on a small core in Verilator (the model is cached across runs).
    @Test func cosimRunsABuildTokenByToken() throws {
        let dir = try compiledModel()
        let r = try trit("cosim", "build", "--token", "1,2", "--max-vector-length", "256",
                         "--reference", "ck", "--output", "y.npy", "--json", in: dir)
        #expect(r.status == 0, "\(r.error)")
        #expect(r.output.contains("\"cycles\": ["), "\(r.output)")
        // The core's SATURATIONS counter and the interpreter's counts are in the report.
        #expect(r.output.contains("\"saturations\": ") && r.output.contains("\"saturations_by_instruction\": {"), "\(r.output)")
        #expect(try npyShape(dir.appendingPathComponent("y.npy")) == "2, 64")
        let interp = try trit("run", "build", "--token", "1,2", "--output", "z.npy", in: dir)
        #expect(interp.status == 0)
        #expect(try Data(contentsOf: dir.appendingPathComponent("y.npy")) == Data(contentsOf: dir.appendingPathComponent("z.npy")))
    }
}

/// A float32 .npy of `count` zeros, shape [count].
enum NPYFixture {
    static func float32(count: Int) -> [UInt8] {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(count),), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        let n = header.utf8.count
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(header.utf8)
            + [UInt8](repeating: 0, count: 4 * count)
    }
}

extension NPYFixture {
    /// A float32 .npy of `values`, shape [values.count].
    static func float32(_ values: [Float]) -> [UInt8] {
        var bytes = float32(count: values.count)
        let start = bytes.count - 4 * values.count
        for (k, v) in values.enumerated() {
            for b in 0..<4 { bytes[start + 4 * k + b] = UInt8(truncatingIfNeeded: v.bitPattern >> UInt32(8 * b)) }
        }
        return bytes
    }
}
