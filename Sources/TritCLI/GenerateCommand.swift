import ArgumentParser
import Compiler
import Foundation
import ISA
import Model
import Runner

/// `trit generate BUILD_DIR --prompt IDS --max-new N`: greedy decoding.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Greedy decoding with a build compiled with --head, on the interpreter.",
        discussion: """
            The host looks up each token's embedding and takes the argmax of the logits; every block, the \
            final norm and lm_head run as the compiled program. With --reference CKPT the float model is fed \
            the same tokens and the fraction of steps whose argmax agrees is printed.
            """)

    @Argument(help: "Build directory (compiled with --head, from layer 0).")
    var build: String

    @Option(help: "Prompt token ids, comma-separated.")
    var prompt: String

    @Option(help: "Tokens to generate after the prompt.")
    var maxNew = 16

    @OptionGroup var engine: EngineOptions

    @Option(help: "Compare every step with the float reference of this checkpoint.")
    var reference: String?

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        try exitOnError { try execute() }
    }

    func execute() throws {
        guard maxNew >= 0 else { throw ValidationError("--max-new must not be negative") }
        let ids = try parseTokenList(prompt, option: "--prompt")
        let model = try CompiledModel(path: build)
        let m = model.last
        guard m.head, model.first.firstLayer == 0, let table = model.embeddings else {
            throw ValidationError("\(build): generation needs a build compiled from layer 0 with --head")
        }
        let embeddings = try EmbeddingTable(vocab: m.model.vocabSize, width: m.model.hiddenSize, values: table)
        let ref = try reference.map { try fullModelReference($0, m.model) }
        let session = try model.stepper(engine)
        let g = try Generation.greedy(session, embeddings: embeddings, prompt: ids, maxNew: maxNew, reference: ref)
        for w in g.run.warnings(inputWidth: m.model.hiddenSize) { ISAToolFiles.stderr(w) }
        if json {
            print("{\"prompt\": \(ids), \"generated\": \(Array(g.generated)), "
                  + "\"argmax_agreement\": \(g.run.argmaxAgreement.map { String($0) } ?? "null"), "
                  + "\"saturations\": \(g.run.saturationTotal), \"saturations_by_instruction\": \(g.run.saturations.json)}")
        } else {
            print("prompt:    " + ids.map(String.init).joined(separator: ","))
            print("generated: " + g.generated.map(String.init).joined(separator: ","))
            if let a = g.run.argmaxAgreement {
                print(String(format: "the float reference picks the same token at %.1f%% of the %d steps", 100 * a, g.run.tokens.count))
            }
        }
    }
}
