import TritJSON
import Foundation
import Testing
@testable import Tokenizer
import TestSupport

/// This folder's reference data (made by tools/make_tokenizer_corpus.py).
func tokenizerDataPath(_ relative: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Data/" + relative
}

/// One JSON document per line.
func readJSONLines(_ path: String) throws -> [JSON] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return try data.split(separator: 0x0A).map { try JSON.parse(Array($0)) }
}

/// Compares byte for byte: Swift's `==` on strings is canonical equivalence,
/// which would hide a wrong normalization form.
func sameText(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }

/// Where two sequences first differ, or nil.
func firstDifference<T: Equatable>(_ a: [T], _ b: [T]) -> Int? {
    for i in 0..<max(a.count, b.count) where i >= a.count || i >= b.count || a[i] != b[i] { return i }
    return nil
}

/// Checks every reference line against `tokenizer`; returns the number of
/// lines with any difference (printing the first few).
func mismatches(_ tokenizer: Tokenizer, _ lines: [JSON], name: String) throws -> (lines: Int, failed: Int) {
    var failed = 0
    func report(_ k: Int, _ what: String) {
        failed += 1
        if failed <= 10 { print("\(name) line \(k + 1): \(what)") }
    }
    for (k, line) in lines.enumerated() {
        let ids = line["ids"]!.array!.map { $0.int! }
        let failedBefore = failed
        if line["kind"]?.string != "decode_only" {
            let s = line["s"]!.string!
            let e = tokenizer.encode(s)
            let wantTokens = line["tokens"]!.array!.map { $0.string! }
            if let i = firstDifference(e.ids, ids) {
                report(k, "ids differ at \(i) for \(s.debugDescription): got \(e.ids.dropFirst(i).prefix(5)), want \(ids.dropFirst(i).prefix(5))")
            } else if let i = firstDifference(e.tokens.map { Array($0.utf8) }, wantTokens.map { Array($0.utf8) }) {
                report(k, "tokens differ at \(i) for \(s.debugDescription)")
            }
            let plain = tokenizer.encode(s, addSpecialTokens: false)
            let wantPlain = line["ids_no_special"]!.array!.map { $0.int! }
            let wantPlainTokens = line["tokens_no_special"]!.array!.map { Array($0.string!.utf8) }
            if let i = firstDifference(plain.ids, wantPlain) {
                report(k, "ids without special tokens differ at \(i) for \(s.debugDescription)")
            } else if firstDifference(plain.tokens.map { Array($0.utf8) }, wantPlainTokens) != nil {
                report(k, "tokens without special tokens differ for \(s.debugDescription)")
            }
            if let want = line["decode_no_special"]?.string, !sameText(try tokenizer.decode(wantPlain), want) {
                report(k, "decode of ids_no_special differs for \(s.debugDescription)")
            }
        }
        let decoded = try tokenizer.decode(ids)
        if !sameText(decoded, line["decode"]!.string!) {
            report(k, "decode \(ids) = \(decoded.debugDescription), want \(line["decode"]!.string!.debugDescription)")
        }
        if let want = line["decode_keep_special"]?.string, !sameText(try tokenizer.decode(ids, skipSpecialTokens: false), want) {
            report(k, "decode keeping special tokens of \(ids) differs: \(try tokenizer.decode(ids, skipSpecialTokens: false).debugDescription) vs \(want.debugDescription)")
        }
        // Streaming: the pieces, concatenated, are the whole decode.
        for skip in [true, false] {
            var stream = StreamingDecoder(tokenizer, skipSpecialTokens: skip)
            var text = ""
            for id in ids { text += try stream.push(id) }
            text += stream.finish()
            if !sameText(text, try tokenizer.decode(ids, skipSpecialTokens: skip)) {
                report(k, "streaming decode (skip \(skip)) of \(ids) gives \(text.debugDescription)")
            }
        }
        _ = failedBefore
    }
    return (lines.count, failed)
}
