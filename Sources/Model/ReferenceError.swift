/// A request the float reference cannot serve (layers out of range, a bad
/// `--layers` text, a token outside the vocabulary).
public struct ReferenceError: Error, CustomStringConvertible, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
