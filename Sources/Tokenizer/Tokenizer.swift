import TritJSON
import Foundation

/// A Hugging Face tokenizer (tokenizer.json) that encodes and decodes
/// exactly as the Python/Rust `tokenizers` library does, for BPE models:
/// the Llama / Mistral family (byte fallback, `▁` spaces) and GPT-2's
/// byte-level BPE. Anything else in the file is refused by name when the
/// tokenizer is loaded. See docs/tokenizer.md.
public struct Tokenizer: Sendable {
    let model: BPEModel
    let added: AddedVocabulary
    let normalizer: [NormalizerStep]?
    let preTokenizer: [PreTokenizerStep]
    let postProcessor: PostProcessor
    let decoder: [DecoderStep]?
    private let state = EncoderState()

    /// Reads a tokenizer.json file.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TokenizerError.unreadable(source: url.path, reason: error.localizedDescription)
        }
        try self.init(json: data, source: url.path)
    }

    /// Parses the contents of a tokenizer.json; `source` names it in errors.
    public init(json data: Data, source: String) throws {
        let bytes = [UInt8](data)
        let root: JSON
        do {
            root = try JSON.parse(bytes)
        } catch {
            let (line, column) = error.lineAndColumn(in: bytes)
            throw TokenizerError.malformedJSON(source: source, line: line, column: column, offset: error.offset, problem: error.problem)
        }
        let c = try Loader(source: source).load(root)
        model = c.model
        normalizer = c.normalizer
        added = AddedVocabulary(c.addedTokens, model: c.model) { [normalizer = c.normalizer] in
            Tokenizer.normalize($0, normalizer)
        }
        preTokenizer = c.preTokenizer
        postProcessor = PostProcessor(steps: c.postProcessor)
        decoder = c.decoder
    }

    /// Encodes `text`; `addSpecialTokens` runs the post-processor's template (BOS).
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> Encoding {
        let bytes = Array(text.utf8)
        var ids: [Int32] = []
        ids.reserveCapacity(bytes.count / 3 + 4)
        var overrides: [Int: String] = [:]
        state.use { cache, scratch in
            for seg in added.split(bytes, added.rawMatcher) {
                if let id = seg.id {
                    overrides[ids.count] = String(decoding: bytes[seg.start..<seg.end], as: UTF8.self)
                    ids.append(id)
                    continue
                }
                var piece = Array(bytes[seg.start..<seg.end])
                if let normalizer { piece = Tokenizer.normalize(piece, normalizer) }
                if added.normalizedMatcher.isEmpty {
                    encodeText(piece[...], atOrigin: seg.start == 0, &cache, scratch, &ids)
                    continue
                }
                for sub in added.split(piece, added.normalizedMatcher) {
                    if let id = sub.id {
                        overrides[ids.count] = String(decoding: piece[sub.start..<sub.end], as: UTF8.self)
                        ids.append(id)
                    } else {
                        encodeText(piece[sub.start..<sub.end], atOrigin: seg.start == 0 && sub.start == 0, &cache, scratch, &ids)
                    }
                }
            }
        }
        return postProcessor.apply(Encoding(ids: ids, names: model.tokens, overrides: overrides), addSpecialTokens: addSpecialTokens)
    }

    /// Pre-tokenizes a normalized stretch of text and runs the model on each word.
    private func encodeText(_ piece: ArraySlice<UInt8>, atOrigin: Bool, _ cache: inout WordCache, _ scratch: BPEScratch,
                            _ ids: inout [Int32]) {
        guard !piece.isEmpty else { return }
        if preTokenizer.isEmpty {
            piece.withUnsafeBytes { model.tokenize($0, scratch: scratch, cache: &cache, into: &ids) }
            return
        }
        var pieces = Pieces()
        pieces.append(piece, atOrigin: atOrigin)
        for step in preTokenizer { pieces = step.apply(pieces) }
        let byteLevel = if case .byteLevel? = preTokenizer.last { true } else { false }
        var mapped: [UInt8] = []
        pieces.bytes.withUnsafeBytes { buffer in
            for span in pieces.spans {
                let word = UnsafeRawBufferPointer(rebasing: buffer[span.start..<span.end])
                if byteLevel {
                    ByteLevelMap.map(word, into: &mapped)
                    mapped.withUnsafeBytes { model.tokenize($0, scratch: scratch, cache: &cache, into: &ids) }
                } else {
                    model.tokenize(word, scratch: scratch, cache: &cache, into: &ids)
                }
            }
        }
    }

    static func normalize(_ s: [UInt8], _ steps: [NormalizerStep]?) -> [UInt8] {
        guard let steps else { return s }
        var s = s
        for step in steps { s = step.apply(s) }
        return s
    }

    /// Decodes ids to text (special tokens left out unless `skipSpecialTokens`
    /// is false). Unlike the library, which drops them, an id outside the
    /// vocabulary is an error.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = true) throws -> String {
        var stream = StreamingDecoder(self, skipSpecialTokens: skipSpecialTokens)
        for id in ids { try stream.feed(id) }
        return stream.finish()
    }

    /// The text decoding works on for `id`, nil when it has none.
    func tokenBytes(_ id: Int) -> [UInt8]? {
        guard let id32 = Int32(exactly: id), id32 >= 0 else { return nil }
        if let entry = added.byID[id32] { return entry.text }
        return id < model.tokens.count ? model.tokens[id] : nil
    }

    func isSkippedSpecial(_ token: [UInt8]) -> Bool { added.specialContents.contains(token) }

    /// The number of distinct ids, added tokens included (the library's
    /// `get_vocab_size(with_added_tokens=True)`).
    public var vocabularySize: Int {
        model.vocabularySize + added.idOfContent.keys.filter { model.vocab.get($0) == nil }.count
    }

    /// The id of a token's text (an added token or the model's).
    public func id(of token: String) -> Int? {
        let bytes = Array(token.utf8)
        return (added.idOfContent[bytes] ?? model.vocab.get(bytes)).map { Int($0) }
    }

    /// The text of a token id (for added tokens the normalized form, as the library answers).
    public func token(of id: Int) -> String? { tokenBytes(id).map { String(decoding: $0, as: UTF8.self) } }

    /// Beginning of sequence: the token the post-processor puts first, else `<s>` or `<|endoftext|>`.
    public var bosID: Int? {
        postProcessor.leadingSpecialID.map { Int($0) } ?? addedID("<s>") ?? addedID("<|endoftext|>")
    }

    /// End of sequence: the token the post-processor puts last, else `</s>` or `<|endoftext|>`.
    public var eosID: Int? {
        postProcessor.trailingSpecialID.map { Int($0) } ?? addedID("</s>") ?? addedID("<|endoftext|>")
    }

    private func addedID(_ content: String) -> Int? { added.idOfContent[Array(content.utf8)].map { Int($0) } }
}

/// The word cache and scratch space, shared by calls to `encode`: a call
/// takes them when free, else works with its own (same results, no cache).
final class EncoderState: @unchecked Sendable {
    private let lock = NSLock()
    private var cache: WordCache? = WordCache(enabled: true)
    private let scratch = BPEScratch()

    func use(_ body: (inout WordCache, BPEScratch) -> Void) {
        guard lock.try() else {
            var none = WordCache(enabled: false)
            body(&none, BPEScratch())
            return
        }
        defer { lock.unlock() }
        // Moved out, not copied: the encoder owns the arrays while it runs.
        var local = cache!
        cache = nil
        body(&local, scratch)
        cache = local
    }
}
