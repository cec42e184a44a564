import ArgumentParser
import Assembler
import ISA

/// `trit asm PROG.s -o PROG.bin`.
struct AsmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "asm",
        abstract: "Assemble a program into a binary image.")

    @Argument(help: "Assembly source file.")
    var source: String

    @Option(name: .shortAndLong, help: "Output image file.")
    var output: String

    func run() throws {
        let text = try ISAToolFiles.readText(source)
        switch Assembler().assemble(text, file: source) {
        case .success(let image):
            try ISAToolFiles.writeAtomically(image.serialized(), to: output)
        case .failure(let errs):
            ISAToolFiles.stderr(errs.description)
            ISAToolFiles.stderr("\(errs.errors.count) error\(errs.errors.count == 1 ? "" : "s"); no output written")
            throw ExitCode(1)
        }
    }
}
