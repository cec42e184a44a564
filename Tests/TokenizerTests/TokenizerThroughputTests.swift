import Foundation
import Testing
@testable import Tokenizer
import TestSupport

/// Encoding speed against the Rust `tokenizers` library (through its Python
/// package, one thread) on the validation text of the shipped model.
/// Skipped unless TRIT_TOKENIZER_BENCH=1: it takes a few seconds and needs
/// `pip install tokenizers numpy`.
@Suite struct TokenizerThroughputTests {
    static let enabled = ProcessInfo.processInfo.environment["TRIT_TOKENIZER_BENCH"] == "1"

    @Test(.enabled(if: TokenizerThroughputTests.enabled))
    func encodeThroughputAgainstTheRustLibrary() throws {
        let t = try Tokenizer(contentsOf: URL(fileURLWithPath: ReferenceTests.shipped))
        let text = try t.decode(try valIDs())
        let rust = try rustThroughput()
        for perLine in [false, true] {
            let swift = t.encodeThroughput(text, perLine: perLine, seconds: 2)
            let mode = perLine ? "line by line" : "whole text"
            print(String(format: "tokenizer encode, %@ (%d bytes): Swift %.1f MB/s, Rust tokenizers %.1f MB/s",
                         mode, text.utf8.count, swift, rust[perLine ? 1 : 0]))
        }
    }

    /// The library on the same text, one thread, best of 5: [whole text, line by line].
    func rustThroughput() throws -> [Double] {
        let script = """
            import time, numpy as np
            from tokenizers import Tokenizer
            t = Tokenizer.from_file('\(ReferenceTests.shipped)')
            text = t.decode(np.load('\(fixturePath("trained/S/val_ids.npy"))').tolist())
            lines = text.split('\\n')
            n = len(text.encode())
            for f in (lambda: t.encode(text), lambda: [t.encode(l) for l in lines]):
                best = min(((time.perf_counter(), f(), time.perf_counter()) for _ in range(5)), key=lambda r: r[2] - r[0])
                print(n / (best[2] - best[0]) / 1e6)
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script]
        p.environment = ProcessInfo.processInfo.environment.merging(
            ["RAYON_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"]) { $1 }
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let values = String(decoding: out, as: UTF8.self).split(separator: "\n").compactMap { Double($0) }
        try #require(p.terminationStatus == 0 && values.count == 2, "python3 with tokenizers failed")
        return values
    }
}
