import Foundation

/// The trained model's perplexity: official, float reference, integer pipeline by fraction width.
enum AccuracySection {
    static func text(_ r: BenchResults) -> [String] {
        guard let a = r.accuracy else { return ["Not measured: \(r.accuracySkipped ?? "no fixture")."] }
        let scope = r.sweep.accuracyWindows.map { "its first \($0) validation window(s)" } ?? "its whole validation split"
        var md = [
            "The HGRN-Bit model in `models/shakespeare` (d = 256, 4 layers, vocabulary 2048), trained by the official "
                + "implementation on Tiny Shakespeare, over \(scope): \(Report.int(a.positions)) predicted positions in "
                + "\(a.windows) windows of 256 inputs, each from a zero recurrent state, the way the fixture's README says the "
                + "official figures were computed. The integer pipeline is the compiled program on the interpreter (release "
                + "build, one thread), which the core matches bit for bit; `--frac-bits` changes its fixed-point format. "
                + "Command for one row: `trit compile models/shakespeare --head [--frac-bits F] --out S && "
                + "trit eval S --tokens fixtures/trained/S/val_ids.npy --reference models/shakespeare`.",
            "",
        ]
        func row(_ name: String, _ nll: Double, _ saturations: String, _ seconds: String) -> [String] {
            [name, String(format: "%.6f", nll), String(format: "%.4f", Foundation.exp(nll)),
             String(format: "%+.4f %%", 100 * (Foundation.exp(nll - a.official) - 1)), saturations, seconds]
        }
        var rows = [row("official (fp32 kernels)", a.official, "–", "–"), row("Trit float reference", a.reference, "–", "–")]
        rows += a.points.map { p in
            row("Trit integer pipeline, Q\(31 - p.fracBits).\(p.fracBits)", p.meanNLL, Report.int(p.saturations), Report.f(p.seconds, 1))
        }
        md += Report.table(["", "mean NLL (nats)", "perplexity", "against official", "saturated elements", "seconds"], rows)
        md += ["", String(format: "The integer pipeline (Q15.16) predicts the same next token as the float reference at %.2f %% of positions.",
                          100 * a.argmaxAgreement),
               "", "Largest magnitudes the float reference saw (Q15.16 reaches 32768): "
                + a.peaks.named.map { String(format: "%@ %.2f", $0.name.replacingOccurrences(of: "_", with: " "), $0.value) }
                    .joined(separator: ", ") + "."]
        return md
    }
}
