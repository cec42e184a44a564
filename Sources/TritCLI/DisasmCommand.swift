import ArgumentParser
import Assembler
import ISA

/// `trit disasm PROG.bin`.
struct DisasmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disasm",
        abstract: "Disassemble a binary image; the listing reassembles to the same bytes.")

    @Argument(help: "Program image.")
    var image: String

    @Option(name: .shortAndLong, help: "Write the listing to this file instead of standard output.")
    var output: String?

    func run() throws {
        let bytes = try ISAToolFiles.read(image)
        let img: ProgramImage
        do {
            img = try ProgramImage.parse(bytes)
        } catch {
            ISAToolFiles.stderr("\(image): error: \(error)")
            throw ExitCode(1)
        }
        let text = Disassembler.listing(img)
        if let o = output {
            try ISAToolFiles.writeAtomically(Array(text.utf8), to: o)
        } else {
            print(text, terminator: "")
        }
    }
}
