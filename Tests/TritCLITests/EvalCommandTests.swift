import Foundation
import Testing

/// `trit reference` and `trit eval` on the fixtures made by the official
/// code, as a user runs them; bad input is a message and a non-zero exit.
extension CommandLineTests {
    static let fixtures = examples.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("fixtures")
    static let shippedModel = fixtures.deletingLastPathComponent().appendingPathComponent("models/shakespeare")

    /// The values of a little-endian float64 .npy file.
    func float64Values(_ url: URL) throws -> [Double] {
        let bytes = [UInt8](try Data(contentsOf: url))
        let header = Int(bytes[8]) | Int(bytes[9]) << 8
        let start = 10 + header
        return stride(from: start, to: bytes.count, by: 8).map { at in
            Double(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * $1) })
        }
    }

    @Test func referenceCommandMatchesTheOfficialGraph() throws {
        let dir = try scratch()
        let fix = Self.fixtures.appendingPathComponent("official/fixD")
        let r = try trit("reference", fix.appendingPathComponent("checkpoint").path, "--head",
                         "--input", fix.appendingPathComponent("embeddings.npy").path, "--output", "logits.npy", in: dir)
        #expect(r.status == 0, "\(r.error)")
        let got = try float64Values(dir.appendingPathComponent("logits.npy"))
        let want = try float64Values(fix.appendingPathComponent("logits_f64.npy"))
        #expect(got.count == 32 * 512 && got.count == want.count)
        let num = zip(got, want).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }, den = want.reduce(0) { $0 + $1 * $1 }
        #expect((num / den).squareRoot() < 1e-12)
    }

    @Test func evalReportsPerplexityAndRefusesBadInput() throws {
        let dir = try scratch()
        let model = Self.fixtures.appendingPathComponent("trained/S")
        let ids = model.appendingPathComponent("val_ids.npy").path
        #expect(try trit("compile", Self.shippedModel.path, "--head", "--out", "S", in: dir).status == 0)
        let e = try trit("eval", "S", "--tokens", ids, "--window", "64", "--max-windows", "2", "--json", in: dir)
        #expect(e.status == 0, "\(e.error)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(e.output.utf8)) as? [String: Any])
        #expect(json["tokens"] as? Int == 128 && json["windows"] as? Int == 2)
        let nll = try #require(json["mean_nll"] as? Double), ppl = try #require(json["perplexity"] as? Double)
        #expect(nll > 1 && nll < 6 && abs(Foundation.exp(nll) - ppl) < 1e-9 * ppl)
        let load = try #require((json["load"] as? [[String: Any]])?.first)
        #expect((load["bytes"] as? Int ?? 0) > 1_000_000, "\(load)")

        #expect(try trit("compile", Self.shippedModel.path, "--layers", "0..3", "--out", "nohead", in: dir).status == 0)
        let noHead = try trit("eval", "nohead", "--tokens", ids, in: dir)
        #expect(noHead.status != 0 && noHead.error.contains("--head"), "\(noHead.error)")
        let zero = try trit("eval", "S", "--tokens", ids, "--window", "0", in: dir)
        #expect(zero.status != 0 && zero.error.contains("--window"), "\(zero.error)")
        let floats = try trit("eval", "S", "--tokens", model.appendingPathComponent("window_nll.npy").path, in: dir)
        #expect(floats.status != 0 && floats.error.contains("1-D"), "\(floats.error)")
        let missing = try trit("eval", "S", "--tokens", "nothere.npy", in: dir)
        #expect(missing.status != 0 && missing.error.contains("nothere.npy"), "\(missing.error)")
    }
}
