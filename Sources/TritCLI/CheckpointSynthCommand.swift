import ArgumentParser
import Model

/// `trit checkpoint synth`: a random checkpoint in the published layout.
struct CheckpointSynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a random HGRN-Bit checkpoint directory (config.json + safetensors).")

    @Option(help: "Model width d.")
    var hidden: Int

    @Option(help: "Number of blocks L.")
    var layers: Int

    @Option(help: "MLP width I (default: the reference rule from d).")
    var intermediate: Int?

    @Option(help: "Vocabulary size.")
    var vocab: Int = 256

    @Option(help: "Tensor dtype: f32, bf16 or f16.")
    var dtype: String = "f32"

    @Option(help: "Split the weights into this many files (with an index).")
    var shards: Int = 1

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "Checkpoint directory to write (replaced only on success).")
    var out: String

    func validate() throws {
        guard hidden > 0 else { throw ValidationError("--hidden must be positive") }
        guard layers > 0 else { throw ValidationError("--layers must be positive") }
        guard vocab > 0 else { throw ValidationError("--vocab must be positive") }
        if let i = intermediate, i <= 0 { throw ValidationError("--intermediate must be positive") }
        guard shards > 0 else { throw ValidationError("--shards must be positive") }
        guard TensorDType(cliName: dtype) != nil else { throw ValidationError("--dtype must be f32, bf16 or f16") }
    }

    func run() throws {
        let config = ModelConfig(hiddenSize: hidden, intermediateSize: intermediate, layers: layers, vocabSize: vocab)
        let type = TensorDType(cliName: dtype)!
        let summary: CheckpointWriter.Summary
        do {
            summary = try CheckpointWriter.write(SyntheticCheckpoint(config: config, seed: seed), to: out, dtype: type, shards: shards)
        } catch {
            ISAToolFiles.stderr("error: \(error)")
            throw ExitCode(1)
        }
        print("wrote \(out): hgrn_bit d=\(config.hiddenSize) I=\(config.intermediateSize) L=\(config.layers) vocab=\(config.vocabSize), "
              + "\(summary.tensors) tensors, \(summary.bytes) bytes of \(type.rawValue) (seed \(seed))")
        for f in summary.files { print("  \(f)") }
    }
}
