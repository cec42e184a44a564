import ArgumentParser
import Foundation
import Tokenizer

/// Where a command finds its tokenizer: `tokenizer.json` itself, or a
/// directory holding one (a checkpoint, or a build, which carries the
/// checkpoint's copy).
func loadTokenizer(_ path: String) throws -> Tokenizer {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw ValidationError("\(path): no such file or directory")
    }
    let file = isDirectory.boolValue ? URL(fileURLWithPath: path).appendingPathComponent(tokenizerFileName)
        : URL(fileURLWithPath: path)
    guard FileManager.default.fileExists(atPath: file.path) else {
        throw ValidationError("\(path) has no \(tokenizerFileName)")
    }
    return try Tokenizer(contentsOf: file)
}

let tokenizerFileName = "tokenizer.json"

/// Reads a text file as strict UTF-8: invalid bytes are an error naming the offset.
func readUTF8File(_ path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("\(path): cannot read the file") }
    return try Tokenizer.string(fromUTF8: data, source: path)
}

/// Command-line arguments arrive as C strings, which Swift repairs when
/// they are not UTF-8; text options are checked against the raw bytes, so
/// a malformed prompt is refused instead of silently changed.
func checkArgumentsAreUTF8() throws {
    for k in 1..<Int(CommandLine.argc) {
        guard let raw = CommandLine.unsafeArgv[k] else { continue }
        let bytes = Data(bytes: raw, count: strlen(raw))
        do { _ = try Tokenizer.string(fromUTF8: bytes, source: "argument \(k)") } catch { throw ValidationError("\(error)") }
    }
}

/// `1,2,3` as token ids, every id inside the vocabulary.
func parseIDs(_ text: String, option: String, vocabulary: Int) throws -> [Int] {
    let ids = try parseTokenList(text, option: option)
    if let bad = ids.first(where: { !(0..<vocabulary).contains($0) }) {
        throw ValidationError("\(option): token \(bad) is outside the vocabulary 0..<\(vocabulary)")
    }
    return ids
}
