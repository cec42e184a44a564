import Foundation

extension Tokenizer {
    /// Encoding speed on `text` in MB/s (10^6 UTF-8 bytes per second), the
    /// best of repeated timed `encode` calls over at least `seconds`; for
    /// benchmark programs. `perLine` encodes each line separately instead of
    /// the whole text at once.
    public func encodeThroughput(_ text: String, perLine: Bool = false, seconds: Double = 1) -> Double {
        let inputs = perLine ? text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) : [text]
        let bytes = Double(text.utf8.count)
        var best = Double.infinity
        let clock = ContinuousClock()
        let start = clock.now
        repeat {
            let t0 = clock.now
            for s in inputs { _ = encode(s) }
            let d = clock.now - t0
            best = min(best, Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        } while clock.now - start < .seconds(seconds)
        return bytes / best / 1e6
    }
}
