import TritJSON

/// Reading tokenizer.json into the components, refusing (by name) every
/// component and option this implementation does not reproduce exactly.
struct Loader {
    let source: String

    struct Components {
        var model: BPEModel
        var addedTokens: [AddedToken]
        var normalizer: [NormalizerStep]?
        var preTokenizer: [PreTokenizerStep]
        var postProcessor: [PostProcessorStep]
        var decoder: [DecoderStep]?
    }

    func load(_ root: JSON) throws(TokenizerError) -> Components {
        guard case .object = root else { throw invalid("top level", "expected an object, found \(root.kind)") }
        if let v = root["version"], v.string != "1.0" { throw unsupported("tokenizer.json version \(show(v))") }
        for key in ["truncation", "padding"] {
            if let v = root[key], !v.isNull { throw unsupported("\(key) (it must be null)") }
        }
        guard let modelJSON = root["model"] else { throw invalid("model", "missing") }
        return Components(
            model: try model(modelJSON),
            addedTokens: try addedTokens(root["added_tokens"] ?? .array([])),
            normalizer: try optional(root["normalizer"]) { (j: JSON) throws(TokenizerError) in try normalizer(j, "normalizer") },
            preTokenizer: try optional(root["pre_tokenizer"]) { (j: JSON) throws(TokenizerError) in try preTokenizer(j, "pre_tokenizer") } ?? [],
            postProcessor: try optional(root["post_processor"]) { (j: JSON) throws(TokenizerError) in try postProcessor(j, "post_processor") } ?? [],
            decoder: try optional(root["decoder"]) { (j: JSON) throws(TokenizerError) in try decoder(j, "decoder") })
    }

    // MARK: model

    private func model(_ j: JSON) throws(TokenizerError) -> BPEModel {
        let type = try string(j, "type", "model", default: "BPE")
        guard type == "BPE" else { throw unsupported("model type \"\(type)\"") }
        if let d = j["dropout"], !d.isNull, d.doubleValue != 0 { throw unsupported("model dropout \(show(d)) (random merges)") }
        var options = BPEModel.Options()
        options.unkToken = try optionalString(j, "unk_token", "model")
        options.continuingSubwordPrefix = try optionalString(j, "continuing_subword_prefix", "model")
        options.endOfWordSuffix = try optionalString(j, "end_of_word_suffix", "model")
        options.fuseUnk = try bool(j, "fuse_unk", "model", default: false)
        options.byteFallback = try bool(j, "byte_fallback", "model", default: false)
        options.ignoreMerges = try bool(j, "ignore_merges", "model", default: false)
        guard case .object(let vocabMembers)? = j["vocab"] else { throw invalid("model.vocab", "missing or not an object") }
        var vocab: [(key: [UInt8], value: Int32)] = []
        vocab.reserveCapacity(vocabMembers.count)
        for (key, value) in vocabMembers {
            guard let id = value.int, let id32 = Int32(exactly: id), id32 >= 0 else {
                throw invalid("model.vocab[\"\(key)\"]", "expected a token id, found \(show(value))")
            }
            vocab.append((Array(key.utf8), id32))
        }
        guard let mergesJSON = j["merges"]?.array else { throw invalid("model.merges", "missing or not an array") }
        var merges: [([UInt8], [UInt8])] = []
        merges.reserveCapacity(mergesJSON.count)
        for (k, m) in mergesJSON.enumerated() {
            // "a b" (the older form, split at the one space) or ["a", "b"].
            if let s = m.string {
                let parts = s.utf8.split(separator: 0x20, omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw invalid("model.merges[\(k)]", "\"\(s)\" is not two tokens separated by one space") }
                merges.append((Array(parts[0]), Array(parts[1])))
            } else if let pair = m.array, pair.count == 2, let a = pair[0].string, let b = pair[1].string {
                merges.append((Array(a.utf8), Array(b.utf8)))
            } else {
                throw invalid("model.merges[\(k)]", "expected \"a b\" or [\"a\", \"b\"], found \(show(m))")
            }
        }
        do {
            return try BPEModel(vocab: vocab, merges: merges, options: options)
        } catch {
            throw invalid("model", error.problem)
        }
    }

    private func addedTokens(_ j: JSON) throws(TokenizerError) -> [AddedToken] {
        guard let items = j.array else { throw invalid("added_tokens", "expected an array, found \(j.kind)") }
        var out: [AddedToken] = []
        for (k, item) in items.enumerated() {
            let path = "added_tokens[\(k)]"
            guard let content = item["content"]?.string else { throw invalid(path + ".content", "missing or not a string") }
            var t = AddedToken(content: Array(content.utf8))
            t.special = try bool(item, "special", path, default: false)
            t.singleWord = try bool(item, "single_word", path, default: false)
            t.lstrip = try bool(item, "lstrip", path, default: false)
            t.rstrip = try bool(item, "rstrip", path, default: false)
            t.normalized = try bool(item, "normalized", path, default: !t.special)
            out.append(t)
        }
        return out
    }

    // MARK: normalizer, pre-tokenizer

    private func normalizer(_ j: JSON, _ path: String) throws(TokenizerError) -> [NormalizerStep] {
        let type = try string(j, "type", path)
        switch type {
        case "Sequence":
            guard let items = j["normalizers"]?.array else { throw invalid(path + ".normalizers", "missing or not an array") }
            var steps: [NormalizerStep] = []
            for (k, item) in items.enumerated() { steps += try normalizer(item, "\(path).normalizers[\(k)]") }
            return steps
        case "Prepend": return [.prepend(Array(try string(j, "prepend", path).utf8))]
        case "Replace":
            let (pattern, content) = try replacePattern(j, path, "normalizer")
            return [.replace(pattern: pattern, content: content)]
        case "NFC": return [.nfc]
        case "NFD": return [.nfd]
        case "NFKC": return [.nfkc]
        case "NFKD": return [.nfkd]
        case "Lowercase": return [.lowercase]
        case "Strip":
            return [.strip(left: try bool(j, "strip_left", path, default: false), right: try bool(j, "strip_right", path, default: false))]
        case "StripAccents": return [.stripAccents]
        default: throw unsupported("normalizer type \"\(type)\"")
        }
    }

    private func preTokenizer(_ j: JSON, _ path: String) throws(TokenizerError) -> [PreTokenizerStep] {
        let type = try string(j, "type", path)
        switch type {
        case "Sequence":
            guard let items = j["pretokenizers"]?.array else { throw invalid(path + ".pretokenizers", "missing or not an array") }
            var steps: [PreTokenizerStep] = []
            for (k, item) in items.enumerated() {
                if case .byteLevel? = steps.last { throw unsupported("pre_tokenizer after ByteLevel in a Sequence") }
                steps += try preTokenizer(item, "\(path).pretokenizers[\(k)]")
            }
            return steps
        case "Metaspace":
            let (replacement, scheme) = try metaspace(j, path)
            return [.metaspace(replacement: replacement, prependScheme: scheme, split: try bool(j, "split", path, default: true))]
        case "ByteLevel":
            return [.byteLevel(addPrefixSpace: try bool(j, "add_prefix_space", path, default: true),
                               useRegex: try bool(j, "use_regex", path, default: true))]
        default: throw unsupported("pre_tokenizer type \"\(type)\"")
        }
    }

    /// Metaspace's replacement and prepend scheme (also for the decoder),
    /// with the older `add_prefix_space` checked as the library does.
    private func metaspace(_ j: JSON, _ path: String) throws(TokenizerError) -> (Unicode.Scalar, PrependScheme) {
        let replacement = try string(j, "replacement", path)
        guard replacement.unicodeScalars.count == 1, let scalar = replacement.unicodeScalars.first else {
            throw invalid(path + ".replacement", "expected one character, found \"\(replacement)\"")
        }
        let schemeName = try string(j, "prepend_scheme", path, default: "always")
        guard var scheme = PrependScheme(rawValue: schemeName) else { throw unsupported("\(path) prepend_scheme \"\(schemeName)\"") }
        if let add = j["add_prefix_space"], add.bool == false {
            guard scheme == .never else { throw invalid(path, "add_prefix_space does not match declared prepend_scheme") }
            scheme = .never
        }
        return (scalar, scheme)
    }

    // MARK: post-processor, decoder

    private func postProcessor(_ j: JSON, _ path: String) throws(TokenizerError) -> [PostProcessorStep] {
        let type = try string(j, "type", path)
        switch type {
        case "Sequence":
            guard let items = j["processors"]?.array else { throw invalid(path + ".processors", "missing or not an array") }
            var steps: [PostProcessorStep] = []
            for (k, item) in items.enumerated() { steps += try postProcessor(item, "\(path).processors[\(k)]") }
            return steps
        case "ByteLevel": return [.byteLevel]
        case "TemplateProcessing": return [.template(try template(j, path))]
        default: throw unsupported("post_processor type \"\(type)\"")
        }
    }

    private func template(_ j: JSON, _ path: String) throws(TokenizerError) -> [PostProcessorStep.TemplatePiece] {
        guard let single = j["single"]?.array else { throw invalid(path + ".single", "missing or not an array") }
        var pieces: [PostProcessorStep.TemplatePiece] = []
        for (k, piece) in single.enumerated() {
            let p = "\(path).single[\(k)]"
            if let seq = piece["Sequence"] {
                guard seq["id"]?.string == "A" else { throw unsupported("\(p): a single-sequence template naming sequence \(show(seq["id"] ?? .null))") }
                pieces.append(.sequence)
            } else if let special = piece["SpecialToken"] {
                guard let name = special["id"]?.string else { throw invalid(p + ".SpecialToken.id", "missing or not a string") }
                guard let entry = j["special_tokens"]?[name] else { throw invalid(p, "special token \"\(name)\" is not in special_tokens") }
                guard let ids = entry["ids"]?.array?.compactMap({ $0.int.flatMap { Int32(exactly: $0) } }),
                      let tokens = entry["tokens"]?.array?.compactMap({ $0.string }), ids.count == tokens.count else {
                    throw invalid("\(path).special_tokens[\"\(name)\"]", "expected ids and tokens of equal length")
                }
                pieces.append(.special(ids: ids, tokens: tokens))
            } else {
                throw invalid(p, "expected a Sequence or a SpecialToken, found \(show(piece))")
            }
        }
        return pieces
    }

    func decoder(_ j: JSON, _ path: String) throws(TokenizerError) -> [DecoderStep] {
        let type = try string(j, "type", path)
        switch type {
        case "Sequence":
            guard let items = j["decoders"]?.array else { throw invalid(path + ".decoders", "missing or not an array") }
            var steps: [DecoderStep] = []
            for (k, item) in items.enumerated() { steps += try decoder(item, "\(path).decoders[\(k)]") }
            return steps
        case "Replace":
            let (pattern, content) = try replacePattern(j, path, "decoder")
            return [.replace(pattern: pattern, content: content)]
        case "ByteFallback": return [.byteFallback]
        case "Fuse": return [.fuse]
        case "Strip":
            let content = try string(j, "content", path)
            guard content.unicodeScalars.count == 1, let scalar = content.unicodeScalars.first else {
                throw invalid(path + ".content", "expected one character, found \"\(content)\"")
            }
            return [.strip(content: scalar, start: try count(j, "start", path), stop: try count(j, "stop", path))]
        case "Metaspace":
            let (replacement, scheme) = try metaspace(j, path)
            return [.metaspace(replacement: replacement, prependFirst: scheme != .never)]
        case "ByteLevel": return [.byteLevel]
        case "BPEDecoder": return [.bpe(suffix: Array(try string(j, "suffix", path, default: "</w>").utf8))]
        default: throw unsupported("decoder type \"\(type)\"")
        }
    }

    /// Replace's `pattern` (only the literal `String` form) and `content`.
    private func replacePattern(_ j: JSON, _ path: String, _ kind: String) throws(TokenizerError) -> ([UInt8], [UInt8]) {
        guard let pattern = j["pattern"] else { throw invalid(path + ".pattern", "missing") }
        if pattern["Regex"] != nil { throw unsupported("\(kind) Replace with a Regex pattern (\(path))") }
        guard let literal = pattern["String"]?.string else { throw invalid(path + ".pattern", "expected {\"String\": ...}, found \(show(pattern))") }
        guard !literal.isEmpty else { throw unsupported("\(kind) Replace with an empty pattern (\(path))") }
        return (Array(literal.utf8), Array(try string(j, "content", path).utf8))
    }

    // MARK: field helpers

    private func optional<T>(_ j: JSON?, _ body: (JSON) throws(TokenizerError) -> T) throws(TokenizerError) -> T? {
        guard let j, !j.isNull else { return nil }
        return try body(j)
    }

    private func string(_ j: JSON, _ key: String, _ path: String, default value: String? = nil) throws(TokenizerError) -> String {
        guard let v = j[key], !v.isNull else {
            if let value { return value }
            throw invalid("\(path).\(key)", "missing")
        }
        guard let s = v.string else { throw invalid("\(path).\(key)", "expected a string, found \(v.kind)") }
        return s
    }

    private func optionalString(_ j: JSON, _ key: String, _ path: String) throws(TokenizerError) -> String? {
        guard let v = j[key], !v.isNull else { return nil }
        guard let s = v.string else { throw invalid("\(path).\(key)", "expected a string, found \(v.kind)") }
        return s
    }

    private func bool(_ j: JSON, _ key: String, _ path: String, default value: Bool) throws(TokenizerError) -> Bool {
        guard let v = j[key], !v.isNull else { return value }
        guard let b = v.bool else { throw invalid("\(path).\(key)", "expected true or false, found \(v.kind)") }
        return b
    }

    private func count(_ j: JSON, _ key: String, _ path: String) throws(TokenizerError) -> Int {
        guard let n = j[key]?.int, n >= 0 else { throw invalid("\(path).\(key)", "missing or not a count") }
        return n
    }

    private func invalid(_ path: String, _ problem: String) -> TokenizerError {
        .invalidField(source: source, path: path, problem: problem)
    }

    private func unsupported(_ what: String) -> TokenizerError { .unsupported(source: source, what: what) }

    private func show(_ j: JSON) -> String {
        switch j {
        case .string(let s): return "\"\(s)\""
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return String(b)
        default: return j.kind
        }
    }
}
