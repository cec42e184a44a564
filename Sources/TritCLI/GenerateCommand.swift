import TritJSON
import ArgumentParser
import Compiler
import Foundation
import Model
import Runner
import Tokenizer

/// `trit generate BUILD --prompt TEXT`: text in, text streamed out.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate text with a build compiled with --head: greedy, or sampled with a seed.",
        discussion: """
            The prompt is encoded with the build's tokenizer (the checkpoint's tokenizer.json, copied in by \
            `trit compile`; --tokenizer overrides it), the host looks up each token's embedding, every block, \
            the final norm and lm_head run as the compiled program on the chosen engine, and the next token is \
            the argmax of the logits, or drawn from softmax(logits / T) after --top-k and --top-p with --seed. \
            Text streams to stdout as tokens come; the end-of-sequence token, --stop or --max-new ends it. \
            --ids takes and prints token ids instead of text. With --reference CKPT the float model is fed \
            the same tokens and the fraction of steps whose argmax agrees is printed.
            """)

    @Argument(help: "Build directory (compiled with --head, from layer 0).")
    var build: String

    @Option(parsing: .singleValue, help: "The prompt text; repeat it for several prompts, decoded side by side on the streams of a --batch build.")
    var prompt: [String] = []

    @Option(help: "Read the prompt text from this file (UTF-8).")
    var promptFile: String?

    @Option(help: "The prompt as token ids, comma-separated (several prompts separated by ';'); the output is ids too.")
    var ids: String?

    @Option(help: "Tokens to generate after the prompt.")
    var maxNew = 64

    @Option(help: "Sampling temperature; without it (or at 0) decoding is greedy.")
    var temperature: Double = 0

    @Option(help: "Sample only among the K most likely tokens.")
    var topK: Int?

    @Option(help: "Sample only among the most likely tokens whose probability reaches P, in (0, 1].")
    var topP: Double = 1

    @Option(help: "Seed of the sampler: the same seed gives the same text.")
    var seed: UInt64 = 0

    @Option(parsing: .singleValue, help: "End generation when this text appears (not printed); may be repeated.")
    var stop: [String] = []

    @Option(help: "A tokenizer.json, or a directory holding one, instead of the build's.")
    var tokenizer: String?

    @OptionGroup var engine: EngineOptions

    @Option(help: "Compare every step with the float reference of this checkpoint.")
    var reference: String?

    @Flag(help: "Print one JSON object: prompt_ids, ids (the generated ids), text, ending, ...")
    var json = false

    func run() throws {
        try exitOnError { try execute() }
    }

    func execute() throws {
        guard [!prompt.isEmpty, promptFile != nil, ids != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --prompt, --prompt-file and --ids")
        }
        guard maxNew >= 0 else { throw ValidationError("--max-new must not be negative") }
        try checkArgumentsAreUTF8()
        let sampling = SamplingOptions(temperature: temperature, topK: topK, topP: topP, seed: seed)
        guard sampling.problems.isEmpty else { throw ValidationError(sampling.problems.joined(separator: "; ")) }
        let model = try CompiledModel(path: build)
        let m = model.last
        guard m.head, model.first.firstLayer == 0, let table = model.embeddings else {
            throw ValidationError("\(build): generation needs a build compiled from layer 0 with --head")
        }
        let vocab = m.model.vocabSize
        let text = try tokenizerFor(model, required: ids == nil || !stop.isEmpty)
        let texts = try promptFile.map { [try readUTF8File($0)] } ?? (prompt.isEmpty ? nil : prompt)
        let prompts = try ids.map { try $0.split(separator: ";", omittingEmptySubsequences: false).map { try parseIDs(String($0), option: "--ids", vocabulary: vocab) } }
            ?? texts!.map { text!.encode($0).ids }
        for (k, p) in prompts.enumerated() {
            let which = prompts.count > 1 ? "prompt \(k + 1)" : "the prompt"
            guard !p.isEmpty else { throw ValidationError("\(which) is empty") }
            if let n = m.model.maxPositions, p.count + maxNew > n {
                throw ValidationError("\(which)'s \(p.count) tokens and --max-new \(maxNew) run past the \(n) positions "
                                      + "the model was trained for (max_position_embeddings)")
            }
        }
        let embeddings = try EmbeddingTable(vocab: vocab, width: m.model.hiddenSize, values: table)
        let session = try model.stepper(engine)
        if prompts.count > 1 {
            return try generateSeveral(session, prompts: prompts, texts: texts, tokenizer: text, embeddings: embeddings, sampling: sampling)
        }
        let promptIDs = prompts[0], promptText = texts?[0]
        var sampler = try Sampler(sampling)
        let ref = try reference.map { try fullModelReference($0, m.model) }
        var stream = try GenerationStream(tokenizer: text, prompt: promptIDs, stops: stop, echo: ids == nil && !json)
        if let promptText { stream.write(promptText) }
        let clock = Date()
        let g: Generation
        do {
            g = try Generation.generate(session, embeddings: embeddings, prompt: promptIDs, maxNew: maxNew, sampler: &sampler,
                                        endOfSequence: text?.eosID.map { [$0] } ?? [], reference: ref) { try stream.add($0) }
        } catch {
            stream.interrupted()
            throw GenerationFault(tokens: stream.generated.count, underlying: error)
        }
        let seconds = Date().timeIntervalSince(clock)
        let generatedText = try stream.finish()
        for w in g.run.warnings(inputWidth: m.model.hiddenSize) { ISAToolFiles.stderr(w) }
        report(g, promptIDs: promptIDs, text: generatedText, seconds: seconds)
    }

    /// The tokenizer to use: --tokenizer, else the build's; its vocabulary must fit the model's.
    func tokenizerFor(_ model: CompiledModel, required: Bool) throws -> Tokenizer? {
        let path = tokenizer ?? model.directory.appendingPathComponent(tokenizerFileName).path
        guard tokenizer != nil || FileManager.default.fileExists(atPath: path) else {
            if required {
                throw ValidationError("\(build) has no \(tokenizerFileName) (its checkpoint had none): pass --tokenizer, or --ids for token ids")
            }
            return nil
        }
        let t = try loadTokenizer(path)
        guard t.vocabularySize <= model.last.model.vocabSize else {
            throw ValidationError("\(path): the tokenizer has \(t.vocabularySize) tokens, the build's vocabulary only "
                                  + "\(model.last.model.vocabSize): they do not belong together")
        }
        return t
    }

    func report(_ g: Generation, promptIDs: [Int], text: String?, seconds: Double) {
        let generated = Array(g.generated)
        let rate = Double(g.run.tokens.count) / max(seconds, 1e-9)
        if json {
            let idList = { (xs: [Int]) in JSON.array(xs.map { .int($0) }) }
            var o: JSONObject = ids == nil ? [:] : ["prompt": idList(promptIDs), "generated": idList(generated)]
            o["prompt_ids"] = idList(promptIDs)
            o["ids"] = idList(generated)
            o["text"] = .optional(text) { .string($0) }
            o["ending"] = .string(g.ending.rawValue)
            o["steps_per_second"] = .rounded(rate, 3)
            o["argmax_agreement"] = .optional(g.run.argmaxAgreement) { .double($0) }
            o["saturations"] = .int(g.run.saturationTotal)
            o["saturations_by_instruction"] = g.run.saturations.json
            print(JSON.object(o).serialized)
            return
        }
        if ids != nil {
            print("prompt:    " + promptIDs.map(String.init).joined(separator: ","))
            print("generated: " + generated.map(String.init).joined(separator: ","))
        }
        let ending = ["length": "--max-new reached", "end_of_sequence": "end of sequence", "stopped": "stop text"][g.ending.rawValue]!
        let core = g.run.cycles.map { String(format: ", %.0f core cycles each", Double($0) / Double(max(g.run.tokens.count, 1))) } ?? ""
        ISAToolFiles.stderr(String(format: "[%d tokens generated, %@; %d steps at %.1f per second%@, on %@]", generated.count, ending,
                                   g.run.tokens.count, rate, core, engine.engine.described))
        if let a = g.run.argmaxAgreement {
            ISAToolFiles.stderr(String(format: "the float reference picks the same token at %.1f%% of the %d steps", 100 * a, g.run.tokens.count))
        }
    }
}

/// A generation that failed after it had started streaming.
struct GenerationFault: Error, CustomStringConvertible {
    var tokens: Int
    var underlying: Error
    var description: String { "generation stopped after \(tokens) generated tokens: \(underlying)" }
}
