import Foundation
import Testing

/// `trit tokenize`, `trit detokenize` and `trit generate` with text, as a
/// user runs them on the shipped model: the ids the `tokenizers` library
/// gives, streamed text that decodes the generated ids, seeded sampling,
/// and bad input refused with a message.
extension CommandLineTests {
    /// Lines of the tokenizer reference made by the `tokenizers` library.
    func tokenizerReference() throws -> [[String: Any]] {
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent("trained/S/tok_ref.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    func jsonObject(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    @Test func tokenizeAndDetokenizeAgreeWithTheTokenizersLibrary() throws {
        let dir = try scratch()
        let model = Self.shippedModel.path
        // A sample of the reference: edge cases and validation lines, through the command line.
        let lines = try tokenizerReference().filter { $0["s"] != nil }
        for line in stride(from: 0, to: lines.count, by: 23).map({ lines[$0] }) {
            let s = try #require(line["s"] as? String)
            let r = try trit("tokenize", model, "--text", s, "--json", in: dir)
            #expect(r.status == 0, "\(r.error)")
            let got = try jsonObject(r.output)
            #expect(got["ids"] as? [Int] == line["ids"] as? [Int], "\(s.debugDescription)")
            #expect(got["tokens"] as? [String] == line["tokens"] as? [String], "\(s.debugDescription)")
            let ids = try #require(line["ids"] as? [Int]).map(String.init).joined(separator: ",")
            let plain = try trit("tokenize", model, "--text", s, in: dir)
            #expect(plain.output == ids + "\n")
            let back = try trit("detokenize", model, "--ids", ids, in: dir)
            #expect(back.status == 0 && back.output == (line["decode"] as? String ?? "?") + "\n", "\(s.debugDescription)")
            let keep = try trit("detokenize", model, "--ids", ids, "--keep-special", in: dir)
            #expect(keep.output == (line["decode_keep_special"] as? String ?? "?") + "\n", "\(s.debugDescription)")
        }
        // A file, and the same text without special tokens.
        try Data("ROMEO:\nBut, soft!".utf8).write(to: dir.appendingPathComponent("prompt.txt"))
        let file = try trit("tokenize", model, "--file", "prompt.txt", in: dir)
        let text = try trit("tokenize", model, "--text", "ROMEO:\nBut, soft!", "--no-special", in: dir)
        #expect(file.output.hasPrefix("1,") && file.output.dropFirst(2) == text.output, "\(file.output) \(text.output)")
    }

    @Test func generateStreamsTextAndSamplesReproducibly() throws {
        let dir = try scratch()
        let compile = try trit("compile", Self.shippedModel.path, "--head", "--out", "S", in: dir)
        #expect(compile.status == 0, "\(compile.error)")
        #expect(FileManager.default.contentsEqual(atPath: dir.path + "/S/tokenizer.json", andPath: Self.shippedModel.path + "/tokenizer.json"))

        // Greedy: the official model's continuation of "ROMEO:" (fixtures/trained/S/reference.json), as text.
        let greedy = try trit("generate", "S", "--prompt", "ROMEO:", "--max-new", "12", "--json", in: dir)
        #expect(greedy.status == 0, "\(greedy.error)")
        let g = try jsonObject(greedy.output)
        #expect(g["prompt_ids"] as? [Int] == [1, 486, 641, 900])
        let ids = try #require(g["ids"] as? [Int])
        #expect(ids == [264, 259, 395, 468, 334, 345, 795, 359, 428, 326, 336, 431], "\(ids)")
        let all = ([1, 486, 641, 900] + ids).map(String.init).joined(separator: ",")
        let decoded = try trit("detokenize", "S", "--ids", all, in: dir).output
        #expect("ROMEO:" + (g["text"] as? String ?? "?") + "\n" == decoded)
        // Streamed: the prompt, then the same text.
        let streamed = try trit("generate", "S", "--prompt", "ROMEO:", "--max-new", "12", in: dir)
        #expect(streamed.output == decoded, "\(streamed.output)")
        #expect(streamed.error.contains("12 tokens generated"), "\(streamed.error)")

        // Sampling: a seed gives the same text again, another seed other text.
        let sample = ["generate", "S", "--prompt", "JULIET:", "--max-new", "30", "--temperature", "0.9", "--top-k", "40", "--top-p", "0.95", "--json"]
        let a = try jsonObject(try run(sample + ["--seed", "1"], in: dir).output)
        let b = try jsonObject(try run(sample + ["--seed", "1"], in: dir).output)
        let c = try jsonObject(try run(sample + ["--seed", "2"], in: dir).output)
        #expect(a["ids"] as? [Int] == b["ids"] as? [Int] && a["ids"] as? [Int] != c["ids"] as? [Int])

        // A stop text ends it, and is not printed.
        let stopped = try jsonObject(try trit("generate", "S", "--prompt", "ROMEO:", "--max-new", "40", "--stop", "\nAnd", "--json", in: dir).output)
        #expect(stopped["text"] as? String == "," && stopped["ending"] as? String == "stopped", "\(stopped)")
    }

    @Test func textCommandsRefuseBadInputClearly() throws {
        let dir = try scratch()
        #expect(try trit("compile", Self.shippedModel.path, "--head", "--out", "S", in: dir).status == 0)
        #expect(try trit("checkpoint", "synth", "--hidden", "32", "--layers", "1", "--vocab", "64", "--out", "small", in: dir).status == 0)
        #expect(try trit("compile", "small", "--head", "--out", "small-build", in: dir).status == 0)
        try Data([0x61, 0x62, 0xFF, 0x63]).write(to: dir.appendingPathComponent("bad.txt"))
        let json = try Data(contentsOf: Self.shippedModel.appendingPathComponent("tokenizer.json"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("cut"), withIntermediateDirectories: true)
        try json.prefix(json.count / 2).write(to: dir.appendingPathComponent("cut/tokenizer.json"))
        let model = Self.shippedModel.path
        let cases: [([String], String)] = [
            (["tokenize", model, "--file", "bad.txt"], "bad.txt: invalid UTF-8 at byte 2"),
            (["tokenize", "cut", "--text", "a"], "cut/tokenizer.json"),
            (["tokenize", "small", "--text", "a"], "has no tokenizer.json"),
            (["tokenize", model], "exactly one of --text and --file"),
            (["detokenize", model, "--ids", "1,5000"], "token 5000 is outside the vocabulary 0..<2048"),
            (["generate", "S", "--prompt", "x", "--temperature=-1"], "--temperature must be a finite number >= 0"),
            (["generate", "S", "--prompt", "x", "--temperature", "1", "--top-p", "0"], "--top-p must be in (0, 1]"),
            (["generate", "S", "--prompt", "x", "--top-k", "5"], "need a --temperature above 0"),
            (["generate", "S", "--prompt", "x", "--max-new", "3000"], "run past the 2048 positions"),
            (["generate", "S", "--prompt-file", "bad.txt"], "invalid UTF-8 at byte 2"),
            (["generate", "S", "--prompt", "x", "--ids", "1"], "exactly one of --prompt, --prompt-file and --ids"),
            (["generate", "small-build", "--prompt", "x"], "has no tokenizer.json"),
            (["generate", "small-build", "--prompt", "x", "--tokenizer", model], "the tokenizer has 2048 tokens, the build's vocabulary only 64"),
        ]
        for (args, message) in cases {
            let r = try run(args, in: dir)
            #expect(r.status != 0 && r.error.contains(message), "\(args): \(r.error)")
            #expect(r.output.isEmpty, "\(args): \(r.output)")
        }
    }
}
