import Model

/// Decoding on a build compiled with its head: the host looks up each
/// token's embedding and chooses the next token from the logits (greedy or
/// sampled, `Sampler`); every block, the final norm and `lm_head` run on the
/// engine.
public struct Generation {
    /// Why generation ended.
    public enum Ending: String, Sendable {
        /// `maxNew` tokens were generated.
        case length
        /// An end-of-sequence token was generated (it is the last token).
        case endOfSequence = "end_of_sequence"
        /// The caller's `onToken` asked to stop (a stop text, say).
        case stopped
    }

    /// The prompt followed by the generated tokens.
    public var tokens: [Int]
    public var promptLength: Int
    /// Every step's run (one per token fed in), with reference agreement when given.
    public var run: TokenRun
    public var ending: Ending

    public var generated: ArraySlice<Int> { tokens[promptLength...] }

    /// Feeds `prompt`, then up to `maxNew` tokens chosen by `sampler`. A
    /// token in `endOfSequence` ends generation (it is kept, not fed), as
    /// does `onToken` (called with each new token) returning false. With a
    /// reference, the float model is fed the same tokens, so
    /// `run.argmaxAgreement` is the fraction of steps at which both would
    /// pick the same next token greedily. On a build with a prefill program
    /// the prompt goes in by whole runs of `streams` tokens (one weight pass
    /// each), the rest token by token.
    public static func generate(_ session: TokenStepper, embeddings: EmbeddingTable, prompt: [Int], maxNew: Int,
                                sampler: inout Sampler, endOfSequence: Set<Int> = [], reference: FloatReference? = nil,
                                onToken: (Int) throws -> Bool = { _ in true }) throws -> Generation {
        guard session.head else { throw RunnerError.incompatible("generation needs a build compiled with --head") }
        guard !prompt.isEmpty else { throw RunnerError.input("the prompt is empty") }
        guard maxNew >= 0 else { throw RunnerError.input("--max-new must not be negative") }
        var g = Generation(tokens: prompt, promptLength: prompt.count, run: TokenRun(), ending: .length)
        var next = try prefill(session, embeddings: embeddings, prompt: prompt, reference: reference, into: &g.run)
        /// After the last token fed: the next one from its logits; false when generation ends.
        func choose() throws -> Bool {
            guard next == g.tokens.count else { return true }
            guard g.tokens.count < prompt.count + maxNew, let logits = g.run.tokens.last?.step.output else { return false }
            let token = sampler.next(logits)
            g.tokens.append(token)
            if endOfSequence.contains(token) { g.ending = .endOfSequence; return false }
            if try !onToken(token) { g.ending = .stopped; return false }
            return true
        }
        if next > 0, try !choose() { return g }
        while next < g.tokens.count {
            g.run.tokens += try TokenRun.run(session, inputs: [try embeddings.row(g.tokens[next])], reference: reference).tokens
            next += 1
            if try !choose() { break }
        }
        return g
    }

    /// Feeds the prompt's whole runs of `streams` tokens through the build's
    /// prefill program, if it has one; returns how many tokens went in.
    static func prefill(_ session: TokenStepper, embeddings: EmbeddingTable, prompt: [Int], reference: FloatReference?,
                        into run: inout TokenRun) throws -> Int {
        guard let longest = session.prefillLength else { return 0 }
        guard prompt.count <= longest else {
            throw RunnerError.input("the prompt has \(prompt.count) tokens; the build's prefill takes at most \(longest) (compile with a larger --prefill)")
        }
        let b = session.streams
        var fed = 0
        while prompt.count - fed >= b {
            let inputs = try prompt[fed..<(fed + b)].map { try embeddings.row($0) }
            for (x, step) in zip(inputs, try session.prefill(inputs)) {
                run.tokens.append(TokenRun.Token(step, input: x, reference: reference, head: session.head))
            }
            fed += b
        }
        return fed
    }

    /// Greedy decoding of `maxNew` tokens, nothing ending it early.
    public static func greedy(_ session: TokenStepper, embeddings: EmbeddingTable, prompt: [Int], maxNew: Int,
                              reference: FloatReference? = nil) throws -> Generation {
        var sampler = try Sampler(.greedy)
        return try generate(session, embeddings: embeddings, prompt: prompt, maxNew: maxNew, sampler: &sampler, reference: reference)
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
