/// Everything the tokenizer can throw. Each case carries a complete
/// sentence naming the file (or input) and what is wrong, so callers can
/// print `description` as is.
public enum TokenizerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file could not be read.
    case unreadable(source: String, reason: String)
    /// The file is not JSON (truncated, stray byte, ...).
    case malformedJSON(source: String, line: Int, column: Int, offset: Int, problem: String)
    /// The JSON is valid but a field is missing or has the wrong shape.
    case invalidField(source: String, path: String, problem: String)
    /// A component or option this implementation does not reproduce exactly.
    case unsupported(source: String, what: String)
    /// Input bytes that are not UTF-8.
    case invalidUTF8(source: String, offset: Int)
    /// `decode` was given an id the vocabulary does not have.
    case unknownID(Int, vocabularySize: Int)

    public var description: String {
        switch self {
        case let .unreadable(source, reason):
            return "\(source): cannot read: \(reason)"
        case let .malformedJSON(source, line, column, offset, problem):
            return "\(source): invalid JSON at line \(line), column \(column) (byte \(offset)): \(problem)"
        case let .invalidField(source, path, problem):
            return "\(source): \(path): \(problem)"
        case let .unsupported(source, what):
            return "\(source): unsupported \(what)"
        case let .invalidUTF8(source, offset):
            return "\(source): invalid UTF-8 at byte \(offset)"
        case let .unknownID(id, size):
            return "token id \(id) is not in the vocabulary (size \(size))"
        }
    }
}
