/// Post-processors (`processors.*`) for a single sequence: what they add
/// around the encoded text when special tokens are asked for.
enum PostProcessorStep: Sendable, Equatable {
    /// `TemplateProcessing`'s `single` template, its special tokens resolved.
    case template([TemplatePiece])
    /// `ByteLevel`: it only trims offsets, which `Encoding` does not carry.
    case byteLevel

    enum TemplatePiece: Sendable, Equatable {
        case sequence
        case special(ids: [Int32], tokens: [String])
    }
}

/// A chain of post-processors (a `Sequence` flattened), applied in order.
struct PostProcessor: Sendable {
    var steps: [PostProcessorStep]

    func apply(_ encoding: Encoding, addSpecialTokens: Bool) -> Encoding {
        var e = encoding
        for case .template(let pieces) in steps {
            var out = Encoding()
            for piece in pieces {
                switch piece {
                case .sequence:
                    out.append(e)
                case let .special(ids, tokens) where addSpecialTokens:
                    for (id, token) in zip(ids, tokens) { out.append(id: id, token: token) }
                case .special:
                    break
                }
            }
            e = out
        }
        return e
    }

    /// The ids a template puts first and last (for BOS / EOS).
    var leadingSpecialID: Int32? {
        for case .template(let pieces) in steps { if case .special(let ids, _)? = pieces.first { return ids.first } }
        return nil
    }

    var trailingSpecialID: Int32? {
        for case .template(let pieces) in steps { if case .special(let ids, _)? = pieces.last { return ids.last } }
        return nil
    }
}
