import ArgumentParser
import Core
import Foundation
import HDL
import HDLEmit
import ISA

/// `trit isa`: the generated ISA reference, or its hardware decoder.
struct IsaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "isa",
        abstract: "Print the instruction set reference (generated/isa/ISA.md, generated/isa/isa.json), or write its SystemVerilog decoder and constants package (sv).")

    enum Format: String, ExpressibleByArgument, CaseIterable { case md, json, sv }

    @Option(help: "Output format: md, json, or sv (decoder module and package, needs --output DIR).")
    var format: Format = .md

    @Option(name: .shortAndLong, help: "Write to this file (md, json) or directory (sv) instead of standard output.")
    var output: String?

    func validate() throws {
        if format == .sv && output == nil {
            throw ValidationError("--format sv writes two files: give a directory with --output DIR")
        }
    }

    func run() throws {
        switch format {
        case .md, .json:
            let text = format == .md ? ISAReference.markdown() : ISAReference.json()
            if let o = output {
                try ISAToolFiles.writeAtomically(Array(text.utf8), to: o)
            } else {
                print(text, terminator: "")
            }
        case .sv:
            let dir = output ?? "."
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for file in try ISAHardware.files() {
                try ISAToolFiles.writeAtomically(Array(file.contents.utf8), to: "\(dir)/\(file.name)")
            }
        }
    }
}

extension ISAHardware {
    /// The decoder module and the constants package, as committed under generated/rtl/isa.
    static func files(config: CoreConfig = .standard) throws -> [EmittedFile] {
        let emitter = SystemVerilogEmitter()
        return emitter.files(for: try decoder(config: config)) + [emitter.package(ISAConstants.package(config: config))]
    }
}
