/// Where in the user's Swift source a declaration or statement was written.
/// Captured with `#fileID`, `#line` and `#column` default arguments so that
/// every elaboration error can point at the culprit.
public struct CodeLocation: Hashable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One elaboration problem: what is wrong and where it was written.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public let location: CodeLocation
    public let message: String
    /// The module (emitted name) being elaborated when the problem was found.
    public let module: String

    public init(_ message: String, at location: CodeLocation, module: String) {
        self.message = message
        self.location = location
        self.module = module
    }

    public var description: String { "\(location): error: \(message) [in module \(module)]" }
}

/// Thrown by `elaborate` when a design breaks one or more rules. It carries
/// every problem found, in source order, so a user fixes them in one pass.
public struct ElaborationError: Error, CustomStringConvertible {
    public let diagnostics: [Diagnostic]

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
