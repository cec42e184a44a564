import ArgumentParser
import ISA

/// `trit isa`: print the generated ISA reference.
struct IsaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "isa",
        abstract: "Print the instruction set reference (isa/ISA.md or isa/isa.json).")

    enum Format: String, ExpressibleByArgument, CaseIterable { case md, json }

    @Option(help: "Output format: md or json.")
    var format: Format = .md

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    func run() throws {
        let text = format == .md ? ISAReference.markdown() : ISAReference.json()
        if let o = output {
            try ISAToolFiles.writeAtomically(Array(text.utf8), to: o)
        } else {
            print(text, terminator: "")
        }
    }
}
