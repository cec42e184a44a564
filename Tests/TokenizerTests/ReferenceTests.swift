import TritJSON
import Foundation
import Testing
@testable import Tokenizer
import TestSupport

/// Every reference encoding made by the `tokenizers` library: the shipped
/// model's tok_ref.jsonl and the corpora of tools/make_tokenizer_corpus.py.
@Suite struct ReferenceTests {
    static let shipped = shippedModelPath + "/tokenizer.json"

    @Test func shippedTokenizerMatchesTokRef() throws {
        let tokenizer = try Tokenizer(contentsOf: URL(fileURLWithPath: Self.shipped))
        let lines = try readJSONLines(fixturePath("trained/S/tok_ref.jsonl"))
        #expect(lines.count == 329)
        let r = try mismatches(tokenizer, lines, name: "tok_ref.jsonl")
        print("tok_ref.jsonl: \(r.lines) lines, \(r.failed) mismatches")
        #expect(r.failed == 0)
    }
}

extension ReferenceTests {
    @Test func shippedTokenizerMatchesCorpus() throws {
        let tokenizer = try Tokenizer(contentsOf: URL(fileURLWithPath: Self.shipped))
        let r = try mismatches(tokenizer, try readJSONLines(tokenizerDataPath("llama_corpus.jsonl")), name: "llama_corpus.jsonl")
        print("llama_corpus.jsonl: \(r.lines) lines, \(r.failed) mismatches")
        #expect(r.failed == 0)
    }

    @Test(arguments: ["llama_small", "metaspace_first", "metaspace_split", "bytelevel", "bytelevel_nfkc", "bytelevel_affixes"])
    func variantMatchesCorpus(_ name: String) throws {
        let tokenizer = try Tokenizer(contentsOf: URL(fileURLWithPath: tokenizerDataPath(name + "/tokenizer.json")))
        let r = try mismatches(tokenizer, try readJSONLines(tokenizerDataPath(name + "_corpus.jsonl")), name: name)
        print("\(name)_corpus.jsonl: \(r.lines) lines, \(r.failed) mismatches")
        #expect(r.failed == 0)
    }
}

extension ReferenceTests {
    /// The checker itself: a reference line with one wrong id, token or text is counted.
    @Test func checkerCountsEveryKindOfDifference() throws {
        let tokenizer = try Tokenizer(contentsOf: URL(fileURLWithPath: Self.shipped))
        let line = try readJSONLines(fixturePath("trained/S/tok_ref.jsonl"))[100]
        guard case .object(let members) = line else { Issue.record("not an object"); return }
        func tampered(_ key: String, _ value: JSON) -> JSON {
            .object(JSONObject(members.members.map { $0.key == key ? (key, value) : $0 }))
        }
        let ids = line["ids"]!.array!
        let cases: [JSON] = [
            tampered("ids", .array(ids.dropLast() + [.int(5)])),
            tampered("tokens", .array(line["tokens"]!.array!.dropLast() + [.string("x")])),
            tampered("decode", .string(line["decode"]!.string! + " ")),
            tampered("decode_keep_special", .string("")),
        ]
        #expect(try mismatches(tokenizer, [line], name: "untouched").failed == 0)
        for c in cases { #expect(try mismatches(tokenizer, [c], name: "tampered").failed >= 1) }
    }
}

extension ReferenceTests {
    /// Decoder chains alone (fused Replace, Strip from the right, Metaspace
    /// `never`, BPEDecoder...) on token lists no encoder makes.
    @Test func decoderChainsMatchTheLibrary() throws {
        var cases = 0, failed = 0
        for line in try readJSONLines(tokenizerDataPath("decoders_corpus.jsonl")) {
            let steps = try Loader(source: "decoders_corpus.jsonl").decoder(line["decoder"]!, "decoder")
            for c in line["cases"]!.array! {
                let tokens = c["tokens"]!.array!.map { Array($0.string!.utf8) }
                var pipeline = DecoderPipeline(steps)
                var streamed: [UInt8] = []
                for t in tokens {
                    pipeline.push(t)
                    streamed += pipeline.output
                    pipeline.output = []
                }
                pipeline.finish()
                streamed += pipeline.output
                cases += 1
                if !streamed.elementsEqual(c["decode"]!.string!.utf8) {
                    failed += 1
                    print("decoder \(steps) on \(tokens.map { String(decoding: $0, as: UTF8.self) }): got \(String(decoding: streamed, as: UTF8.self).debugDescription), want \(c["decode"]!.string!.debugDescription)")
                }
            }
        }
        print("decoders_corpus.jsonl: \(cases) token lists, \(failed) mismatches")
        #expect(cases > 400 && failed == 0)
    }

    @Test func noDecoderJoinsWithSpaces() {
        var pipeline = DecoderPipeline(nil)
        for t in ["a", "▁b", "<0x41>"] { pipeline.push(Array(t.utf8)) }
        pipeline.finish()
        #expect(String(decoding: pipeline.output, as: UTF8.self) == "a ▁b <0x41>")
    }
}
