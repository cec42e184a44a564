/// Why a checkpoint cannot be compiled for a target: the tensor when one is
/// to blame, and what is wrong, printed as `tensor: problem`.
public struct CompileError: Error, CustomStringConvertible, Equatable, Sendable {
    public var tensor: String?
    public var problem: String

    public init(tensor: String? = nil, _ problem: String) {
        self.tensor = tensor
        self.problem = problem
    }

    public var description: String { [tensor, problem].compactMap { $0 }.joined(separator: ": ") }
}
