import Foundation
import Testing
@testable import Tokenizer
import TestSupport

/// Every reference encoding made by the `tokenizers` library: the shipped
/// model's tok_ref.jsonl and the corpora of tools/make_tokenizer_corpus.py.
@Suite struct ReferenceTests {
    static let shipped = fixturePath("trained/S/checkpoint/tokenizer.json")

    @Test func shippedTokenizerMatchesTokRef() throws {
        let tokenizer = try Tokenizer(contentsOf: URL(fileURLWithPath: Self.shipped))
        let lines = try readJSONLines(fixturePath("trained/S/tok_ref.jsonl"))
        #expect(lines.count == 329)
        let r = try mismatches(tokenizer, lines, name: "tok_ref.jsonl")
        print("tok_ref.jsonl: \(r.lines) lines, \(r.failed) mismatches")
        #expect(r.failed == 0)
    }
}
