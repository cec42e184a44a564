import ArgumentParser
import Model

/// `trit checkpoint info DIR`: what a checkpoint holds, after validating it.
struct CheckpointInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Validate a checkpoint directory and print its config and tensors.")

    @Argument(help: "Checkpoint directory.")
    var directory: String

    @Flag(help: "Check only names and shapes, not that every value is finite (faster on large models).")
    var quick = false

    func run() throws {
        let ckpt: Checkpoint
        do {
            ckpt = try Checkpoint(directory: directory)
            if !quick { try ckpt.validateValues() }
        } catch {
            ISAToolFiles.stderr("error: \(error)")
            throw ExitCode(1)
        }
        let c = ckpt.config
        print("hgrn_bit: hidden_size \(c.hiddenSize), intermediate_size \(c.intermediateSize), layers \(c.layers), "
              + "vocab_size \(c.vocabSize), rms_norm_eps \(c.rmsNormEps), use_lower_bound \(c.useLowerBound)")
        print("ternary weights per block: \(c.ternaryWeightsPerBlock)")
        let required = TensorNames.required(c)
        let rows = required.map { t -> [String] in
            let e = ckpt.entry(t.name)!
            return [t.name, e.dtype, "[" + e.shape.map(String.init).joined(separator: ", ") + "]", ckpt.location[t.name]!]
        }
        let widths = (0..<4).map { k in rows.reduce(["tensor", "dtype", "shape", "file"][k].count) { max($0, $1[k].count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { k, s in k == 3 ? s : s + String(repeating: " ", count: widths[k] - s.count) }
                .joined(separator: "  ")
        }
        print(line(["tensor", "dtype", "shape", "file"]))
        for r in rows { print(line(r)) }
        let extra = Set(ckpt.location.keys).subtracting(required.map(\.name)).sorted()
        if !extra.isEmpty { print("\(extra.count) extra tensors ignored: \(extra.joined(separator: ", "))") }
        print(quick ? "names and shapes valid" : "valid: every value finite")
    }
}
