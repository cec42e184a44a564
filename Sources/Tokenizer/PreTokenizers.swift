/// Pre-tokenizers (`pre_tokenizers.*`): cut a normalized piece of text into
/// the words the model encodes one by one.

/// Pieces of text as byte ranges of one buffer.
struct Pieces {
    struct Span {
        var start: Int
        var end: Int
        /// Starts at offset 0 of the original input (what Metaspace's
        /// `prepend_scheme: first` asks).
        var atOrigin: Bool
    }

    var bytes: [UInt8] = []
    var spans: [Span] = []

    /// Appends `piece` as one span (empty pieces are dropped, as the library does).
    mutating func append<C: Collection>(_ piece: C, atOrigin: Bool) where C.Element == UInt8 {
        guard !piece.isEmpty else { return }
        let start = bytes.count
        bytes.append(contentsOf: piece)
        spans.append(Span(start: start, end: bytes.count, atOrigin: atOrigin))
    }
}

enum PrependScheme: String, Sendable { case first, always, never }

enum PreTokenizerStep: Sendable, Equatable {
    case metaspace(replacement: Unicode.Scalar, prependScheme: PrependScheme, split: Bool)
    /// Maps bytes to GPT-2's alphabet; it must come last (the model applies the mapping).
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)

    /// Runs the step over every span of `input`.
    func apply(_ input: Pieces) -> Pieces {
        var out = Pieces()
        out.bytes.reserveCapacity(input.bytes.count + input.spans.count * 3)
        input.bytes.withUnsafeBufferPointer { buffer in
            for span in input.spans {
                let piece = UnsafeBufferPointer(rebasing: buffer[span.start..<span.end])
                switch self {
                case let .metaspace(replacement, scheme, split):
                    metaspace(piece, span.atOrigin, replacement, scheme, split, &out)
                case let .byteLevel(addPrefixSpace, useRegex):
                    byteLevel(piece, span.atOrigin, addPrefixSpace, useRegex, &out)
                }
            }
        }
        return out
    }

    /// Spaces become the replacement character, which is prepended as the
    /// scheme says; with `split`, each replacement character starts a word.
    private func metaspace(_ piece: UnsafeBufferPointer<UInt8>, _ atOrigin: Bool, _ replacement: Unicode.Scalar,
                           _ scheme: PrependScheme, _ split: Bool, _ out: inout Pieces) {
        let rep = Array(String(replacement).utf8)
        var text: [UInt8] = []
        text.reserveCapacity(piece.count + rep.count)
        for b in piece { if b == 0x20 { text.append(contentsOf: rep) } else { text.append(b) } }
        let startsWithRep = text.starts(with: rep)
        if !startsWithRep && (scheme == .always || (scheme == .first && atOrigin)) {
            text.insert(contentsOf: rep, at: 0)
        }
        guard split else { out.append(text, atOrigin: atOrigin); return }
        // MergedWithNext: a replacement character joins what follows it,
        // unless another replacement character follows directly.
        var start = 0
        var i = 0
        while i < text.count {
            if text[i] == rep[0], i + rep.count <= text.count, text[i..<(i + rep.count)].elementsEqual(rep) {
                let nextIsRep = i + 2 * rep.count <= text.count
                    && text[(i + rep.count)..<(i + 2 * rep.count)].elementsEqual(rep)
                let atEnd = i + rep.count == text.count
                if i > start { out.append(text[start..<i], atOrigin: atOrigin && start == 0) }
                if nextIsRep || atEnd {
                    out.append(text[i..<(i + rep.count)], atOrigin: atOrigin && i == 0)
                    start = i + rep.count
                } else {
                    start = i
                }
                i += rep.count
            } else {
                i += 1
            }
        }
        if start < text.count { out.append(text[start...], atOrigin: atOrigin && start == 0) }
    }

    private func byteLevel(_ piece: UnsafeBufferPointer<UInt8>, _ atOrigin: Bool, _ addPrefixSpace: Bool,
                           _ useRegex: Bool, _ out: inout Pieces) {
        let base = out.bytes.count
        if addPrefixSpace && piece.first != 0x20 { out.bytes.append(0x20) }
        out.bytes.append(contentsOf: piece)
        guard useRegex else {
            out.spans.append(.init(start: base, end: out.bytes.count, atOrigin: atOrigin))
            return
        }
        let end = out.bytes.count
        var spans = out.spans
        out.spans = []
        out.bytes.withUnsafeBufferPointer { p in
            ByteLevelMap.split(p.baseAddress!, base, end) { s, e in
                spans.append(.init(start: s, end: e, atOrigin: atOrigin && s == base))
            }
        }
        out.spans = spans
    }
}
