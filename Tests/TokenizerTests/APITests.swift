import Foundation
import Testing
@testable import Tokenizer
import TestSupport

/// Vocabulary queries and the streaming decoder, against values read from
/// the `tokenizers` library (`get_vocab_size`, `token_to_id`, `id_to_token`).
@Suite struct APITests {
    static func load(_ path: String) throws -> Tokenizer { try Tokenizer(contentsOf: URL(fileURLWithPath: path)) }

    @Test func shippedTokenizerVocabulary() throws {
        let t = try Self.load(ReferenceTests.shipped)
        #expect(t.vocabularySize == 2048)
        #expect(t.bosID == 1 && t.eosID == 2)
        #expect(t.id(of: "<s>") == 1 && t.id(of: "</s>") == 2 && t.id(of: "<unk>") == 0 && t.id(of: "<0x41>") == 68)
        #expect(t.token(of: 259) == "\n" && t.token(of: 1) == "<s>" && t.token(of: 2048) == nil)
        #expect(t.id(of: "no such token") == nil)
    }

    @Test func addedTokensCountOnce() throws {
        // llama_small: 624 model tokens, 6 added tokens of which "cat" is also a model token.
        let t = try Self.load(tokenizerDataPath("llama_small/tokenizer.json"))
        #expect(t.vocabularySize == 630)
        #expect(t.token(of: 624) == "<|im_start|>" && t.id(of: "hello there") == 629)
        let b = try Self.load(tokenizerDataPath("bytelevel_nfkc/tokenizer.json"))
        #expect(b.vocabularySize == 1003 && b.bosID == 0 && b.eosID == 0)
        // A normalized added token answers with its normalized text, as the library does.
        #expect(b.token(of: 1000) == "hello there" && b.id(of: "Hello There") == 1000)
    }

    @Test func encodingWithoutSpecialTokens() throws {
        let t = try Self.load(ReferenceTests.shipped)
        let e = t.encode("Hello")
        #expect(e.ids.first == 1 && e.tokens.first == "<s>")
        #expect(Array(e.ids.dropFirst()) == t.encode("Hello", addSpecialTokens: false).ids)
    }

    /// Encoding from several tasks at once: the shared word cache goes to
    /// one caller at a time, the others work without it; all agree.
    @Test func concurrentEncodesAgree() async throws {
        let t = try Self.load(ReferenceTests.shipped)
        let lines = try t.decode(try valIDs()).split(separator: "\n").prefix(400).map(String.init)
        let expected = lines.map { t.encode($0).ids }
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<6 { group.addTask { lines.map { t.encode($0).ids } == expected } }
            for await agreed in group { #expect(agreed) }
        }
    }

    /// The whole validation split, one id at a time: the pieces add up to the
    /// decode of all ids, and text comes out as it goes (not all at the end).
    @Test func streamingDecoderOnTheValidationSplit() throws {
        let t = try Self.load(ReferenceTests.shipped)
        let ids = try valIDs()
        var stream = StreamingDecoder(t)
        var pieces: [String] = []
        for id in ids { pieces.append(try stream.push(id)) }
        let tail = stream.finish()
        #expect(sameText(pieces.joined() + tail, try t.decode(ids)))
        #expect(pieces.filter { !$0.isEmpty }.count > ids.count * 9 / 10)
        #expect(tail.isEmpty)
    }

    /// Byte tokens are held until their run ends: "é" as two byte tokens.
    @Test func streamingDecoderHoldsByteRuns() throws {
        let t = try Self.load(ReferenceTests.shipped)
        let (c3, a9) = (t.id(of: "<0xC3>")!, t.id(of: "<0xA9>")!)
        var stream = StreamingDecoder(t)
        #expect(try stream.push(1) == "")
        #expect(try stream.push(t.id(of: "▁H")!) == "H")
        #expect(try stream.push(c3) == "")
        #expect(try stream.push(a9) == "")
        #expect(try stream.push(t.id(of: "\n")!) == "é\n")
        #expect(try stream.push(c3) == "")
        #expect(stream.finish() == "\u{FFFD}")
    }
}

/// fixtures/trained/S/val_ids.npy (int32, little-endian, one dimension).
func valIDs() throws -> [Int] {
    let data = try Data(contentsOf: URL(fileURLWithPath: fixturePath("trained/S/val_ids.npy")))
    let headerLength = Int(data[8]) | Int(data[9]) << 8
    let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
    precondition(header.contains("'<i4'"), header)
    return data[(10 + headerLength)...].withUnsafeBytes { raw in
        (0..<(raw.count / 4)).map { Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))) }
    }
}
