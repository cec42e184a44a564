import Foundation
import Testing

/// `trit checkpoint synth`, `trit checkpoint info` and `trit reference` as a
/// user runs them: outputs appear whole, bad input is a message and a
/// non-zero exit, never a crash.
extension CommandLineTests {
    /// The shape recorded in a .npy header.
    func npyShape(_ url: URL) throws -> String {
        let bytes = try Data(contentsOf: url)
        let header = String(decoding: bytes.prefix(128), as: UTF8.self)
        guard let r = header.range(of: "'shape': ("), let end = header[r.upperBound...].firstIndex(of: ")") else { return "?" }
        return String(header[r.upperBound..<end])
    }

    @Test func synthInfoReference() throws {
        let dir = try scratch()
        let synth = try trit("checkpoint", "synth", "--hidden", "16", "--layers", "3", "--intermediate", "32",
                             "--vocab", "40", "--dtype", "bf16", "--shards", "2", "--seed", "5", "--out", "ck", in: dir)
        #expect(synth.status == 0, "\(synth.error)")
        #expect(synth.output.contains("model.safetensors.index.json"), "\(synth.output)")

        let info = try trit("checkpoint", "info", "ck", in: dir)
        #expect(info.status == 0, "\(info.error)")
        #expect(info.output.contains("hidden_size 16, intermediate_size 32, layers 3"), "\(info.output)")
        #expect(info.output.contains("model.layers.2.mlp.gate_proj.weight") && info.output.contains("[64, 16]"))
        #expect(info.output.contains("BF16") && info.output.contains("model-00002-of-00002.safetensors"))

        let byToken = try trit("reference", "ck", "--token", "3,4,39", "--output", "y.npy", in: dir)
        #expect(byToken.status == 0, "\(byToken.error)")
        #expect(try npyShape(dir.appendingPathComponent("y.npy")) == "3, 16")

        // The output of layers 0..1 fed to layer 2 with --input, then the head.
        let first = try trit("reference", "ck", "--layers", "0..1", "--token", "3,4,39", "--output", "h.npy", in: dir)
        #expect(first.status == 0, "\(first.error)")
        let rest = try trit("reference", "ck", "--layers", "2", "--head", "--input", "h.npy", "--output", "logits.npy", in: dir)
        #expect(rest.status == 0, "\(rest.error)")
        #expect(try npyShape(dir.appendingPathComponent("logits.npy")) == "3, 40")
        let whole = try trit("reference", "ck", "--head", "--token", "3,4,39", "--output", "logits2.npy", in: dir)
        #expect(whole.status == 0)
        #expect(try Data(contentsOf: dir.appendingPathComponent("logits.npy")) == Data(contentsOf: dir.appendingPathComponent("logits2.npy")))
    }

    @Test func badInputIsAnErrorNotACrash() throws {
        let dir = try scratch()
        #expect(try trit("checkpoint", "synth", "--hidden", "8", "--layers", "2", "--intermediate", "16", "--out", "ck", in: dir).status == 0)
        try Data([0x93] + Array("NUMPY".utf8) + [1, 0, 4, 0] + Array("junk".utf8)).write(to: dir.appendingPathComponent("bad.npy"))
        let cases: [([String], String)] = [
            (["reference", "ck", "--input", "bad.npy", "--output", "y.npy"], "bad.npy: header not parseable"),
            (["reference", "ck", "--input", "missing.npy", "--output", "y.npy"], "missing.npy: no such file"),
            (["reference", "ck", "--token", "1,x", "--output", "y.npy"], "'x' is not a token id"),
            (["reference", "ck", "--token", "300", "--output", "y.npy"], "token 300 is outside the vocabulary"),
            (["reference", "ck", "--layers", "1..5", "--token", "1", "--output", "y.npy"], "layer 5 is out of range"),
            (["reference", "ck", "--layers", "1", "--token", "1", "--output", "y.npy"], "--token feeds layer 0"),
            (["reference", "ck", "--output", "y.npy"], "exactly one of --input and --token"),
            (["reference", "nowhere", "--token", "1", "--output", "y.npy"], "no such checkpoint directory"),
            (["checkpoint", "info", "nowhere"], "no such checkpoint directory"),
            (["checkpoint", "synth", "--hidden", "8", "--layers", "1", "--dtype", "f64", "--out", "x"], "--dtype must be"),
        ]
        for (args, message) in cases {
            let r = try run(args, in: dir)
            #expect(r.status != 0, "\(args) succeeded")
            #expect(r.error.contains(message), "\(args): \(r.error)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("y.npy").path))

        // A [T, d] input of the wrong width.
        let wrong = try trit("reference", "ck", "--token", "1", "--output", "y8.npy", in: dir)
        #expect(wrong.status == 0)
        let widen = try trit("reference", "ck", "--layers", "0", "--input", "y8.npy", "--output", "z.npy", in: dir)
        #expect(widen.status == 0, "\(widen.error)")
        try FileManager.default.removeItem(at: dir.appendingPathComponent("ck"))
        #expect(try trit("checkpoint", "synth", "--hidden", "12", "--layers", "2", "--intermediate", "16", "--out", "ck", in: dir).status == 0)
        let mismatch = try trit("reference", "ck", "--input", "y8.npy", "--output", "z.npy", in: dir)
        #expect(mismatch.status != 0 && mismatch.error.contains("shape [1, 8], expected [T, 12]"), "\(mismatch.error)")
    }
}
