import Foundation
import Model
import Tokenizer

/// Encoding speed of Trit's tokenizer and of the `tokenizers` library (Rust,
/// through Python, one thread) on the same text and tokenizer.json.
public struct TokenizerMeasurement: Sendable {
    public struct Library: Sendable {
        public var version: String
        public var wholeMBps: Double
        public var linesMBps: Double
        /// Whether its ids for the whole text equal Trit's (by checksum).
        public var sameIDs: Bool
    }
    public var bytes: Int
    public var ids: Int
    public var wholeMBps: Double
    public var linesMBps: Double
    public var library: Library?
    /// Why the library was not measured, when it was not.
    public var librarySkipped: String?
}

enum TokenizerSpeed {
    /// The shipped model's tokenizer on its validation text (the last tenth
    /// of Tiny Shakespeare, decoded from fixtures/trained/S/val_ids.npy).
    static func measure(root: URL, seconds: Double) throws -> TokenizerMeasurement {
        let file = root.appendingPathComponent("models/shakespeare/tokenizer.json")
        let tokenizer = try Tokenizer(contentsOf: file)
        let ids = try NPY.read(path: root.appendingPathComponent("fixtures/trained/S/val_ids.npy").path).values.map { Int($0) }
        let text = try tokenizer.decode(ids)
        let encoded = tokenizer.encode(text).ids
        var m = TokenizerMeasurement(bytes: text.utf8.count, ids: encoded.count,
                                     wholeMBps: tokenizer.encodeThroughput(text, seconds: seconds),
                                     linesMBps: tokenizer.encodeThroughput(text, perLine: true, seconds: seconds))
        let textFile = FileManager.default.temporaryDirectory.appendingPathComponent("trit-bench-text-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: textFile) }
        try Data(text.utf8).write(to: textFile)
        (m.library, m.librarySkipped) = library(root: root, tokenizer: file, text: textFile, checksum: checksum(encoded))
        return m
    }

    /// The checksum `bench/tokenizer_speed.py` prints: sum of (k + 1) * id mod 2^61.
    static func checksum(_ ids: [Int]) -> Int {
        ids.enumerated().reduce(0) { ($0 + ($1.offset + 1) * $1.element) % (1 << 61) }
    }

    static func library(root: URL, tokenizer: URL, text: URL, checksum: Int) -> (TokenizerMeasurement.Library?, String?) {
        var env = ProcessInfo.processInfo.environment
        env["RAYON_NUM_THREADS"] = "1"
        env["TOKENIZERS_PARALLELISM"] = "false"
        let script = root.appendingPathComponent("bench/tokenizer_speed.py").path
        guard let result = try? Shell.run("/usr/bin/env", ["python3", script, "--tokenizer", tokenizer.path, "--text", text.path],
                                          environment: env), result.status == 0,
              let line = result.output.split(separator: "\n").last,
              let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let whole = json["whole_mb_s"] as? Double, let lines = json["lines_mb_s"] as? Double else {
            return (nil, "the `tokenizers` package is not available (`python3 bench/tokenizer_speed.py` failed; pip install tokenizers)")
        }
        return (.init(version: json["tokenizers"] as? String ?? "?", wholeMBps: whole, linesMBps: lines,
                      sameIDs: (json["checksum"] as? Int) == checksum), nil)
    }
}
