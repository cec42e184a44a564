import TritJSON
import Foundation
import Testing
@testable import Tokenizer
import TestSupport

/// What a broken or unsupported tokenizer.json, a bad id and bad UTF-8 give.
@Suite struct ErrorTests {
    static let shippedText = try! String(contentsOfFile: ReferenceTests.shipped, encoding: .utf8)

    /// The shipped tokenizer.json with one top-level member replaced.
    static func shipped(replacing key: String, with value: String) -> Data {
        let pattern = "\"\(key)\": "
        var text = shippedText
        let start = text.range(of: pattern)!.upperBound
        // The old value is up to the next top-level member (lines start with two spaces and a quote).
        if let end = text[start...].range(of: "\n  \"")?.lowerBound {
            text.replaceSubrange(start..<end, with: value + ",")
        } else {
            text.replaceSubrange(start..<text.range(of: "\n}", options: .backwards)!.lowerBound, with: value)
        }
        return Data(text.utf8)
    }

    static func error(_ data: Data) -> TokenizerError? {
        do {
            _ = try Tokenizer(json: data, source: "test.json")
            return nil
        } catch let e as TokenizerError {
            return e
        } catch {
            return nil
        }
    }

    @Test func shippedFileHasTheExpectedLayout() throws {
        // The helper above relies on this: every member on its own line, "key": value.
        #expect(Self.shippedText.contains("\n  \"pre_tokenizer\": null,"))
        #expect(Self.error(Self.shipped(replacing: "pre_tokenizer", with: "null")) == nil)
    }

    @Test(arguments: [
        ("pre_tokenizer", #"{"type": "Digits", "individual_digits": true}"#, #"unsupported pre_tokenizer type "Digits""#),
        ("pre_tokenizer", #"{"type": "Split", "pattern": {"String": " "}, "behavior": "Removed", "invert": false}"#,
         #"unsupported pre_tokenizer type "Split""#),
        ("normalizer", #"{"type": "BertNormalizer", "clean_text": true}"#, #"unsupported normalizer type "BertNormalizer""#),
        ("normalizer", #"{"type": "Replace", "pattern": {"Regex": " +"}, "content": " "}"#, "unsupported normalizer Replace with a Regex pattern"),
        ("post_processor", #"{"type": "BertProcessing", "sep": ["[SEP]", 2], "cls": ["[CLS]", 1]}"#,
         #"unsupported post_processor type "BertProcessing""#),
        ("decoder", ###"{"type": "WordPiece", "prefix": "##", "cleanup": true}"###, #"unsupported decoder type "WordPiece""#),
        ("truncation", #"{"direction": "Right", "max_length": 512, "strategy": "LongestFirst", "stride": 0}"#,
         "unsupported truncation (it must be null)"),
        ("padding", #"{"strategy": "BatchLongest"}"#, "unsupported padding (it must be null)"),
        ("model", #"{"type": "WordPiece", "unk_token": "[UNK]", "vocab": {}}"#, #"unsupported model type "WordPiece""#),
        ("model", #"{"type": "Unigram", "vocab": []}"#, #"unsupported model type "Unigram""#),
        ("version", #""2.0""#, #"unsupported tokenizer.json version "2.0""#),
        ("post_processor", #"{"type": "TemplateProcessing", "single": [{"Sequence": {"id": "B", "type_id": 0}}], "pair": [], "special_tokens": {}}"#,
         #"a single-sequence template naming sequence "B""#),
    ])
    func unsupportedComponentIsNamed(_ key: String, _ value: String, _ message: String) throws {
        let e = try #require(Self.error(Self.shipped(replacing: key, with: value)))
        #expect(e.description.hasPrefix("test.json: "))
        #expect(e.description.contains(message), "\(e)")
    }

    @Test func unsupportedModelOptionsAreNamed() throws {
        let dropout = Self.shippedText.replacingOccurrences(of: #""dropout": null"#, with: #""dropout": 0.1"#)
        #expect(Self.error(Data(dropout.utf8))?.description.contains("unsupported model dropout 0.1") == true)
    }

    @Test func truncatedJSONIsReportedWithItsPosition() throws {
        let bytes = Array(Self.shippedText.utf8)
        for cut in [0, 1, 100, bytes.count / 2, bytes.count - 2] {
            let e = try #require(Self.error(Data(bytes[..<cut])))
            guard case let .malformedJSON(source, line, column, offset, problem) = e else {
                Issue.record("cut at \(cut): \(e)")
                continue
            }
            #expect(source == "test.json" && offset <= cut && line >= 1 && column >= 1)
            #expect(problem.contains("truncated"), "cut at \(cut): \(e)")
        }
        let stray = try #require(Self.error(Data("{\n  \"version\": \"1.0\",\n  x\n}".utf8)))
        #expect(stray.description == "test.json: invalid JSON at line 3, column 3 (byte 24): expected a member name, found 'x'")
    }

    @Test func missingPartsAreNamed() throws {
        let e1 = try #require(Self.error(Data("[]".utf8)))
        #expect(e1.description == "test.json: top level: expected an object, found an array")
        let e2 = try #require(Self.error(Data(#"{"version": "1.0"}"#.utf8)))
        #expect(e2.description == "test.json: model: missing")
        let badMerge = Self.shippedText.replacingOccurrences(of: #""▁t": 324,"#, with: #""▁t_gone": 324,"#)
        #expect(badMerge != Self.shippedText)
        #expect(Self.error(Data(badMerge.utf8))?.description == #"test.json: model: merge token "▁t" is not in the vocabulary"#)
        #expect(throws: TokenizerError.self) { try Tokenizer(contentsOf: URL(fileURLWithPath: "/nonexistent/tokenizer.json")) }
    }

    @Test func idOutsideTheVocabularyThrows() throws {
        let t = try Tokenizer(contentsOf: URL(fileURLWithPath: ReferenceTests.shipped))
        for id in [2048, -1, 1 << 40] {
            #expect(throws: TokenizerError.unknownID(id, vocabularySize: 2048)) { try t.decode([1, 300, id]) }
            var stream = StreamingDecoder(t)
            #expect(throws: TokenizerError.unknownID(id, vocabularySize: 2048)) { try stream.push(id) }
        }
    }

    @Test(arguments: [
        ([0x61, 0x62, 0xC3, 0x28], 2),           // a lead byte without its continuation
        ([0x61, 0xE2, 0x82], 1),                 // truncated at the end
        ([0xC0, 0x80], 0),                       // overlong
        ([0x41, 0x42, 0x43, 0xED, 0xA0, 0x80], 3), // a surrogate
        ([0xF4, 0x90, 0x80, 0x80], 0),           // past U+10FFFF
        ([0x61, 0x80], 1),                       // a lone continuation byte
    ] as [([UInt8], Int)])
    func invalidUTF8IsReportedWithItsOffset(_ bytes: [UInt8], _ offset: Int) throws {
        #expect(throws: TokenizerError.invalidUTF8(source: "input.txt", offset: offset)) {
            try Tokenizer.string(fromUTF8: Data(bytes), source: "input.txt")
        }
    }

    @Test func validUTF8Decodes() throws {
        let text = "héllo 👨‍👩‍👧 中文"
        #expect(sameText(try Tokenizer.string(fromUTF8: Data(text.utf8), source: "x"), text))
    }
}
