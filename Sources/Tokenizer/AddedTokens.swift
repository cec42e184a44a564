/// Added tokens (`added_tokens` of tokenizer.json): found in the input
/// before the model runs and encoded as themselves, as the library's
/// `AddedVocabulary` does: leftmost-longest matching, then the
/// `single_word`, `lstrip` and `rstrip` rules on each match.
struct AddedToken: Sendable, Equatable {
    var content: [UInt8]
    var singleWord = false
    var lstrip = false
    var rstrip = false
    var normalized = true
    var special = false
}

/// A set of byte patterns searched leftmost-longest (a byte trie).
struct PatternMatcher: Sendable {
    private var children: [UInt64: Int32] = [:]   // (node << 8 | byte) -> child node
    private var terminal: [Int32] = [-1]          // node -> token id, or -1
    private var firstByte = [Bool](repeating: false, count: 256)
    var isEmpty: Bool { terminal.count == 1 }

    mutating func insert(_ pattern: [UInt8], id: Int32) {
        guard let first = pattern.first else { return }
        firstByte[Int(first)] = true
        var node = 0
        for b in pattern {
            let key = UInt64(node) << 8 | UInt64(b)
            if let child = children[key] {
                node = Int(child)
            } else {
                terminal.append(-1)
                node = terminal.count - 1
                children[key] = Int32(node)
            }
        }
        terminal[node] = id
    }

    /// Non-overlapping matches, leftmost first and longest there.
    func matches(_ s: [UInt8]) -> [(start: Int, end: Int, id: Int32)] {
        var found: [(start: Int, end: Int, id: Int32)] = []
        guard !isEmpty else { return found }
        var i = 0
        while i < s.count {
            guard firstByte[Int(s[i])] else { i += 1; continue }
            var node = 0
            var best: (end: Int, id: Int32)? = nil
            var j = i
            while j < s.count, let child = children[UInt64(node) << 8 | UInt64(s[j])] {
                node = Int(child)
                j += 1
                if terminal[node] >= 0 { best = (j, terminal[node]) }
            }
            if let best {
                found.append((i, best.end, best.id))
                i = best.end
            } else {
                i += 1
            }
        }
        return found
    }
}

/// The added tokens of a tokenizer, with their ids and matchers.
struct AddedVocabulary: Sendable {
    /// By id: the token and, for `normalized` tokens the normalizer changes,
    /// the normalized text (what the library's `id_to_token` answers).
    private(set) var byID: [Int32: (token: AddedToken, text: [UInt8])] = [:]
    private(set) var idOfContent: [[UInt8]: Int32] = [:]
    private(set) var specialContents: Set<[UInt8]> = []
    /// Tokens matched in the raw input / in the normalized pieces.
    private(set) var rawMatcher = PatternMatcher()
    private(set) var normalizedMatcher = PatternMatcher()

    /// Ids as the library gives them on loading (the ids in the file are
    /// not read): the model's id for a content it has, else the next free
    /// id from the model's vocabulary size on.
    init(_ tokens: [AddedToken], model: BPEModel, normalize: ([UInt8]) -> [UInt8]) {
        var nextID = Int32(model.vocabularySize)
        for token in tokens where !token.content.isEmpty {
            if let id = idOfContent[token.content], byID[id]?.token == token { continue }
            let id: Int32
            if let known = idOfContent[token.content] ?? model.vocab.get(token.content) {
                id = known
            } else {
                id = nextID
                nextID += 1
            }
            let text = token.normalized ? normalize(token.content) : token.content
            byID[id] = (token, text)
            idOfContent[token.content] = id
            if token.special { specialContents.insert(token.content) }
        }
        for (id, entry) in byID.sorted(by: { $0.key < $1.key }) {
            if entry.token.normalized {
                normalizedMatcher.insert(entry.text, id: id)
            } else {
                rawMatcher.insert(entry.token.content, id: id)
            }
        }
    }

    /// Cuts `s` into stretches of text (`id` nil) and added tokens.
    func split(_ s: [UInt8], _ matcher: PatternMatcher) -> [(start: Int, end: Int, id: Int32?)] {
        var out: [(start: Int, end: Int, id: Int32?)] = []
        var done = 0
        for m in matcher.matches(s) {
            guard let token = byID[m.id]?.token else { continue }
            var (start, stop) = (m.start, m.end)
            if token.singleWord {
                let wordBefore = start > 0 && lastScalar(s, before: start).map(CharClass.isWord) == true
                let wordAfter = stop < s.count && firstScalar(s, from: stop).map(CharClass.isWord) == true
                if wordBefore || wordAfter { continue }
            }
            if token.lstrip {
                var k = start
                while k > 0, let c = lastScalar(s, before: k), c.properties.isWhitespace { k -= String(c).utf8.count }
                start = max(k, done)
            }
            if token.rstrip {
                while stop < s.count, let c = firstScalar(s, from: stop), c.properties.isWhitespace { stop += String(c).utf8.count }
            }
            if done < start { out.append((done, start, nil)) }
            out.append((start, stop, m.id))
            done = stop
        }
        if done < s.count { out.append((done, s.count, nil)) }
        return out
    }

    private func lastScalar(_ s: [UInt8], before end: Int) -> Unicode.Scalar? {
        var k = end - 1
        while k > 0, s[k] & 0xC0 == 0x80 { k -= 1 }
        return String(decoding: s[k..<end], as: UTF8.self).unicodeScalars.first
    }

    private func firstScalar(_ s: [UInt8], from start: Int) -> Unicode.Scalar? {
        s.withUnsafeBufferPointer { Unicode.Scalar(scalarAt($0.baseAddress!, start).value) }
    }
}
