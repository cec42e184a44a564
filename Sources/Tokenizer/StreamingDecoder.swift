/// Decodes ids as a model generates them: `push` returns the text that is
/// now final, holding back what a later id could still change (a run of
/// byte-fallback tokens that may not be complete UTF-8 yet, the first
/// token's stripped space, a byte-level token's partial character).
/// The outputs of every `push` and of `finish`, concatenated, are exactly
/// `Tokenizer.decode` of all the ids.
public struct StreamingDecoder {
    private let tokenizer: Tokenizer
    private let skipSpecialTokens: Bool
    private var pipeline: DecoderPipeline

    public init(_ tokenizer: Tokenizer, skipSpecialTokens: Bool = true) {
        self.tokenizer = tokenizer
        self.skipSpecialTokens = skipSpecialTokens
        pipeline = DecoderPipeline(tokenizer.decoder)
    }

    /// Feeds one id; returns the newly completed text (often empty).
    public mutating func push(_ id: Int) throws -> String {
        try feed(id)
        return take()
    }

    /// Feeds one id, leaving the text for a later `push` or `finish` to return.
    mutating func feed(_ id: Int) throws {
        guard let token = tokenizer.tokenBytes(id) else {
            throw TokenizerError.unknownID(id, vocabularySize: tokenizer.vocabularySize)
        }
        if !(skipSpecialTokens && tokenizer.isSkippedSpecial(token)) { pipeline.push(token) }
    }

    /// Ends the stream: returns whatever was held back.
    public mutating func finish() -> String {
        pipeline.finish()
        return take()
    }

    private mutating func take() -> String {
        guard !pipeline.output.isEmpty else { return "" }
        defer { pipeline.output.removeAll(keepingCapacity: true) }
        return String(decoding: pipeline.output, as: UTF8.self)
    }
}
