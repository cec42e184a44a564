import Model

/// Greedy decoding on a build compiled with its head: the host looks up each
/// token's embedding and picks the argmax of the logits; every block, the
/// final norm and `lm_head` run on the engine.
public struct Generation {
    /// The prompt followed by the generated tokens.
    public var tokens: [Int]
    public var promptLength: Int
    /// Every step's run (one per token fed in), with reference agreement when given.
    public var run: TokenRun

    public var generated: ArraySlice<Int> { tokens[promptLength...] }

    /// Feeds `prompt`, then `maxNew` tokens chosen by argmax. With a reference,
    /// the float model is fed the same tokens, so `run.argmaxAgreement` is the
    /// fraction of steps at which both would pick the same next token.
    public static func greedy(_ session: TokenStepper, embeddings: EmbeddingTable, prompt: [Int], maxNew: Int,
                              reference: FloatReference? = nil, progress: ((Int) -> Void)? = nil) throws -> Generation {
        guard session.head else { throw RunnerError.incompatible("generation needs a build compiled with --head") }
        guard !prompt.isEmpty else { throw RunnerError.input("the prompt is empty") }
        guard maxNew >= 0 else { throw RunnerError.input("--max-new must not be negative") }
        var tokens = prompt
        var run = TokenRun()
        var next = 0
        while next < tokens.count {
            let step = try TokenRun.run(session, inputs: [try embeddings.row(tokens[next])], reference: reference)
            run.tokens += step.tokens
            progress?(next)
            next += 1
            if next == tokens.count && tokens.count < prompt.count + maxNew {
                tokens.append(argmax(step.tokens[0].step.output))
            }
        }
        return Generation(tokens: tokens, promptLength: prompt.count, run: run)
    }
}

/// The token embedding table [vocab, d] that the host looks tokens up in.
public struct EmbeddingTable: Sendable {
    public let vocab: Int
    public let width: Int
    public let values: [Float]

    public init(vocab: Int, width: Int, values: [Float]) throws {
        guard vocab > 0, width > 0, values.count == vocab * width else {
            throw RunnerError.input("an embedding table of \(values.count) values is not [\(vocab), \(width)]")
        }
        self.vocab = vocab
        self.width = width
        self.values = values
    }

    public func row(_ token: Int) throws -> [Float] {
        guard (0..<vocab).contains(token) else { throw RunnerError.input("token \(token) is outside the vocabulary 0..<\(vocab)") }
        return Array(values[(token * width)..<((token + 1) * width)])
    }
}
