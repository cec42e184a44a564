/// The tokenizer section: Trit's encoder against the `tokenizers` library.
enum TokenizerSection {
    static func text(_ r: BenchResults) -> [String] {
        guard let m = r.tokenizer else { return ["Not measured: \(r.tokenizerSkipped ?? "?")."] }
        var md = [
            "Encoding the validation text of `models/shakespeare` (the last tenth of Tiny Shakespeare, decoded from "
                + "`fixtures/trained/S/val_ids.npy`: \(Report.int(m.bytes)) bytes, \(Report.int(m.ids)) ids with `<s>`) with the "
                + "model's tokenizer.json (Llama layout: BPE with byte fallback, no pre-tokenizer). Trit: `Tokenizer.encode` "
                + "in this release build, one thread, best of repeated runs over \(r.sweep.tokenizerSeconds) s. The library: "
                + "`python3 bench/tokenizer_speed.py` with `RAYON_NUM_THREADS=1`, `encode` for the whole text and one "
                + "`encode_batch` of the lines, best of 5; Python's call overhead is in its figures. MB/s is 10^6 UTF-8 bytes "
                + "per second.",
            "",
        ]
        var rows = [["Trit (Swift)", Report.f(m.wholeMBps, 1), Report.f(m.linesMBps, 1), "1x"]]
        if let l = m.library {
            rows.append(["`tokenizers` \(l.version) (Rust, from Python)", Report.f(l.wholeMBps, 1), Report.f(l.linesMBps, 1),
                         Report.f(m.wholeMBps / l.wholeMBps, 1) + "x / " + Report.f(m.linesMBps / l.linesMBps, 1) + "x slower"])
        }
        md += Report.table(["encoder", "whole text, MB/s", "line by line, MB/s", "against Trit"], rows)
        if let l = m.library {
            md += ["", l.sameIDs ? "Both give the same ids for the whole text (checksums equal)."
                : "**The ids differ** from the library's on the whole text (checksums differ)."]
        } else if let why = m.librarySkipped {
            md += ["", "Library comparison skipped: \(why)."]
        }
        return md
    }
}
