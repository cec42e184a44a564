import Foundation

/// One line of a generated program: an instruction (with an optional
/// trailing note) or a comment of its own. Code generators build lists of
/// these, so a schedule can be reordered before it is printed.
struct ProgramLine: Equatable {
    enum Kind: Equatable {
        case instruction(mnemonic: String, operands: [String])
        case comment(String)
        case blank
    }

    var kind: Kind
    var note: String?

    static func op(_ mnemonic: String, _ operands: String..., note: String? = nil) -> ProgramLine {
        ProgramLine(kind: .instruction(mnemonic: mnemonic, operands: operands), note: note)
    }
    static func comment(_ text: String) -> ProgramLine { ProgramLine(kind: .comment(text)) }
    static let blank = ProgramLine(kind: .blank)

    var isInstruction: Bool {
        if case .instruction = kind { return true }
        return false
    }

    /// The assembly text: instructions indented with the mnemonic in a column,
    /// notes aligned after them.
    var text: String {
        switch kind {
        case .blank: return ""
        case .comment(let c): return "        ; " + c
        case .instruction(let m, let ops):
            var s = "        " + (ops.isEmpty ? m : m.padding(toLength: Swift.max(8, m.count + 1), withPad: " ", startingAt: 0) + ops.joined(separator: ", "))
            if let note {
                s = s.padding(toLength: max(48, s.count + 1), withPad: " ", startingAt: 0) + "; " + note
            }
            return s
        }
    }
}

extension Array where Element == ProgramLine {
    var instructionCount: Int { reduce(0) { $0 + ($1.isInstruction ? 1 : 0) } }
}
